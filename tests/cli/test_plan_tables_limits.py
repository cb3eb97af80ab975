"""The human ``plan`` output shows the first 40 actions of each quadrant and the first 60 flag lines; with
100,000 actions it must pick them without sorting or formatting everything, and pick exactly the same ones:
ICE descending then title (ties included), and flag lines by title in the order of ``ATTENTION``."""

from __future__ import annotations

from datetime import date

from moteur.core.evaluate import evaluate
from moteur.core.labels import QUADRANT_ORDER
from moteur.core.model import Action, ItemRef, Status, Tool
from moteur.core.policy import Language, PlanningPolicy
from moteur.views.plan_tables import ATTENTION, flag_lines, quadrant_tables

TODAY = date(2026, 12, 1)


def many_actions(count: int) -> list[Action]:
    # Few distinct scores, so ICE ties are many and the title decides; titles out of order on purpose.
    return [
        Action(
            ref=ItemRef(tool=Tool.FILE, board="plan.csv", item=str(n)),
            title=f"action {(n * 7919) % count:05d}",
            impact=8 if n % 3 else 2,
            effort=2 + n % 2 * 6,
            confidence=None if n % 5 == 0 else 7,
            objective=None if n % 4 == 0 else "leads",
            status=Status.DONE if n % 11 == 0 else Status.TODO,
        )
        for n in range(count)
    ]


def test_each_quadrant_table_shows_the_first_forty_in_order() -> None:
    evaluation = evaluate(many_actions(600), PlanningPolicy(), TODAY)
    expected = []
    for quadrant in QUADRANT_ORDER:
        rows = [s for s in evaluation.scored if s.quadrant is quadrant]
        if rows:
            ordered = sorted(rows, key=lambda s: (-(s.ice or 0), s.action.title))
            expected.append([s.action.title for s in ordered[:40]])
    shown = [
        [str(cell) for cell in table.columns[0].cells] for table in quadrant_tables(evaluation, Language.EN)
    ]
    assert shown == expected
    assert any(len(titles) == 40 for titles in shown)


def test_flag_lines_are_the_first_sixty_by_title_then_a_count() -> None:
    evaluation = evaluate(many_actions(600), PlanningPolicy(), TODAY)
    expected: list[str] = []
    for s in sorted(evaluation.scored, key=lambda s: s.action.title):
        if s.action.status.is_closed:
            continue
        flags = evaluation.plan.assignments[s.action.key].flags
        expected += [f"• {s.action.title} — " for flag in ATTENTION if flag in flags]
    lines = [line.plain for line in flag_lines(evaluation, Language.EN)]
    assert len(expected) > 60
    assert [line.split("— ")[0] + "— " for line in lines[:60]] == expected[:60]
    assert lines[60] == f"… and {len(expected) - 60} more"
