"""The records the Asana emulator keeps, one dataclass per Asana resource type.

Each record stores references to other records by *gid* (Asana's global id: a numeric string, 16 digits
here, handed out by a counter so a seed always gives the same ids). Rendering into Asana's JSON shapes lives
in ``render.py``; mutations live in ``store.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class User:
    gid: str
    name: str
    email: str
    resource_type: str = "user"


@dataclass
class Workspace:
    gid: str
    name: str
    is_organization: bool = False
    email_domains: list[str] = field(default_factory=list)
    resource_type: str = "workspace"


@dataclass
class Team:
    """A team of an organization (a workspace with ``is_organization``): each project there has one."""

    gid: str
    name: str
    organization: str
    members: list[str] = field(default_factory=list)  # user gids
    description: str = ""
    resource_type: str = "team"


@dataclass
class Project:
    gid: str
    name: str
    workspace: str
    owner: str | None
    created_at: str
    modified_at: str
    notes: str = ""
    color: str | None = None
    team: str | None = None  # the team it is shared with, in an organization
    archived: bool = False
    default_view: str = "list"  # list | board | calendar | timeline (ProjectBase.default_view)
    # A read-only project answers 403 to writes: the "insufficient permission" case of the API.
    read_only: bool = False
    sections: list[str] = field(default_factory=list)
    custom_field_settings: list[str] = field(default_factory=list)
    resource_type: str = "project"


@dataclass
class Section:
    gid: str
    name: str
    project: str
    created_at: str
    # Order of the section's tasks; a project's task order is its sections' lists end to end.
    tasks: list[str] = field(default_factory=list)
    resource_type: str = "section"


@dataclass
class Membership:
    """A task's place in one project: the project and the one section of it holding the task."""

    project: str
    section: str


@dataclass
class Task:
    gid: str
    name: str
    workspace: str
    created_at: str
    modified_at: str
    notes: str = ""
    html_notes: str | None = None
    completed: bool = False
    completed_at: str | None = None
    due_on: str | None = None
    due_at: str | None = None
    start_on: str | None = None
    assignee: str | None = None
    parent: str | None = None
    memberships: list[Membership] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    followers: list[str] = field(default_factory=list)
    subtasks: list[str] = field(default_factory=list)
    # custom field gid -> stored value: float for number, enum option gid for enum, str for text,
    # {"date": …, "date_time": …} for date. Absent means no value (rendered as null).
    custom_values: dict[str, Any] = field(default_factory=dict)
    resource_subtype: str = "default_task"
    resource_type: str = "task"


@dataclass
class Tag:
    gid: str
    name: str
    workspace: str
    created_at: str
    color: str | None = None
    notes: str = ""
    resource_type: str = "tag"


@dataclass
class EnumOption:
    gid: str
    name: str
    color: str = "none"
    enabled: bool = True
    resource_type: str = "enum_option"


@dataclass
class CustomField:
    gid: str
    name: str
    type: str  # text | number | enum | multi_enum | date
    workspace: str
    created_by: str | None
    description: str = ""
    precision: int | None = None
    enum_options: list[str] = field(default_factory=list)
    resource_type: str = "custom_field"


@dataclass
class CustomFieldSetting:
    """The link that makes a custom field available on a project's tasks."""

    gid: str
    project: str
    custom_field: str
    is_important: bool = False
    resource_type: str = "custom_field_setting"


@dataclass
class Story:
    gid: str
    target: str
    text: str
    created_by: str | None
    created_at: str
    resource_subtype: str = "comment_added"
    type: str = "comment"
    resource_type: str = "story"


@dataclass
class Event:
    """One change seen by ``GET /events``: ``seq`` orders events, ``scopes`` are the gids it bubbles up to."""

    seq: int
    resource: str
    resource_kind: str
    action: str
    user: str | None
    created_at: str
    scopes: tuple[str, ...]
    parent: str | None = None
    change: dict[str, Any] | None = None


Record = (
    User
    | Workspace
    | Team
    | Project
    | Section
    | Task
    | Tag
    | EnumOption
    | CustomField
    | CustomFieldSetting
    | Story
)
