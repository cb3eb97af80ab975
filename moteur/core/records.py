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


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one journalled op ended (or was settled): its entry, its status, the error if it failed."""

    entry: int
    status: OpStatus
    error: str | None = None
