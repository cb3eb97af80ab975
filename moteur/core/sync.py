"""The sync: read → map → score → plan sprints → diff → render or apply.

``prepare`` is pure: from snapshots, write-back targets and the state's memory it computes a ``SyncPlan``
(what each board should show, and the ops that get it there). ``--dry-run`` renders that object; ``sync``
hands the very same object to ``apply_sync``, which is the only part that writes (through the connectors
and the state store). Connectors are taken as the one interface of ``core/ports.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from moteur.core.diff import (
    MANAGED_FIELDS,
    Desired,
    Memory,
    Pin,
    Plan,
    WriteBack,
    diff,
    format_ice,
)
from moteur.core.errors import Refusal
from moteur.core.evaluate import Evaluation
from moteur.core.labels import quadrant_name
from moteur.core.model import BoardRef, Snapshot
from moteur.core.ops import ItemOp, OpResult
from moteur.core.policy import Language, PlanningPolicy
from moteur.core.records import ItemState
from moteur.core.scoring import explanation_parts
from moteur.core.stable_plan import plan_with_memory, sprint_value


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
        if not isinstance(op, ItemOp):
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
