"""The diff from literals: what moteur writes, what it leaves alone, and why."""

from __future__ import annotations

from datetime import date

from moteur.core.diff import Desired, Memory, WriteBack, detect_pins, diff
from moteur.core.labels import sprint_label
from moteur.core.model import Action, Annotations, BoardRef, ItemRef, Snapshot, Status, Tool
from moteur.core.ops import EnsureField, EnsureTag, Placement, SetTags, UpdateFields
from moteur.core.policy import PlanningPolicy
from moteur.core.sync import prepare

BOARD = BoardRef(tool=Tool.FILE, board="plan.csv")
FIELDS = WriteBack(targets={"quadrant": Placement.FIELD, "sprint": Placement.FIELD, "ice": Placement.FIELD})
TODAY = date(2026, 12, 1)
POLICY = PlanningPolicy(first_sprint=date(2026, 11, 30), capacity_per_sprint=20)
S1 = sprint_label(1, date(2026, 11, 30))  # moteur's own label: "Sprint 1 · 2026-11-30"
S4 = sprint_label(4, date(2027, 1, 11))


def action(item: str, **kw: object) -> Action:
    base: dict[str, object] = {
        "ref": ItemRef(tool=Tool.FILE, board="plan.csv", item=item),
        "title": f"Action {item}",
        "impact": 8,
        "effort": 3,
        "confidence": 8,
        "objective": "leads",
    }
    base.update(kw)
    return Action.model_validate(base)


def snap(*actions: Action, fields: tuple[str, ...] = ("quadrant", "sprint", "ice")) -> Snapshot:
    return Snapshot(board=BOARD, name="plan.csv", actions=actions, fields=fields)


def sync_plan(snapshot: Snapshot, memory: dict[str, Memory] | None = None, replan: bool = False):  # type: ignore[no-untyped-def]
    return prepare(
        [snapshot], {BOARD: FIELDS}, {BOARD: memory or {}}, [("team", [BOARD])], POLICY, TODAY, replan=replan
    )


DONE_RIGHT = Annotations(quadrant="Quick win", sprint=S1, ice=512)


def test_board_that_carries_its_plan_gives_an_empty_plan() -> None:
    plan = sync_plan(snap(action("a", annotations=DONE_RIGHT)))
    assert plan.empty
    assert plan.summary() == {"create": 0, "update": 0, "remove": 0, "conflicts": 0}


def test_first_run_creates_columns_then_sets_every_field() -> None:
    plan = sync_plan(snap(action("a"), fields=()))
    board = plan.boards[0].plan
    assert [type(op) for op in board.schema_ops] == [EnsureField, EnsureField, EnsureField]
    assert {(op.field, op.before, op.after) for op in board.item_ops} == {
        ("quadrant", None, "Quick win"),
        ("sprint", None, S1),
        ("ice", None, "512"),
    }


def test_bumped_version_with_same_content_changes_nothing() -> None:
    """Regression: a server that bumps a timestamp must not cause a write (STYLE lesson 2)."""
    before = action("a", annotations=DONE_RIGHT, version="v1")
    after = action("a", annotations=DONE_RIGHT, version="v2")
    assert before.content_hash == after.content_hash
    memory = {
        before.key: Memory({"quadrant": "Quick win", "sprint": S1, "ice": "512"}, "v1", before.content_hash)
    }
    assert sync_plan(snap(after), memory).empty


def test_sprint_changed_by_hand_is_a_pin_and_is_kept() -> None:
    a = action("a", annotations=Annotations(quadrant="Quick win", sprint=S4, ice=512))
    memory = {a.key: Memory({"quadrant": "Quick win", "sprint": S1, "ice": "512"})}
    plan = sync_plan(snap(a), memory)
    assert plan.empty
    (pin,) = plan.boards[0].plan.pinned
    assert (pin.sprint, pin.written) == (S4, S1)
    _name, evaluation = plan.evaluations[0]
    assert evaluation.plan.assignments[a.key].sprint == 4


