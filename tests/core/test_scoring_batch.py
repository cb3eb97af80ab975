"""``score_all`` computes each distinct verdict once and shares it; it must give exactly what ``score`` gives
action by action, whatever the policy, the statuses and the objectives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from moteur.core.model import Action, ItemRef, Status, Tool
from moteur.core.policy import IceFormula, PlanningPolicy
from moteur.core.scoring import score, score_all

scores = st.one_of(st.none(), st.integers(min_value=1, max_value=10))
policies = st.builds(
    PlanningPolicy,
    impact_threshold=st.integers(min_value=1, max_value=10),
    effort_threshold=st.integers(min_value=1, max_value=10),
    default_confidence=st.integers(min_value=1, max_value=10),
    ice_formula=st.sampled_from(IceFormula),
)


@st.composite
def action_lists(draw: st.DrawFn) -> list[Action]:
    count = draw(st.integers(min_value=0, max_value=40))
    return [
        Action(
            ref=ItemRef(tool=Tool.FILE, board="plan.csv", item=str(n)),
            title=f"action {n}",
            status=draw(st.sampled_from(Status)),
            impact=draw(scores),
            effort=draw(scores),
            confidence=draw(scores),
            objective=draw(st.sampled_from([None, "", "   ", "leads", "notoriété"])),
        )
        for n in range(count)
    ]


@settings(max_examples=60, deadline=None)
@given(actions=action_lists(), policy=policies)
def test_score_all_is_score_of_each_action(actions: list[Action], policy: PlanningPolicy) -> None:
    assert score_all(actions, policy) == [score(action, policy) for action in actions]


def test_equal_verdicts_share_one_explanation() -> None:
    """Regression guard for the memory of 100,000 actions: one explanation string per distinct verdict."""
    actions = [
        Action(
            ref=ItemRef(tool=Tool.FILE, board="b", item=str(n)), title="t", impact=8, effort=3, objective="x"
        )
        for n in range(3)
    ]
    first, second, third = score_all(actions, PlanningPolicy())
    assert first.explanation is second.explanation is third.explanation
    assert [s.action for s in (first, second, third)] == actions
