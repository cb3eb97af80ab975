"""Reading one Asana project in the fewest requests: 2 + ⌈N/100⌉ for N tasks (at least one task page).

1. ``GET /projects/{gid}`` with ``opt_fields`` for its name, workspace, team and custom field settings (the
   fields' names, types and enum options) — the project's name and field settings in one request;
2. ``GET /projects/{gid}/sections`` (100 a page; a project rarely has more);
3. ``GET /projects/{gid}/tasks?limit=100`` with exactly the ``opt_fields`` the mapping reads, following
   ``next_page.offset`` (pages are chained, so they cannot run in parallel).

*Raw project*: these answers as Asana sent them, before any mapping. A *pager* follows ``next_page`` and
raises if Asana hands back an offset it already gave (a loop that would never end).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from moteur.connectors.http import HttpClient
from moteur.connectors.paging import Pages
from moteur.core.errors import RemoteError

PAGE_SIZE = 100
FIELD_PROPERTIES = (
    "name",
    "resource_subtype",
    "is_formula_field",
    "enum_options.name",
    "enum_options.enabled",
)
# Each list of properties asked for: ``opt_fields`` (comma-joined) of a plain GET, ``options.fields`` of a
# batch action (an array, ``batch.batch_action``).
# The team too: a companion project is created in it (``companion.py``).
PROJECT_FIELDS = (
    "name",
    "workspace",
    "team",
    *(f"custom_field_settings.custom_field.{p}" for p in FIELD_PROPERTIES),
)
SECTION_FIELDS = ("name",)
# What the mapping reads of a task; nothing more is asked (a smaller answer is a faster one).
TASK_FIELDS = (
    "name",
    "notes",
    "completed",
    "completed_at",  # the history's done day, at no extra request (docs/history.md)
    "due_on",
    "due_at",
    "assignee.email",
    "assignee.name",
    "memberships.project.name",  # the companion project is known by its name (``companion.py``)
    "memberships.section.name",
    "tags.name",
    "custom_fields.name",
    "custom_fields.resource_subtype",
    "custom_fields.number_value",
    "custom_fields.enum_value.name",
    "custom_fields.display_value",
    "modified_at",
    "created_at",
    "permalink_url",
)
# Requests of a read besides the task pages: the project (with its field settings) and its sections.
FIXED_READ_REQUESTS = 2


def read_requests(tasks: int) -> int:
    """The requests ``read_project`` sends for a project of ``tasks`` tasks (one page even when empty)."""
    return FIXED_READ_REQUESTS + max(1, -(-tasks // PAGE_SIZE))


@dataclass
class RawProject:
    project: dict[str, Any]
    sections: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[Any] = field(default_factory=list)  # objects, unless Asana sent something malformed

    @property
    def gid(self) -> str:
        return str(self.project.get("gid", ""))

    @property
    def workspace(self) -> str:
        workspace = self.project.get("workspace")
        return str(workspace.get("gid", "")) if isinstance(workspace, dict) else ""

    @property
    def custom_fields(self) -> list[dict[str, Any]]:
        """The definitions of the project's custom fields, in the project's order."""
        settings = self.project.get("custom_field_settings") or []
        return [
            s["custom_field"]
            for s in settings
            if isinstance(s, dict) and isinstance(s.get("custom_field"), dict)
        ]


def next_offset(answer: Mapping[str, Any]) -> str | None:
    """The ``next_page.offset`` of a list answer: the page after it, None after the last."""
    next_page = answer.get("next_page")
    offset = next_page.get("offset") if isinstance(next_page, dict) else None
    return str(offset) if offset else None


def list_all(
    client: HttpClient, path: str, params: Mapping[str, str], what: str, *, keep_all: bool = False
) -> list[Any]:
    """Every record of a paginated list, 100 a request; an offset handed back twice raises (``Pages``)."""
    pages = Pages("Asana", what, token_name="offset")
    records: list[Any] = []
    while not pages.done:
        query = {**params, "limit": str(PAGE_SIZE)}
        if pages.token:
            query["offset"] = pages.token
        answer = client.request_json("GET", path, params=query, what=what)
        records.extend(_list_of(answer, keep_all=keep_all))
        pages.advance(next_offset(answer))
    return records


def opt_fields(fields: Sequence[str]) -> str:
    """The ``opt_fields`` query value of a plain GET: the properties comma-joined."""
    return ",".join(fields)


def read_project(
    client: HttpClient, project_gid: str, task_fields: Sequence[str] = TASK_FIELDS
) -> RawProject:
    """The project, its sections and its tasks with ``task_fields``: 2 + ⌈N/100⌉ requests."""
    what = f"project {project_gid}"
    answer = client.request_json(
        "GET", f"/projects/{project_gid}", params={"opt_fields": opt_fields(PROJECT_FIELDS)}, what=what
    )
    project = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(project, dict):
        raise RemoteError("Asana answered the project request without a data object")
    raw = RawProject(project)
    raw.sections = list_all(
        client,
        f"/projects/{project_gid}/sections",
        {"opt_fields": opt_fields(SECTION_FIELDS)},
        f"sections of {what}",
    )
    raw.tasks = list_all(
        client,
        f"/projects/{project_gid}/tasks",
        {"opt_fields": opt_fields(task_fields)},
        f"tasks of {what}",
        keep_all=True,
    )
    return raw


def list_workspace(client: HttpClient, workspace: str, kind: str) -> list[dict[str, Any]]:
    """The workspace's tags or custom fields (``kind``), by name: used to reuse one before creating it."""
    fields = "name,color" if kind == "tags" else ",".join(FIELD_PROPERTIES)
    found = list_all(
        client, f"/workspaces/{workspace}/{kind}", {"opt_fields": fields}, f"{kind} of workspace"
    )
    return [x for x in found if isinstance(x, dict)]


def _list_of(answer: object, *, keep_all: bool) -> list[Any]:
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list):
        raise RemoteError("Asana answered something other than a list where a list was expected")
    return list(data) if keep_all else [x for x in data if isinstance(x, dict)]
