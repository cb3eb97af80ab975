"""Reading the boards of a ``sync``: in full, or only what changed since the last run (issue 10, point 3).

Terms defined here:

- *Full read*: ``connector.read`` — every item of the board. Its cursor is taken just *before* it (so a
  change made during the read is seen again next time, never missed).
- *Incremental read*: ``connector.read_changes(board, cached, cursor)`` (``connectors/incremental.py``) —
  the cached snapshot updated with what changed since the cursor.
- *Reconciliation*: the full read done every ``full_every`` runs (counted in the cursor ``runs-since-full``)
  to catch what change feeds miss, or when a cursor is refused, the cache is missing or unreadable, the
  connector cannot read changes, the mapping or moteur changed since the cache was made, or ``--full``.

A board is read incrementally only when all of that allows it. What the run read is saved — cache and
cursors in one transaction — by ``save_reads`` after the sync has applied its plan; a dry-run saves nothing.
The sync's own writes bump the modification stamps of the items it wrote, so the next incremental read sees
them as changed and reads them again (the diff then finds nothing to do): measured in tests/incremental.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from moteur.connectors.base import Connector
from moteur.connectors.incremental import IncrementalReader, cached_snapshot
from moteur.core.model import BoardRef, Snapshot
from moteur.core.state import StateStore

CURSOR = "changes"  # the connector's cursor
RUNS_SINCE_FULL = "runs-since-full"  # incremental runs since the last full read
FINGERPRINT = "read-fingerprint"  # what the cached actions were mapped with (mapping + moteur version)


@dataclass(frozen=True)
class BoardRead:
    """One board as this run read it, and what to remember of the read."""

    snapshot: Snapshot
    incremental: bool
    requests: int
    cursor: str | None  # None: the connector has no incremental reads; nothing to save
    runs_since_full: int
    fingerprint: str
    reason: str  # why it was read this way, for --verbose


def _moteur_version() -> str:
    try:
        return version("moteur")
    except PackageNotFoundError:
        return "unknown"


def fingerprint_of(port: Connector) -> str:
    """A hash of what turns the tool's items into actions: a change invalidates the cached actions."""
    mapping = getattr(port, "mapping", None)
    dump = getattr(mapping, "model_dump", None)
    described: Any = dump(mode="json") if callable(dump) else repr(mapping)
    text = json.dumps([_moteur_version(), str(port.tool), described], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_board(
    store: StateStore, ref: BoardRef, port: Connector, *, full_every: int, full: bool
) -> BoardRead:
    """``ref`` read incrementally when allowed (see the module docstring), else in full."""
    fingerprint = fingerprint_of(port)
    before = port.request_count()
    if not isinstance(port, IncrementalReader):
        return BoardRead(
            port.read(ref), False, port.request_count() - before, None, 0, fingerprint, "no feed"
        )
    cursors = store.cursors(str(ref))
    runs = int(cursors.get(RUNS_SINCE_FULL, "0") or 0)
    cursor = cursors.get(CURSOR)
    reason = _full_reason(full, cursor, runs, full_every, cursors.get(FINGERPRINT) == fingerprint)
    if reason is None and cursor is not None:
        cached = cached_snapshot(store.board_cache(str(ref)))
        if cached is None:
            reason = "no usable cache"
        else:
            changes = port.read_changes(ref, cached, cursor)
            if changes is not None:
                requests = port.request_count() - before
                return BoardRead(changes.snapshot, True, requests, changes.cursor, runs + 1, fingerprint, "")
            reason = "cursor refused, or a full read is cheaper"
    first = port.cursor_of(ref)
    snapshot = port.read(ref)
    return BoardRead(snapshot, False, port.request_count() - before, first, 0, fingerprint, reason or "")


def _full_reason(full: bool, cursor: str | None, runs: int, full_every: int, same: bool) -> str | None:
    if full:
        return "--full"
    if cursor is None:
        return "first run"
    if not same:
        return "mapping or moteur changed"
    if runs + 1 >= full_every:
        return f"reconciliation (every {full_every} runs)"
    return None


def save_reads(store: StateStore, reads: Mapping[BoardRef, BoardRead], now: datetime) -> None:
    """Remember each board's snapshot and cursors (one transaction per board) for the next run."""
    for ref, read in reads.items():
        if read.cursor is None:
            continue
        store.save_read(
            str(ref),
            cache=read.snapshot.model_dump(mode="json"),
            cursors={
                CURSOR: read.cursor,
                RUNS_SINCE_FULL: str(read.runs_since_full),
                FINGERPRINT: read.fingerprint,
            },
            now=now,
        )
