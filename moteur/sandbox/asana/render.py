"""Asana's JSON representations of the emulator's records, and ``opt_fields`` projection.

Three forms, as Asana answers:

- *compact*: a few identifying keys (``{gid, name, resource_type}``; tasks add ``resource_subtype``), used for
  list endpoints without ``opt_fields`` and for references nested inside another record;
- *full*: every default property, with nested records compact, used for single-record GETs and writes;
- *projected*: with ``opt_fields=a,b.c``, only ``gid`` and the requested properties, dotted paths
  descending into nested records (``memberships.section.name``, ``assignee.email``), each of them ``gid`` and
  what was asked too. ``resource_type`` only when asked for: Asana answers ``GET /workspaces/{gid}/projects
  ?opt_fields=name`` with ``{gid, name}`` and a batch ``GET /tasks/{gid}`` with ``options.fields`` [gid, name,
  notes] with exactly those (recorded: tests/contract/fixtures/asana-recorded/projects_opt_fields_name.json,
  batch_crud_lifecycle.json), while one asking for ``resource_type`` gets it (batch_partial_failure.json). A
  property asked for as a whole that holds a record (``opt_fields=assignee``) is that record's compact form.

``properties`` returns a record's properties with nested records left as records, so projection can descend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moteur.sandbox.asana.entities import (
    CustomField,
    CustomFieldSetting,
    EnumOption,
    Project,
    Record,
    Section,
    Story,
    Tag,
    Task,
    Team,
    User,
    Workspace,
)
from moteur.sandbox.asana.store import AsanaStore

APP_URL = "https://app.asana.com"

# Properties Asana leaves out unless asked for with opt_fields.
OPTIONAL: dict[str, frozenset[str]] = {
    "task": frozenset({"html_notes", "num_subtasks", "created_by"}),
    "story": frozenset({"html_text"}),
    "team": frozenset({"description"}),  # "[Opt In]" in the spec's TeamResponse
}

FieldTree = dict[str, "FieldTree"]


@dataclass(frozen=True)
class FieldValue:
    """A custom field as it appears on a task: the definition plus that task's value."""

    field: CustomField
    task: Task

    @property
    def gid(self) -> str:
        return self.field.gid


Renderable = Record | FieldValue


def parse_opt_fields(raw: str | list[str] | None) -> FieldTree | None:
    """``"name,assignee.email,assignee.name"`` → ``{"name": {}, "assignee": {"email": {}, "name": {}}}``."""
    if raw is None:
        return None
    parts = raw if isinstance(raw, list) else raw.split(",")
    tree: FieldTree = {}
    for part in parts:
        node = tree
        for name in part.strip().split("."):
            if name:
                node = node.setdefault(name, {})
    return tree


def compact(store: AsanaStore, record: Renderable) -> dict[str, Any]:
    if isinstance(record, FieldValue):
        return full(store, record)
    if isinstance(record, Task):
        return {
            "gid": record.gid,
            "name": record.name,
            "resource_type": "task",
            "resource_subtype": record.resource_subtype,
        }
    if isinstance(record, EnumOption):
        return properties(store, record)
    if isinstance(record, CustomFieldSetting):
        return {"gid": record.gid, "resource_type": record.resource_type}
    if isinstance(record, Story):
        body = properties(store, record)
        keep = ("gid", "created_at", "created_by", "resource_type", "text", "resource_subtype")
        return {k: _leaf(store, body[k]) for k in keep}
    if isinstance(record, CustomField):
        return {
            "gid": record.gid,
            "name": record.name,
            "resource_type": "custom_field",
            "resource_subtype": record.type,
            "type": record.type,
        }
    return {"gid": record.gid, "name": record.name, "resource_type": record.resource_type}


def full(store: AsanaStore, record: Renderable) -> dict[str, Any]:
    """The default representation of one record (single-record GETs and write answers)."""
    optional = OPTIONAL.get(_kind(record), frozenset())
    return {k: _leaf(store, v) for k, v in properties(store, record).items() if k not in optional}


def project(store: AsanaStore, record: Renderable, tree: FieldTree) -> dict[str, Any]:
    """Only ``gid`` and the fields in ``tree`` (unknown names are ignored; ``resource_type`` is one of them,
    given only when asked for)."""
    props = properties(store, record)
    out: dict[str, Any] = {"gid": props["gid"]}
    for name, sub in tree.items():
        if name in props:
            out[name] = _project_value(store, props[name], sub)
    return out


