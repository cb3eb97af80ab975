"""moteur's sprint labels and the team's (``core/labels``), pins (``core/plan``) and the plan both ``plan``
and ``sync`` show (``core/stable_plan``), from literals."""

from __future__ import annotations

from datetime import date

import pytest

from moteur.core.diff import Memory, WriteBack, current_sprint, detect_pins
from moteur.core.labels import (
    SprintLabel,
    is_own_sprint,
    parse_sprint,
    sprint_index,
    sprint_key,
    sprint_label,
)
from moteur.core.model import Action, Annotations, BoardRef, ItemRef, Snapshot, Tool
from moteur.core.ops import Placement
from moteur.core.policy import PlanningPolicy
from moteur.core.stable_plan import plan_with_memory
from moteur.core.sync import prepare

TODAY = date(2026, 12, 1)
POLICY = PlanningPolicy(first_sprint=date(2026, 11, 30), capacity_per_sprint=20)
BOARD = BoardRef(tool=Tool.TRELLO, board="b")
S1, S3 = sprint_label(1, date(2026, 11, 30)), sprint_label(3, date(2026, 12, 28))


def action(item: str, sprint: str | None = None, tags: tuple[str, ...] = ()) -> Action:
    return Action(
        ref=ItemRef(tool=Tool.TRELLO, board="b", item=item),
        title=f"Action {item}",
        impact=8,
        effort=3,
        objective="leads",
        tags=tags,
        annotations=Annotations(sprint=sprint),
    )


@pytest.mark.parametrize(
    ("name", "read"),
    [
        ("Sprint 3 · 2026-12-28", SprintLabel(3, date(2026, 12, 28))),
        ("sprint 3 - 2026-12-28", SprintLabel(3, date(2026, 12, 28))),  # typed by hand: the same label
        ("Sprint 3", SprintLabel(3)),
        ("SPRINT  12", SprintLabel(12)),
        ("Sprint 3 · 28/12", None),
        ("Sprint 3 · 2026-13-01", None),
        ("Sprint three", None),
        ("Quick win", None),
        (None, None),
    ],
)
def test_a_sprint_label_is_read_with_its_number_and_first_day(
    name: str | None, read: SprintLabel | None
) -> None:
    assert parse_sprint(name) == read


def test_moteurs_label_carries_its_first_day_and_the_teams_does_not() -> None:
    assert S1 == "Sprint 1 · 2026-11-30"
    assert is_own_sprint(S1) and not is_own_sprint("Sprint 1")
    assert sprint_index(S1) == sprint_index("Sprint 1") == 1
    assert sprint_key(S1) != sprint_key("Sprint 1") and sprint_key(S1) == sprint_key("sprint 1 – 2026-11-30")
    # Sorted as text, moteur's labels of one number come in calendar order.
    assert sorted([sprint_label(2, date(2027, 1, 4)), sprint_label(2, date(2026, 12, 14))])[0].endswith(
        "12-14"
    )


def test_the_teams_labels_and_moteurs_own_are_never_pins_without_memory() -> None:
    assert detect_pins([action("a", S3), action("b", "Sprint 20")], {}) == {}


def test_on_a_board_moteur_knows_its_label_on_a_new_card_is_a_pin() -> None:
    known = {"trello:b:old": Memory({"sprint": S1})}
    pins = detect_pins([action("new", S3), action("team", "Sprint 20")], known)
    assert {k.rsplit(":", 1)[-1]: (p.sprint, p.written) for k, p in pins.items()} == {"new": (S3, None)}


def test_only_moteurs_label_set_by_hand_is_a_pin() -> None:
    memory = {f"trello:b:{k}": Memory({"sprint": S1}) for k in "abc"}
    pins = detect_pins([action("a", S3), action("b", "Sprint 20"), action("c", None)], memory)
    assert {k.rsplit(":", 1)[-1]: p.sprint for k, p in pins.items()} == {"a": S3, "c": None}


def test_an_old_form_label_moteur_wrote_is_read_as_its_own() -> None:
    """moteur wrote "Sprint 1" before its labels carried a date; Trello's reader left it among the tags."""
    old = Memory({"sprint": "Sprint 1"})
    adopted = action("a", None, tags=("Client", "Sprint 1", "Sprint 2"))
    assert current_sprint(adopted, old) == "Sprint 1"
    assert current_sprint(action("b", None, tags=("Sprint 2",)), old) is None  # the team's, not moteur's
    assert current_sprint(adopted, None) is None and current_sprint(adopted, Memory({"sprint": S1})) is None
    assert detect_pins([adopted], {adopted.key: old}) == {}


def test_adoption_relabels_the_card_and_keeps_the_teams_label() -> None:
    card = action("a", None, tags=("Sprint 1", "Sprint 2"))
    snap = Snapshot(board=BOARD, name="b", actions=(card,), tags=("Sprint 1", "Sprint 2", S1))
    wb = WriteBack(targets={"sprint": Placement.TAG})
    plan = prepare([snap], {BOARD: wb}, {BOARD: {card.key: Memory({"sprint": "Sprint 1"})}}, [("t", [BOARD])],
                   POLICY, TODAY)  # fmt: skip
    (op,) = plan.boards[0].plan.item_ops
    assert (op.before, op.after, op.remove, op.add) == ("Sprint 1", S1, ("Sprint 1",), (S1,))  # type: ignore[attr-defined]
    assert plan.boards[0].plan.pinned == ()


def test_plan_and_sync_share_one_evaluation() -> None:
    """``plan`` calls ``plan_with_memory`` with the same memory ``sync`` reads: the same sprints."""
    actions = [action("a", S3), action("b", "Sprint 20"), action("c")]
    memory = {actions[0].key: Memory({"sprint": S1})}
    evaluation, pins = plan_with_memory(actions, memory, POLICY, TODAY)
    snap = Snapshot(board=BOARD, name="b", actions=tuple(actions))
    sync = prepare([snap], {BOARD: WriteBack(targets={"sprint": Placement.TAG})}, {BOARD: memory},
                   [("t", [BOARD])], POLICY, TODAY)  # fmt: skip
    assert sync.evaluations[0][1].plan.assignments == evaluation.plan.assignments
    assert evaluation.plan.assignments[actions[0].key].sprint == 3 and set(pins) == {actions[0].key}
