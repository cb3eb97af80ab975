"""Settling journal entries whose outcome is unknown: read the item, never guess.

A run that stops part-way (kill -9, a dropped connection, a state database that failed) can leave entries
"pending" (the request went, or was about to go, and no answer was journalled), and a dropped connection can
report "failed" for a write that landed. The next run of the board (or the rollback of that run) reads the
board anyway; this module turns what the read shows into each entry's outcome. Pure: no I/O.

The decision table (*current* = the managed field's value the item shows now, as ``plan.current_value``
reads it; an op's ``before`` / ``after`` are in the same terms):

=====================  ==========================  ================================================
entry                   current                     settled as
=====================  ==========================  ================================================
pending item op         == after                    applied: it landed, moteur wrote that value
pending item op         == before                   not_applied: the request never landed
pending item op         anything else, item gone    unknown: changed by a person since; the pin rule
                                                    (``plan``) decides, as for any person's edit
failed item op          == after                    applied: the write landed, its answer was lost
failed item op          anything else               failed (as reported)
pending schema op       the name is on the board    applied
pending schema op       it is not                   not_applied
=====================  ==========================  ================================================

"Applied" is what makes the next sync remember the value as its own (``written``), so it is never reported as
pinned by hand. Equality is the diff's (``plan``: "Sprint 3" is "sprint 3", ICE within 0.05).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from moteur.core.diff import Memory, _same, current_value
from moteur.core.model import Action, Snapshot
from moteur.core.records import JournalEntry, OpStatus, Outcome


def shows(action: Action, name: str, value: object) -> bool:
    """Does the item show ``value`` (a journalled before/after) in managed field ``name``? The diff's
    equality: "Sprint 3" is "sprint 3", ICE within 0.05."""
    if not isinstance(value, str | None):
        return False  # an entry from an older journal with a structured value: never a managed value
    return _same(name, current_value(action, name), value)


@dataclass(frozen=True)
class Settlement:
    """The outcomes read from the board, and the values moteur now knows it wrote (to fold in)."""

    outcomes: list[Outcome] = field(default_factory=list)
    written: dict[str, dict[str, str | None]] = field(default_factory=dict)


def settle(entries: Sequence[JournalEntry], snapshot: Snapshot) -> Settlement:
    """Decide each unsettled entry of ``snapshot``'s board from what ``snapshot`` shows (table above).

    Entries are taken oldest first, so when two runs left the same field unsettled the later write is the
    one remembered.
    """
    by_key = {a.key: a for a in snapshot.actions}
    found = Settlement()
    for entry in entries:
        if entry.item_key is None:
            status = _schema_status(entry, snapshot)
            if status is not None:
                found.outcomes.append(Outcome(entry.id, status, entry.error))
            continue
        action = by_key.get(entry.item_key)
        name = entry.field or ""
        if action is not None and shows(action, name, entry.after):
            found.outcomes.append(Outcome(entry.id, OpStatus.APPLIED))
            found.written.setdefault(entry.item_key, {})[name] = _as_text(entry.after)
        elif entry.status is OpStatus.FAILED:
            found.outcomes.append(Outcome(entry.id, OpStatus.FAILED, entry.error))  # examined: stays failed
        elif action is not None and shows(action, name, entry.before):
            found.outcomes.append(Outcome(entry.id, OpStatus.NOT_APPLIED))
        else:
            found.outcomes.append(Outcome(entry.id, OpStatus.UNKNOWN))
    return found


def _as_text(value: object) -> str | None:
    # ``written`` holds the managed field's value as text (a move's ``after`` is the quadrant's bucket name).
    return value if value is None or isinstance(value, str) else str(value)


def _schema_status(entry: JournalEntry, snapshot: Snapshot) -> OpStatus | None:
    if entry.status is not OpStatus.PENDING or not isinstance(entry.after, str):
        return None if entry.status is not OpStatus.PENDING else OpStatus.UNKNOWN
    names = {
        "tag": snapshot.tags,
        "bucket": tuple(b.name for b in snapshot.buckets),
        "field": snapshot.fields,
    }.get(entry.field or "", ())
    present = entry.after.casefold() in {n.casefold() for n in names}
    return OpStatus.APPLIED if present else OpStatus.NOT_APPLIED


def memory_with(memory: Mapping[str, Memory], settlement: Settlement) -> dict[str, Memory]:
    """``memory`` with what ``settlement`` found moteur wrote on top: a dry-run's view, saved nowhere."""
    out = dict(memory)
    for key, values in settlement.written.items():
        mem = out.get(key)
        written = {**(dict(mem.written) if mem is not None else {}), **values}
        out[key] = Memory(written, mem.version if mem else None, mem.content_hash if mem else None)
    return out