def represent(store: AsanaStore, record: Renderable, tree: FieldTree | None, listing: bool) -> dict[str, Any]:
    """How an endpoint answers for ``record``: projected when opt_fields were given, else compact in
    lists and full for a single record."""
    if tree is not None:
        return project(store, record, tree)
    return compact(store, record) if listing else full(store, record)


def _project_value(store: AsanaStore, value: Any, tree: FieldTree) -> Any:
    if isinstance(value, list):
        return [_project_value(store, v, tree) for v in value]
    if not tree:
        return _leaf(store, value)
    if isinstance(value, Record | FieldValue):
        return project(store, value, tree)
    if isinstance(value, dict):
        # An embedded record (e.g. a setting's custom_field) keeps its gid like a referenced one.
        identity = {k: value[k] for k in ("gid",) if k in value}
        return identity | {k: _project_value(store, value[k], sub) for k, sub in tree.items() if k in value}
    return value


def _leaf(store: AsanaStore, value: Any) -> Any:
    if isinstance(value, list):
        return [_leaf(store, v) for v in value]
    if isinstance(value, dict):
        return {k: _leaf(store, v) for k, v in value.items()}
    if isinstance(value, Record | FieldValue):
        return compact(store, value)
    return value


def _kind(record: Renderable) -> str:
    return "custom_field" if isinstance(record, FieldValue) else record.resource_type


def _ref(store: AsanaStore, kind: type[Record], gid: str | None) -> Record | None:
    return store.records.get(gid) if gid is not None and isinstance(store.records.get(gid), kind) else None


def properties(store: AsanaStore, record: Renderable) -> dict[str, Any]:
    """Every property of ``record`` (optional ones included), nested records left as records."""
    if isinstance(record, Task):
        return _task(store, record)
    if isinstance(record, FieldValue):
        return _field_value(store, record)
    if isinstance(record, Project):
        return {
            "gid": record.gid,
            "resource_type": "project",
            "name": record.name,
            "archived": record.archived,
            "color": record.color,
            "completed": False,
            "completed_at": None,
            "created_at": record.created_at,
            "modified_at": record.modified_at,
            "current_status": None,
            "custom_field_settings": [store.records[g] for g in record.custom_field_settings],
            "custom_fields": [],
            "default_view": record.default_view,
            "due_on": None,
            "start_on": None,
            "followers": [],
            "members": [r for r in [_ref(store, User, record.owner)] if r is not None],
            "notes": record.notes,
            "owner": _ref(store, User, record.owner),
            "permalink_url": f"{APP_URL}/0/{record.gid}/list",
            "public": True,
            "team": _ref(store, Team, record.team),
            "workspace": store.records[record.workspace],
        }
    if isinstance(record, Team):
        return {
            "gid": record.gid,
            "resource_type": "team",
            "name": record.name,
            "description": record.description,
            "organization": store.records[record.organization],
            "permalink_url": f"{APP_URL}/0/{record.gid}/list",
            "visibility": "public",
        }
    if isinstance(record, Section):
        parent = store.records[record.project]
        return {
            "gid": record.gid,
            "resource_type": "section",
            "name": record.name,
            "created_at": record.created_at,
            "project": parent,
            "projects": [parent],
        }
    if isinstance(record, User):
        return {
            "gid": record.gid,
            "resource_type": "user",
            "name": record.name,
            "email": record.email,
            "photo": None,
            "workspaces": store.all(Workspace),
        }
    if isinstance(record, Workspace):
        return {
            "gid": record.gid,
            "resource_type": "workspace",
            "name": record.name,
            "email_domains": list(record.email_domains),
            "is_organization": record.is_organization,
        }
    if isinstance(record, Tag):
        return {
            "gid": record.gid,
            "resource_type": "tag",
            "name": record.name,
            "color": record.color,
            "created_at": record.created_at,
            "followers": [],
            "notes": record.notes,
            "permalink_url": f"{APP_URL}/0/{record.gid}/list",
            "workspace": store.records[record.workspace],
        }
    if isinstance(record, EnumOption):
        return {
            "gid": record.gid,
            "color": record.color,
            "enabled": record.enabled,
            "name": record.name,
            "resource_type": "enum_option",
        }
    if isinstance(record, CustomField):
        return _field_definition(store, record)
    if isinstance(record, CustomFieldSetting):
        parent = store.records[record.project]
        return {
            "gid": record.gid,
            "resource_type": "custom_field_setting",
            "custom_field": _field_definition(
                store, store.get(CustomField, record.custom_field, "custom_field")
            ),
            "is_important": record.is_important,
            "parent": parent,
            "project": parent,
        }
    return {
        "gid": record.gid,
        "resource_type": "story",
        "created_at": record.created_at,
        "created_by": _ref(store, User, record.created_by),
        "resource_subtype": record.resource_subtype,
        "text": record.text,
        "html_text": f"<body>{_escape(record.text)}</body>",
        "type": record.type,
        "is_editable": True,
        "is_edited": False,
        "is_pinned": False,
        "source": "api",
        "target": store.records.get(record.target),
    }


