"""From a raw Asana project to a ``Snapshot``: each task mapped to an ``Action`` through ``asana.yaml``.

Terms:

- *Section*: the task's section in this project (a task may be in other projects too); it is the Action's
  bucket and gives its status: the status its name means (``BoardMapping.status_of``: ``Done 🎉``,
  ``✅ Terminé(e)s``…), else todo, whatever moteur writes. When no section name means a status, the snapshot
  says which names were read as to-do, once (quadrant-named sections, moteur's own, are left out).
- *Quadrant*: read back from where the connector writes it (``quadrants.Place``): the "Quadrant" custom field
  (a task without a value there shows its companion section, left by a free workspace's run), the task's
  section in the companion project (``companion.py``), its section here when the project is moteur's to
  arrange (``in_place``: any section name, so an op records the section a task leaves), or a quadrant tag.
  Without a place (a migration's read) it is the companion's quadrant section, else a quadrant-named section
  here; ``migration.migrated`` then prefers the "Quadrant" field.
- *Score field*: a number or enum custom field named Impact / Effort / Confidence (or a name the mapping
  gives, e.g. Confiance); its number, or its option's name (``fort``, ``8``), goes through ``parse_score``
  on the field's *scale* (``core/scales``): stated by the mapping, else an enum field's numeric options (1–5),
  else guessed from the numbers the tasks hold, with a warning. ``known_scales`` (the cached read's, on an
  incremental read of a few tasks) keeps a guess from shrinking when the tasks that set it were not re-read.
- *Sprint*: the option of the enum custom field "Sprint"; when custom fields are unavailable (a free
  workspace) moteur's own sprint tag (``Sprint 3 · 2026-12-14``, ``core/labels``) instead. Such tags are
  managed, so they are not the Action's tags; a team's own plain "Sprint 2" tag is an ordinary tag.
- *Native*: what the writer needs and core must not see: section, field, option and tag gids, each task's
  tag gids, the workspace, whether custom fields can be written, and the guessed scales.

A task whose JSON is malformed (wrong types, no gid or name) is skipped with a warning; the run goes on.
A user's ``--mapping`` that names a field or status word the project does not have stops the read
(``mappings/check``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from moteur.connectors.asana.companion import seen_in
from moteur.connectors.asana.native import AsanaField, AsanaNative, AsanaSection
from moteur.connectors.asana.quadrants import Place, quadrant_field
from moteur.connectors.asana.reader import RawProject
from moteur.connectors.asana.task_fields import ARCHIVED_TAG
from moteur.connectors.malformed import well_formed
from moteur.core.labels import is_own_sprint, quadrant_from_name
from moteur.core.model import (
    Action,
    Annotations,
    BoardRef,
    Bucket,
    CustomField,
    FieldKind,
    ItemRef,
    Snapshot,
    Status,
    Tool,
)
from moteur.core.names import unmatched_warning
from moteur.core.scales import TEN, Scale
from moteur.mappings.check import check_names
from moteur.mappings.schema import BoardMapping, fold
from moteur.mappings.scores import guessed_tops, parse_number, parse_score, read_on, score_scales

SCORES = ("impact", "effort", "confidence")
ROLES = (*SCORES, "objective", "channel")  # what asana.yaml reads from custom fields


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def field_value(item: dict[str, Any]) -> object:
    """A task's value of one custom field: a number, an enum option's name, a date field's ISO date (or
    datetime, in UTC) when ``date_value`` was asked for, else the displayed text."""
    if item.get("number_value") is not None:
        return item["number_value"]
    enum_value = item.get("enum_value")
    if isinstance(enum_value, dict):
        return enum_value.get("name")
    date_value = item.get("date_value")
    if isinstance(date_value, dict):
        moment = date_value.get("date_time")
        if isinstance(moment, str) and moment:
            return datetime.fromisoformat(moment.replace("Z", "+00:00")).isoformat()
        return date_value.get("date") or None
    return item.get("display_value")


# Asana custom field types (``resource_subtype``) that have a counterpart in the other tools; every other type
# (multi_enum, people, reference, formula…) is ``FieldKind.OTHER``, which a migration reports lost.
FIELD_KINDS = {
    "number": FieldKind.NUMBER,
    "text": FieldKind.TEXT,
    "enum": FieldKind.ENUM,
    "date": FieldKind.DATE,
}


def field_kind(field: dict[str, Any]) -> FieldKind:
    if field.get("is_formula_field"):
        return FieldKind.OTHER  # computed by Asana: it cannot be written
    return FIELD_KINDS.get(str(field.get("resource_subtype") or field.get("type") or ""), FieldKind.OTHER)


def section_in(task: dict[str, Any], project_gid: str) -> dict[str, Any] | None:
    """The task's section in this project (its other projects' memberships are ignored)."""
    for membership in task.get("memberships") or []:
        if not isinstance(membership, dict):
            continue
        project = membership.get("project")
        section = membership.get("section")
        if isinstance(project, dict) and str(project.get("gid")) == project_gid and isinstance(section, dict):
            return section
    return None


class ProjectMapper:
    """Maps the tasks of one raw project; built once per read (it indexes fields and names)."""

    def __init__(
        self,
        raw: RawProject,
        ref: BoardRef,
        mapping: BoardMapping,
        *,
        fields_on: bool,
        place: Place | None = None,
        known_scales: dict[str, int] | None = None,
    ) -> None:
        self.raw, self.ref, self.mapping, self.fields_on, self.place = raw, ref, mapping, fields_on, place
        self.role_of: dict[str, str] = {}  # folded custom field name -> Action field
        names = mapping.field_names()
        for role in ROLES:
            for name in names.get(role, ()):
                self.role_of.setdefault(fold(name), role)
        wb = mapping.writeback
        self.sprint_field = fold(wb.sprint.name) if wb.sprint is not None and wb.sprint.name else "sprint"
        self.ice_field = fold(wb.ice.name) if wb.ice is not None and wb.ice.name else "ice"
        # Read into the annotation in a sync's read (a place given); a migration finds it in ``extra``.
        self.quadrant_field = fold(quadrant_field(mapping)) if place is not None else None
        name = str(raw.project.get("name") or "")
        self.companion, self.placed = seen_in(raw.tasks, raw.gid, name)
        self.tags_seen: dict[str, str] = {}  # tag name -> gid
        self.task_tags: dict[str, list[str]] = {}
        self.warnings: list[str] = []
        self.section_statuses: dict[str, Status | None] = {}  # section name -> the status it means
        self.scales = self._scales(known_scales or {})

    # -- the project's scales ---------------------------------------------------------------------------

    def _score_role(self, name: str) -> str | None:
        """The score a custom field named ``name`` is read into, or None (the sprint, ICE and quadrant fields
        are read first, as ``action`` does)."""
        key = fold(name)
        if key in (self.sprint_field, self.ice_field, self.quadrant_field):
            return None
        role = self.role_of.get(key)
        return role if role in SCORES else None

    def _scales(self, known: dict[str, int]) -> dict[str, Scale]:
        """Each score's scale (``score_scales``): from an enum field's options, else the values the tasks
        hold in the score's field."""
        values: dict[str, list[object]] = {role: [] for role in SCORES}
        options: dict[str, list[object]] = {}
        names: dict[str, str] = {}  # role -> the field's name, for the warning
        for field in self.raw.custom_fields:
            name = str(field.get("name") or "")
            role = self._score_role(name)
            if role is None:
                continue
            names.setdefault(role, name)
            if str(field.get("resource_subtype") or field.get("type") or "") == "enum":
                options[role] = [
                    o.get("name")
                    for o in field.get("enum_options") or []
                    if isinstance(o, dict) and o.get("enabled", True)
                ]
        for task in self.raw.tasks:
            if not isinstance(task, dict):
                continue
            for item in task.get("custom_fields") or []:
                if not isinstance(item, dict):
                    continue
                role = self._score_role(str(item.get("name") or ""))
                if role is not None:
                    values[role].append(field_value(item))
        scales, warnings = score_scales(self.mapping, values, options=options, names=names, known=known)
        self.warnings.extend(warnings)
        return scales

    # -- one task ---------------------------------------------------------------------------------------

    def action(self, task: dict[str, Any]) -> Action:
        gid, title = task["gid"], task["name"]
        if not isinstance(gid, str) or not isinstance(title, str):
            raise TypeError("gid and name must be strings")
        tag_names: list[str] = []
        for tag in task.get("tags") or []:
            name = str(tag.get("name") or "")
            tag_names.append(name)
            self.tags_seen.setdefault(name, str(tag.get("gid")))
        values: dict[str, object] = {}
        extra: dict[str, Any] = {}
        sprint: str | None = None
        ice: float | None = None
        in_field: str | None = None
        for item in task.get("custom_fields") or []:
            if not isinstance(item, dict):
                continue
            name = str(item.get("name") or "")
            value = field_value(item)
            key = fold(name)
            if key == self.sprint_field:
                sprint = str(value) if value not in (None, "") else None
            elif key == self.ice_field:
                ice = parse_number(value)
            elif key == self.quadrant_field:
                in_field = str(value) if value not in (None, "") else None
            elif key in self.role_of:
                values[self.role_of[key]] = value
            elif value not in (None, ""):
                extra[f"field:{name}"] = value
        if not self.fields_on:
            sprint = next((n for n in tag_names if is_own_sprint(n)), None)
        scores: dict[str, int | None] = {}
        for role in SCORES:
            score, warning = parse_score(
                values.get(role),
                self.mapping.words,
                field=role,
                stars_factor=self.mapping.stars_factor,
                scale=self.scales.get(role, TEN),
            )
            scores[role] = score
            if warning:
                self.warnings.append(f'task "{title}": {warning}')
        section = section_in(task, self.raw.gid)
        bucket = str(section.get("name") or "") if section is not None else None
        quadrant = self._quadrant(gid, bucket, in_field, tag_names)
        assignee = task.get("assignee")
        who = (assignee.get("email") or assignee.get("name")) if isinstance(assignee, dict) else None
        objective, channel = values.get("objective"), values.get("channel")
        return Action(
            ref=ItemRef(tool=Tool.ASANA, board=self.ref.board, item=gid, url=task.get("permalink_url")),
            title=title,
            description=str(task.get("notes") or ""),
            status=Status.DONE if task.get("completed") else self._status(bucket),
            bucket=bucket,
            tags=tuple(n for n in tag_names if n and not self._managed_tag(n)),
            assignees=(str(who),) if who else (),
            # A due_at is a moment; a due_on is a calendar day and stays one (never shifted by a timezone).
            due=task.get("due_at") or task.get("due_on"),
            created_at=_datetime(task.get("created_at")),
            updated_at=_datetime(task.get("modified_at")),
            impact=scores["impact"],
            effort=scores["effort"],
            confidence=scores["confidence"],
            objective=str(objective) if objective else None,
            channel=str(channel) if channel else None,
            annotations=Annotations(quadrant=quadrant, sprint=sprint, ice=ice),
            version=task.get("modified_at"),
            completed_at=_datetime(task.get("completed_at")) if task.get("completed") else None,
            extra=extra,
            scales=read_on(self.scales, scores),
        )

    def _quadrant(self, task: str, bucket: str | None, in_field: str | None, tags: list[str]) -> str | None:
        """The task's quadrant where this read's place keeps it (the module docstring, *Quadrant*)."""
        there = self.placed.get(task)  # its section in the companion project
        if self.place is Place.FIELD:
            return in_field or there
        if self.place is Place.COMPANION:
            return there
        if self.place is Place.IN_PLACE:
            return bucket
        if self.place is Place.TAG:
            return next((t for t in tags if quadrant_from_name(t) is not None), None)
        if self.place is Place.NONE:
            return None
        return next((q for q in (there, bucket) if q and quadrant_from_name(q) is not None), None)

    def _managed_tag(self, name: str) -> bool:
        """A tag moteur writes (its own sprint label; a quadrant's when quadrants go to tags), not the team's
        own (a plain "Sprint 2" is the team's)."""
        quadrant = self.place is Place.TAG and quadrant_from_name(name) is not None
        return is_own_sprint(name) or quadrant

    def has_role(self, name: str) -> bool:
        """Whether the custom field ``name`` is read into an Action field (a score, objective, channel, the
        sprint, ICE, or the quadrant a migration reads back) rather than carried as it is."""
        key = fold(name)
        return key in self.role_of or key in (self.sprint_field, self.ice_field, "quadrant")

    def custom_fields(self) -> tuple[CustomField, ...]:
        """The project's role-less custom fields, in the project's order, with their kinds and enabled enum
        options in Asana's order."""
        found: list[CustomField] = []
        for field in self.raw.custom_fields:
            name = str(field.get("name") or "")
            if not name or self.has_role(name):
                continue
            kind = field_kind(field)
            options = tuple(
                str(o.get("name"))
                for o in field.get("enum_options") or []
                if isinstance(o, dict) and o.get("enabled", True) and o.get("name")
            )
            found.append(CustomField(name=name, kind=kind, options=options if kind is FieldKind.ENUM else ()))
        return tuple(found)

    def _status(self, bucket: str | None) -> Status:
        if not bucket:
            return Status.TODO
        if bucket not in self.section_statuses:
            self.section_statuses[bucket] = self.mapping.status_of(bucket)
        return self.section_statuses[bucket] or Status.TODO

    def check_mapping(self) -> None:
        """Stop (``ConfigError``) when the user's mapping names a field or status word this project lacks."""
        fields = [str(f.get("name") or "") for f in self.raw.custom_fields]
        sections = [str(s.get("name") or "") for s in self.raw.sections]
        check_names(self.mapping, str(self.ref), fields=fields, statuses=sections, roles=ROLES)

    def _unmatched(self) -> None:
        """Say once when no section name means a status: every open task is then read as to-do. Sections
        named after a quadrant are moteur's own (a project arranged in place), not status sections."""
        used = {
            name: status for name, status in self.section_statuses.items() if quadrant_from_name(name) is None
        }
        if used and all(status is None for status in used.values()):
            self.warnings.append(unmatched_warning("section", used))

    # -- the project ------------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        self.check_mapping()
        actions: list[Action] = []
        for task, action in well_formed(
            self.raw.tasks, self.action, noun="task", id_key="gid", warnings=self.warnings
        ):
            actions.append(action)
            self.task_tags[action.ref.item] = [str(t.get("gid")) for t in task.get("tags") or []]
        self._unmatched()
        fields = self.raw.custom_fields
        sections = [{"gid": str(s.get("gid")), "name": str(s.get("name") or "")} for s in self.raw.sections]
        native = AsanaNative(
            project=self.raw.gid,
            workspace=self.raw.workspace,
            fields_on=self.fields_on,
            sections=tuple(AsanaSection(gid=s["gid"], name=s["name"]) for s in sections),
            fields=tuple(
                AsanaField(
                    gid=str(f.get("gid")),
                    name=str(f.get("name") or ""),
                    subtype=str(f.get("resource_subtype") or f.get("type") or ""),
                    options={
                        str(o.get("name")): str(o.get("gid"))
                        for o in f.get("enum_options") or []
                        if isinstance(o, dict) and o.get("enabled", True)
                    },
                )
                for f in fields
            ),
            tags=dict(self.tags_seen),
            task_tags=self.task_tags,
            team=_gid(self.raw.project.get("team")),
            companion=self.companion,
            quadrant_place=self.place,
            scales=guessed_tops(self.scales),
        )
        return Snapshot(
            board=self.ref,
            name=str(self.raw.project.get("name") or self.ref.board),
            buckets=tuple(Bucket(id=s["gid"], name=s["name"]) for s in sections),
            actions=tuple(actions),
            tags=tuple(self.tags_seen),
            # The companion holds the quadrant like a field holds a value: once it exists, nothing to create.
            fields=(*(str(f.get("name") or "") for f in fields), *self.companion.names(self.place)),
            warnings=tuple(self.warnings),
            native=native.dump(),
        )


