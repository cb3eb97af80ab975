"""``build_review`` from literals: the true reason of each late action, velocity and its forecast, alignment
shares that add up to the planned effort, and what a board with no history says.

The plan is ``evaluate``'s (what ``plan`` shows); the history is built from action days, as ``sync`` and
``plan`` record them. Sprints of two weeks from Monday 2026-09-07, so today 2026-12-07 is in Sprint 7
(2026-11-30 → 2026-12-13) and Sprints 1–6 are finished.
"""

from __future__ import annotations

from datetime import date, timedelta

from moteur.core.evaluate import evaluate
from moteur.core.history import ActionDay, BoardHistory, History
from moteur.core.model import Action, ItemRef, Quadrant, Status, Tool
from moteur.core.objectives import Objective
from moteur.core.policy import PlanningPolicy, TeamMember
from moteur.core.review import build_review
from moteur.core.review_model import ReasonKind, Review, Section

BOARD = "file:plan.csv"
TODAY = date(2026, 12, 7)
POLICY = PlanningPolicy(first_sprint=date(2026, 9, 7), sprint_weeks=2, horizon=4, capacity_per_sprint=20)
SINCE = date(2026, 9, 7)


def action(item: str, impact: int | None, effort: int | None, **fields: object) -> Action:
    ref = ItemRef(tool=Tool.FILE, board="plan.csv", item=item)
    return Action(ref=ref, title=f"Action {item}", impact=impact, effort=effort, **fields)  # type: ignore[arg-type]


def day(key: str, on: date, status: Status, effort: int, **fields: object) -> ActionDay:
    values: dict[str, object] = {
        "board": BOARD,
        "key": f"file:plan.csv:{key}",
        "day": on,
        "title": f"Action {key}",
        "status": status,
        "sprint": None,
        "quadrant": Quadrant.QUICK_WIN,
        "impact": 8,
        "effort": effort,
        "assignees": (),
        "objective": "leads",
        "channel": "SEO",
        "due": None,
        "done_on": on if status is Status.DONE else None,
        "first_seen": on,
    }
    values.update(fields)
    return ActionDay(**values)  # type: ignore[arg-type]


def sprint_start(index: int) -> date:
    return POLICY.first_sprint + timedelta(days=14 * (index - 1))  # type: ignore[operator]


# Done in Sprints 4, 5 and 6: 10, 12 and 14 points (mean 12); the open "doing" action d1 seen doing since
# the history began; and one action done in the current sprint.
DONE = [
    day("x4a", sprint_start(4) + timedelta(days=3), Status.DONE, 6, objective="awareness"),
    day("x4b", sprint_start(4) + timedelta(days=8), Status.DONE, 4),
    day("x5", sprint_start(5) + timedelta(days=2), Status.DONE, 12, assignees=("lea@example.com",)),
    day("x6a", sprint_start(6) + timedelta(days=1), Status.DONE, 7, objective=None, channel="social"),
    day("x6b", sprint_start(6) + timedelta(days=9), Status.DONE, 7, objective="Retention"),
    day("x7", sprint_start(7) + timedelta(days=2), Status.DONE, 3),
]
DOING = day("d1", TODAY, Status.DOING, 4, first_seen=SINCE)
HISTORY = History(since=SINCE, days=(*DONE, DOING), boards=(BoardHistory(BOARD, SINCE),))
OBJECTIVES = [Objective(name="leads", weight=3), Objective(name="retention", weight=1)]


def actions() -> list[Action]:
    return [
        # Due mid-sprint while its sprint ends on Friday 2026-12-11: late, with that reason.
        action("a1", 9, 3, objective="leads", channel="SEO", due="2026-12-09"),
        # Past due: overdue by 4 days.
        action("a2", 8, 2, objective="Leads", channel="paid", due="2026-12-03"),
        # Doing for 91 days (since the history began): at risk, "at least".
        action("d1", 7, 4, status=Status.DOING, objective="retention", channel="e-mail"),
        # An objective [[objectives]] does not name: listed, not dropped.
        action("a3", 7, 5, objective="brand", channel="social"),
        # No objective at all.
        action("a4", 6, 2, channel="social"),
        action("ts", 3, 9, objective="leads", channel="web"),  # a time sink: to stop
        action("un", None, 3, objective="leads"),  # unscored
        action("done", 8, 3, status=Status.DONE, objective="leads"),
    ]