def _task(store: AsanaStore, task: Task) -> dict[str, Any]:
    projects = [store.records[m.project] for m in task.memberships]
    return {
        "gid": task.gid,
        "resource_type": "task",
        "name": task.name,
        "resource_subtype": task.resource_subtype,
        "actual_time_minutes": None,
        "assignee": _ref(store, User, task.assignee),
        "assignee_status": "inbox" if task.assignee else "upcoming",
        "completed": task.completed,
        "completed_at": task.completed_at,
        "created_at": task.created_at,
        "created_by": {"gid": store.me, "resource_type": "user"} if store.me else None,
        "custom_fields": [FieldValue(f, task) for f in store.project_fields(task)],
        "due_at": task.due_at,
        "due_on": task.due_on,
        "followers": [store.records[g] for g in task.followers if g in store.records],
        "hearted": False,
        "hearts": [],
        "html_notes": task.html_notes
        if task.html_notes is not None
        else f"<body>{_escape(task.notes)}</body>",
        "liked": False,
        "likes": [],
        "memberships": [
            {"project": store.records[m.project], "section": store.records[m.section]}
            for m in task.memberships
        ],
        "modified_at": task.modified_at,
        "notes": task.notes,
        "num_hearts": 0,
        "num_likes": 0,
        "num_subtasks": len(task.subtasks),
        "parent": _ref(store, Task, task.parent),
        "permalink_url": f"{APP_URL}/1/0/project/{projects[0].gid if projects else 0}/task/{task.gid}",
        "projects": projects,
        "start_at": None,
        "start_on": task.start_on,
        "tags": [store.records[g] for g in task.tags],
        "workspace": store.records[task.workspace],
    }


def _field_definition(store: AsanaStore, field: CustomField) -> dict[str, Any]:
    body: dict[str, Any] = {
        "gid": field.gid,
        "resource_type": "custom_field",
        "name": field.name,
        "type": field.type,
        "resource_subtype": field.type,
        "representation_type": field.type,
        "description": field.description,
        "enabled": True,
        "created_by": _ref(store, User, field.created_by),
        "has_notifications_enabled": False,
        "is_formula_field": False,
        "is_global_to_workspace": True,
        "is_value_read_only": False,
    }
    if field.type == "number":
        body["precision"] = field.precision
    if field.type in ("enum", "multi_enum"):
        body["enum_options"] = [store.records[g] for g in field.enum_options]
    return body


def _field_value(store: AsanaStore, value: FieldValue) -> dict[str, Any]:
    field, stored = value.field, value.task.custom_values.get(value.field.gid)
    body = _field_definition(store, field)
    del body["representation_type"], body["has_notifications_enabled"], body["is_global_to_workspace"]
    display: str | None = None
    if field.type == "number":
        number = _number(stored, field.precision or 0)
        body["number_value"] = number
        display = None if number is None else f"{float(number):.{field.precision or 0}f}"
    elif field.type == "enum":
        option = store.records.get(stored) if isinstance(stored, str) else None
        body["enum_value"] = option
        display = option.name if isinstance(option, EnumOption) else None
    elif field.type == "multi_enum":
        options = [store.records[g] for g in (stored or [])]
        body["multi_enum_values"] = options
        display = ", ".join(o.name for o in options if isinstance(o, EnumOption)) or None
    elif field.type == "date":
        body["date_value"] = stored
        display = (stored or {}).get("date_time") or (stored or {}).get("date") if stored else None
    else:
        body["text_value"] = stored
        display = stored if isinstance(stored, str) else None
    body["display_value"] = display
    return body


def _number(stored: Any, precision: int) -> int | float | None:
    """A number value as Asana writes it: an integer when the field has no decimals."""
    if stored is None:
        return None
    value = round(float(stored), precision)
    return int(value) if precision == 0 else value


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
