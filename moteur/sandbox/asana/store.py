"""The Asana emulator's in-memory state and every change to it.

The *store* owns the records (``entities.py``), hands out gids from a counter (deterministic given the seed),
stamps ``created_at``/``modified_at`` from the injected clock, and appends one :class:`Event` per change so
``GET /events`` can replay them. Callers hold the emulator's lock around every call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any, TypeVar

from moteur.sandbox.asana.entities import (
    CustomField,
    CustomFieldSetting,
    EnumOption,
    Event,
    Membership,
    Project,
    Record,
    Section,
    Story,
    Tag,
    Task,
    User,
    Workspace,
)
from moteur.sandbox.asana.errors import AsanaError, invalid_field, not_a_gid, unknown_object
from moteur.sandbox.asana.values import checked_value, iso_ms

R = TypeVar("R", bound=Record)

FIRST_GID = 1_200_000_000_000_001
DEFAULT_SECTION = "Untitled section"
# Asana: "A task can be in at most 20 projects".
MAX_PROJECTS_PER_TASK = 20


class AsanaStore:
    """Records by gid, plus the event log. ``now`` gives the current UTC time."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._next = FIRST_GID
        self.records: dict[str, Record] = {}
        self.events: list[Event] = []
        self.me: str | None = None

    # -- ids, time, lookup -------------------------------------------------------------------

    def new_gid(self) -> str:
        gid = str(self._next)
        self._next += 1
        return gid

    def stamp(self) -> str:
        return iso_ms(self._now())

    def add(self, record: R) -> R:
        self.records[record.gid] = record
        return record

    def get(self, kind: type[R], gid: object, param: str) -> R:
        """The record ``gid`` of type ``kind``; 400 for a malformed gid, 404 for an unknown one."""
        if gid is None or gid == "":
            raise AsanaError(400, f"{param}: Missing input")
        text = str(gid)
        if not text.isdigit():
            raise not_a_gid(param, text)
        record = self.records.get(text)
        if not isinstance(record, kind):
            raise unknown_object(param, text)
        return record

    def all(self, kind: type[R]) -> list[R]:
        return [r for r in self.records.values() if isinstance(r, kind)]

    def user_by_ref(self, ref: object) -> User:
        """An assignee given as a gid, an e-mail address or ``me``."""
        text = str(ref)
        if text == "me" and self.me:
            return self.get(User, self.me, "assignee")
        if "@" in text:
            for user in self.all(User):
                if user.email.lower() == text.lower():
                    return user
            raise invalid_field("assignee", f"Not a recognized ID: {text}")
        return self.get(User, text, "assignee")

    # -- events ------------------------------------------------------------------------------

    def record_event(
        self,
        resource: Record,
        action: str,
        scopes: tuple[str, ...],
        parent: str | None = None,
        change: dict[str, Any] | None = None,
    ) -> None:
        self.events.append(
            Event(
                seq=len(self.events) + 1,
                resource=resource.gid,
                resource_kind=resource.resource_type,
                action=action,
                user=self.me,
                created_at=self.stamp(),
                scopes=(resource.gid, *scopes),
                parent=parent,
                change=change,
            )
        )

    def task_scopes(self, task: Task) -> tuple[str, ...]:
        """What a task's events bubble up to: its projects and its parent task."""
        scopes = [m.project for m in task.memberships]
        if task.parent:
            scopes.append(task.parent)
            scopes.extend(self.task_scopes(self.get(Task, task.parent, "parent")))
        return tuple(scopes)

    def touch(self, task: Task, field: str | None = None) -> None:
        """Stamp a change of ``task`` (its ``modified_at``) and log it as a ``changed`` event."""
        task.modified_at = self.stamp()
        change = {"field": field, "action": "changed"} if field else None
        self.record_event(task, "changed", self.task_scopes(task), change=change)

    # -- workspaces, users, projects, sections -----------------------------------------------

    def create_workspace(self, name: str) -> Workspace:
        return self.add(Workspace(gid=self.new_gid(), name=name))

    def create_user(self, name: str, email: str) -> User:
        return self.add(User(gid=self.new_gid(), name=name, email=email))

    def create_project(self, workspace: Workspace, name: str, notes: str = "") -> Project:
        stamp = self.stamp()
        project = self.add(
            Project(
                gid=self.new_gid(),
                name=name,
                workspace=workspace.gid,
                owner=self.me,
                created_at=stamp,
                modified_at=stamp,
                notes=notes,
            )
        )
        # Asana gives every new project one section, which holds tasks added without a section.
        self.create_section(project, DEFAULT_SECTION)
        return project

    def create_section(
        self, project: Project, name: str, before: str | None = None, after: str | None = None
    ) -> Section:
        section = self.add(
            Section(gid=self.new_gid(), name=name, project=project.gid, created_at=self.stamp())
        )
        _insert(project.sections, section.gid, before, after, "insert_before", "insert_after")
        project.modified_at = self.stamp()
        self.record_event(section, "added", (project.gid,), parent=project.gid)
        return section

    def project_tasks(self, project: Project) -> list[Task]:
        return [
            self.get(Task, gid, "task")
            for section in project.sections
            for gid in self.get(Section, section, "section").tasks
        ]

    # -- tasks -------------------------------------------------------------------------------

    def create_task(self, workspace: Workspace, name: str, parent: Task | None = None) -> Task:
        stamp = self.stamp()
        task = self.add(
            Task(
                gid=self.new_gid(),
                name=name,
                workspace=workspace.gid,
                created_at=stamp,
                modified_at=stamp,
                parent=parent.gid if parent else None,
            )
        )
        if self.me:
            task.followers.append(self.me)
        if parent is not None:
            # A new subtask goes on top of its siblings: not in the spec, but what public migrators rely on
            # (andrewkatz/trello-to-asana creates check items in descending ``pos``; davidshimjs/trello2asana
            # reverses them).
            parent.subtasks.insert(0, task.gid)
            self.record_event(task, "added", self.task_scopes(task), parent=parent.gid)
        return task

    def place_task(
        self,
        task: Task,
        project: Project,
        section: Section | None = None,
        before: str | None = None,
        after: str | None = None,
        top: bool = False,
    ) -> None:
        """Put ``task`` in ``project`` (in ``section``; else the section of the ``before``/``after`` task,
        its current one, or the first), removing it from the project's other sections; placed next to the
        ``before``/``after`` task when given, else at the end of the section (the top when ``top``).

        The end is where ``addProject`` with a ``section`` puts a task (spec, ``TaskAddProjectRequest``: "The
        task will be inserted at the bottom of the section"), and where a task created with ``memberships``
        lands here too (the spec does not say; public migrators create in source order with ``memberships``);
        ``sections/{gid}/addTask`` without an anchor passes ``top`` ("inserted at the top of a section")."""
        if section is None:
            anchor = before or after
            holder = next(
                (s for s in (self.get(Section, g, "section") for g in project.sections) if anchor in s.tasks),
                None,
            )
            current = next((m for m in task.memberships if m.project == project.gid), None)
            if holder is None:
                holder = self.get(Section, current.section if current else project.sections[0], "section")
            section = holder
        if section.project != project.gid:
            raise invalid_field("section", "Section is not in the given project")
        known = {m.project for m in task.memberships}
        if project.gid not in known and len(known) >= MAX_PROJECTS_PER_TASK:
            raise invalid_field("project", "A task can be in at most 20 projects")
        for gid in project.sections:
            holder = self.get(Section, gid, "section")
            if task.gid in holder.tasks:
                holder.tasks.remove(task.gid)
        _insert(section.tasks, task.gid, before, after, "insert_before", "insert_after", top=top)
        is_new = project.gid not in known
        task.memberships = [m for m in task.memberships if m.project != project.gid]
        task.memberships.append(Membership(project=project.gid, section=section.gid))
        task.modified_at = self.stamp()
        if is_new:
            self.record_event(task, "added", self.task_scopes(task), parent=project.gid)
        else:
            self.record_event(task, "added", self.task_scopes(task), parent=section.gid)

    def remove_from_project(self, task: Task, project: Project) -> None:
        for gid in project.sections:
            holder = self.get(Section, gid, "section")
            if task.gid in holder.tasks:
                holder.tasks.remove(task.gid)
        task.memberships = [m for m in task.memberships if m.project != project.gid]
        task.modified_at = self.stamp()
        self.record_event(task, "removed", (project.gid, *self.task_scopes(task)), parent=project.gid)

    def delete_task(self, task: Task) -> None:
        scopes = self.task_scopes(task)
        for membership in list(task.memberships):
            section = self.get(Section, membership.section, "section")
            if task.gid in section.tasks:
                section.tasks.remove(task.gid)
        if task.parent:
            parent = self.get(Task, task.parent, "parent")
            parent.subtasks.remove(task.gid)
        for child in list(task.subtasks):
            self.delete_task(self.get(Task, child, "task"))
        del self.records[task.gid]
        self.record_event(task, "deleted", scopes)

    def set_custom_value(self, task: Task, field: CustomField, value: Any) -> None:
        """Store ``value`` for ``field`` on ``task``, checked against the field's type; None clears it."""
        if value is None:
            task.custom_values.pop(field.gid, None)
        else:
            task.custom_values[field.gid] = checked_value(field, value)

    # -- tags, custom fields, stories ----------------------------------------------------------

    def create_tag(self, workspace: Workspace, name: str, color: str | None = None) -> Tag:
        return self.add(
            Tag(gid=self.new_gid(), name=name, workspace=workspace.gid, created_at=self.stamp(), color=color)
        )

    def create_custom_field(
        self,
        workspace: Workspace,
        name: str,
        kind: str,
        precision: int | None = None,
        options: list[tuple[str, str]] | None = None,
        description: str = "",
    ) -> CustomField:
        field = self.add(
            CustomField(
                gid=self.new_gid(),
                name=name,
                type=kind,
                workspace=workspace.gid,
                created_by=self.me,
                description=description,
                precision=(precision if precision is not None else 0) if kind == "number" else None,
            )
        )
        for option_name, color in options or []:
            self.add_enum_option(field, option_name, color)
        return field

    def add_enum_option(
        self,
        field: CustomField,
        name: str,
        color: str = "none",
        before: str | None = None,
        after: str | None = None,
    ) -> EnumOption:
        option = self.add(EnumOption(gid=self.new_gid(), name=name, color=color))
        _insert(field.enum_options, option.gid, before, after, "insert_before", "insert_after")
        return option

    def add_custom_field_setting(
        self, project: Project, field: CustomField, important: bool
    ) -> CustomFieldSetting:
        for gid in project.custom_field_settings:
            setting = self.get(CustomFieldSetting, gid, "custom_field_setting")
            if setting.custom_field == field.gid:
                raise invalid_field("custom_field", "Custom field already on project")
        setting = self.add(
            CustomFieldSetting(
                gid=self.new_gid(), project=project.gid, custom_field=field.gid, is_important=important
            )
        )
        project.custom_field_settings.append(setting.gid)
        project.modified_at = self.stamp()
        return setting

    def project_fields(self, task: Task) -> list[CustomField]:
        """The custom fields a task carries: those set on any of its projects, in project order."""
        seen: dict[str, CustomField] = {}
        for membership in task.memberships:
            project = self.get(Project, membership.project, "project")
            for gid in project.custom_field_settings:
                setting = self.get(CustomFieldSetting, gid, "custom_field_setting")
                seen.setdefault(
                    setting.custom_field, self.get(CustomField, setting.custom_field, "custom_field")
                )
        return list(seen.values())

    def add_story(self, task: Task, text: str) -> Story:
        story = self.add(
            Story(gid=self.new_gid(), target=task.gid, text=text, created_by=self.me, created_at=self.stamp())
        )
        self.record_event(story, "added", (task.gid, *self.task_scopes(task)), parent=task.gid)
        return story

    def dump(self) -> dict[str, Any]:
        """Everything, JSON-able, grouped by resource type (for ``GET /_sandbox/state``)."""
        grouped: dict[str, dict[str, Any]] = {}
        for gid, record in self.records.items():
            grouped.setdefault(record.resource_type, {})[gid] = asdict(record)
        return {"records": grouped, "events": [asdict(e) for e in self.events], "me": self.me}


def _insert(
    order: list[str],
    gid: str,
    before: str | None,
    after: str | None,
    before_name: str,
    after_name: str,
    top: bool = False,
) -> None:
    """Insert ``gid`` into ``order`` before/after another member (never both), else at the end (or top)."""
    if before and after:
        raise AsanaError(400, f"{before_name}: You cannot specify both {before_name} and {after_name}")
    if before or after:
        anchor = str(before or after)
        if anchor not in order:
            raise invalid_field(before_name if before else after_name, f"Unknown object: {anchor}")
        index = order.index(anchor) + (0 if before else 1)
        order.insert(index, gid)
    elif top:
        order.insert(0, gid)
    else:
        order.append(gid)
