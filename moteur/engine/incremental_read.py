"""Reading the boards of a ``sync``: in full, or only what changed since the last run.

Terms defined here:

- *Full read*: ``connector.read`` — every item of the board. Its cursor is taken just *before* it (so a
  change made during the read is seen again next time, never missed).
- *Incremental read*: ``connector.read_changes(board, cached, cursor)`` (``connectors/incremental.py``) —
  the cached snapshot updated with what changed since the cursor, for a connector whose ``describe()``
  says it reads incrementally.
- *Reconciliation*: the full read done every ``full_every`` runs (counted in the cursor ``runs-since-full``)
  to catch what change feeds miss, or when a cursor is refused, the cache is missing or unreadable, the
  connector cannot read changes, the mapping or moteur changed since the cache was made, or ``--full``.

A board is read incrementally only when all of that allows it. What the run read is saved — cache and
cursors in one transaction — by ``save_reads`` after the sync has applied its plan; a dry-run saves nothing.
The sync's own writes bump the modification stamps of the items it wrote, so the next incremental read sees
them as changed and reads them again (the diff then finds nothing to do): measured in tests/incremental.

*Own writes since the cursor*: the items the journal says moteur wrote on the board in the runs started
after the cursor was taken (``cursor-taken-at``, saved beside the cursor). Each is in the change feed, so
when re-reading them alone would cost at least a full read (``feed_worth_reading``: the run right after a
big first sync), the feed is not even asked for: the board is read in full, behind a fresh cursor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from moteur.core.model import BoardRef, Snapshot
from moteur.core.native import NativeState
from moteur.core.ports import Connector
from moteur.engine.state import StateStore

CURSOR = "changes"  # the connector's cursor
RUNS_SINCE_FULL = "runs-since-full"  # incremental runs since the last full read
FINGERPRINT = "read-fingerprint"  # what the cached actions were mapped with (mapping + moteur version)
TAKEN_AT = "cursor-taken-at"  # when the cursor was taken (ISO UTC): the runs since wrote into its feed
RUNS_SEARCHED = 50  # the latest runs searched for own writes; missing older ones only costs requests


def cached_snapshot(payload: object, native: type[NativeState]) -> Snapshot | None:
    """The Snapshot a board cache's JSON holds, or None when there is none or it no longer validates — as
    a Snapshot, or its native state as the connector's ``native`` model (a cache written by an older moteur
    whose model changed, an old layout: a full read rebuilds it)."""
    if payload is None:
        return None
    try:
        snapshot = Snapshot.model_validate(payload)
    except ValueError:
        return None
    return snapshot if native.fits(snapshot) else None


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
    taken_at: datetime | None = None  # when ``cursor`` was taken (just before the read)


def _moteur_version() -> str:
    try:
        return version("moteur")
    except PackageNotFoundError:
        return "unknown"


def fingerprint_of(connector: Connector) -> str:
    """A hash of what turns the tool's items into actions: a change invalidates the cached actions."""
    text = json.dumps(
        [_moteur_version(), str(connector.tool), connector.mapped_with()], sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def read_board(
    store: StateStore,
    ref: BoardRef,
    connector: Connector,
    *,
    full_every: int,
    full: bool,
    now: Callable[[], datetime] = _utc_now,
) -> BoardRead:
    """``ref`` read incrementally when allowed (see the module docstring), else in full."""
    fingerprint = fingerprint_of(connector)
    before = connector.request_count()
    if not connector.describe().incremental:
        return BoardRead(
            connector.read(ref), False, connector.request_count() - before, None, 0, fingerprint, "no feed"
        )
    cursors = store.cursors(str(ref))
    runs = int(cursors.get(RUNS_SINCE_FULL, "0") or 0)
    cursor = cursors.get(CURSOR)
    reason = _full_reason(full, cursor, runs, full_every, cursors.get(FINGERPRINT) == fingerprint)
    if reason is None and cursor is not None:
        payload = store.board_cache(str(ref))
        written = own_writes(store, str(ref), _parsed(cursors.get(TAKEN_AT)))
        if payload is None:
            reason = "no usable cache"
        elif written > 0 and not connector.feed_worth_reading(_items_in(payload), written):
            # Checked before the cache is validated: that alone takes a while on a big board.
            reason = f"moteur's own writes on {written} items since the cursor: a full read is cheaper"
        elif (cached := cached_snapshot(payload, connector.native_model)) is None:
            reason = "no usable cache"
        else:
            taken = now()
            changes = connector.read_changes(ref, cached, cursor)
            if changes is not None:
                requests = connector.request_count() - before
                return BoardRead(
                    changes.snapshot, True, requests, changes.cursor, runs + 1, fingerprint, "", taken
                )
            reason = "cursor refused, or a full read is cheaper"
    # The cursor comes first: whatever changes during the read is after it, so in the next feed.
    taken = now()
    first = connector.cursor_of(ref)
    snapshot = connector.read(ref)
    requests = connector.request_count() - before
    return BoardRead(snapshot, False, requests, first, 0, fingerprint, reason or "", taken)


def own_writes(store: StateStore, board: str, since: datetime | None) -> int:
    """How many items of ``board`` moteur wrote in the runs started at or after ``since``; 0 when ``since``
    is unknown (a cursor saved before moteur noted its time).

    A finished sync or apply says it in its counts (``update``: the items its plan changed); reading its
    journal instead would take seconds on a 100,000-item board. Other runs (a migration into the board, a
    rollback, a run that died) are counted from their journal, whatever each op's status. Runs are summed,
    so an item written twice counts twice: an overestimate only ever costs requests.
    """
    if since is None:
        return 0
    planned = 0
    journaled: set[str] = set()
    for run in store.runs(RUNS_SEARCHED):
        if run.started_at < since or run.dry_run or board not in run.boards:
            continue
        changed = run.counts.get("update")
        if isinstance(changed, int) and len(run.boards) == 1:
            planned += changed
        else:
            journaled.update(e.item_key for e in store.journal(run.id) if e.board == board and e.item_key)
    return planned + len(journaled)


def _parsed(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _items_in(payload: object) -> int:
    """The number of actions in a board cache's JSON, without validating it into a Snapshot."""
    actions = payload.get("actions") if isinstance(payload, dict) else None
    return len(actions) if isinstance(actions, list) else 0


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
                TAKEN_AT: (read.taken_at or now).isoformat(),
            },
            now=now,
        )
