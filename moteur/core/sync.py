"""The sync: read → map → score → plan sprints → diff → render or apply.

``prepare`` is pure: from snapshots, write-back targets and the state's memory it computes a ``SyncPlan``
(what each board should show, and the ops that get it there). ``--dry-run`` renders that object; ``sync``
hands the very same object to ``apply_sync``, which is the only part that writes (through the connectors
and the state store).

A *board port* is what the sync needs of a connector (structural: ``connectors.base.Connector`` fits).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from moteur.core.errors import Interrupted, Refusal
from moteur.core.evaluate import Evaluation
from moteur.core.labels import quadrant_name
from moteur.core.model import BoardRef, Snapshot
from moteur.core.ops import ItemOp, Landed, OpResult, SchemaOp
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
from moteur.core.settle import Settlement, settle
from moteur.core.stable_plan import plan_with_memory, sprint_value
from moteur.core.state import ItemState, RunOutcome, StateStore
from moteur.core.write_ahead import Stop, WriteAhead


class BoardPort(Protocol):
    def read(self, board: BoardRef) -> Snapshot: ...

    def writeback(self, snapshot: Snapshot) -> WriteBack: ...

    def apply(
        self,
        snapshot: Snapshot,
        schema_ops: Sequence[SchemaOp],
        item_ops: Sequence[ItemOp],
        progress: Landed | None = None,
    ) -> list[OpResult]: ...


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
    ``planned`` counts the item ops (the changes a person sees), also when ``interrupted``."""

    run_ids: list[int] = field(default_factory=list)
    applied: int = 0
    failures: list[OpResult] = field(default_factory=list)
    planned: int = 0
    written: int = 0
    interrupted: Interrupted | None = None

    @property
    def ok(self) -> bool:
        return not self.failures


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
        verdict, _, ice_text = s.explanation.partition("; ")
        reasons = {"quadrant": verdict, "ice": ice_text or verdict}
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
) -> SyncPlan:
    """The whole sync as data: a pure function of what was read, the state and the settings."""
    by_ref = {s.board: s for s in snapshots}
    for snap in snapshots:
        refuse_if_emptied(snap, memories.get(snap.board, {}), force)
    evaluations: list[tuple[str, Evaluation]] = []
    boards: list[BoardPlan] = []
    for name, refs in groups:
        actions = [a for ref in refs for a in by_ref[ref].actions]
        memory = {k: m for ref in refs for k, m in memories.get(ref, {}).items()}
        # Pins, keeps and cleared pins: the same evaluation ``plan`` shows (``stable_plan``).
        evaluation, pins = plan_with_memory(actions, memory, policy, today, language=language, replan=replan)
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
        if isinstance(op, SchemaOp):
            continue
        item = getattr(op, "item", None)
        if item is None:
            continue
        if r.ok:
            ok[(item.key, op.field)] = op.after  # type: ignore[union-attr]
        else:
            failed.add((item.key, op.field))  # type: ignore[union-attr]
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
    ports: Mapping[BoardRef, BoardPort],
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
    """Apply every board's plan, journalled write-ahead (``write_ahead``); commit the state once per board.

    ``locked``: the caller already holds every board's lock — taken *before* it read the boards, so no other
    run can write between this run's read and its writes. Otherwise each board is locked here.
    ``stop`` is asked after each journalled landing (and before each board) whether a signal arrived: it
    raises ``Interrupted``, the connector stops sending, the run is marked "interrupted" and the outcome
    returned says so (``interrupted``). Any other error stops the run the same way, then is raised.
    """
    outcome = SyncOutcome()
    for board in sync_plan.boards:
        ref = board.snapshot.board
        plan = board.plan
        try:
            if stop is not None:
                stop()  # a signal between two boards: the next one is not started
        except Interrupted as exc:
            outcome.interrupted = exc
            return outcome
        guard = nullcontext() if locked else store.lock(str(ref), owner, lease_seconds, now, dead)
        with guard:
            run_id = store.start_run(command, [str(ref)], False, now())
            outcome.run_ids.append(run_id)
            journal = WriteAhead(
                store, run_id, str(ref), board.snapshot, now=now, progress=progress, stop=stop
            )
            counts = {
                "create": len(plan.schema_ops),
                "update": plan.items_changed(),
                "pinned": len(plan.pinned),
            }
            try:
                journal.intend(plan.schema_ops, plan.item_ops)
                results = ports[ref].apply(board.snapshot, plan.schema_ops, plan.item_ops, journal.landed)
                journal.close(results)
            except BaseException as exc:
                journal.stopped(exc, counts)
                outcome.planned += journal.planned
                outcome.written += journal.applied
                if isinstance(exc, Interrupted):
                    outcome.interrupted = exc
                    return outcome
                raise
            failures = [r for r in results if not r.ok]
            outcome.failures.extend(failures)
            outcome.applied += sum(1 for r in results if r.ok)
            outcome.planned += journal.planned
            outcome.written += journal.applied
            store.finish_run(
                run_id,
                outcome=RunOutcome.FAILED if failures else RunOutcome.OK,
                # Item changes planned and written, as an interrupted run counts them; "failed" counts every
                # op that failed, a schema op's too.
                counts={**journal.counts(counts), "failed": len(failures)},
                item_states=remembered(board, results),
                board=str(ref),
                now=now(),
            )
    return outcome