def _gid(record: object) -> str | None:
    gid = record.get("gid") if isinstance(record, dict) else None
    return str(gid) if gid else None


def to_snapshot(
    raw: RawProject,
    ref: BoardRef,
    mapping: BoardMapping,
    *,
    fields_on: bool = True,
    custom: bool = False,
    place: Place | None = None,
    known_scales: dict[str, int] | None = None,
) -> Snapshot:
    """The project as a Snapshot; with ``custom`` (a migration's full read) its role-less fields too; with
    ``place`` (a sync's read) each quadrant read back from where the connector writes it; ``known_scales``:
    the guessed scales of the read this one updates."""
    mapper = ProjectMapper(raw, ref, mapping, fields_on=fields_on, place=place, known_scales=known_scales)
    snapshot = mapper.snapshot()
    if place is not None:
        # One rule for archived items across tools: a sync reads none (Trello's closed cards, monday's
        # archived items). Asana has no archive: a migration marks an archived task with the tag "archived".
        kept = tuple(a for a in snapshot.actions if not any(fold(t) == ARCHIVED_TAG for t in a.tags))
        snapshot = snapshot.model_copy(update={"actions": kept})
    if custom:
        snapshot = snapshot.model_copy(update={"custom_fields": mapper.custom_fields()})
    return snapshot
