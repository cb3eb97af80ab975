"""Applying a sync plan: the one part of the sync that writes (through the connectors and the state store).

``core/sync.py`` computes the ``SyncPlan`` purely; ``apply_sync`` writes every board's plan as one run,
journalled write-ahead (``engine/write_ahead.py``), and commits the state once per board.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import datetime

from moteur.core.errors import Interrupted, MoteurError, StateError
from moteur.core.model import BoardRef, Snapshot
from moteur.core.ops import OpResult
from moteur.core.ports import Connector
from moteur.core.records import RunOutcome
from moteur.core.settle import Settlement, settle
from moteur.core.sync import BoardPlan, SyncPlan, remembered
from moteur.engine.leases import LeaseLost, Leases
from moteur.engine.state import StateStore
from moteur.engine.write_ahead import Stop, WriteAhead


@dataclass
class SyncOutcome:
    """What ``apply_sync`` did: ``applied`` counts every op that landed (schema ops too); ``written`` of
    ``planned`` counts the item ops (the changes a person sees), also when ``interrupted``. ``run_ids`` holds
    the one run of every board (empty when a signal came before it started); ``board_errors`` the boards
    that stopped on an error, the others written all the same."""

    run_ids: list[int] = field(default_factory=list)
    applied: int = 0
    failures: list[OpResult] = field(default_factory=list)
    planned: int = 0
    written: int = 0
    interrupted: Interrupted | None = None
    board_errors: list[tuple[BoardRef, MoteurError]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.board_errors


def settle_unknown(
    store: StateStore, snapshot: Snapshot, now: Callable[[], datetime], *, save: bool
) -> Settlement:
    """Settle the board's journal entries whose outcome is unknown by what ``snapshot`` shows (``settle``).

    ``save``: record the outcomes and fold what landed into the items (a run holding the board's lock).
    Otherwise (a dry-run) nothing is saved, entries of a run still going are read too, and the caller applies
    the settlement to its memory with ``memory_with``.
    """
    found = settle(store.unsettled(str(snapshot.board), running=not save), snapshot)
    if save:
        store.settle(str(snapshot.board), found.outcomes, written=found.written, now=now())
    return found


def apply_sync(
    sync_plan: SyncPlan,
    connectors: Mapping[BoardRef, Connector],
    store: StateStore,
    *,
    command: str,
    now: Callable[[], datetime],
    owner: str,
    progress: Callable[[int], None] | None = None,
    lease_seconds: float = 600.0,
    leases: Leases | None = None,
    dead: Callable[[str], bool] | None = None,
    stop: Stop | None = None,
) -> SyncOutcome:
    """Apply every board's plan as one run, journalled write-ahead (``write_ahead``); commit the state once
    per board.

    One run id for every board of the plan: ``moteur rollback RUN`` undoes the whole sync. The run stays
    "running" while boards are written and ends "ok", or "failed" when an op or a board failed.
    ``leases``: the caller already holds every board's lock — taken *before* it read the boards, so no other
    run can write between this run's read and its writes. Otherwise every board is locked here, before the
    run starts (a run is alive while its boards' locks are). Either way the locks are renewed as the run
    writes (``engine/leases.py``); a board whose lock was taken over meanwhile (a read or a write longer than
    the lease) is not written, and the run stops there, "interrupted", that board in ``board_errors``.
    A board whose connector raises a ``MoteurError`` (the tool unreachable after retries, a refusal…) is
    recorded in ``board_errors`` and the next board is written: one board's failure hides no other's
    results. ``stop`` is asked after each journalled landing (and before each board) whether a signal
    arrived: it raises ``Interrupted``, the connector stops sending, the run is marked "interrupted" and the
    outcome returned says so (``interrupted``). A failing state database (``StateError``) or any other error
    stops the run the same way, then is raised.
    """
    outcome = SyncOutcome()
    if not sync_plan.boards:
        return outcome
    refs = [str(board.snapshot.board) for board in sync_plan.boards]
    with ExitStack() as locks:
        if leases is None:
            held = [
                locks.enter_context(store.lock(ref_text, owner, lease_seconds, now, dead))
                for ref_text in refs
            ]
            leases = Leases(held, now)
        try:
            if stop is not None:
                stop()  # a signal before the first board: no run is started
        except Interrupted as exc:
            outcome.interrupted = exc
            return outcome
        run_id = store.start_run(command, refs, False, now())
        outcome.run_ids.append(run_id)
        totals: dict[str, int] = {}
        for board in sync_plan.boards:
            if _apply_board(board, connectors, store, run_id, outcome, totals, now, progress, stop, leases):
                return outcome
        errors = "; ".join(f"{ref}: {exc.message}" for ref, exc in outcome.board_errors)
        store.set_run_outcome(
            run_id,
            RunOutcome.OK if outcome.ok else RunOutcome.FAILED,
            now=now(),
            message=errors[:500] or None,
        )
    return outcome


def _apply_board(
    board: BoardPlan,
    connectors: Mapping[BoardRef, Connector],
    store: StateStore,
    run_id: int,
    outcome: SyncOutcome,
    totals: dict[str, int],
    now: Callable[[], datetime],
    progress: Callable[[int], None] | None,
    stop: Stop | None,
    leases: Leases,
) -> bool:
    """Write one board's plan in run ``run_id``; True when the run was stopped (``outcome.interrupted``).

    ``totals`` are the run's counts so far, saved with each board (the run's row stays "running").
    """
    ref = board.snapshot.board
    plan = board.plan
    try:
        if stop is not None:
            stop()  # a signal between two boards: the next one is not started
    except Interrupted as exc:
        outcome.interrupted = exc
        store.set_run_outcome(run_id, RunOutcome.INTERRUPTED, now=now(), message=exc.message[:500])
        return True
    try:
        leases.keep(str(ref), now_or_never=True)  # the read before may have outlasted the lease
    except LeaseLost as lost:
        outcome.board_errors.append((ref, lost.error))
        store.set_run_outcome(run_id, RunOutcome.INTERRUPTED, now=now(), message=lost.error.message[:500])
        return True

    def check() -> None:
        """After each journalled landing: keep the locks alive, then let a signal stop the run."""
        leases.keep(str(ref))
        if stop is not None:
            stop()

    journal = WriteAhead(store, run_id, str(ref), board.snapshot, now=now, progress=progress, stop=check)
    counts = {"create": len(plan.schema_ops), "update": plan.items_changed(), "pinned": len(plan.pinned)}
    try:
        journal.intend(plan.schema_ops, plan.item_ops)
        results = connectors[ref].apply(board.snapshot, plan.schema_ops, plan.item_ops, journal.landed)
        journal.close(results)
    except MoteurError as exc:
        outcome.planned += journal.planned
        outcome.written += journal.applied
        if isinstance(exc, StateError):
            _stopped(store, journal, exc, run_id, totals, counts, now)
            raise
        # This board stops here; what landed is journalled (and folded), what did not stays "pending" for
        # the next run to settle by reading the items. The other boards are still written.
        outcome.board_errors.append((ref, exc))
        _add(totals, {**journal.counts(counts), "failed": journal.failed})
        store.finish_run(
            run_id, outcome=RunOutcome.RUNNING, counts=totals, item_states=[], board=str(ref), now=now()
        )
        return False
    except LeaseLost as lost:
        # Another run holds the board now: not one more write. What landed is journalled; rollback undoes it.
        _stopped(store, journal, lost, run_id, totals, counts, now)
        outcome.planned += journal.planned
        outcome.written += journal.applied
        outcome.board_errors.append((ref, lost.error))
        return True
    except BaseException as exc:
        _stopped(store, journal, exc, run_id, totals, counts, now)
        outcome.planned += journal.planned
        outcome.written += journal.applied
        if isinstance(exc, Interrupted):
            outcome.interrupted = exc
            return True
        raise
    failures = [r for r in results if not r.ok]
    outcome.failures.extend(failures)
    outcome.applied += sum(1 for r in results if r.ok)
    outcome.planned += journal.planned
    outcome.written += journal.applied
    # Item changes planned and written, as an interrupted run counts them; "failed" counts every op that
    # failed, a schema op's too.
    _add(totals, {**journal.counts(counts), "failed": len(failures)})
    store.finish_run(
        run_id,
        outcome=RunOutcome.RUNNING,
        counts=totals,
        item_states=remembered(board, results),
        board=str(ref),
        now=now(),
    )
    return False


def _add(totals: dict[str, int], counts: Mapping[str, int]) -> None:
    for key, value in counts.items():
        totals[key] = totals.get(key, 0) + value


def _stopped(
    store: StateStore,
    journal: WriteAhead,
    exc: BaseException,
    run_id: int,
    totals: Mapping[str, int],
    counts: dict[str, int],
    now: Callable[[], datetime],
) -> None:
    """Mark the run "interrupted" (``WriteAhead.stopped``) with the counts of every board written so far."""
    journal.stopped(exc, counts)
    if not totals:
        return
    both = dict(totals)
    _add(both, journal.counts(counts))
    with suppress(Exception):  # the error that stopped the run is the one to report, not this one
        store.finish_run(
            run_id,
            outcome=RunOutcome.INTERRUPTED,
            counts=both,
            item_states=[],
            board=journal.board,
            now=now(),
        )
