"""The Asana emulator's read routes (GET), each as Asana's spec names it.

List routes answer compact records unless ``opt_fields`` are given, and paginate with ``limit``/``offset``
(see ``dispatch.py``). Task filters: ``completed_since`` keeps incomplete tasks and those completed at or
after the time (``now`` keeps incomplete ones only); ``modified_since`` keeps tasks whose ``modified_at``
is at or after the time.
"""

from __future__ import annotations

from datetime import UTC, datetime

from moteur.sandbox.asana.dispatch import Call, Context, Reply, one, page, route
from moteur.sandbox.asana.entities import (
    CustomField,
    CustomFieldSetting,
    Project,
    Section,
    Story,
    Tag,
    Task,
    User,
    Workspace,
)
from moteur.sandbox.asana.errors import AsanaError, invalid_field


def parse_time(param: str, raw: str) -> datetime:
    """An ISO 8601 date or date-time as Asana accepts in filters; naive values are UTC."""
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise invalid_field(param, f"Not a valid date-time: {raw}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _filter_tasks(context: Context, call: Call, tasks: list[Task]) -> list[Task]:
    completed_since = call.query.get("completed_since")
    if completed_since == "now":
        tasks = [t for t in tasks if not t.completed]
    elif completed_since:
        since = parse_time("completed_since", completed_since)
        tasks = [t for t in tasks if not t.completed or parse_time("x", t.completed_at or "") >= since]
    modified_since = call.query.get("modified_since")
    if modified_since:
        since = parse_time("modified_since", modified_since)
        tasks = [t for t in tasks if parse_time("x", t.modified_at) >= since]
    return tasks


# -- users and workspaces ----------------------------------------------------------------------


@route("GET", "/users/me")
def get_me(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return one(context, call, context.store.get(User, context.store.me, "user"))


@route("GET", "/users/{user_gid}")
def get_user(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return one(context, call, context.store.get(User, params["user_gid"], "user"))


@route("GET", "/users")
def get_users(context: Context, call: Call, params: dict[str, str]) -> Reply:
    """Every user of the workspace given (every user here: the emulator has one workspace), by gid as the
    spec says ("Results are sorted by user ID"), paginated with ``limit``."""
    if call.query.get("workspace"):
        context.store.get(Workspace, call.query["workspace"], "workspace")
    return page(context, call, sorted(context.store.all(User), key=lambda u: int(u.gid)))


@route("GET", "/workspaces")
def get_workspaces(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return page(context, call, context.store.all(Workspace))


@route("GET", "/workspaces/{workspace_gid}")
def get_workspace(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return one(context, call, context.store.get(Workspace, params["workspace_gid"], "workspace"))


@route("GET", "/workspaces/{workspace_gid}/users")
def get_workspace_users(context: Context, call: Call, params: dict[str, str]) -> Reply:
    context.store.get(Workspace, params["workspace_gid"], "workspace")
    return page(context, call, context.store.all(User))


# -- projects and sections ---------------------------------------------------------------------


def _projects(context: Context, call: Call, workspace_gid: str | None) -> Reply:
    projects = context.store.all(Project)
    if workspace_gid is not None:
        workspace = context.store.get(Workspace, workspace_gid, "workspace")
        projects = [p for p in projects if p.workspace == workspace.gid]
    archived = call.query.get("archived")
    if archived in ("true", "false"):
        projects = [p for p in projects if p.archived == (archived == "true")]
    return page(context, call, projects)


@route("GET", "/projects")
def get_projects(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return _projects(context, call, call.query.get("workspace"))


@route("GET", "/workspaces/{workspace_gid}/projects")
def get_workspace_projects(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return _projects(context, call, params["workspace_gid"])


@route("GET", "/projects/{project_gid}")
def get_project(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return one(context, call, context.store.get(Project, params["project_gid"], "project"))


@route("GET", "/projects/{project_gid}/sections")
def get_sections(context: Context, call: Call, params: dict[str, str]) -> Reply:
    project = context.store.get(Project, params["project_gid"], "project")
    return page(context, call, [context.store.get(Section, g, "section") for g in project.sections])


@route("GET", "/sections/{section_gid}")
def get_section(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return one(context, call, context.store.get(Section, params["section_gid"], "section"))


# -- tasks -------------------------------------------------------------------------------------


@route("GET", "/projects/{project_gid}/tasks")
def get_project_tasks(context: Context, call: Call, params: dict[str, str]) -> Reply:
    project = context.store.get(Project, params["project_gid"], "project")
    return page(context, call, _filter_tasks(context, call, context.store.project_tasks(project)))


@route("GET", "/sections/{section_gid}/tasks")
def get_section_tasks(context: Context, call: Call, params: dict[str, str]) -> Reply:
    section = context.store.get(Section, params["section_gid"], "section")
    tasks = [context.store.get(Task, g, "task") for g in section.tasks]
    return page(context, call, _filter_tasks(context, call, tasks))


@route("GET", "/tags/{tag_gid}/tasks")
def get_tag_tasks(context: Context, call: Call, params: dict[str, str]) -> Reply:
    tag = context.store.get(Tag, params["tag_gid"], "tag")
    return page(context, call, [t for t in context.store.all(Task) if tag.gid in t.tags])


@route("GET", "/tasks")
def get_tasks(context: Context, call: Call, params: dict[str, str]) -> Reply:
    """``GET /tasks`` needs exactly one of project, section, tag, or assignee with workspace."""
    store, query = context.store, call.query
    chosen = [k for k in ("project", "section", "tag") if query.get(k)]
    if len(chosen) > 1 or (not chosen and not (query.get("assignee") and query.get("workspace"))):
        raise AsanaError(
            400, "Must specify exactly one of project, tag, section, user task list, or assignee + workspace"
        )
    if query.get("project"):
        tasks = store.project_tasks(store.get(Project, query["project"], "project"))
    elif query.get("section"):
        tasks = [store.get(Task, g, "task") for g in store.get(Section, query["section"], "section").tasks]
    elif query.get("tag"):
        tag = store.get(Tag, query["tag"], "tag")
        tasks = [t for t in store.all(Task) if tag.gid in t.tags]
    else:
        workspace = store.get(Workspace, query["workspace"], "workspace")
        assignee = store.user_by_ref(query["assignee"])
        tasks = [t for t in store.all(Task) if t.workspace == workspace.gid and t.assignee == assignee.gid]
    return page(context, call, _filter_tasks(context, call, tasks))


@route("GET", "/tasks/{task_gid}")
def get_task(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return one(context, call, context.store.get(Task, params["task_gid"], "task"))


@route("GET", "/tasks/{task_gid}/subtasks")
def get_subtasks(context: Context, call: Call, params: dict[str, str]) -> Reply:
    task = context.store.get(Task, params["task_gid"], "task")
    return page(context, call, [context.store.get(Task, g, "task") for g in task.subtasks])


@route("GET", "/tasks/{task_gid}/stories")
def get_stories(context: Context, call: Call, params: dict[str, str]) -> Reply:
    task = context.store.get(Task, params["task_gid"], "task")
    return page(context, call, [s for s in context.store.all(Story) if s.target == task.gid])


@route("GET", "/tasks/{task_gid}/tags")
def get_task_tags(context: Context, call: Call, params: dict[str, str]) -> Reply:
    task = context.store.get(Task, params["task_gid"], "task")
    return page(context, call, [context.store.get(Tag, g, "tag") for g in task.tags])


@route("GET", "/tasks/{task_gid}/projects")
def get_task_projects(context: Context, call: Call, params: dict[str, str]) -> Reply:
    task = context.store.get(Task, params["task_gid"], "task")
    return page(context, call, [context.store.get(Project, m.project, "project") for m in task.memberships])


# -- tags and custom fields --------------------------------------------------------------------


def _tags(context: Context, call: Call, workspace_gid: str | None) -> Reply:
    tags = context.store.all(Tag)
    if workspace_gid is not None:
        workspace = context.store.get(Workspace, workspace_gid, "workspace")
        tags = [t for t in tags if t.workspace == workspace.gid]
    return page(context, call, tags)


@route("GET", "/tags")
def get_tags(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return _tags(context, call, call.query.get("workspace"))


@route("GET", "/workspaces/{workspace_gid}/tags")
def get_workspace_tags(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return _tags(context, call, params["workspace_gid"])


@route("GET", "/tags/{tag_gid}")
def get_tag(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return one(context, call, context.store.get(Tag, params["tag_gid"], "tag"))


@route("GET", "/projects/{project_gid}/custom_field_settings")
def get_custom_field_settings(context: Context, call: Call, params: dict[str, str]) -> Reply:
    project = context.store.get(Project, params["project_gid"], "project")
    settings = [
        context.store.get(CustomFieldSetting, g, "custom_field_setting")
        for g in project.custom_field_settings
    ]
    return page(context, call, settings)


@route("GET", "/custom_fields/{custom_field_gid}")
def get_custom_field(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return one(context, call, context.store.get(CustomField, params["custom_field_gid"], "custom_field"))


@route("GET", "/workspaces/{workspace_gid}/custom_fields")
def get_workspace_custom_fields(context: Context, call: Call, params: dict[str, str]) -> Reply:
    """A workspace's custom field definitions; 402 on a free one. Asana documents the 402 for custom-field
    writes ("Custom Fields are not available for free users", Asana/SGTM#85), not for this list: refusing it
    too is the strict reading, and what moteur's ``doctor`` takes as the sign of a free workspace."""
    context.require_premium()
    workspace = context.store.get(Workspace, params["workspace_gid"], "workspace")
    return page(context, call, [f for f in context.store.all(CustomField) if f.workspace == workspace.gid])
