"""The sync: read → map → score → plan sprints → diff → render or apply.

``prepare`` is pure: from snapshots, write-back targets and the state's memory it computes a ``SyncPlan``
(what each board should show, and the ops that get it there). ``--dry-run`` renders that object; ``sync``
hands the very same object to ``apply_sync``, which is the only part that writes (through the connectors
and the state store). Connectors are taken as the one interface of ``core/ports.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import date, datetime

from moteur.core.errors import Interrupted, MoteurError, Refusal, StateError
from moteur.core.evaluate import Evaluation
from moteur.core.labels import quadrant_name
from moteur.core.model import BoardRef, Snapshot
from moteur.core.ops import MoveItem, OpResult, SetTags, UpdateFields
from moteur.core.plan import (
    MANAGED_FIELDS,
    Desired,
    Memory,
    Pin,
    Plan,
    WriteBack,
    diff,
    format_ice,
)
from moteur.core.policy import Language, PlanningPolicy
from moteur.core.ports import Connector
from moteur.core.scoring import explanation_parts
from moteur.core.settle import Settlement, settle
from moteur.core.stable_plan import plan_with_memory, sprint_value
from moteur.core.state import ItemState, RunOutcome, StateStore
from moteur.core.write_ahead import Stop, WriteAhead


@dataclass(frozen=True)
class BoardPlan:
    snapshot: Snapshot
    writeback: WriteBack
    memory: Mapping[str, Memory]
    desired: Mapping[str, Desired]
    plan: Plan


@dataclass(frozen=True)
class SyncPlan:
    today: date
    language: Language
    evaluations: list[tuple[str, Evaluation]]
    boards: list[BoardPlan]

    @property
    def empty(self) -> bool:
        return all(b.plan.empty for b in self.boards)

    def summary(self) -> dict[str, int]:
        return {
            "create": sum(len(b.plan.schema_ops) for b in self.boards),
            "update": sum(b.plan.items_changed() for b in self.boards),
            "remove": 0,
            "conflicts": sum(len(b.plan.conflicts) for b in self.boards),
        }


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


def memory_of(states: Mapping[str, ItemState]) -> dict[str, Memory]:
    return {k: Memory(dict(s.written), s.version, s.content_hash) for k, s in states.items()}


def refuse_if_emptied(snapshot: Snapshot, memory: Mapping[str, Memory], force: bool) -> None:
    """A board that suddenly reads as (nearly) empty is more likely a wrong id or token than a cleanup."""
    if force or not memory:
        return
    present = {a.key for a in snapshot.actions}
    vanished = sum(1 for key in memory if key not in present)
    if (not present and vanished) or (vanished >= 5 and vanished > len(memory) / 2):
        raise Refusal(
            f"{snapshot.board}: {vanished} of the {len(memory)} items moteur knows have vanished since the "
            "last run; refusing to sync",
            hint="check the board id and the token; if the items were really removed, rerun with --force",
        )


def desired_of(evaluation: Evaluation, language: Language, pins: Mapping[str, Pin]) -> dict[str, Desired]:
    """What each open action should carry. Closed (done/archived) actions are left as they are."""
    out: dict[str, Desired] = {}
    for s in evaluation.scored:
        a = s.action
        if a.status.is_closed:
            continue
        assignment = evaluation.plan.assignments.get(a.key)
        sprint = assignment.sprint if assignment else None
        verdict, ice_text = explanation_parts(s)
        reasons: dict[str, str] = {"quadrant": verdict, "ice": ice_text}
        if assignment is not None:
            reasons["sprint"] = assignment.reason
        pin = pins.get(a.key)
        out[a.key] = Desired(
            quadrant=quadrant_name(s.quadrant, language),
            sprint=sprint_value(evaluation, sprint, pin),
            ice=format_ice(s.ice),
            reasons=reasons,
        )
    return out


def prepare(
    snapshots: Sequence[Snapshot],
    writebacks: Mapping[BoardRef, WriteBack],
    memories: Mapping[BoardRef, Mapping[str, Memory]],
    groups: Sequence[tuple[str, Sequence[BoardRef]]],
    policy: PlanningPolicy,
    today: date,
    *,
    language: Language = Language.EN,
    replan: bool = False,
    force: bool = False,
    policies: Mapping[str, PlanningPolicy] | None = None,
) -> SyncPlan:
    """The whole sync as data: a pure function of what was read, the state and the settings.

    ``policies`` gives a planning group (by name) its own policy, e.g. the capacity its velocity measured.
    """
    by_ref = {s.board: s for s in snapshots}
    for snap in snapshots:
        refuse_if_emptied(snap, memories.get(snap.board, {}), force)
    evaluations: list[tuple[str, Evaluation]] = []
    boards: list[BoardPlan] = []
    for name, refs in groups:
        actions = [a for ref in refs for a in by_ref[ref].actions]
        memory = {k: m for ref in refs for k, m in memories.get(ref, {}).items()}
        # Pins, keeps and cleared pins: the same evaluation ``plan`` shows (``stable_plan``).
        own = (policies or {}).get(name, policy)
        evaluation, pins = plan_with_memory(actions, memory, own, today, language=language, replan=replan)
        evaluations.append((name, evaluation))
        desired = desired_of(evaluation, language, pins)
        for ref in refs:
            snap = by_ref[ref]
            mem = memories.get(ref, {})
            board_pins = {k: p for k, p in pins.items() if k in {a.key for a in snap.actions}}
            plan = diff(snap, desired, mem, writebacks[ref], pins=board_pins)
            boards.append(BoardPlan(snap, writebacks[ref], mem, desired, plan))
    return SyncPlan(today=today, language=language, evaluations=evaluations, boards=boards)


def remembered(board: BoardPlan, results: Sequence[OpResult]) -> list[ItemState]:
    """The state rows after applying ``results``: what moteur has now written on each item."""
    ok: dict[tuple[str, str], str | None] = {}
    failed: set[tuple[str, str]] = set()
    for r in results:
        op = r.op
        if not isinstance(op, UpdateFields | SetTags | MoveItem):
            continue  # a schema op: no item's value
        if r.ok:
            ok[(op.item.key, op.field)] = op.after
        else:
            failed.add((op.item.key, op.field))
    pinned = {p.key for p in board.plan.pinned}
    states: list[ItemState] = []
    fields = [f for f in MANAGED_FIELDS if f in board.writeback.targets and f not in board.writeback.skip]
    for action in board.snapshot.actions:
        want = board.desired.get(action.key)
        mem = board.memory.get(action.key)
        if want is None and mem is None:
            continue
        written = dict(mem.written) if mem else {}
        if want is not None:
            for name in fields:
                key = (action.key, name)
                if name == "sprint" and action.key in pinned:
                    continue
                if key in ok:
                    written[name] = ok[key]
                elif key not in failed:
                    written[name] = want.value(name)
        states.append(ItemState(action.key, action.version, action.content_hash, written))
    return states


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
    ports: Mapping[BoardRef, Connector],
    store: StateStore,
    *,
    command: str,
    now: Callable[[], datetime],
    owner: str,
    progress: Callable[[int], None] | None = None,
    lease_seconds: float = 600.0,
    locked: bool = False,
    dead: Callable[[str], bool] | None = None,
    stop: Stop | None = None,
) -> SyncOutcome:
    """Apply every board's plan as one run, journalled write-ahead (``write_ahead``); commit the state once
    per board.

    One run id for every board of the plan: ``moteur rollback RUN`` undoes the whole sync. The run stays
    "running" while boards are written and ends "ok", or "failed" when an op or a board failed.
    ``locked``: the caller already holds every board's lock — taken *before* it read the boards, so no other
    run can write between this run's read and its writes. Otherwise every board is locked here, before the
    run starts (a run is alive while its boards' locks are).
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
        if not locked:
            for ref_text in refs:
                locks.enter_context(store.lock(ref_text, owner, lease_seconds, now, dead))
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
            if _apply_board(board, ports, store, run_id, outcome, totals, now, progress, stop):
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
    ports: Mapping[BoardRef, Connector],
    store: StateStore,
    run_id: int,
    outcome: SyncOutcome,
    totals: dict[str, int],
    now: Callable[[], datetime],
    progress: Callable[[int], None] | None,
    stop: Stop | None,
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
    journal = WriteAhead(store, run_id, str(ref), board.snapshot, now=now, progress=progress, stop=stop)
    counts = {"create": len(plan.schema_ops), "update": plan.items_changed(), "pinned": len(plan.pinned)}
    try:
        journal.intend(plan.schema_ops, plan.item_ops)
        results = ports[ref].apply(board.snapshot, plan.schema_ops, plan.item_ops, journal.landed)
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
