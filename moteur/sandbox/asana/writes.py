"""The Asana emulator's write routes (POST/PUT/DELETE), bodies in Asana's ``{"data": …}`` envelope.

Creates answer 201 with the new record, other writes 200 with the record or an empty ``data`` block, as the
spec lists per route. Every task change stamps ``modified_at`` and logs an event (``store.py``).
"""

from __future__ import annotations

from typing import Any

from moteur.sandbox.asana.dispatch import Call, Context, Reply, created, data_field, empty, one, route
from moteur.sandbox.asana.entities import CustomField, Project, Section, Tag, Task, Workspace
from moteur.sandbox.asana.errors import AsanaError, invalid_field
from moteur.sandbox.asana.values import PROJECT_PALETTE, checked_colour

FIELD_TYPES = ("text", "number", "enum", "multi_enum", "date")
# Task properties a PUT or POST may set directly (associations go through their own routes).
_SCALARS = (
    "name",
    "notes",
    "html_notes",
    "completed",
    "due_on",
    "due_at",
    "start_on",
    "assignee",
    "custom_fields",
)


def _set_task_fields(context: Context, task: Task, data: dict[str, Any]) -> list[str]:
    """Apply the settable properties in ``data`` to ``task``; the names that changed."""
    store, changed = context.store, []
    if data.get("custom_fields"):
        context.require_premium()
        values = data["custom_fields"]
        if not isinstance(values, dict):
            raise invalid_field("custom_fields", "Expected an object mapping custom field gids to values")
        allowed = {f.gid for f in store.project_fields(task)}
        for gid, value in values.items():
            field = store.get(CustomField, gid, "custom_fields")
            if field.gid not in allowed:
                raise invalid_field("custom_fields", f"Custom field with ID {gid} is not on given object")
            store.set_custom_value(task, field, value)
        changed.append("custom_fields")
    for name in ("name", "notes"):
        if name in data and data[name] != getattr(task, name):
            setattr(task, name, str(data[name] or ""))
            changed.append(name)
    if "html_notes" in data:
        task.html_notes = data["html_notes"]
        task.notes = _strip_html(str(data["html_notes"] or ""))
        changed.append("notes")
    if "completed" in data and bool(data["completed"]) != task.completed:
        task.completed = bool(data["completed"])
        task.completed_at = store.stamp() if task.completed else None
        changed.append("completed")
    if "due_at" in data:
        task.due_at = data["due_at"]
        task.due_on = str(data["due_at"])[:10] if data["due_at"] else None
        changed.append("due_at")
    elif "due_on" in data:
        task.due_on, task.due_at = data["due_on"], None
        changed.append("due_on")
    if "start_on" in data:
        task.start_on = data["start_on"]
        changed.append("start_on")
    if "assignee" in data:
        task.assignee = store.user_by_ref(data["assignee"]).gid if data["assignee"] else None
        changed.append("assignee")
    return changed


