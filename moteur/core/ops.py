"""The neutral write vocabulary: what moteur may do to a board, whatever the tool.

An *op* is one change with the value it replaces (``before``) and the value it sets (``after``), so a plan
can be shown before it runs and a run can be undone from its journal. Core emits ops; each connector
translates them into its own requests and batches them (Trello packs every label change of a card into one
``PUT /cards/{id}``; Asana packs ten writes into one ``POST /batch``; monday aliases many items per request).

*Schema ops* (``EnsureBucket``, ``EnsureTag``, ``EnsureField``) create the containers moteur writes into; they
come first in a plan. *Item ops* change one item. Every item op names the managed ``field`` it sets
("quadrant", "sprint", "ice") so the plan reads as ``~ quadrant = "Fill-in" -> "Quick win"``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from moteur.core.model import FieldKind, ItemRef


class Placement(StrEnum):
    """Where a managed field lives on the tool: a label/tag, the item's bucket, or a field/column."""

    TAG = "tag"
    BUCKET = "bucket"
    FIELD = "field"


@dataclass(frozen=True, slots=True)
class EnsureBucket:
    """A bucket of that name: reused, else created. ``closed`` (a migration to a target that can close one,
    ``Capabilities.closed_buckets``): True closes it (created closed, or an open one closed), False reopens a
    closed one; None leaves its state as it is (a new one is open)."""

    name: str
    position: int | None = None
    closed: bool | None = None
    kind: str = "ensure_bucket"


@dataclass(frozen=True, slots=True)
class EnsureTag:
    """The label or tag ``name``, created if absent; a migration's also has exactly ``color`` (the target
    palette's, ``core/colours.py``; None: no colour), an existing one recoloured."""

    name: str
    color: str | None = None
    kind: str = "ensure_tag"


@dataclass(frozen=True, slots=True)
class EnsureField:
    name: str
    field_kind: FieldKind = FieldKind.TEXT
    options: tuple[str, ...] = ()
    kind: str = "ensure_field"


SchemaOp = EnsureBucket | EnsureTag | EnsureField


@dataclass(frozen=True, slots=True)
class UpdateFields:
    """Set one managed field's value on an item (a file column, a custom field, a monday column)."""

    item: ItemRef
    title: str
    field: str
    before: str | None
    after: str | None
    reason: str = ""
    version: str | None = None  # the item's native version when the plan was made
    kind: str = "update_fields"


@dataclass(frozen=True, slots=True)
class SetTags:
    """Add and remove managed labels/tags on an item; ``before``/``after`` are the managed field's values."""

    item: ItemRef
    title: str
    field: str
    before: str | None
    after: str | None
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    reason: str = ""
    version: str | None = None
    kind: str = "set_tags"


@dataclass(frozen=True, slots=True)
class MoveItem:
    """Move an item to another bucket (Asana section, Trello list, monday group)."""

    item: ItemRef
    title: str
    field: str
    before: str | None
    after: str | None
    reason: str = ""
    version: str | None = None
    kind: str = "move_item"


# -- migration ops ------------------------------------------------------------------------------------------
# A migration copies items from a source board to a target board. Every op names the *source key*
# (``ItemRef.key`` of the source item, e.g. "trello:5f…:6a…"): it is the identity written on the target item
# (a footer line of its description, see ``core/migrate.py``) and the key of the state's ``links`` table.
# Children (checklist items, comments) have keys of their own: "<source key>#check:<n>" / "#comment:<n>".

# The canonical item fields a migration carries (``CreateItem.fields`` / ``UpdateItem.fields``):
#   description: str (identity footer NOT included: the connector appends it)
#   status: "todo" | "doing" | "done" | "archived"
#   archived_done: bool  an archived item's done state, apart from its archive (``Action.archived_done``);
#                        False for an item not archived. ``is_done`` says what a target writes.
#   due: ISO date "2026-12-24" or ISO datetime "2026-12-24T10:00:00+01:00" (a date stays a date)
#   tags: list[str]           assignees: list[str] (e-mails, after --map-users)
#   impact, effort, confidence: int | None      objective, channel: str | None
#   quadrant, sprint: str | None   ice: float | None   (moteur's own fields, when the source carries them)
#   custom: {field name: value}  the source's role-less custom fields the target can hold (``CustomField``:
#           a number, an option name, ISO date text or a string; None clears it on an update). The plan
#           puts an ``EnsureField`` before the first item that needs a field the target lacks.
MIGRATION_FIELDS: tuple[str, ...] = (
    "description",
    "status",
    "archived_done",
    "due",
    "tags",
    "assignees",
    "impact",
    "effort",
    "confidence",
    "objective",
    "channel",
    "quadrant",
    "sprint",
    "ice",
    "custom",
)


