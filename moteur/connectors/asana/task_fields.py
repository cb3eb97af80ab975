"""From a migration's canonical fields (``core/ops.py``) to the body of an Asana task create or update.

Where each canonical field goes on a task:

- ``description`` → ``notes``, with the identity footer of the source key as its last line;
- ``status`` → ``completed`` (done, or archived and done: ``is_done``; Asana has no archive for tasks, so an
  archived item also gets the tag "archived", which ``read_full`` reads back as archived);
- ``due`` → ``due_on`` for a date, ``due_at`` for a datetime (the same instant: never shifted);
- ``assignees`` → ``assignee``: the first e-mail that is a user of the workspace (a task has one
  assignee; unknown e-mails are left out, the core reports them);
- ``tags`` → workspace tags, reused by name or created;
- scores, objective, channel, quadrant, sprint, ICE → *custom fields* of the project, reused by any name the
  mapping gives (Impact / Confiance…) or created: numbers for Impact / Effort / Confidence / ICE, text for
  Objective / Channel, enums for Quadrant / Sprint (options added as values appear). A field that already
  exists keeps its type: an enum Objective gets an option, a text Sprint gets the text. Without custom
  fields (a free workspace) the sprint becomes a tag "Sprint N" and the other values are not carried;
- ``custom`` (the source's role-less custom fields, by name) → the project's field of that name (any case,
  made by the migration's ``EnsureField``), in the same ``custom_fields`` object of the same create or
  update body, so they cost no request: a number, an enum option's gid (an option the field lacks is added
  first: never dropped), ``{"date": …}`` or ``{"date_time": …}``, a text; None clears.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from moteur.connectors.asana.batch import BATCH_SIZE, batch_action, result_of, send_batch
from moteur.connectors.asana.reader import list_all, list_workspace
from moteur.connectors.asana.schema import ProjectSchema, email_key
from moteur.connectors.asana.schema import fold as key_of
from moteur.connectors.asana.transport import PremiumRequired
from moteur.connectors.http import HttpClient
from moteur.core.errors import MoteurError
from moteur.core.identity import with_identity
from moteur.core.model import FieldKind
from moteur.core.ops import CreateItem, MigrationOp, UpdateItem, is_done
from moteur.mappings.schema import BoardMapping, fold
from moteur.mappings.scores import parse_number
from moteur.redaction import scrub

ARCHIVED_TAG = "archived"
# Canonical field -> (name of the custom field created when the project has none, its kind).
CUSTOM_FIELDS: dict[str, tuple[str, FieldKind]] = {
    "impact": ("Impact", FieldKind.NUMBER),
    "effort": ("Effort", FieldKind.NUMBER),
    "confidence": ("Confidence", FieldKind.NUMBER),
    "objective": ("Objective", FieldKind.TEXT),
    "channel": ("Channel", FieldKind.TEXT),
    "quadrant": ("Quadrant", FieldKind.ENUM),
    "sprint": ("Sprint", FieldKind.ENUM),
    "ice": ("ICE", FieldKind.NUMBER),
}

ItemOp = CreateItem | UpdateItem


class TaskFields:
    """Prepares the tags, custom fields and users a list of item ops needs, then builds task bodies."""

    def __init__(
        self,
        client: HttpClient,
        schema: ProjectSchema,
        mapping: BoardMapping,
        users: dict[str, str] | None = None,
    ) -> None:
        self.client, self.schema = client, schema
        self.names = mapping.field_names()
        self.users: dict[str, str] = dict(users or {})  # folded e-mail -> user gid
        self.users_read = users is not None  # the workspace's users were read already (``capabilities``)
        self.fields: dict[str, dict[str, Any]] = {}  # canonical field -> the project's custom field
        self.broken: dict[str, str] = {}  # "users" | "field:<name>" | "tag:<folded name>" -> why not there

    # -- preparing: one look-up of users, tags and fields before any task is written ---------------------

    def prepare(self, ops: Sequence[ItemOp]) -> None:
        """Look up users, and find or create the fields and tags ``ops`` use. What cannot be had (after the
        retries and look-ups of the HTTP layer and ``ProjectSchema``) is noted in ``broken``: only the items
        that need it fail, and a re-run tries again."""
        if not self.users_read and any(op.fields.get("assignees") for op in ops):
            try:
                listed = list_all(  # GET /users pages; GET /workspaces/{gid}/users takes no limit (spec)
                    self.client,
                    "/users",
                    {"workspace": self.schema.workspace, "opt_fields": "email"},
                    "users",
                )
            except MoteurError as exc:
                self.broken["users"] = f"the workspace's users could not be read: {exc}"
            else:
                self.users = {
                    email_key(str(u.get("email"))): str(u.get("gid")) for u in listed if u.get("email")
                }
        wanted: dict[str, list[str]] = {}
        for op in ops:
            for name in CUSTOM_FIELDS:
                value = op.fields.get(name)
                if value is not None and value != "":
                    wanted.setdefault(name, [])
                    if CUSTOM_FIELDS[name][1] is FieldKind.ENUM and str(value) not in wanted[name]:
                        wanted[name].append(str(value))
        if wanted and self.schema.fields_on:
            with contextlib.suppress(MoteurError):  # each field is then found or created on its own
                self._share_workspace_fields(list(wanted))
        for name, options in wanted.items():
            if not self.schema.fields_on:
                break
            try:
                self._ensure_field(name, tuple(options))
            except MoteurError as exc:
                self.broken[f"field:{name}"] = f"the custom field for {name} could not be set up: {exc}"
        tags = {t for op in ops for t in self.tags_of(op.fields)}
        for tag in sorted(tags, key=fold):
            try:
                self.schema.ensure_tag(tag)
            except MoteurError as exc:
                self.broken[f"tag:{key_of(tag)}"] = f'the tag "{tag}" could not be created: {exc}'

    def check(self, fields: Mapping[str, Any]) -> None:
        """Raise ``LookupError`` when the item needs something ``prepare`` could not set up."""
        needs = [f"tag:{key_of(t)}" for t in self.tags_of(fields)]
        needs += [f"field:{n}" for n in CUSTOM_FIELDS if fields.get(n) not in (None, "")]
        needs += ["users"] if fields.get("assignees") else []
        for need in needs:
            if need in self.broken:
                raise LookupError(scrub(self.broken[need]))
        if not self.schema.fields_on:
            return  # a free workspace (a 402 met mid-run): custom values are the losses the plan reported
        for name, value in (fields.get("custom") or {}).items():
            if value not in (None, "") and self.schema.field(name) is None:
                raise LookupError(f'the custom field "{name}" is not on the project')

    def _aliases(self, name: str) -> set[str]:
        return {fold(n) for n in (*self.names.get(name, ()), CUSTOM_FIELDS[name][0])}

    def _share_workspace_fields(self, names: list[str]) -> None:
        """Put the workspace's fields of these names on the project: one read, one batch of settings.

        ``ProjectSchema.ensure_field`` would try a create, meet "already exists" and list the workspace, per
        field; reading the workspace's fields once and adding them in one batch (adding a field twice is
        refused, never doubled, so the batch may be resent) costs two requests for all of them.
        """
        missing = {
            n
            for n in names
            if not any(fold(str(f["name"])) in self._aliases(n) for f in self.schema.fields.values())
        }
        if not missing:
            return
        try:
            listed = list_workspace(self.client, self.schema.workspace, "custom_fields")
        except PremiumRequired:
            self.schema.fields_on = False
            return
        chosen: list[dict[str, Any]] = []
        for name in sorted(missing):
            found = next((f for f in listed if fold(str(f.get("name") or "")) in self._aliases(name)), None)
            if found is not None and all(c["gid"] != found.get("gid") for c in chosen):
                chosen.append(found)
        for start in range(0, len(chosen), BATCH_SIZE):
            part = chosen[start : start + BATCH_SIZE]
            path = f"/projects/{self.schema.project}/addCustomFieldSetting"
            actions = [batch_action("post", path, {"custom_field": str(f["gid"])}) for f in part]
            results = send_batch(self.client, actions, "custom fields on the project", idempotent=True)
            for found, result in zip(part, results, strict=True):
                status, _, message, _ = result_of(result)
                if status == 402:
                    self.schema.fields_on = False
                    return
                if status < 300 or "already" in message.casefold():
                    self.schema.fields[key_of(str(found.get("name")))] = {
                        "gid": str(found["gid"]),
                        "name": str(found.get("name")),
                        "subtype": str(found.get("resource_subtype") or found.get("type") or ""),
                        "options": {
                            key_of(str(o.get("name"))): str(o.get("gid"))
                            for o in found.get("enum_options") or []
                            if isinstance(o, dict) and o.get("enabled", True)
                        },
                    }

    def _ensure_field(self, name: str, options: tuple[str, ...]) -> None:
        default, kind = CUSTOM_FIELDS[name]
        aliases = self._aliases(name)
        found = next((f for f in self.schema.fields.values() if fold(str(f["name"])) in aliases), None)
        try:
            if found is None:
                found = self.schema.ensure_field(default, kind, options)
            elif found["subtype"] in ("enum", "multi_enum"):
                for option in options:
                    self.schema.ensure_option(found, option)
        except PremiumRequired:
            self.schema.fields_on = False  # a free workspace: the values are losses the plan reported
            return
        self.fields[name] = found

    def tags_of(self, fields: Mapping[str, Any]) -> list[str]:
        """The tag names a task carries: its tags, "archived" when archived, and the sprint without fields."""
        tags = [str(t) for t in fields.get("tags") or () if str(t)]
        if fields.get("status") == "archived":
            tags.append(ARCHIVED_TAG)
        if not self.schema.fields_on and fields.get("sprint"):
            tags.append(str(fields["sprint"]))
        return tags

    # -- bodies -----------------------------------------------------------------------------------------

    def create_body(self, op: CreateItem, section: str | None) -> dict[str, Any]:
        self.check(op.fields)
        project = self.schema.project
        body: dict[str, Any] = {
            "name": op.title,
            "notes": with_identity(str(op.fields.get("description") or ""), op.key),
        }
        if section:
            body["memberships"] = [{"project": project, "section": section}]
        else:
            body["projects"] = [project]
        body.update({k: v for k, v in self.scalars(op.fields).items() if v is not None})
        tags = [self.schema.tags[key_of(t)] for t in self.tags_of(op.fields)]
        if tags:
            body["tags"] = list(dict.fromkeys(tags))
        values = {k: v for k, v in self.custom_values(op.fields).items() if v is not None}
        values.update({k: v for k, v in self.carried_values(op.fields).items() if v is not None})
        if values:
            body["custom_fields"] = values
        return body

    def update_body(self, op: UpdateItem) -> dict[str, Any]:
        """The ``PUT /tasks/{gid}`` body for the fields ``op`` changes (tags go through addTag/removeTag)."""
        self.check(op.fields)
        body: dict[str, Any] = {"name": op.title} if op.title else {}
        if "description" in op.fields:
            body["notes"] = with_identity(str(op.fields.get("description") or ""), op.key)
        body.update(self.scalars(op.fields))
        values = {**self.custom_values(op.fields), **self.carried_values(op.fields)}
        if values:
            body["custom_fields"] = values
        return body

    def scalars(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """completed, due and assignee for the fields present in ``fields`` (None clears a value)."""
        body: dict[str, Any] = {}
        if "status" in fields:
            body["completed"] = is_done(fields)
        if "due" in fields:
            due = str(fields["due"] or "")
            if len(due) > 10:
                body["due_at"] = due
            else:
                body["due_on"] = due or None
        if "assignees" in fields:
            emails: Iterable[str] = fields["assignees"] or ()
            body["assignee"] = next(
                (self.users[email_key(e)] for e in emails if email_key(e) in self.users), None
            )
        return body

    def custom_values(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """{field gid: value} for the custom fields present in ``fields``, typed as each field wants."""
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            if name not in fields or not self.schema.fields_on:
                continue
            value = fields[name]
            gid = str(field["gid"])
            if value is None or value == "":
                values[gid] = None
            elif field["subtype"] in ("enum", "multi_enum"):
                option = self.schema.ensure_option(field, str(value))
                values[gid] = [option] if field["subtype"] == "multi_enum" else option
            elif field["subtype"] == "number":
                number = parse_number(value)
                values[gid] = None if number is None else int(number) if number.is_integer() else number
            else:
                values[gid] = str(value)[:1024]  # Asana's limit for a text value
        return values

    def carried_values(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """{field gid: value} for the source's custom fields a migration carries (``fields["custom"]``)."""
        values: dict[str, Any] = {}
        if not self.schema.fields_on:
            return values
        for name, value in (fields.get("custom") or {}).items():
            field = self.schema.field(name)
            if field is not None:
                values[str(field["gid"])] = self._carried(field, value)
        return values

    def _carried(self, field: dict[str, Any], value: Any) -> Any:
        """A canonical custom value (``core.model.CustomField``) as Asana takes it for this field."""
        if value is None or value == "":
            return None
        subtype, name = field["subtype"], field["name"]
        if subtype == "enum":
            return self.schema.ensure_option(field, str(value))
        if subtype == "number":
            number = parse_number(value)
            if number is None:
                raise LookupError(f'"{value}" is not a number, for the field "{name}"')
            return int(number) if number.is_integer() else number
        if subtype == "date":
            text = str(value).strip()
            return {"date_time": text} if len(text) > 10 else {"date": text}
        if subtype == "text":
            return str(value)[:1024]
        raise LookupError(f'the field "{name}" is a {subtype} field: it cannot hold "{value}"')


def custom_values_of(name: str, ops: Sequence[MigrationOp]) -> list[Any]:
    """The values the creates and updates of ``ops`` give the custom field ``name`` (any case)."""
    key = key_of(name)
    values: list[Any] = []
    for op in ops:
        if isinstance(op, CreateItem | UpdateItem):
            values += [v for n, v in (op.fields.get("custom") or {}).items() if key_of(n) == key]
    return values


def decimals(value: Any) -> int:
    """How many decimals a number needs to be shown as it is (Asana's precision: 0 to 6)."""
    if isinstance(value, bool | int) or not isinstance(value, float | str):
        return 0
    try:
        text = f"{float(value):.6f}".rstrip("0")
    except ValueError:
        return 0
    return len(text.partition(".")[2])