def test_replan_drops_the_pin() -> None:
    a = action("a", annotations=Annotations(quadrant="Quick win", sprint=S4, ice=512))
    memory = {a.key: Memory({"quadrant": "Quick win", "sprint": S1, "ice": "512"})}
    plan = sync_plan(snap(a), memory, replan=True)
    (op,) = plan.boards[0].plan.item_ops
    assert (op.field, op.before, op.after) == ("sprint", S4, S1)


def test_quadrant_changed_by_hand_is_rewritten_as_a_conflict() -> None:
    a = action("a", annotations=Annotations(quadrant="Time sink", sprint=S1, ice=512))
    memory = {a.key: Memory({"quadrant": "Quick win", "sprint": S1, "ice": "512"})}
    plan = sync_plan(snap(a), memory)
    (op,) = plan.boards[0].plan.item_ops
    assert (op.field, op.before, op.after) == ("quadrant", "Time sink", "Quick win")
    assert "changed by hand" in op.reason
    assert plan.summary()["conflicts"] == 1


def test_done_item_is_never_moved_nor_relabelled() -> None:
    a = action("a", status=Status.DONE, annotations=Annotations(sprint="Sprint 1"))
    memory = {a.key: Memory({"sprint": "Sprint 1"})}
    assert sync_plan(snap(a), memory).empty


def test_nothing_is_a_pin_without_memory() -> None:
    """A first run, or a lost state: moteur's own labels are its own, a team's "Sprint 3" is its history."""
    own = action("a", annotations=Annotations(sprint=S4))
    team = action("b", annotations=Annotations(sprint="Sprint 3"))
    assert detect_pins([own, team], {}) == {}


def test_tags_target_adds_and_removes_only_managed_values() -> None:
    wb = WriteBack(targets={"quadrant": Placement.TAG, "sprint": Placement.TAG})
    a = action("a", annotations=Annotations(quadrant="Fill-in", sprint="Sprint 2"))
    desired = {a.key: Desired("Quick win", "Sprint 1", "512")}
    plan = diff(Snapshot(board=BOARD, name="b", actions=(a,), tags=("Fill-in", "Sprint 2")), desired, {}, wb)
    ops = {op.field: op for op in plan.item_ops}
    assert isinstance(ops["quadrant"], SetTags)
    assert ops["quadrant"].add == ("Quick win",) and ops["quadrant"].remove == ("Fill-in",)
    assert ops["sprint"].add == ("Sprint 1",) and ops["sprint"].remove == ("Sprint 2",)  # type: ignore[union-attr]
    assert {op.name for op in plan.schema_ops if isinstance(op, EnsureTag)} == {"Quick win", "Sprint 1"}


def test_ice_is_compared_as_a_number() -> None:
    a = action("a", annotations=Annotations(quadrant="Quick win", sprint="Sprint 1", ice=512.0))
    desired = {a.key: Desired("Quick win", "Sprint 1", "512")}
    assert diff(snap(a), desired, {}, FIELDS).empty


def test_skipped_field_is_never_written() -> None:
    wb = WriteBack(targets=FIELDS.targets, skip=frozenset({"ice"}))
    a = action("a")
    desired = {a.key: Desired("Quick win", "Sprint 1", "512")}
    plan = diff(snap(a), desired, {}, wb)
    assert {op.field for op in plan.item_ops if isinstance(op, UpdateFields)} == {"quadrant", "sprint"}


def test_board_emptied_since_last_run_is_refused() -> None:
    import pytest

    from moteur.core.errors import Refusal

    memory = {f"file:plan.csv:{i}": Memory({"quadrant": "Quick win"}) for i in range(3)}
    with pytest.raises(Refusal, match="3 of the 3 items"):
        sync_plan(snap(), memory)
    forced = prepare([snap()], {BOARD: FIELDS}, {BOARD: memory}, [("t", [BOARD])], POLICY, TODAY, force=True)
    assert forced.empty