def is_done(fields: Mapping[str, Any]) -> bool:
    """Whether an item with these canonical fields is done on the target: its status is done, or it is
    archived and was done (Trello's ``dueComplete``, Asana's ``completed``, monday's done label)."""
    status = fields.get("status")
    return status == "done" or (status == "archived" and bool(fields.get("archived_done")))


@dataclass(frozen=True, slots=True)
class CreateItem:
    """Create an item in ``bucket`` from source item ``key``; ``fields`` holds canonical fields."""

    key: str
    title: str
    bucket: str | None
    fields: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "create_item"


@dataclass(frozen=True, slots=True)
class UpdateItem:
    """Set changed canonical fields (and title/bucket when given) on an already migrated item."""

    key: str
    target: ItemRef
    title: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    bucket: str | None = None
    kind: str = "update_item"


@dataclass(frozen=True, slots=True)
class CreateSubitem:
    """A checklist item / subtask / subitem under the target of source item ``parent_key``."""

    key: str  # "<parent source key>#check:<n>"
    parent_key: str
    title: str
    done: bool = False
    kind: str = "create_subitem"


@dataclass(frozen=True, slots=True)
class UpdateSubitem:
    """Set the title and done state of an already migrated checklist item / subtask / subitem.

    ``target.item`` is the entry's own id on the target tool; the connector finds its parent through
    ``parent_key`` (a Trello check item is written through its card).
    """

    key: str  # "<parent source key>#check:<n>"
    parent_key: str
    target: ItemRef
    title: str
    done: bool
    kind: str = "update_subitem"


@dataclass(frozen=True, slots=True)
class AddComment:
    """A comment / story / update on the target of source item ``item_key``; ``text`` is ready to post."""

    key: str  # "<source key>#comment:<n>"
    item_key: str
    text: str
    kind: str = "add_comment"


@dataclass(frozen=True, slots=True)
class PlaceItems:
    """Put the items of bucket ``bucket`` that source keys ``keys`` link to in that order (the source's): sent
    only when the target shows them in another, for a target whose creates may land out of order and be
    placed after (``Capabilities.places_items``: a run stopped between the two left them unplaced)."""

    bucket: str
    keys: tuple[str, ...]
    kind: str = "place_items"


MigrationOp = (
    EnsureBucket
    | EnsureField
    | EnsureTag
    | CreateItem
    | UpdateItem
    | CreateSubitem
    | UpdateSubitem
    | AddComment
    | PlaceItems
)


ItemOp = UpdateFields | SetTags | MoveItem
Op = SchemaOp | ItemOp | CreateItem | UpdateItem | CreateSubitem | UpdateSubitem | AddComment | PlaceItems


ITEM_OP_KINDS: dict[str, Placement] = {
    "set_tags": Placement.TAG,
    "move_item": Placement.BUCKET,
    "update_fields": Placement.FIELD,
}


def item_op(
    target: Placement,
    item: ItemRef,
    title: str,
    field: str,
    before: str | None,
    after: str | None,
    reason: str = "",
    version: str | None = None,
) -> ItemOp:
    """The op that changes ``field`` from ``before`` to ``after`` where ``target`` says it lives.

    The one place an item op is built: the diff, a saved plan read back, and a rollback all come here. A tag
    change removes the old value's tag and adds the new one's.
    """
    if target is Placement.TAG:
        add = (after,) if after else ()
        remove = (before,) if before else ()
        return SetTags(item, title, field, before, after, add, remove, reason, version)
    if target is Placement.BUCKET:
        return MoveItem(item, title, field, before, after, reason, version)
    return UpdateFields(item, title, field, before, after, reason, version)


def inverse(op: ItemOp) -> ItemOp:
    """The op that undoes ``op`` (used by rollback)."""
    return item_op(ITEM_OP_KINDS[op.kind], op.item, op.title, op.field, op.after, op.before, "rollback")


@dataclass(frozen=True, slots=True)
class OpResult:
    """What happened to one op when a connector applied it."""

    op: Op
    ok: bool
    error: str | None = None
    created: ItemRef | None = None  # the new item's ref, for CreateItem / CreateSubitem


Landed = Callable[[Sequence[OpResult]], None]
"""What a connector's ``apply`` calls as soon as it knows how some ops ended (right after each request's
answer, or before any request for an op it refused up front), with one ``OpResult`` per op, each op reported
once. The sync journals them there and then (write-ahead: see ``engine/write_ahead.py``); the callback may
raise (the state database failed, a signal asked to stop), and the connector then stops sending: the
exception goes out of ``apply``.
"""
