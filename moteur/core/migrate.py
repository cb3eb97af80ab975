"""The migration plan: what to create and update on a target board so that it holds a source board's items.

Terms defined here:

- *Source key*: ``ItemRef.key`` of a source item; children have ``<key>#check:<n>`` and ``<key>#comment:<n>``
  (``n`` from 1, in source order). It is the identity footer written on the target and the key of the
  state's ``links`` table.
- *Targets*: ``{source key: target ItemRef}`` for what is already on the target (links from the state, plus
  links rebuilt from identity footers). A source item in *targets* is *linked*: it is updated, never created.
- *Canonical fields*: the values a migration carries (``core/ops.py`` ``MIGRATION_FIELDS``), as plain JSON
  values: ISO text for dues, sorted lists for tags, numbers for scores.
- *Loss*: something the source holds that the target cannot: per field, how many items and what happens.
- *Carried*: an item the plan copies: open items in open buckets, or every item with ``include_archived``.

- *Carried custom field*: a role-less custom field of the source (``Snapshot.custom_fields``) whose kind the
  target can hold (``Capabilities.custom_fields``) and that does not clash with a same-named target field of
  another kind. Its values travel in the canonical field ``custom``; every other one is a loss.

``plan_migration`` is pure: the same snapshots, links and capabilities give the same ops, in this order:
buckets the target lacks (in source order; closed ones closed where the target can close a bucket, and those
it has closed or reopened to match the source), custom fields the target lacks (or whose options it lacks),
the tags whose colour the target lacks (``core/tag_colours.py``), then per source item in source order its
``CreateItem`` or ``UpdateItem`` followed by the children the target lacks and the ``UpdateSubitem`` of
linked children whose title or done state changed in the source.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from moteur.core.identity import split_identity, with_identity
from moteur.core.model import (
    Action,
    BoardRef,
    ChecklistItem,
    CustomField,
    FieldKind,
    ItemRef,
    Snapshot,
    Status,
    Tool,
)
from moteur.core.names import name_key
from moteur.core.ops import (
    MIGRATION_FIELDS,
    AddComment,
    CreateItem,
    CreateSubitem,
    EnsureBucket,
    EnsureField,
    EnsureTag,
    MigrationOp,
    PlaceItems,
    UpdateItem,
    UpdateSubitem,
)
from moteur.core.phrase import Phrase
from moteur.core.tag_colours import plan_tag_colours, tool_name

if TYPE_CHECKING:  # the connector interface, for its type only
    from moteur.core.ports import Capabilities

_SCORES = ("impact", "effort", "confidence")
_OWN = ("quadrant", "sprint", "ice")
_NOON = "T12:00:00+00:00"
# The heading ``comment_text`` gives a carried comment: an optional author, then a day.
_HEADING = re.compile(r"\[(?:[^\[\]\n]* — )?\d{4}-\d{2}-\d{2}\] ")
CUT_NOTE = "\n\n[…] (cut here: the full text is in a comment)"
FULL_TEXT_HEADING = "Full description:\n\n"


@dataclass(frozen=True)
class Loss:
    """``count`` items carry ``what`` (e.g. "Trello cover images"), which the target cannot hold: ``fate``."""

    what: str
    count: int
    fate: str

    def text(self) -> str:
        """``assignees without an e-mail: 19 items — not assigned``: a ``Phrase`` (what and fate are ones
        too, when moteur wrote them)."""
        items = Phrase("{n} item", n=self.count) if self.count == 1 else Phrase("{n} items", n=self.count)
        return Phrase("{what}: {items} — {fate}", what=self.what, items=items, fate=self.fate)

    def as_json(self) -> dict[str, Any]:
        return {"field": self.what, "items": self.count, "what_happens": self.fate}


@dataclass(frozen=True)
class MigrationPlan:
    """Ops to apply in order, the losses, and the counts the command reports."""

    source: BoardRef
    target: BoardRef
    ops: tuple[MigrationOp, ...]
    losses: tuple[Loss, ...]
    created: int  # items to create
    updated: int  # linked items with at least one changed field
    unchanged: int  # linked items already equal
    skipped: int  # source items not carried (archived, in a closed bucket, or their target was deleted)
    notes: tuple[str, ...] = ()
    # Buckets the target has whose closed state the ops change (closed or reopened): not created.
    restated: tuple[str, ...] = ()

    @property
    def buckets_to_create(self) -> tuple[str, ...]:
        return tuple(
            op.name for op in self.ops if isinstance(op, EnsureBucket) and op.name not in self.restated
        )

    @property
    def fields_to_create(self) -> tuple[str, ...]:
        return tuple(op.name for op in self.ops if isinstance(op, EnsureField))

    @property
    def tags_to_colour(self) -> tuple[str, ...]:
        """The tags whose colour the run sets (created with it, or recoloured)."""
        return tuple(op.name for op in self.ops if isinstance(op, EnsureTag))

    @property
    def subitem_updates(self) -> int:
        return sum(1 for op in self.ops if isinstance(op, UpdateSubitem))

    @property
    def subitems(self) -> int:
        return sum(1 for op in self.ops if isinstance(op, CreateSubitem))

    @property
    def comments(self) -> int:
        return sum(1 for op in self.ops if isinstance(op, AddComment))

    @property
    def empty(self) -> bool:
        return not self.ops


DEFAULT_CHECKLIST = "Checklist"  # Trello's first checklist, and the one a migration to Trello fills


def checklist_names(names: Sequence[str]) -> list[str]:
    """The names of a card's checklists (in order) that a migration loses — it carries their entries as one
    list: none for one checklist named "Checklist" or unnamed, else all (``extra["checklist_names"]``)."""
    if len(names) <= 1 and all(n.strip() in ("", DEFAULT_CHECKLIST) for n in names):
        return []
    return list(names)


def key_to_ref(key: str) -> ItemRef:
    """The ``ItemRef`` of an ``ItemRef.key`` (``tool:board:item``; a file board may hold ``:``)."""
    tool, _, rest = key.partition(":")
    board, _, item = rest.rpartition(":")
    return ItemRef(tool=Tool(tool), board=board, item=item)


def due_text(due: date | datetime | None) -> str | None:
    return None if due is None else due.isoformat()


def comment_text(author: str | None, when: datetime | None, text: str) -> str:
    """``[Camille Martin — 2026-03-04] text``: the original author and day, since a connector posts as itself.

    A comment that already starts with such a heading was carried by an earlier migration (the author and
    date read here are the connector's and the day it posted): it keeps its original heading, once — the
    innermost of stacked ones (``[A — …] [B — …] [Camille — …] text`` → ``[Camille — …] text``).
    """
    headings: list[str] = []
    rest = text
    while (found := _HEADING.match(rest)) is not None:
        headings.append(found.group())
        rest = rest[found.end() :]
    if headings:
        return headings[-1] + rest
    parts = [p for p in (author, when.date().isoformat() if when is not None else None) if p]
    return f"[{' — '.join(parts)}] {text}" if parts else text


def canonical_fields(action: Action) -> dict[str, Any]:
    """An item's canonical fields as read (identity footer stripped, tags and assignees sorted)."""
    description, _ = split_identity(action.description)
    return {
        "description": description.rstrip(),
        "status": action.status.value,
        "archived_done": action.status is Status.ARCHIVED and action.archived_done,
        "due": due_text(action.due),
        "tags": sorted(action.tags),
        "assignees": sorted(action.assignees),
        "impact": action.impact,
        "effort": action.effort,
        "confidence": action.confidence,
        "objective": action.objective,
        "channel": action.channel,
        "quadrant": action.annotations.quadrant,
        "sprint": action.annotations.sprint,
        "ice": action.annotations.ice,
        "custom": {name[6:]: value for name, value in action.extra.items() if name.startswith("field:")},
    }


def fold_name(name: str) -> str:
    """A field name as moteur compares names (``core/names.name_key``)."""
    return name_key(name)


def same_custom_value(kind: FieldKind, wanted: Any, found: Any) -> bool:
    """Whether a custom field's target value already holds the wanted one (None and "" are both empty)."""
    if wanted in (None, "") or found in (None, ""):
        return wanted in (None, "") and found in (None, "")
    try:
        if kind is FieldKind.NUMBER:
            return abs(float(wanted) - float(found)) < 1e-9
        if kind is FieldKind.DATE:
            return _as_due(str(wanted)) == _as_due(str(found))
    except ValueError:
        pass
    return str(wanted).strip() == str(found).strip()


@dataclass(frozen=True)
class _CustomSchema:
    """The carried custom fields (by folded name), why each other is not carried, and the fields to add."""

    carried: dict[str, CustomField]
    fates: dict[str, str]
    ops: tuple[EnsureField, ...]
    notes: tuple[str, ...] = ()  # what the target makes of a field otherwise than asked (a wide choice)


def _custom_schema(
    source: Snapshot, target: Snapshot, caps: Capabilities, items: Sequence[Action]
) -> _CustomSchema:
    """Which source custom fields are carried, and the ``EnsureField`` ops for what the target lacks.

    A field the target lacks is asked for with all its options; an existing one only for the options the
    carried ``items`` use (an option nobody uses would otherwise be asked for on every run of a target that
    adds options as values use them). A target field or column that moteur reads for a role (a status, a
    score) is not a custom field: a source field of that name is not carried rather than failing every run.
    """
    on_target = {fold_name(f.name): f for f in target.custom_fields}
    managed = {fold_name(name) for name in target.fields} - set(on_target)
    used: dict[str, set[str]] = {}
    for action in items:
        for name, value in action.extra.items():
            if name.startswith("field:") and value not in (None, ""):
                used.setdefault(fold_name(name[6:]), set()).add(str(value))
    carried: dict[str, CustomField] = {}
    fates: dict[str, str] = {}
    ops: list[EnsureField] = []
    notes: list[str] = []
    limit = caps.choice_options_limit
    for wanted in source.custom_fields:
        key = fold_name(wanted.name)
        there = on_target.get(key)
        # A new single choice with more options than the target's choice field holds (monday: 40 status
        # labels) is made as the target's wider kind when it has one, else not carried.
        wide = (
            there is None
            and wanted.kind is FieldKind.ENUM
            and limit is not None
            and len(wanted.options) > limit
        )
        if wanted.kind is FieldKind.OTHER:
            fates[key] = Phrase("not carried (no counterpart on the target)")
        elif wanted.kind not in caps.custom_fields:
            fates[key] = Phrase("not carried (the target has no {kind} fields)", kind=wanted.kind.value)
        elif caps.typeless_fields:
            carried[key] = wanted  # a column takes the value as it is: nothing to create or convert
        elif key in managed:
            fates[key] = Phrase(
                'not carried (the target\'s "{name}" holds a field moteur manages)', name=wanted.name
            )
        elif there is not None and there.kind is not wanted.kind:
            fates[key] = Phrase(
                'not carried (the target\'s field "{name}" holds a {kind})',
                name=there.name,
                kind=there.kind.value,
            )
        elif wide and not caps.wide_choice:
            fates[key] = Phrase(
                "not carried (it has {options} options, the target holds {limit})",
                options=len(wanted.options),
                limit=limit,
            )
        else:
            carried[key] = wanted
            lacking = there is not None and bool(used.get(key, set()) - set(there.options))
            if there is None or (wanted.kind is FieldKind.ENUM and lacking):
                ops.append(EnsureField(wanted.name, wanted.kind, wanted.options))
            if wide:
                notes.append(
                    Phrase(
                        'field "{name}" has {options} options: created as {kind} (a single-choice field '
                        "holds {limit} there)",
                        name=wanted.name,
                        options=len(wanted.options),
                        kind=caps.wide_choice,
                        limit=limit,
                    )
                )
    return _CustomSchema(carried, fates, tuple(ops), tuple(notes))


def _same(name: str, wanted: Any, found: Any, caps: Capabilities) -> bool:
    """Whether a target value already holds the wanted one, for a field the target can hold."""
    if name == "status":
        want, have = Status(wanted), Status(found)
        if want is Status.ARCHIVED or have is Status.ARCHIVED:
            # Every target reads its archived items back as archived (a closed card, an archived item, the
            # "archived" tag, a file's status): one a killed run created done, before its archive request,
            # is still to archive.
            return want == have
        if not caps.doing_status and not want.is_closed and not have.is_closed:
            return True  # open is open where "doing" is only a list/section name (the bucket carries it)
        # A target without a "doing" state reads it back as todo: not a change to write again.
        return want == have or (not want.is_closed and have is Status.TODO)
    if name == "description":
        return (wanted or "").strip() == (found or "").strip()  # files and some tools trim their text
    if name == "assignees":
        return sorted(w.casefold() for w in wanted or ()) == sorted(f.casefold() for f in found or ())
    if name == "ice" and wanted is not None and found is not None:
        return abs(float(wanted) - float(found)) < 1e-6
    if name == "due" and wanted is not None and found is not None:
        try:
            return _as_due(wanted) == _as_due(found)
        except ValueError:
            return bool(wanted == found)
    return bool(wanted == found) or (not wanted and not found)


def _as_due(text: str) -> date | datetime:
    """A due as compared: a date, or a moment to the second. No tool shows a due's fraction of a second and
    monday.com holds none (a Trello due at 19:27:08.357 is there at 19:27:08): comparing it would rewrite
    the item on every run."""
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(microsecond=0)


@dataclass
class _Losses:
    """Counts per (what, fate); the first fate named for a ``what`` decides the order of the report."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, what: str, fate: str, n: int = 1) -> None:
        self.counts[(what, fate)] += n

    def report(self) -> tuple[Loss, ...]:
        return tuple(Loss(what, n, fate) for (what, fate), n in self.counts.items() if n)


class _Adapter:
    """Turns one source action into the canonical fields a target with ``caps`` can hold, counting losses."""

    def __init__(
        self, caps: Capabilities, users: Mapping[str, str], losses: _Losses, custom: _CustomSchema
    ) -> None:
        self.caps, self.users, self.losses, self.custom = caps, users, losses, custom
        self.unknown_people: dict[str, None] = {}  # e-mails the target cannot assign, in order of meeting
        self._folded = {k.strip().lower(): v for k, v in users.items()}

    def _email(self, who: str) -> str | None:
        mapped = self.users.get(who) or self._folded.get(who.strip().lower())
        if mapped:
            return mapped
        return who if "@" in who else None

    def fields(self, action: Action) -> tuple[dict[str, Any], list[str]]:
        """(canonical fields to write, extra comments to post) for one carried action."""
        caps, lose = self.caps, self.losses.add
        fields = canonical_fields(action)
        # A source that is itself a migrated copy keeps its own footer out: the target gets its own.
        fields["description"] = split_identity(action.description)[0].rstrip()
        extra_comments: list[str] = []
        due = action.due
        if due is not None and not isinstance(due, datetime) and not caps.due_date_only:
            if caps.due_datetime:
                fields["due"] = due.isoformat() + _NOON
                lose(
                    Phrase("date-only dues"), Phrase("set at 12:00 UTC (the same day from UTC−11 to UTC+11)")
                )
            else:
                fields["due"] = None
                lose(Phrase("dues"), Phrase("not carried"))
        elif isinstance(due, datetime) and not caps.due_datetime:
            if caps.due_date_only:
                fields["due"] = due.date().isoformat()
                lose(Phrase("due times of day"), Phrase("date kept, time dropped"))
            else:
                fields["due"] = None
                lose(Phrase("dues"), Phrase("not carried"))
        if fields["tags"] and not caps.tags:
            fields["tags"] = []
            lose(Phrase("labels/tags"), Phrase("not carried"))
        emails: list[str] = []
        no_email = unknown = False
        for who in action.assignees:
            email = self._email(who)
            if email is None:
                no_email = True
            elif caps.emails is not None and email.casefold() not in caps.emails:
                unknown = True
                self.unknown_people.setdefault(email.casefold(), None)
            elif email not in emails:
                emails.append(email)
        if no_email:
            lose(Phrase("assignees without an e-mail"), Phrase("not assigned (map them with --map-users)"))
        if unknown:
            lose(
                Phrase("assignees unknown on the target"),
                Phrase("not assigned (invite them, or map them with --map-users)"),
            )
        if emails and not caps.assignees:
            lose(Phrase("assignees"), Phrase("not carried"))
            emails = []
        elif len(emails) > 1 and not caps.multi_assignee:
            lose(
                Phrase("{tool} multi-assignee", tool=tool_name(action.ref.tool)),
                Phrase("first assignee kept, others in a comment"),
            )
            extra_comments.append("Also assigned: " + ", ".join(emails[1:]))
            emails = emails[:1]
        fields["assignees"] = sorted(emails)
        if not caps.scores and any(fields[s] is not None for s in _SCORES):
            lose(Phrase("impact/effort/confidence scores"), Phrase("not carried"))
            fields.update(dict.fromkeys(_SCORES))
        if not caps.objective_channel and (fields["objective"] or fields["channel"]):
            lose(Phrase("objective/channel"), Phrase("not carried"))
            fields.update(objective=None, channel=None)
        if not caps.moteur_fields and any(fields[s] is not None for s in _OWN):
            lose(Phrase("quadrant/sprint/ICE"), Phrase("not carried"))
            fields.update(dict.fromkeys(_OWN))
        if fields["archived_done"] and not caps.archived_done:
            lose(
                Phrase("done state of archived items"),
                Phrase("not carried (read back as archived, not done)"),
            )
            fields["archived_done"] = False
        fields["custom"] = self._custom_values(action)
        self._fit_description(action, fields, extra_comments)
        self._extra_losses(action)
        return fields, extra_comments

    def _fit_description(self, action: Action, fields: dict[str, Any], extra_comments: list[str]) -> None:
        """Cut a description the target cannot hold whole (the identity footer always fits), and post the
        full text as a comment. Done here rather than in the connector so the cut text is what the next run
        compares with: a description cut by the tool alone would be rewritten on every run."""
        limit, body = self.caps.description_limit, fields["description"]
        if limit is None:
            return
        room = limit - len(with_identity("x", action.key)) + 1
        if len(body) <= room:
            return
        self.losses.add(
            Phrase("descriptions over {limit:,} characters", limit=limit),
            Phrase("cut; the full text posted as a comment"),
        )
        fields["description"] = body[: room - len(CUT_NOTE)].rstrip() + CUT_NOTE
        extra_comments.append(FULL_TEXT_HEADING + body)

    def _custom_values(self, action: Action) -> dict[str, Any]:
        """The carried custom fields' values (every carried field named: None where the item has none)."""
        values: dict[str, Any] = {f.name: None for f in self.custom.carried.values()}
        for name, value in action.extra.items():
            if not name.startswith("field:") or value in (None, ""):
                continue
            wanted = self.custom.carried.get(fold_name(name[6:]))
            if wanted is not None:
                values[wanted.name] = value
            else:
                fate = self.custom.fates.get(
                    fold_name(name[6:]), Phrase("not carried (no counterpart on the target)")
                )
                self.losses.add(Phrase('custom field "{name}"', name=name[6:]), fate)
        return values

    def _extra_losses(self, action: Action) -> None:
        """What only ``extra`` knows: attachments, covers, start dates, due reminders, named checklists."""
        extra, lose, tool = action.extra, self.losses.add, tool_name(action.ref.tool)
        if extra.get("attachments"):
            lose(Phrase("{tool} attachments", tool=tool), Phrase("not carried (links stay in the source)"))
        if extra.get("cover"):
            lose(Phrase("{tool} cover images", tool=tool), Phrase("not carried"))
        if extra.get("unnamed_labels"):
            lose(Phrase("{tool} colour-only labels (no name)", tool=tool), Phrase("not carried"))
        if extra.get("start"):
            lose(Phrase("start dates"), Phrase("not carried"))
        if extra.get("due_reminder"):
            lose(Phrase("{tool} due reminders", tool=tool), Phrase("not carried (the due date is)"))
        if extra.get("checklist_names") and action.checklist and self.caps.subitems:
            lose(
                Phrase("{tool} named checklists", tool=tool),
                Phrase("their entries carried in one list, the checklist names not"),
            )
        # An entry is carried with its text and done state (a checklist not carried at all is one loss).
        if extra.get("check_item_members") and action.checklist and self.caps.subitems:
            lose(Phrase("{tool} checklist entries' members", tool=tool), Phrase("not carried"))
        if extra.get("check_item_dues") and action.checklist and self.caps.subitems:
            lose(Phrase("{tool} checklist entries' due dates", tool=tool), Phrase("not carried"))


def _bucket_noun(tool: Tool) -> str:
    nouns = {Tool.TRELLO: Phrase("lists"), Tool.ASANA: Phrase("sections"), Tool.MONDAY: Phrase("groups")}
    return nouns.get(tool, Phrase("buckets"))


def _bucket_losses(source: Snapshot, carried: Sequence[Action], losses: _Losses, caps: Capabilities) -> None:
    """What the target's buckets cannot keep: two of the same name are one there (every connector finds a
    bucket by its name), and an archived one is created open where none can be closed (its items are
    archived themselves)."""
    # A Trello export read from a file is a Trello board: its items say so.
    noun = _bucket_noun(carried[0].ref.tool if carried else source.board.tool)
    items = Counter(name_key(a.bucket) for a in carried if a.bucket)
    named: dict[str, list[str]] = {}
    for bucket in source.buckets:
        named.setdefault(name_key(bucket.name), []).append(bucket.name)
    for key, names in named.items():
        if len(names) > 1 and items[key]:
            what = Phrase('{n} {noun} named "{name}"', n=len(names), noun=noun, name=names[0])
            losses.add(what, Phrase("merged into one on the target"), items[key])
    closed = {b.name for b in source.buckets if b.closed}
    in_closed = [a for a in carried if a.bucket in closed]
    if in_closed and not caps.closed_buckets:
        what = Phrase("archived {noun} ({n})", noun=noun, n=len({a.bucket for a in in_closed}))
        losses.add(what, Phrase("created open on the target, their items archived"), len(in_closed))


def _closed_by_name(snapshot: Snapshot) -> dict[str, bool]:
    """Bucket name -> closed: a name some open bucket has is open (every connector finds a bucket by its
    name, an open one first)."""
    closed: dict[str, bool] = {}
    for bucket in snapshot.buckets:
        closed[bucket.name] = closed.get(bucket.name, True) and bucket.closed
    return closed


def _carried(action: Action, closed_buckets: set[str], include_archived: bool) -> bool:
    if include_archived:
        return True
    return action.status is not Status.ARCHIVED and (action.bucket or "") not in closed_buckets


def plan_migration(
    source: Snapshot,
    target: Snapshot,
    targets: Mapping[str, ItemRef],
    caps: Capabilities,
    *,
    include_archived: bool = False,
    users: Mapping[str, str] | None = None,
) -> MigrationPlan:
    """The ops that bring ``target`` up to ``source`` (see the module docstring for the order and terms)."""
    losses = _Losses()
    closed = {b.name for b in source.buckets if b.closed}
    carried = [a for a in source.actions if _carried(a, closed, include_archived)]
    custom = _custom_schema(source, target, caps, carried)
    adapter = _Adapter(caps, users or {}, losses, custom)
    _bucket_losses(source, carried, losses, caps)
    skipped = len(source.actions) - len(carried)
    source_closed, target_closed = _closed_by_name(source), _closed_by_name(target)
    restated: list[str] = []
    used = {a.bucket for a in carried if a.bucket}
    ops: list[MigrationOp] = []
    order = [b.name for b in source.buckets if b.name in used]
    order += [name for name in dict.fromkeys(a.bucket for a in carried if a.bucket) if name not in order]
    for position, name in enumerate(order):
        shut = caps.closed_buckets and source_closed.get(name, False)
        if name not in target_closed:
            ops.append(EnsureBucket(name, position, closed=True if shut else None))
        elif caps.closed_buckets and target_closed[name] != shut:
            ops.append(EnsureBucket(name, position, closed=shut))  # closed or reopened in the source
            restated.append(name)
    ops.extend(custom.ops)
    if caps.tags:
        colours = plan_tag_colours(
            source, target, carried, caps.tool, caps.tag_colours, shared=caps.shared_tags
        )
        ops.extend(colours.ops)
        for what, fate, items in colours.losses:
            losses.add(what, fate, items)
    on_target = {a.ref.key: a for a in target.actions}
    known = {who for a in target.actions for who in a.assignees}  # see ``_assignable``
    created = updated = unchanged = 0
    for action in carried:
        fields, extra_comments = adapter.fields(action)
        key = action.key
        linked = targets.get(key)
        existing: Action | None = None
        if linked is None:
            fields["custom"] = {name: v for name, v in fields["custom"].items() if v is not None}
            ops.append(CreateItem(key, action.title, action.bucket, fields))
            created += 1
        else:
            existing = on_target.get(linked.key)
            if existing is None:
                skipped += 1  # linked, but the target item is gone: a person deleted it; not recreated
                continue
            update = _update(key, linked, action, fields, existing, known, custom, caps)
            if update is None:
                unchanged += 1
            else:
                ops.append(update)
                updated += 1
        ops.extend(_children(action, extra_comments, targets, existing, caps, losses))
    if caps.places_items:
        ops.extend(_placements(carried, target, targets))
    notes = tuple(caps.notes) + custom.notes
    left_out = len(source.actions) - len(carried)
    if left_out:
        left = (
            Phrase("{n} archived item left out", n=left_out)
            if left_out == 1
            else Phrase("{n} archived items left out", n=left_out)
        )
        notes = (
            Phrase(
                "{left} (archived, or in an archived list, section or group): "
                "use --include-archived to carry them",
                left=left,
            ),
            *notes,
        )
    if adapter.unknown_people:
        people = ", ".join(adapter.unknown_people)
        notes += (Phrase("not on the target, so not assigned: {people}", people=people),)
    return MigrationPlan(
        source=source.board,
        target=target.board,
        ops=tuple(ops),
        losses=losses.report(),
        created=created,
        updated=updated,
        unchanged=unchanged,
        skipped=skipped,
        notes=notes,
        restated=tuple(restated),
    )


def _placements(
    carried: Sequence[Action], target: Snapshot, targets: Mapping[str, ItemRef]
) -> list[PlaceItems]:
    """Per bucket, the items already on the target in it (linked, and in the same bucket there), when the
    target shows them in another order than the source: a run stopped between its creates and their
    placing. New items are created in order after them; an item changing bucket is placed by the next run."""
    where = {a.ref.key: (i, name_key(a.bucket or "")) for i, a in enumerate(target.actions)}
    wanted: dict[str, list[tuple[str, int]]] = {}  # bucket -> (source key, index on the target), source order
    for action in carried:
        linked = targets.get(action.key)
        found = where.get(linked.key) if linked is not None else None
        if action.bucket and found is not None and found[1] == name_key(action.bucket):
            wanted.setdefault(action.bucket, []).append((action.key, found[0]))
    return [
        PlaceItems(bucket, tuple(key for key, _ in items))
        for bucket, items in wanted.items()
        if [i for _, i in items] != sorted(i for _, i in items)
    ]


def _update(
    key: str,
    linked: ItemRef,
    action: Action,
    fields: Mapping[str, Any],
    existing: Action,
    known: set[str],
    custom: _CustomSchema,
    caps: Capabilities,
) -> UpdateItem | None:
    have = canonical_fields(existing)
    wanted = dict(fields)
    wanted["assignees"] = sorted(who for who in fields["assignees"] if _assignable(who, known, caps))
    changed = {
        name: fields[name]
        for name in MIGRATION_FIELDS
        if name != "custom" and not _same(name, wanted[name], have.get(name), caps)
    }
    have_custom = {fold_name(name): value for name, value in have["custom"].items()}
    custom_changed = {
        name: value
        for name, value in fields["custom"].items()
        if not same_custom_value(
            custom.carried[fold_name(name)].kind, value, have_custom.get(fold_name(name))
        )
    }
    if custom_changed:
        changed["custom"] = custom_changed
    if "archived_done" in changed:  # the connector writes done from the status and archived_done together
        changed["status"] = fields["status"]
    bucket = action.bucket if action.bucket and action.bucket != existing.bucket else None
    if not changed and bucket is None and action.title == existing.title:
        return None
    return UpdateItem(key=key, target=linked, title=action.title, fields=changed, bucket=bucket)


def _assignable(email: str, known: set[str], caps: Capabilities) -> bool:
    """Whether the target takes ``email`` as an assignee: one of the people it can assign when the connector
    can tell (so ``--map-users`` given on a re-run assigns the items already there), else one it already
    shows on an item (a connector leaves an e-mail it cannot match unassigned: comparing with it would
    rewrite the item on every run)."""
    if caps.emails is not None and email.casefold() in caps.emails:
        return True
    return email in known


def _children(
    action: Action,
    extra_comments: list[str],
    targets: Mapping[str, ItemRef],
    existing: Action | None,
    caps: Capabilities,
    losses: _Losses,
) -> list[MigrationOp]:
    """Checklist entries and comments the target lacks.

    A child is present when its key is linked, or (the state was lost) when the target item already has a
    checklist entry / comment with the same text: matched as a multiset, so two equal entries need two.
    """
    key = action.key
    ops: list[MigrationOp] = []
    if action.checklist and not caps.subitems:
        losses.add(Phrase("checklists"), Phrase("not carried"))
    elif action.checklist:
        ops.extend(_checklist(action, targets, existing))
    # Extra comments (the assignees a single-assignee target could not take) have keys of their own, so a
    # comment added later in the source never takes their number.
    texts = [
        (f"{key}#comment:{n}", comment_text(c.author, c.date, c.text))
        for n, c in enumerate(action.comments, 1)
    ]
    texts += [(f"{key}#comment:extra-{n}", text) for n, text in enumerate(extra_comments, 1)]
    if texts and not caps.comments:
        losses.add(Phrase("comments"), Phrase("not carried"))
        return ops
    there = Counter(c.text for c in existing.comments) if existing is not None else Counter[str]()
    for child, text in texts:
        if child in targets:
            continue
        if there[text] > 0:
            there[text] -= 1
            continue
        ops.append(AddComment(child, key, text))
    return ops


def _checklist(action: Action, targets: Mapping[str, ItemRef], existing: Action | None) -> list[MigrationOp]:
    """Create the checklist entries the target lacks; update linked ones whose title or done state changed.

    An entry is on the target when its key is linked (found among the target item's entries by id), or, the
    state being lost, when an unlinked target entry has the same text (a multiset match).
    """
    key = action.key
    entries = existing.checklist if existing is not None else ()
    by_id = {entry.id: entry for entry in entries if entry.id}
    children = (targets.get(f"{key}#check:{n}") for n in range(1, len(action.checklist) + 1))
    linked_ids = {ref.item for ref in children if ref is not None} & set(by_id)
    # Texts compared without spaces at either end: a tool that trims a name must not be rewritten each run.
    unlinked: dict[str, list[ChecklistItem]] = {}
    for entry in entries:
        if entry.id not in linked_ids:
            unlinked.setdefault(entry.text.strip(), []).append(entry)
    ops: list[MigrationOp] = []
    for n, wanted in enumerate(action.checklist, start=1):
        child = f"{key}#check:{n}"
        ref = targets.get(child)
        found: ChecklistItem | None
        if ref is not None:
            found = by_id.get(ref.item)
        elif unlinked.get(wanted.text.strip()):
            found = unlinked[wanted.text.strip()].pop(0)
            ref = (
                None
                if found.id is None or existing is None
                else existing.ref.model_copy(update={"item": found.id})
            )
        else:
            ops.append(CreateSubitem(child, key, wanted.text, wanted.done))
            continue
        if found is None or ref is None:
            continue
        if found.done != wanted.done or found.text.strip() != wanted.text.strip():
            ops.append(UpdateSubitem(child, key, ref, wanted.text, wanted.done))
    return ops
