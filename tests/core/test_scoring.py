"""Scoring: quadrants at the thresholds, ICE in both formulas, explanations word for word, flags, order."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from moteur.core.model import Action, Flag, ItemRef, Quadrant, Status, Tool
from moteur.core.policy import IceFormula, PlanningPolicy
from moteur.core.scoring import Scored, format_ice, priority_key, score, score_all

POLICY = PlanningPolicy()
MEAN = PlanningPolicy(ice_formula=IceFormula.MEAN)


def action(
    item: str = "1",
    *,
    impact: int | None = 8,
    effort: int | None = 3,
    confidence: int | None = 8,
    objective: str | None = "leads",
    status: Status = Status.TODO,
    due: date | datetime | None = None,
    created_at: datetime | None = None,
) -> Action:
    return Action(
        ref=ItemRef(tool=Tool.FILE, board="plan.csv", item=item),
        title=f"action {item}",
        impact=impact,
        effort=effort,
        confidence=confidence,
        objective=objective,
        status=status,
        due=due,
        created_at=created_at,
    )


@pytest.mark.parametrize(
    ("impact", "effort", "quadrant"),
    [
        (6, 5, Quadrant.QUICK_WIN),
        (6, 6, Quadrant.BIG_PROJECT),
        (5, 5, Quadrant.FILL_IN),
        (5, 6, Quadrant.TIME_SINK),
        (10, 1, Quadrant.QUICK_WIN),
        (1, 10, Quadrant.TIME_SINK),
        (None, 3, Quadrant.UNSCORED),
        (8, None, Quadrant.UNSCORED),
        (None, None, Quadrant.UNSCORED),
    ],
)
def test_quadrant_at_the_thresholds_six_is_high(
    impact: int | None, effort: int | None, quadrant: Quadrant
) -> None:
    assert score(action(impact=impact, effort=effort), POLICY).quadrant is quadrant


def test_thresholds_come_from_the_policy() -> None:
    strict = PlanningPolicy(impact_threshold=9, effort_threshold=2)
    assert score(action(impact=8, effort=2), strict).quadrant is Quadrant.TIME_SINK
    assert score(action(impact=9, effort=1), strict).quadrant is Quadrant.QUICK_WIN


def test_quick_win_explanation_and_product_ice() -> None:
    scored = score(action(impact=8, effort=3, confidence=8), POLICY)
    assert scored.ice == 512.0
    assert isinstance(scored.ice, float)
    assert scored.explanation == "impact 8 ≥ 6 and effort 3 < 6 → quick win; ICE 8 × 8 × 8 = 512"
    assert scored.flags == ()


def test_default_confidence_is_named_in_the_explanation() -> None:
    scored = score(action(impact=8, effort=3, confidence=None), POLICY)
    assert scored.ice == 320.0
    assert scored.explanation == (
        "impact 8 ≥ 6 and effort 3 < 6 → quick win; ICE 8 × 5 × 8 = 320 (confidence defaulted to 5)"
    )
    other = PlanningPolicy(default_confidence=7)
    assert score(action(impact=8, effort=3, confidence=None), other).ice == 8 * 7 * 8


@pytest.mark.parametrize(
    ("impact", "effort", "text"),
    [
        (6, 6, "impact 6 ≥ 6 and effort 6 ≥ 6 → big project; ICE 6 × 8 × 5 = 240"),
        (5, 5, "impact 5 < 6 and effort 5 < 6 → fill-in; ICE 5 × 8 × 6 = 240"),
        (2, 9, "impact 2 < 6 and effort 9 ≥ 6 → time sink; ICE 2 × 8 × 2 = 32"),
    ],
)
def test_explanation_of_each_scored_quadrant(impact: int, effort: int, text: str) -> None:
    assert score(action(impact=impact, effort=effort), POLICY).explanation == text


def test_mean_formula() -> None:
    scored = score(action(impact=8, effort=3, confidence=8), MEAN)
    assert scored.ice == 8.0
    assert scored.explanation == "impact 8 ≥ 6 and effort 3 < 6 → quick win; ICE (8 + 8 + 8) / 3 = 8.0"
    rounded = score(action(impact=7, effort=3, confidence=None), MEAN)
    assert rounded.ice == 6.7  # (7 + 5 + 8) / 3 = 6.666…
    assert rounded.explanation.endswith("ICE (7 + 5 + 8) / 3 = 6.7 (confidence defaulted to 5)")


@pytest.mark.parametrize(
    ("impact", "effort", "text"),
    [
        (8, None, "effort missing → to score"),
        (None, 3, "impact missing → to score"),
        (None, None, "impact and effort missing → to score"),
    ],
)
def test_unscored_explanation_and_flag(impact: int | None, effort: int | None, text: str) -> None:
    scored = score(action(impact=impact, effort=effort), POLICY)
    assert scored.ice is None
    assert scored.explanation == text
    assert scored.flags == (Flag.SCORE_ME,)


def test_flags_stop_and_no_objective() -> None:
    assert score(action(impact=2, effort=9), POLICY).flags == (Flag.STOP,)
    assert score(action(objective=None), POLICY).flags == (Flag.NO_OBJECTIVE,)
    assert score(action(objective="  "), POLICY).flags == (Flag.NO_OBJECTIVE,)
    both = score(action(impact=None, objective=""), POLICY)
    assert both.flags == (Flag.SCORE_ME, Flag.NO_OBJECTIVE)


@pytest.mark.parametrize("status", [Status.DONE, Status.ARCHIVED])
def test_closed_actions_carry_no_flags_but_keep_their_verdict(status: Status) -> None:
    scored = score(action(impact=2, effort=9, objective=None, status=status), POLICY)
    assert scored.quadrant is Quadrant.TIME_SINK
    assert scored.flags == ()


def test_format_ice() -> None:
    assert format_ice(512.0) == "512"
    assert format_ice(6.7) == "6.7"
    assert format_ice(None) == "-"


def test_priority_key_orders_by_ice_then_due_then_created_then_key() -> None:
    early = datetime(2026, 1, 1, tzinfo=UTC)
    late = datetime(2026, 2, 1)  # naive: read as UTC, still comparable with aware stamps
    items = score_all(
        [
            action("a", impact=10, effort=1, confidence=10),  # ICE 1000
            action("b", due=date(2026, 3, 1)),  # 512, due earlier
            action("c", due=datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),  # 512, due later
            action("d", created_at=early),  # 512, no due, created early
            action("e", created_at=late),  # 512, no due, created later
            action("g"),  # 512, nothing: key decides
            action("f"),
            action("h", impact=None),  # unscored: last
        ],
        POLICY,
    )
    expected = ["a", "b", "c", "d", "e", "f", "g", "h"]
    for seed in range(5):
        shuffled: list[Scored] = items[:]
        random.Random(seed).shuffle(shuffled)
        assert [s.action.ref.item for s in sorted(shuffled, key=priority_key)] == expected
