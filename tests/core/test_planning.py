"""Sprint packing: unit cases for each rule, and Hypothesis properties over random plans."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from hypothesis import given, settings
from hypothesis import strategies as st

from moteur.core.calendar import Sprint
from moteur.core.model import Action, Flag, ItemRef, Quadrant, Status, Tool
from moteur.core.policy import PlanningPolicy
from moteur.core.scoring import Scored, score
from moteur.core.sprints import SprintPlan, plan_sprints

POLICY = PlanningPolicy()
MONDAY = date(2026, 9, 7)


def sprints(*capacities: float, first: int = 1) -> list[Sprint]:
    """Two-week sprints from MONDAY with the given capacities."""
    return [
        Sprint(
            index=first + offset,
            start=MONDAY + timedelta(days=14 * offset),
            end=MONDAY + timedelta(days=14 * offset + 13),
            working_days=10,
            capacity=capacity,
            holidays=(),
            closed_days=(),
        )
        for offset, capacity in enumerate(capacities)
    ]


def scored(
    item: str,
    impact: int | None = 8,
    effort: int | None = 3,
    *,
    due: date | None = None,
    status: Status = Status.TODO,
    confidence: int | None = 8,
) -> Scored:
    action = Action(
        ref=ItemRef(tool=Tool.FILE, board="b", item=item),
        title=item,
        impact=impact,
        effort=effort,
        confidence=confidence,
        objective="leads",
        due=due,
        status=status,
    )
    return score(action, POLICY)


def key(item: str) -> str:
    return f"file:b:{item}"


def test_quick_wins_first_then_big_projects_then_fill_ins() -> None:
    items = [scored("fill", 3, 4), scored("big", 9, 8), scored("quick", 8, 3)]
    plan = plan_sprints(items, sprints(8, 8))
    assert plan.sprint_of(key("quick")) == 1
    assert plan.sprint_of(key("big")) == 2  # 3 + 8 > 8 in sprint 1
    assert plan.sprint_of(key("fill")) == 1
    assert plan.load == {1: 7.0, 2: 8.0}
    assert plan.assignments[key("quick")].reason == "quick win, ICE 512: earliest sprint with room"


def test_late_when_no_sprint_ending_before_the_due_day_has_room() -> None:
    due = MONDAY + timedelta(days=13)  # the last day of sprint 1
    items = [scored("a", 9, 5, confidence=10), scored("b", 8, 5, due=due)]
    plan = plan_sprints(items, sprints(5, 5))
    late = plan.assignments[key("b")]
    assert (late.sprint, late.flags) == (2, (Flag.LATE,))
    ends = (MONDAY + timedelta(days=25)).isoformat()  # sprint 2's last working day, a Friday
    assert late.reason == f"late: due {due.isoformat()}, the earliest sprint with room (Sprint 2) ends {ends}"
    on_time = plan_sprints([scored("b", 8, 5, due=due)], sprints(5, 5)).assignments[key("b")]
    assert (on_time.sprint, on_time.flags) == (1, ())


def test_due_on_the_last_working_day_of_a_sprint_with_room_is_on_time() -> None:
    friday = MONDAY + timedelta(days=11)  # sprint 1 ends on Sunday; its work is done by this Friday
    plan = plan_sprints([scored("b", 8, 5, due=friday)], sprints(5, 5))
    on_time = plan.assignments[key("b")]
    assert (on_time.sprint, on_time.flags) == (1, ())
    assert on_time.reason.endswith(f"earliest sprint with room ending by {friday}")


def test_a_due_day_after_an_earlier_full_sprint_is_not_late() -> None:
    due = MONDAY + timedelta(days=27)
    plan = plan_sprints([scored("a", 9, 5, confidence=10), scored("b", 8, 5, due=due)], sprints(5, 5))
    assert plan.assignments[key("b")].sprint == 2
    assert Flag.LATE not in plan.assignments[key("b")].flags


def test_split_me_when_bigger_than_every_sprint() -> None:
    plan = plan_sprints([scored("huge", 9, 9)], sprints(5, 8, 3))
    assignment = plan.assignments[key("huge")]
    assert (assignment.sprint, assignment.flags) == (None, (Flag.SPLIT_ME,))
    assert assignment.reason == "split me: effort 9 exceeds every sprint's capacity (largest 8)"


def test_no_room_when_every_sprint_is_full() -> None:
    plan = plan_sprints([scored("a", 9, 5), scored("b", 8, 5), scored("c", 7, 5)], sprints(5, 5))
    assert plan.assignments[key("c")].sprint is None
    assert plan.assignments[key("c")].flags == (Flag.NO_ROOM,)
    assert plan.flagged(Flag.NO_ROOM) == [key("c")]


def test_no_sprints_at_all_means_no_room_to_split_into() -> None:
    plan = plan_sprints([scored("a")], [])
    assert plan.assignments[key("a")].flags == (Flag.SPLIT_ME,)


def test_pins_are_honoured_beyond_capacity_and_count_in_the_load() -> None:
    items = [scored("pinned", 2, 9), scored("quick", 8, 3), scored("far", 8, 3)]
    plan = plan_sprints(items, sprints(5, 5), pins={key("pinned"): 1, key("far"): 9})
    pinned = plan.assignments[key("pinned")]
    assert (pinned.sprint, pinned.flags) == (1, (Flag.STOP, Flag.PINNED))  # a person's choice wins over STOP
    assert pinned.reason == "pinned by hand to Sprint 1"
    assert plan.assignments[key("far")].reason == "pinned by hand to Sprint 9 (outside the horizon)"
    assert plan.load == {1: 9.0, 2: 3.0}
    assert plan.sprint_of(key("quick")) == 2
    assert plan.room(1) == -4.0


def test_keep_holds_an_action_in_the_current_sprint() -> None:
    items = [scored("quick", 9, 4, confidence=10), scored("filling", 3, 4)]
    plan = plan_sprints(items, sprints(5, 5), keep={key("filling"): 1})
    kept = plan.assignments[key("filling")]
    assert kept.sprint == 1
    assert kept.reason == "in the current sprint and not done: kept in Sprint 1"
    assert plan.sprint_of(key("quick")) == 2  # the kept fill-in holds its place


def test_keep_out_of_the_horizon_or_of_a_time_sink_is_ignored() -> None:
    items = [scored("sink", 2, 9), scored("quick", 8, 3)]
    plan = plan_sprints(items, sprints(5, 5, first=4), keep={key("sink"): 4, key("quick"): 3})
    assert plan.sprint_of(key("sink")) is None
    assert plan.assignments[key("sink")].flags == (Flag.STOP,)
    assert plan.sprint_of(key("quick")) == 4


def test_done_archived_time_sinks_and_unscored_are_never_planned() -> None:
    items = [
        scored("done", status=Status.DONE),
        scored("archived", status=Status.ARCHIVED),
        scored("sink", 2, 9),
        scored("unscored", None, 3),
    ]
    plan = plan_sprints(items, sprints(50), pins={key("done"): 1})
    assert plan.unplanned() == [key(item) for item in ("done", "archived", "sink", "unscored")]
    assert plan.assignments[key("done")].flags == ()
    assert plan.assignments[key("done")].reason == "done: not planned"
    assert plan.assignments[key("sink")].flags == (Flag.STOP,)
    assert plan.assignments[key("unscored")].flags == (Flag.SCORE_ME,)
    assert plan.load == {1: 0.0}


def test_scoring_flags_are_carried_into_the_assignment() -> None:
    action = Action(ref=ItemRef(tool=Tool.FILE, board="b", item="x"), title="x", impact=8, effort=3)
    plan = plan_sprints([score(action, POLICY)], sprints(5))
    assert plan.assignments[key("x")].flags == (Flag.NO_OBJECTIVE,)


# --- properties --------------------------------------------------------------------------------------

scores = st.one_of(st.none(), st.integers(min_value=1, max_value=10))


class Scenario(NamedTuple):
    items: list[Scored]
    horizon: list[Sprint]
    pins: dict[str, int]
    keep: dict[str, int]


@st.composite
def scenarios(draw: st.DrawFn, dense: bool = False) -> Scenario:
    """Random actions, sprints, pins and keeps. ``dense``: mostly open, scored, low-effort actions competing
    for little room, where the packing order shows."""
    capacities = draw(st.lists(st.integers(min_value=0, max_value=12 if dense else 25), max_size=6))
    horizon = sprints(*capacities, first=draw(st.integers(min_value=1, max_value=4)))
    count = draw(st.integers(min_value=0, max_value=30))
    score_values = st.integers(min_value=1, max_value=10) if dense else scores
    efforts = st.integers(min_value=1, max_value=5) if dense else scores
    statuses = st.sampled_from([Status.TODO, Status.DOING]) if dense else st.sampled_from(Status)
    items = [
        scored(
            str(n),
            draw(score_values),
            draw(efforts),
            confidence=draw(scores),
            status=draw(statuses),
            due=draw(
                st.one_of(st.none(), st.dates(MONDAY - timedelta(days=10), MONDAY + timedelta(days=90)))
            ),
        )
        for n in range(count)
    ]
    pinned = draw(st.lists(st.sampled_from(items), max_size=4, unique_by=lambda s: s.key)) if items else []
    pins = {s.key: draw(st.integers(min_value=0, max_value=10)) for s in pinned}
    kept = draw(st.lists(st.sampled_from(items), max_size=4, unique_by=lambda s: s.key)) if items else []
    current = horizon[0].index if horizon else 1
    keep = {s.key: current for s in kept}
    return Scenario(items, horizon, pins, keep)


def effort(s: Scored) -> float:
    return float(s.action.effort or 0)


PLANNABLE = (Quadrant.QUICK_WIN, Quadrant.BIG_PROJECT, Quadrant.FILL_IN)


def is_kept(s: Scored, scenario: Scenario) -> bool:
    """Whether the keep rule applies: plannable, not done, not pinned, kept in a sprint of the horizon."""
    return (
        s.key in scenario.keep
        and s.key not in scenario.pins
        and s.quadrant in PLANNABLE
        and not s.action.status.is_closed
        and any(sprint.index == scenario.keep[s.key] for sprint in scenario.horizon)
    )


def check_invariants(scenario: Scenario, plan: SprintPlan) -> None:
    by_key = {s.key: s for s in scenario.items}
    assert sorted(plan.assignments) == sorted(by_key)  # exactly one assignment each
    packed: dict[int, float] = {s.index: 0.0 for s in scenario.horizon}
    forced: dict[int, float] = {s.index: 0.0 for s in scenario.horizon}
    for k, a in plan.assignments.items():
        s = by_key[k]
        assert set(s.flags) <= set(a.flags)
        if s.action.status.is_closed:
            assert a.sprint is None and a.flags == ()
            continue
        if k in scenario.pins:
            assert a.sprint == scenario.pins[k] and Flag.PINNED in a.flags
            if a.sprint in forced:
                forced[a.sprint] += effort(s)
            continue
        if is_kept(s, scenario):
            assert a.sprint == scenario.keep[k] and a.flags == s.flags
            forced[scenario.keep[k]] += effort(s)
            continue
        if s.quadrant in (Quadrant.TIME_SINK, Quadrant.UNSCORED):
            assert a.sprint is None
        if a.sprint is not None:
            packed[a.sprint] += effort(s)
            sprint = plan.sprint(a.sprint)
            assert sprint is not None
            due = s.action.due_day
            assert (Flag.LATE in a.flags) == (due is not None and sprint.last_working_day > due)
    for sprint in scenario.horizon:
        assert plan.load[sprint.index] == packed[sprint.index] + forced[sprint.index]
        # Only pins and keeps may push a sprint over capacity; packing never adds to an overfull sprint.
        if packed[sprint.index]:
            assert plan.load[sprint.index] <= sprint.capacity


@settings(max_examples=150, deadline=None)
@given(scenario=st.one_of(scenarios(), scenarios(dense=True)), data=st.data())
def test_packing_properties(scenario: Scenario, data: st.DataObject) -> None:
    items, horizon, pins, keep = scenario
    plan = plan_sprints(items, horizon, pins=pins, keep=keep)
    check_invariants(scenario, plan)
    # Deterministic: the same actions in another order give the same plan.
    for reordered in (data.draw(st.permutations(items)), items[::-1]):
        again = plan_sprints(reordered, list(reversed(horizon)), pins=pins, keep=keep)
        assert again.assignments == plan.assignments
        assert again.load == plan.load


@settings(max_examples=150, deadline=None)
@given(scenario=st.one_of(scenarios(), scenarios(dense=True)))
def test_quick_wins_never_wait_behind_a_fill_in(scenario: Scenario) -> None:
    plan = plan_sprints(scenario.items, scenario.horizon, pins=scenario.pins, keep=scenario.keep)

    def packed(quadrant: Quadrant) -> list[Scored]:
        return [
            s
            for s in scenario.items
            if s.quadrant is quadrant
            and not s.action.status.is_closed
            and s.key not in scenario.pins
            and not is_kept(s, scenario)
        ]

    for sprint in scenario.horizon:
        fill_ins = [s for s in packed(Quadrant.FILL_IN) if plan.sprint_of(s.key) == sprint.index]
        if not fill_ins:
            continue
        # Room here before any fill-in took some: a quick win that fits in it must be here or earlier.
        room = sprint.capacity - (plan.load[sprint.index] - sum(effort(s) for s in fill_ins))
        for quick in packed(Quadrant.QUICK_WIN):
            where = plan.sprint_of(quick.key)
            if effort(quick) <= room:
                assert where is not None and where <= sprint.index
