"""Velocity: effort done per finished sprint, and the capacity ``capacity = "velocity"`` plans with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from moteur.core.calendar import SprintCalendar
from moteur.core.history import ActionDay, BoardHistory, History
from moteur.core.model import Quadrant, Status
from moteur.core.policy import PlanningPolicy, TeamMember
from moteur.core.velocity import sized_policy, velocities, velocity_capacity

BOARD = "asana:1"
FIRST = date(2026, 9, 7)  # Sprint 1 (two weeks from a Monday); sprint 5 holds Armistice day, 11 November
TODAY = date(2026, 11, 18)  # in sprint 6: sprints 1-5 are finished


def row(
    key: str,
    day: date,
    status: Status,
    *,
    effort: int | None,
    done: date | None = None,
    sprint: int | None = None,
    people: tuple[str, ...] = (),
) -> ActionDay:
    start = FIRST + timedelta(days=14 * (sprint - 1)) if sprint else None
    return ActionDay(
        BOARD,
        key,
        day,
        key,
        status,
        sprint,
        Quadrant.QUICK_WIN,
        8,
        effort,
        people,
        None,
        None,
        None,
        done,
        done or day,
        sprint_start=start,
    )


Done = Mapping[int, Sequence[tuple[str, int | None, tuple[str, ...]]]]


def history(done: Done, since: date = FIRST) -> History:
    """One row per action on the sprint's first day (planned there), then done on its Wednesday."""
    days: list[ActionDay] = []
    for sprint, actions in done.items():
        start = FIRST + timedelta(days=14 * (sprint - 1))
        for key, effort, people in actions:
            days.append(row(key, start, Status.TODO, effort=effort, sprint=sprint, people=people))
            wednesday = start + timedelta(days=2)
            days.append(
                row(key, wednesday, Status.DONE, effort=effort, done=wednesday, sprint=sprint, people=people)
            )
    days.sort(key=lambda r: (r.day, r.key))
    return History(since=since, days=tuple(days), boards=(BoardHistory(BOARD, since),))


def calendar(**policy: Any) -> SprintCalendar:
    return SprintCalendar(PlanningPolicy(first_sprint=FIRST, **policy), TODAY)


def test_velocity_is_the_effort_done_per_finished_sprint_per_person() -> None:
    measured = velocities(
        history(
            {4: [("a", 5, ("camille", "léa")), ("b", 3, ()), ("c", None, ("hugo",))], 5: [("d", 8, ("léa",))]}
        ),
        calendar(),
        TODAY,
        last=2,
    )
    assert [(v.number, v.done_effort, v.planned_effort, v.done_count, v.unestimated) for v in measured] == [
        (4, 8.0, 8.0, 3, 1),
        (5, 8.0, 8.0, 1, 0),
    ]
    assert (
        measured[0].by_person == {"camille": 2.5, "hugo": 0.0, "léa": 2.5} and measured[0].unassigned == 3.0
    )
    assert (measured[1].working_days, measured[0].working_days) == (9, 10)  # 11 November


def test_velocity_capacity_scales_the_mean_by_working_days() -> None:
    cal = calendar(capacity_per_sprint=20, capacity="velocity")
    done = {3: [("a", 10, ())], 4: [("b", 12, ())], 5: [("c", 9, ())]}  # 31 points over 10 + 10 + 9 days
    choice = velocity_capacity(history(done), cal, TODAY, last=3)
    assert (choice.source, choice.sprints_used, choice.per_sprint) == ("velocity", 3, round(31 / 29 * 10, 1))
    assert "Sprints 3–5" in choice.reason
    sized = SprintCalendar(sized_policy(cal.policy, choice), TODAY)
    assert sized.sprint(5).capacity == round(choice.per_sprint * 9 / 10, 1)  # a holiday costs its share


def test_too_few_finished_sprints_fall_back_to_the_setting_and_say_so() -> None:
    cal = calendar(capacity_per_sprint=20, capacity="velocity")
    late_start = History(
        since=FIRST + timedelta(days=45), days=(), boards=(BoardHistory(BOARD, FIRST + timedelta(days=45)),)
    )
    choice = velocity_capacity(late_start, cal, TODAY, last=3)
    assert (choice.source, choice.per_sprint, choice.sprints_used) == ("setting", 20.0, 0)
    assert (
        "needs 3 finished sprints" in choice.reason
        and "1 finished sprint recorded since 2026-10-22" in choice.reason
    )
    assert velocity_capacity(History(since=None, days=()), cal, TODAY, last=3).source == "setting"
    nothing_done = velocity_capacity(history({}), cal, TODAY, last=3)
    assert nothing_done.source == "setting" and "no effort was done" in nothing_done.reason


def test_with_a_team_each_persons_points_are_scaled_so_vacations_still_count() -> None:
    team = [
        TeamMember(name="Camille", points_per_day=1.0),
        TeamMember(name="Léa", points_per_day=1.0, vacations=[(date(2026, 11, 23), date(2026, 11, 27))]),
    ]
    cal = calendar(team=team, capacity="velocity")
    done = {3: [("a", 10, ())], 4: [("b", 10, ())], 5: [("c", 9, ())]}  # half the configured capacity
    choice = velocity_capacity(history(done), cal, TODAY, last=3)
    assert choice.per_sprint == 10.0  # a full sprint is 20 person-days: half of it
    policy = sized_policy(cal.policy, choice)
    assert [m.points_per_day for m in policy.team] == [0.5, 0.5]
    sprint_6 = SprintCalendar(policy, TODAY).sprint(6)  # Léa away a week
    assert sprint_6.capacity == 7.5


def test_a_back_filled_board_measures_sprints_before_its_first_run() -> None:
    h = history({1: [("a", 4, ())], 2: [("b", 6, ())], 3: [("c", 5, ())]}, since=date(2026, 11, 16))
    backfilled = History(
        since=h.since,
        days=h.days,
        boards=(BoardHistory(BOARD, h.since or FIRST, "asana completed_at", FIRST),),
    )
    assert velocities(h, calendar(), TODAY, last=3) == []
    assert [v.done_effort for v in velocities(backfilled, calendar(), TODAY, last=5)] == [
        4.0,
        6.0,
        5.0,
        0.0,
        0.0,
    ]
