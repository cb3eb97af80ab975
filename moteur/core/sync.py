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
from typing import Any, Protocol

from moteur.core.calendar import SprintCalendar
from moteur.core.errors import Refusal
from moteur.core.evaluate import Evaluation, evaluate
from moteur.core.labels import quadrant_name, sprint_index, sprint_name
from moteur.core.model import Action, BoardRef, Flag, Snapshot
from moteur.core.ops import ItemOp, OpResult, SchemaOp
from moteur.core.plan import (
    MANAGED_FIELDS,
    Desired,
    Memory,
    Pin,
    Plan,
    WriteBack,
    detect_pins,
    diff,
    format_ice,
)
from moteur.core.planning import Assignment
from moteur.core.policy import Language, PlanningPolicy
from moteur.core.state import ItemState, OpStatus, RunOutcome, StateStore


class BoardPort(Protocol):
    def read(self, board: BoardRef) -> Snapshot: ...

    def writeback(self, snapshot: Snapshot) -> WriteBack: ...

    def apply(
        self,
        snapshot: Snapshot,
        schema_ops: Sequence[SchemaOp],
        item_ops: Sequence[ItemOp],
        progress: Callable[[int], None] | None = None,
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
    run_ids: list[int] = field(default_factory=list)
    applied: int = 0
    failures: list[OpResult] = field(default_factory=list)

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


def _keep_current(actions: Sequence[Action], memory: Mapping[str, Memory], current: int) -> dict[str, int]:
    """Stability: an open action moteur put in the current sprint stays there."""
    keep: dict[str, int] = {}
    for a in actions:
        mem = memory.get(a.key)
        if a.status.is_closed or mem is None:
            continue
        if (
            sprint_index(a.annotations.sprint) == current
            and sprint_index(mem.written.get("sprint")) == current
        ):
            keep[a.key] = current
    return keep


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
            sprint=pin.sprint if pin else (sprint_name(sprint, language) if sprint else None),
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
        pins = detect_pins(actions, memory, replan=replan)
        sprint_pins = {k: i for k, p in pins.items() if (i := sprint_index(p.sprint)) is not None}
        unplanned = {k for k, p in pins.items() if sprint_index(p.sprint) is None}
        current = SprintCalendar(policy, today, language).sprint_containing(today)
        keep = _keep_current(actions, memory, current)
        plannable = [a for a in actions if a.key not in unplanned]
        evaluation = evaluate(plannable, policy, today, language=language, pins=sprint_pins, keep=keep)
        if unplanned:
            evaluation = _with_cleared_pins(evaluation, actions, unplanned, policy, today, language)
        evaluations.append((name, evaluation))
        desired = desired_of(evaluation, language, pins)
        for ref in refs:
            snap = by_ref[ref]
            mem = memories.get(ref, {})
            board_pins = {k: p for k, p in pins.items() if k in {a.key for a in snap.actions}}
            plan = diff(snap, desired, mem, writebacks[ref], pins=board_pins)
            boards.append(BoardPlan(snap, writebacks[ref], mem, desired, plan))
    return SyncPlan(today=today, language=language, evaluations=evaluations, boards=boards)


def _with_cleared_pins(
    evaluation: Evaluation,
    actions: Sequence[Action],
    cleared: set[str],
    policy: PlanningPolicy,
    today: date,
    language: Language,
) -> Evaluation:
    """Add back the actions whose sprint a person removed: scored, shown, never planned."""
    extra = evaluate([a for a in actions if a.key in cleared], policy, today, language=language)
    assignments = dict(evaluation.plan.assignments)
    for s in extra.scored:
        flags = tuple(dict.fromkeys((*s.flags, Flag.PINNED)))
        assignments[s.action.key] = Assignment(s.action.key, None, flags, "sprint removed by hand; kept out")
    plan = type(evaluation.plan)(evaluation.plan.sprints, assignments, dict(evaluation.plan.load))
    return Evaluation(today=evaluation.today, scored=[*evaluation.scored, *extra.scored], plan=plan)


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
) -> SyncOutcome:
    """Apply every board's plan; journal each op as it lands; commit the state once per board at the end.

    ``locked``: the caller already holds every board's lock — taken *before* it read the boards, so no other
    run can write between this run's read and its writes. Otherwise each board is locked here.
    """
    outcome = SyncOutcome()
    for board in sync_plan.boards:
        ref = board.snapshot.board
        guard = nullcontext() if locked else store.lock(str(ref), owner, lease_seconds, now, dead)
        with guard:
            run_id = store.start_run(command, [str(ref)], False, now())
            outcome.run_ids.append(run_id)
            plan = board.plan
            results = ports[ref].apply(board.snapshot, plan.schema_ops, plan.item_ops, progress)
            store.record_ops(run_id, [journal_entry(str(ref), r) for r in results], now())
            failures = [r for r in results if not r.ok]
            outcome.failures.extend(failures)
            outcome.applied += sum(1 for r in results if r.ok)
            store.finish_run(
                run_id,
                outcome=RunOutcome.FAILED if failures else RunOutcome.OK,
                counts={
                    "create": len(plan.schema_ops),
                    "update": plan.items_changed(),
                    "applied": sum(1 for r in results if r.ok),
                    "failed": len(failures),
                    "pinned": len(plan.pinned),
                },
                item_states=remembered(board, results),
                board=str(ref),
                now=now(),
            )
    return outcome


def journal_entry(board: str, result: OpResult) -> dict[str, Any]:
    """The journal row of one applied (or failed) op: enough to understand and undo it."""
    op = result.op
    item = getattr(op, "item", None)
    name = getattr(op, "field", None) or getattr(op, "name", None)
    return {
        "board": board,
        "item": item.key if item is not None else None,
        "title": getattr(op, "title", None),
        "kind": op.kind,
        "field": name if item is not None else op.kind.removeprefix("ensure_"),
        "before": getattr(op, "before", None),
        "after": getattr(op, "after", None) if item is not None else name,
        "status": OpStatus.APPLIED if result.ok else OpStatus.FAILED,
        "error": result.error,
    }