def _strip_html(text: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", text)


# -- projects and sections ---------------------------------------------------------------------


@route("PUT", "/projects/{project_gid}")
def put_project(context: Context, call: Call, params: dict[str, str]) -> Reply:
    project = context.writable(context.store.get(Project, params["project_gid"], "project"))
    if "color" in call.data:
        checked_colour("color", call.data["color"], PROJECT_PALETTE)
    for name in ("name", "notes", "color", "archived", "default_view"):
        if name in call.data:
            setattr(project, name, call.data[name])
    project.modified_at = context.store.stamp()
    return one(context, call, project)


@route("POST", "/projects/{project_gid}/sections")
def post_section(context: Context, call: Call, params: dict[str, str]) -> Reply:
    project = context.writable(context.store.get(Project, params["project_gid"], "project"))
    name = data_field(call, "name", required=True)
    section = context.store.create_section(
        project, str(name), call.data.get("insert_before"), call.data.get("insert_after")
    )
    return created(context, call, section)


@route("PUT", "/sections/{section_gid}")
def put_section(context: Context, call: Call, params: dict[str, str]) -> Reply:
    section = context.store.get(Section, params["section_gid"], "section")
    context.writable(context.store.get(Project, section.project, "project"))
    if call.data.get("name"):
        section.name = str(call.data["name"])
    return one(context, call, section)


@route("POST", "/sections/{section_gid}/addTask")
def post_add_task(context: Context, call: Call, params: dict[str, str]) -> Reply:
    """Move a task into a section: at the top unless ``insert_before``/``insert_after`` name a task."""
    store = context.store
    section = store.get(Section, params["section_gid"], "section")
    project = context.writable(store.get(Project, section.project, "project"))
    task = store.get(Task, data_field(call, "task", required=True), "task")
    before, after = call.data.get("insert_before"), call.data.get("insert_after")
    for anchor in (before, after):
        if anchor and anchor not in section.tasks:
            raise invalid_field(
                "insert_before" if anchor == before else "insert_after", "Task is not in section"
            )
    store.place_task(task, project, section, before, after, top=True)
    return empty()


# -- tasks -------------------------------------------------------------------------------------


def _memberships(context: Context, data: dict[str, Any]) -> list[tuple[Project, Section | None]]:
    store = context.store
    placed: list[tuple[Project, Section | None]] = []
    for gid in data.get("projects") or []:
        placed.append((store.get(Project, gid, "projects"), None))
    for membership in data.get("memberships") or []:
        project = store.get(Project, membership.get("project"), "memberships.project")
        section = (
            store.get(Section, membership["section"], "memberships.section")
            if membership.get("section")
            else None
        )
        placed = [(p, s) for p, s in placed if p.gid != project.gid] + [(project, section)]
    return placed


def _create_task(context: Context, call: Call, parent: Task | None) -> Reply:
    store, data = context.store, call.data
    placed = _memberships(context, data)
    if parent is not None:
        workspace = store.get(Workspace, parent.workspace, "workspace")
    elif data.get("workspace"):
        workspace = store.get(Workspace, data["workspace"], "workspace")
    elif placed:
        workspace = store.get(Workspace, placed[0][0].workspace, "workspace")
    else:
        raise AsanaError(400, "workspace: Missing input")
    for project, _ in placed:
        context.writable(project)
    if data.get("custom_fields"):
        context.require_premium()
    task = store.create_task(workspace, str(data.get("name") or ""), parent)
    for project, section in placed:
        store.place_task(task, project, section)
    for gid in data.get("tags") or []:
        tag = store.get(Tag, gid, "tags")
        if tag.gid not in task.tags:
            task.tags.append(tag.gid)
    _set_task_fields(context, task, {k: data[k] for k in _SCALARS if k in data and k != "name"})
    if parent is None and not placed:
        store.record_event(task, "added", (workspace.gid,), parent=workspace.gid)
    return created(context, call, task)


@route("POST", "/tasks")
def post_task(context: Context, call: Call, params: dict[str, str]) -> Reply:
    parent = context.store.get(Task, call.data["parent"], "parent") if call.data.get("parent") else None
    return _create_task(context, call, parent)


@route("POST", "/tasks/{task_gid}/subtasks")
def post_subtask(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return _create_task(context, call, context.store.get(Task, params["task_gid"], "task"))


@route("POST", "/tasks/{task_gid}/setParent")
def post_set_parent(context: Context, call: Call, params: dict[str, str]) -> Reply:
    """Make the task a subtask of ``parent`` (``null``: of none), placed after ``insert_after`` (``null``:
    first) or before ``insert_before`` (``null``: last) — siblings of the new parent — else last."""
    store = context.store
    task = context.task_writable(store.get(Task, params["task_gid"], "task"))
    if "parent" not in call.data:
        raise AsanaError(400, "parent: Missing input")
    parent = store.get(Task, call.data["parent"], "parent") if call.data["parent"] else None
    if "insert_after" in call.data and "insert_before" in call.data:
        raise AsanaError(400, "insert_before: You cannot specify both insert_before and insert_after")
    siblings = parent.subtasks if parent is not None else []
    for name in ("insert_after", "insert_before"):
        anchor = call.data.get(name)
        if anchor and (anchor not in siblings or anchor == task.gid):
            raise invalid_field(name, "Task is not a subtask of the given parent")
    if task.parent:
        store.get(Task, task.parent, "parent").subtasks.remove(task.gid)
    task.parent = parent.gid if parent is not None else None
    if parent is not None:
        after, before = call.data.get("insert_after"), call.data.get("insert_before")
        if "insert_after" in call.data:
            index = siblings.index(after) + 1 if after else 0
        else:
            index = siblings.index(before) if before else len(siblings)
        siblings.insert(index, task.gid)
    store.touch(task, "parent")
    return one(context, call, task)


@route("PUT", "/tasks/{task_gid}")
def put_task(context: Context, call: Call, params: dict[str, str]) -> Reply:
    """Update only the properties in the data block; one ``changed`` event per property."""
    task = context.task_writable(context.store.get(Task, params["task_gid"], "task"))
    for name in _set_task_fields(context, task, call.data):
        context.store.touch(task, name)
    return one(context, call, task)


@route("DELETE", "/tasks/{task_gid}")
def delete_task(context: Context, call: Call, params: dict[str, str]) -> Reply:
    task = context.task_writable(context.store.get(Task, params["task_gid"], "task"))
    context.store.delete_task(task)
    return empty()


@route("POST", "/tasks/{task_gid}/addProject")
def post_add_project(context: Context, call: Call, params: dict[str, str]) -> Reply:
    """Add to a project (or move within it): at the end unless a section or neighbour says otherwise;
    ``insert_after: null`` means the top."""
    store = context.store
    task = store.get(Task, params["task_gid"], "task")
    project = context.writable(store.get(Project, data_field(call, "project", required=True), "project"))
    section = store.get(Section, call.data["section"], "section") if call.data.get("section") else None
    top = "insert_after" in call.data and call.data["insert_after"] is None
    store.place_task(
        task, project, section, call.data.get("insert_before"), call.data.get("insert_after"), top
    )
    return empty()


@route("POST", "/tasks/{task_gid}/removeProject")
def post_remove_project(context: Context, call: Call, params: dict[str, str]) -> Reply:
    task = context.store.get(Task, params["task_gid"], "task")
    project = context.writable(
        context.store.get(Project, data_field(call, "project", required=True), "project")
    )
    context.store.remove_from_project(task, project)
    return empty()


@route("POST", "/tasks/{task_gid}/addTag")
def post_add_tag(context: Context, call: Call, params: dict[str, str]) -> Reply:
    task = context.task_writable(context.store.get(Task, params["task_gid"], "task"))
    tag = context.store.get(Tag, data_field(call, "tag", required=True), "tag")
    if tag.gid not in task.tags:
        task.tags.append(tag.gid)
        context.store.touch(task, "tags")
    return empty()


@route("POST", "/tasks/{task_gid}/removeTag")
def post_remove_tag(context: Context, call: Call, params: dict[str, str]) -> Reply:
    task = context.task_writable(context.store.get(Task, params["task_gid"], "task"))
    tag = context.store.get(Tag, data_field(call, "tag", required=True), "tag")
    if tag.gid in task.tags:
        task.tags.remove(tag.gid)
        context.store.touch(task, "tags")
    return empty()


@route("POST", "/tasks/{task_gid}/stories")
def post_story(context: Context, call: Call, params: dict[str, str]) -> Reply:
    task = context.store.get(Task, params["task_gid"], "task")
    text = call.data.get("text")
    if text is None and call.data.get("html_text") is not None:
        text = _strip_html(str(call.data["html_text"]))
    if not text:
        raise AsanaError(400, "text: Missing input")
    return created(context, call, context.store.add_story(task, str(text)))


# -- tags and custom fields --------------------------------------------------------------------


def _create_tag(context: Context, call: Call, workspace_gid: object) -> Reply:
    workspace = context.store.get(Workspace, workspace_gid, "workspace")
    name = data_field(call, "name", required=True)
    colour = checked_colour("color", call.data.get("color"))
    return created(context, call, context.store.create_tag(workspace, str(name), colour))


@route("POST", "/tags")
def post_tag(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return _create_tag(context, call, data_field(call, "workspace", required=True))


@route("POST", "/workspaces/{workspace_gid}/tags")
def post_workspace_tag(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return _create_tag(context, call, params["workspace_gid"])


@route("PUT", "/tags/{tag_gid}")
def put_tag(context: Context, call: Call, params: dict[str, str]) -> Reply:
    """``TagUpdateRequest``: the fields given change (a colour outside ``TagBase.color``'s enum is a 400)."""
    tag = context.store.get(Tag, params["tag_gid"], "tag")
    if "color" in call.data:
        tag.color = checked_colour("color", call.data["color"])
    for name in ("name", "notes"):
        if name in call.data:
            setattr(tag, name, str(call.data[name]))
    return one(context, call, tag)


@route("POST", "/custom_fields")
def post_custom_field(context: Context, call: Call, params: dict[str, str]) -> Reply:
    """Create a workspace custom field: number (``precision`` 0–6), enum/multi_enum (``enum_options``),
    text or date. A free workspace answers 402."""
    context.require_premium()
    workspace = context.store.get(Workspace, data_field(call, "workspace", required=True), "workspace")
    name = str(data_field(call, "name", required=True))
    kind = str(call.data.get("resource_subtype") or call.data.get("type") or "")
    if kind not in FIELD_TYPES:
        raise invalid_field("resource_subtype", f"Must be one of {', '.join(FIELD_TYPES)}")
    precision = call.data.get("precision")
    if precision is not None and (not isinstance(precision, int) or not 0 <= precision <= 6):
        raise invalid_field("precision", "Must be between 0 and 6")
    options = [
        (str(o.get("name")), str(o.get("color") or "none")) for o in call.data.get("enum_options") or []
    ]
    if kind in ("enum", "multi_enum") and len(options) > 500:
        raise invalid_field("enum_options", "An enum custom field can have at most 500 options")
    if any(
        existing.name == name and existing.workspace == workspace.gid
        for existing in context.store.all(CustomField)
    ):
        raise invalid_field("name", f"Custom field with name {name} already exists in workspace")
    field = context.store.create_custom_field(
        workspace, name, kind, precision, options, str(call.data.get("description") or "")
    )
    return created(context, call, field)


@route("POST", "/custom_fields/{custom_field_gid}/enum_options")
def post_enum_option(context: Context, call: Call, params: dict[str, str]) -> Reply:
    context.require_premium()
    field = context.store.get(CustomField, params["custom_field_gid"], "custom_field")
    if field.type not in ("enum", "multi_enum"):
        raise invalid_field("custom_field", "Custom field is not an enum")
    name = data_field(call, "name", required=True)
    option = context.store.add_enum_option(
        field,
        str(name),
        str(call.data.get("color") or "none"),
        call.data.get("insert_before"),
        call.data.get("insert_after"),
    )
    return created(context, call, option)


@route("POST", "/projects/{project_gid}/addCustomFieldSetting")
def post_add_custom_field_setting(context: Context, call: Call, params: dict[str, str]) -> Reply:
    context.require_premium()
    project = context.writable(context.store.get(Project, params["project_gid"], "project"))
    field = context.store.get(CustomField, data_field(call, "custom_field", required=True), "custom_field")
    setting = context.store.add_custom_field_setting(project, field, bool(call.data.get("is_important")))
    return one(context, call, setting)
