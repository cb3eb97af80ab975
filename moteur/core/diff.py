"""The diff: from what a board shows to what it should show, as a ``Plan`` of ops — a pure function.

Terms:

- *Desired*: the values moteur wants an item to carry (quadrant name, sprint name, ICE text).
- *Memory*: what the state store says moteur last wrote on an item (``written``), with the item's version
  and content hash at that time. No memory: moteur never wrote this item.
- *Pin*: a sprint a person set by hand since moteur's last write. It wins over the plan until a person
  removes it or ``--replan`` drops it. Quadrant and ICE are derived from the scores, so a hand edit of those
  is not a pin: moteur rewrites them and says why (a *conflict*, shown with ``!``).
- *Own-form sprint*: moteur's sprint label, ``Sprint 3 · 2026-12-14`` (``labels``). Only such a value can
  be a pin: a team's own ``Sprint 2`` (its history, from before moteur) never is, with or without memory.
  With no memory of the board at all (a first run, or a lost state) nothing is a pin: moteur's own labels
  are its own, the team's are history — decided by what is on the board alone. When the board is known, an
  own-form label on an item moteur never wrote a sprint on (a new card) was put there by a person: a pin.
  ``plan`` reads the same memory as ``sync`` (``stable_plan``), so the two agree on every sprint.
- *Old-form sprint*: a plain ``Sprint 3`` that the memory says moteur wrote on this item (moteur before the
  own form). That label is moteur's: read as the item's sprint (on Trello it is among the card's labels,
  which the reader left to the team), and relabelled to the own form by the next sync — an ordinary change
  of value, one card update. If it is gone from the item, a person removed it: pinned out, as any removal.

The decision table for one managed field of one item (current = what the tool shows now):

=========================  ====================  ============================================
memory.written[field]       current vs written    outcome
=========================  ====================  ============================================
none (never wrote)          —                     write desired if current differs
w                           current == w          write desired if it differs (our own value)
w                           current != w          sprint: pin (keep current, no op);
                                                   quadrant/ICE: rewrite, reason "changed by hand"
=========================  ====================  ============================================

The sprint rows differ (``detect_pins``): with memory ``w`` and a current value that differs from it, the
item is pinned only when the current value is an own-form sprint (pinned there) or none (pinned out:
removed by hand); any other value (a team's ``Sprint 2`` typed into moteur's column) is rewritten.

A bumped native version with unchanged content changes nothing: ops come only from current vs desired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from moteur.core.labels import (
    QUADRANT_COLOURS,
    QUADRANT_NAMES,
    QUADRANT_ORDER,
    is_own_sprint,
    parse_sprint,
    sprint_index,
    sprint_key,
)
from moteur.core.model import Action, BoardRef, FieldKind, Snapshot
from moteur.core.names import name_key
from moteur.core.ops import (
    EnsureBucket,
    EnsureField,
    EnsureTag,
    ItemOp,
    Placement,
    SchemaOp,
    item_op,
)
from moteur.core.phrase import Phrase
from moteur.core.policy import Language

MANAGED_FIELDS: tuple[str, ...] = ("quadrant", "sprint", "ice")


@dataclass(frozen=True, slots=True)
class Desired:
    quadrant: str
    sprint: str | None
    ice: str | None
    reasons: Mapping[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str | None:
        return {"quadrant": self.quadrant, "sprint": self.sprint, "ice": self.ice}[name]


@dataclass(frozen=True, slots=True)
class Memory:
    written: Mapping[str, str | None]
    version: str | None = None
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Pin:
    key: str
    title: str
    sprint: str | None  # what the person set (None: they removed it)
    written: str | None  # what moteur had written


@dataclass(frozen=True, slots=True)
class Conflict:
    key: str
    title: str
    field: str
    human: str | None
    ours: str | None


@dataclass(frozen=True, slots=True)
class WriteBack:
    """Where each managed field goes on this board, and how new containers look."""

    targets: Mapping[str, Placement]
    language: Language = Language.EN
    skip: frozenset[str] = frozenset()  # fields the board cannot hold (e.g. ICE without custom fields)
    field_names: Mapping[str, str] = field(default_factory=dict)  # managed field -> native field/column name
    # When the quadrant goes to a companion project rather than a field (Asana), what the project holds and
    # why, as the dry-run adds it to the line that creates it; None: the quadrant goes where ``targets`` say.
    companion: Phrase | None = None


@dataclass(frozen=True)
class Plan:
    board: BoardRef
    schema_ops: tuple[SchemaOp, ...] = ()
    item_ops: tuple[ItemOp, ...] = ()
    pinned: tuple[Pin, ...] = ()
    conflicts: tuple[Conflict, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.schema_ops and not self.item_ops

    def items_changed(self) -> int:
        return len({op.item.key for op in self.item_ops})


def format_ice(value: float | None) -> str | None:
    """ICE as moteur writes it: "512" for integral values, "8.3" otherwise."""
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def current_value(action: Action, name: str) -> str | None:
    ann = action.annotations
    if name == "quadrant":
        return ann.quadrant
    if name == "sprint":
        return ann.sprint
    return format_ice(ann.ice)


def _same(name: str, a: str | None, b: str | None) -> bool:
    if name == "ice" and a is not None and b is not None:
        try:
            return abs(float(a) - float(b)) < 0.05
        except ValueError:
            return a == b
    if name == "sprint":
        # "sprint 3 · 2026-12-14" and "Sprint 3 · 2026-12-14" are one label; "Sprint 3" is another.
        return sprint_key(a) == sprint_key(b)
    return (a or None) == (b or None)


def _old_form(written: str | None) -> bool:
    found = parse_sprint(written)
    return found is not None and not found.own


def current_sprint(action: Action, memory: Memory | None) -> str | None:
    """The sprint an item carries in moteur's place: its own-form label (or sprint column value) or, when
    the memory says moteur wrote an old-form ``Sprint N`` on it and that very label is still among the
    item's labels (where the reader left it, with the team's), that label (see *Old-form sprint*). Another
    plain ``Sprint M`` on the item is the team's: never taken for moteur's."""
    current = action.annotations.sprint
    written = memory.written.get("sprint") if memory is not None else None
    if current is not None or not _old_form(written):
        return current
    key = sprint_key(written)
    return next((tag for tag in action.tags if sprint_key(tag) == key), None)


def detect_pins(
    actions: Iterable[Action], memory: Mapping[str, Memory], *, replan: bool = False
) -> dict[str, Pin]:
    """Sprints a person set by hand since moteur's last write (see the module docstring's sprint rows).

    A plain ``Sprint N`` is the team's history, never a pin. With no memory at all (a first run, a lost
    state), an own-form label is moteur's; on a board moteur knows, one on an item it never wrote a sprint
    on was set by a person.
    """
    pins: dict[str, Pin] = {}
    if replan:
        return pins
    known = bool(memory)
    for action in actions:
        mem = memory.get(action.key)
        if mem is None or "sprint" not in mem.written:
            current = action.annotations.sprint
            if known and is_own_sprint(current):
                pins[action.key] = Pin(action.key, action.title, current, None)
            continue
        written = mem.written.get("sprint")
        current = current_sprint(action, mem)
        if _same("sprint", current, written):
            continue
        found = parse_sprint(current)
        if current is None or (found is not None and found.own):
            pins[action.key] = Pin(action.key, action.title, current, written)
    return pins


def _schema_ops(snapshot: Snapshot, needed: Mapping[str, set[str]], wb: WriteBack) -> list[SchemaOp]:
    ops: list[SchemaOp] = []
    names = QUADRANT_NAMES[wb.language]
    colours = {names[q]: QUADRANT_COLOURS[q] for q in QUADRANT_ORDER}
    order = {names[q]: i for i, q in enumerate(QUADRANT_ORDER)}
    have_tags = {name_key(t) for t in snapshot.tags}
    have_buckets = {name_key(b.name) for b in snapshot.buckets}
    have_fields = {name_key(f) for f in snapshot.fields}
    for name in MANAGED_FIELDS:
        target = wb.targets.get(name)
        values = needed.get(name, set())
        if target is None or name in wb.skip:
            continue

        def sort_key(v: str) -> tuple[int, int, str]:
            return (order.get(v, 99), sprint_index(v) or 0, v)

        if target is Placement.TAG:
            for value in sorted(values, key=sort_key):
                if name_key(value) not in have_tags:
                    ops.append(EnsureTag(value, colours.get(value, "black" if name == "sprint" else None)))
        elif target is Placement.BUCKET:
            for value in sorted(values, key=sort_key):
                if name_key(value) not in have_buckets:
                    ops.append(EnsureBucket(value, order.get(value)))
        elif values and name_key(native := wb.field_names.get(name, name)) not in have_fields:
            kind = FieldKind.NUMBER if name == "ice" else FieldKind.ENUM
            options = tuple(sorted(values, key=sort_key)) if kind is FieldKind.ENUM else ()
            ops.append(EnsureField(native, kind, options))
    return ops


def _changed_by_hand(written: str | None, before: str | None, reason: str) -> Phrase:
    # Values in repr form ('Quick win', None): they are board text, quoted so a reader sees where they end.
    if reason:
        return Phrase(
            "changed by hand from {written} to {before}; {reason}",
            written=repr(written),
            before=repr(before),
            reason=reason,
        )
    return Phrase("changed by hand from {written} to {before}", written=repr(written), before=repr(before))


def _item_op(
    action: Action, name: str, target: Placement, before: str | None, after: str | None, reason: str
) -> ItemOp:
    return item_op(target, action.ref, action.title, name, before, after, reason, action.version)


def diff(
    snapshot: Snapshot,
    desired: Mapping[str, Desired],
    memory: Mapping[str, Memory],
    writeback: WriteBack,
    *,
    pins: Mapping[str, Pin] | None = None,
) -> Plan:
    """The ops that make ``snapshot`` carry ``desired``, minus pins; schema ops first."""
    pins = pins or {}
    item_ops: list[ItemOp] = []
    conflicts: list[Conflict] = []
    for action in snapshot.actions:
        want = desired.get(action.key)
        if want is None:
            continue  # not managed this run (e.g. skipped as malformed)
        mem = memory.get(action.key)
        for name in MANAGED_FIELDS:
            target = writeback.targets.get(name)
            if target is None or name in writeback.skip:
                continue
            if name == "sprint" and action.key in pins:
                continue
            before = current_sprint(action, mem) if name == "sprint" else current_value(action, name)
            after = want.value(name)
            if after is None and target is Placement.BUCKET:
                continue  # an item is always in some bucket; never move it to "nowhere"
            if _same(name, before, after):
                continue
            reason = want.reasons.get(name, "")
            written = mem.written.get(name) if mem is not None else None
            if mem is not None and name in mem.written and not _same(name, before, written):
                reason = _changed_by_hand(written, before, reason)
                conflicts.append(Conflict(action.key, action.title, name, before, after))
            item_ops.append(_item_op(action, name, target, before, after, reason))
    # A container is created only when an op will put something in it.
    used: dict[str, set[str]] = {name: set() for name in MANAGED_FIELDS}
    for op in item_ops:
        if op.after is not None:
            used[op.field].add(op.after)
    schema_ops = _schema_ops(snapshot, used, writeback)
    return Plan(
        board=snapshot.board,
        schema_ops=tuple(schema_ops),
        item_ops=tuple(item_ops),
        pinned=tuple(p for p in pins.values()),
        conflicts=tuple(conflicts),
    )
