"""What the state store hands back: plain frozen records, and the words for how runs and ops ended.

- *Outcome* of a run: "running" until it finishes; "ok"; "failed" (it finished, some ops failed);
  "interrupted" (stopped part-way: a signal, a state database that failed, or a process that died and was
  found "running" with its lock gone or its holder dead); "rolled_back".
- *Status* of a journal entry: "pending" (its intent is recorded, its request not answered yet), "applied",
  "failed", "undone" (a rollback reverted it), and for an entry left pending by a run that stopped, what
  reading the item later showed (``core/settle.py``): "not_applied" (the item still shows the old value) or
  "unknown" (it shows neither value: a person changed it since, or the item is gone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CursorResult, Row


class RunOutcome(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"  # finished, some ops failed
    INTERRUPTED = "interrupted"  # stopped part-way (signal, state database failure, or found dead later)
    ROLLED_BACK = "rolled_back"


class OpStatus(StrEnum):
    PENDING = "pending"
    APPLIED = "applied"
    FAILED = "failed"
    UNDONE = "undone"
    NOT_APPLIED = "not_applied"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ItemState:
    key: str
    version: str | None
    content_hash: str | None
    written: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class RunRecord:
    id: int
    command: str
    boards: tuple[str, ...]
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None
    outcome: RunOutcome
    counts: dict[str, int]
    message: str | None


@dataclass(frozen=True)
class JournalEntry:
    id: int
    run_id: int
    seq: int
    board: str
    item_key: str | None
    item_title: str | None
    kind: str
    field: str | None
    before: Any
    after: Any
    status: OpStatus
    error: str | None
    at: datetime


def run_record(r: Row[Any]) -> RunRecord:
    return RunRecord(
        id=r.id,
        command=r.command,
        boards=tuple(r.boards),
        dry_run=bool(r.dry_run),
        started_at=r.started_at,
        finished_at=r.finished_at,
        outcome=RunOutcome(r.outcome),
        counts=dict(r.counts),
        message=r.message,
    )


def journal_entry(r: Row[Any]) -> JournalEntry:
    return JournalEntry(
        id=r.id,
        run_id=r.run_id,
        seq=r.seq,
        board=r.board,
        item_key=r.item_key,
        item_title=r.item_title,
        kind=r.kind,
        field=r.field,
        before=r.before,
        after=r.after,
        status=OpStatus(r.status),
        error=r.error,
        at=r.at,
    )


def new_id(result: CursorResult[Any]) -> int:
    """The id the database gave the row an INSERT just added."""
    key = result.inserted_primary_key
    if key is None:  # only for executemany, which no caller uses for runs or the journal
        raise RuntimeError("the database returned no id for an inserted row")
    return int(key[0])