def review(history: History = HISTORY, policy: PlanningPolicy = POLICY, **options: object) -> Review:
    evaluation = evaluate(actions(), policy, TODAY)
    return build_review(
        evaluation,
        history,
        policy,
        TODAY,
        objectives=OBJECTIVES,
        team=BOARD,
        boards=[BOARD],
        **options,  # type: ignore[arg-type]
    )


def test_late_actions_carry_their_true_reason() -> None:
    late = {item.action.key.rsplit(":", 1)[1]: item for item in review().late}
    (due_before,) = late["a1"].reasons
    assert due_before.kind is ReasonKind.DUE_BEFORE_SPRINT_END and late["a1"].late
    assert (due_before.due, due_before.sprint, due_before.sprint_end) == (
        date(2026, 12, 9),
        7,
        date(2026, 12, 11),
    )
    (overdue,) = late["a2"].reasons
    assert (overdue.kind, overdue.days, overdue.due) == (ReasonKind.OVERDUE, 4, date(2026, 12, 3))
    (doing,) = late["d1"].reasons
    assert (doing.kind, doing.days, doing.since, doing.at_least) == (
        ReasonKind.DOING_TOO_LONG,
        91,
        SINCE,
        True,
    )
    assert not late["d1"].late  # at risk, not late
    assert set(late) == {"a1", "a2", "d1"}


def test_an_owner_over_capacity_puts_their_actions_at_risk() -> None:
    team = [
        TeamMember(name="Léa", email="lea@example.com", points_per_day=0.5),
        TeamMember(name="Sam", email="sam@example.com", points_per_day=2),
    ]
    policy = POLICY.model_copy(update={"team": team})
    mine = [action("o1", 9, 4, assignees=("lea@example.com",)), action("o2", 9, 3, assignees=("Léa",))]
    evaluation = evaluate(mine, policy, TODAY)
    # Léa's 0.5 points a day over Sprint 7's 10 working days: 5 points; the plan gives her 7 in it (the
    # team's 25 have room), named once by e-mail and once by name.
    result = build_review(evaluation, HISTORY, policy, TODAY, objectives=OBJECTIVES)
    assert len(result.late) == 2
    for item in result.late:
        (reason,) = item.reasons
        assert (reason.kind, reason.sprint, reason.owner_load, reason.owner_capacity) == (
            ReasonKind.OWNER_OVER_CAPACITY,
            7,
            7.0,
            5.0,
        )
        assert not item.late


def test_velocity_is_the_mean_done_of_the_last_sprints_and_forecasts_the_open_effort() -> None:
    result = review()
    shown = {s.number: s.done_effort for s in result.velocity.sprints}
    assert shown == {1: 0.0, 2: 0.0, 3: 0.0, 4: 10.0, 5: 12.0, 6: 14.0}
    assert result.velocity.mean == 12.0 and result.velocity.window == 3
    # Open plannable effort: a1 3 + a2 2 + d1 4 + a3 5 + a4 2 = 16 (the time sink and the unscored left out).
    assert result.velocity.open_effort == 16.0
    assert result.velocity.sprints_to_finish == 1.3
    assert (result.velocity.finish_sprint, result.velocity.finish_date) == (8, date(2026, 12, 24))
    assert result.velocity.capacity_source == "velocity"
    delivered = result.delivered
    assert delivered is not None and (delivered.number, delivered.done_effort) == (6, 14.0)
    assert {a.key for a in delivered.actions} == {"file:plan.csv:x6a", "file:plan.csv:x6b"}


def test_the_sprint_line_counts_open_and_done_effort() -> None:
    line = review().sprint
    assert (line.number, line.start, line.end, line.capacity) == (
        7,
        date(2026, 11, 30),
        date(2026, 12, 13),
        20.0,
    )
    assert line.done_effort == 3.0  # x7, done in this sprint
    open_in_sprint = sum(
        float(a.effort or 0) for a in actions() if a.status is not Status.DONE and a.impact and a.impact >= 6
    )
    assert line.planned_effort == open_in_sprint + 3.0
    assert line.planned_percent == round(100 * line.planned_effort / 20, 1)


def test_alignment_shares_add_up_to_the_planned_effort_and_keep_unknown_objectives() -> None:
    alignment = review().alignment
    rows = {row.name: row for row in alignment.by_objective}
    # The configured objectives in their order, then the other names met (planned or done), then none.
    assert [row.name for row in alignment.by_objective] == ["leads", "retention", "awareness", "brand", None]
    assert sum(row.planned_effort for row in alignment.by_objective) == alignment.planned_total == 16.0
    assert sum(row.planned_effort for row in alignment.by_channel) == alignment.planned_total
    assert abs(sum(row.planned_share or 0 for row in alignment.by_objective) - 1) < 0.01
    assert rows["leads"].planned_effort == 5.0  # a1 + a2 ("Leads" is the objective "leads")
    assert (rows["leads"].target_share, rows["retention"].target_share) == (0.75, 0.25)
    assert not rows["brand"].configured and rows["brand"].target_share is None
    assert alignment.unknown_objectives == ["awareness", "brand"]  # awareness: done in Sprint 4
    assert (rows["awareness"].planned_effort, rows["awareness"].done_effort) == (0.0, 6.0)
    assert [a.key for a in alignment.no_objective] == ["file:plan.csv:a4"]
    # Done since the window's first sprint (Sprint 4): 10 + 12 + 14 + 3.
    assert alignment.done_total == 39.0 and alignment.done_since == date(2026, 10, 19)


def test_the_matrix_says_what_to_stop_and_which_quick_wins_come_next() -> None:
    matrix = review().matrix
    assert [a.key for a in matrix.stop] == ["file:plan.csv:ts"]
    counts = {q.quadrant: q.actions for q in matrix.quadrants}
    assert counts[Quadrant.TIME_SINK] == 1 and counts[Quadrant.UNSCORED] == 1
    assert matrix.next_sprint == 8


def test_a_board_with_no_history_says_which_sections_fill_later() -> None:
    empty = review(History(since=None, days=()))
    assert empty.filling == [
        Section.SPRINT,
        Section.LATE,
        Section.DELIVERED,
        Section.VELOCITY,
        Section.ALIGNMENT,
    ]
    assert empty.delivered is None and empty.velocity.mean is None and empty.sprint.done_effort is None
    assert empty.alignment.done_total is None
    # What needs no history is there: late from the plan, the matrix, the alignment of the plan.
    assert {item.action.key for item in empty.late} == {"file:plan.csv:a1", "file:plan.csv:a2"}
    assert empty.alignment.planned_total == 16.0
    payload = empty.model_dump(mode="json")
    assert payload["filling"] == ["sprint", "late", "delivered", "velocity", "alignment"]


def test_a_past_sprint_is_reviewed_from_what_the_history_held() -> None:
    past = review(sprint=5)
    # Sprint 5: 12 points done; what it held as it began is the history's (no action day said so: 0).
    assert (past.sprint.number, past.sprint.done_effort, past.sprint.current) == (5, 12.0, False)
    assert past.delivered is not None and (past.delivered.number, past.delivered.done_effort) == (4, 10.0)
    assert past.matrix.next_sprint == 6


def test_channels_spelled_two_ways_are_one_row() -> None:
    spelled = [
        action("c1", 8, 2, objective="leads", channel="SEO"),
        action("c2", 8, 3, objective="leads", channel="seo "),
    ]
    evaluation = evaluate(spelled, POLICY, TODAY)
    result = build_review(evaluation, History(since=None, days=()), POLICY, TODAY, objectives=OBJECTIVES)
    assert [(row.name, row.planned_effort) for row in result.alignment.by_channel] == [("SEO", 5.0)]
