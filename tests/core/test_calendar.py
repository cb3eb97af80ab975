"""The sprint calendar: French holidays, closures, vacations, sprint numbering and capacity."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from moteur.core.calendar import SprintCalendar
from moteur.core.errors import ConfigError
from moteur.core.policy import Language, PlanningPolicy, TeamMember

CHRISTMAS_2026 = date(2026, 12, 21)  # a Monday


def calendar(
    today: date = CHRISTMAS_2026, language: Language = Language.EN, **policy: object
) -> SprintCalendar:
    policy.setdefault("first_sprint", CHRISTMAS_2026)
    return SprintCalendar(PlanningPolicy.model_validate(policy), today, language)


def test_a_sprint_over_christmas_in_france_has_eight_working_days() -> None:
    sprint = calendar(horizon=1).sprints()[0]
    assert (sprint.index, sprint.name) == (1, "Sprint 1")
    assert (sprint.start, sprint.end) == (date(2026, 12, 21), date(2027, 1, 3))
    assert sprint.working_days == 8
    assert sprint.holidays == ((date(2026, 12, 25), "Christmas Day"), (date(2027, 1, 1), "New Year's Day"))
    assert sprint.closed_days == ()
    assert sprint.capacity == 16.0  # 20 points × 8 / 10 nominal days


def test_holiday_names_follow_the_language() -> None:
    sprint = calendar(language=Language.FR, horizon=1).sprints()[0]
    assert sprint.holidays == ((date(2026, 12, 25), "Noël"), (date(2027, 1, 1), "Jour de l'an"))


def test_a_closure_removes_its_weekdays() -> None:
    cal = calendar(closures=[(date(2026, 12, 24), date(2026, 12, 31))], horizon=1)
    sprint = cal.sprints()[0]
    # 24, 28, 29, 30, 31 Dec are closed; 25 Dec stays listed as a holiday.
    assert sprint.closed_days == (
        date(2026, 12, 24),
        date(2026, 12, 28),
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
    )
    assert sprint.working_days == 3
    assert sprint.capacity == 6.0
    assert not cal.is_working_day(date(2026, 12, 29))
    assert cal.is_working_day(date(2026, 12, 23))


def test_a_vacation_removes_a_persons_days_and_capacity_sums_people() -> None:
    alice = TeamMember(name="Alice", points_per_day=2, vacations=[(date(2026, 12, 21), date(2026, 12, 23))])
    bob = TeamMember(name="Bob", points_per_day=1.5)
    cal = calendar(team=[alice, bob], horizon=2)
    first, second = cal.sprints()
    assert cal.available_days(alice, first.start, first.end) == 5
    assert cal.available_days(bob, first.start, first.end) == 8
    assert first.capacity == 5 * 2 + 8 * 1.5
    assert second.capacity == 10 * 2 + 10 * 1.5


def test_a_non_monday_first_sprint_is_refused_with_a_clear_message() -> None:
    with pytest.raises(
        ValidationError, match="first_sprint 2026-12-22 is a Tuesday; sprints start on a Monday"
    ):
        PlanningPolicy(first_sprint=date(2026, 12, 22))


def test_without_first_sprint_sprint_one_is_this_week() -> None:
    cal = SprintCalendar(PlanningPolicy(horizon=3), date(2026, 12, 24))
    sprints = cal.sprints()
    assert [s.index for s in sprints] == [1, 2, 3]
    assert sprints[0].start == date(2026, 12, 21)
    assert sprints[2].end == date(2027, 1, 31)


def test_today_in_sprint_five_plans_sprints_five_onward() -> None:
    first = date(2026, 1, 5)
    today = first + timedelta(days=4 * 14 + 3)
    cal = calendar(today=today, first_sprint=first, horizon=6)
    assert cal.sprint_containing(today) == 5
    sprints = cal.sprints()
    assert [s.index for s in sprints] == [5, 6, 7, 8, 9, 10]
    assert sprints[0].start == first + timedelta(days=56)
    assert sprints[0].start <= today <= sprints[0].end


def test_before_first_sprint_the_plan_starts_at_sprint_one() -> None:
    cal = calendar(today=date(2026, 11, 1), horizon=2)
    assert cal.sprint_containing(date(2026, 11, 1)) <= 0
    assert [s.index for s in cal.sprints()] == [1, 2]


def test_a_sprint_entirely_closed_has_capacity_zero() -> None:
    closure = [(date(2027, 1, 4), date(2027, 1, 17))]
    sprints = calendar(closures=closure, horizon=2).sprints()
    assert sprints[1].working_days == 0
    assert sprints[1].capacity == 0.0
    assert len(sprints[1].closed_days) == 10
    team = calendar(closures=closure, horizon=2, team=[TeamMember(name="A", points_per_day=3)]).sprints()
    assert team[1].capacity == 0.0


@pytest.mark.parametrize("subdivision", ["57", "Moselle"])
def test_alsace_moselle_adds_good_friday_and_saint_stephen(subdivision: str) -> None:
    good_friday_week = date(2026, 3, 30)
    national = calendar(first_sprint=good_friday_week, sprint_weeks=1).sprint(1)
    moselle = calendar(first_sprint=good_friday_week, sprint_weeks=1, subdivision=subdivision)
    assert national.working_days == 5
    assert moselle.sprint(1).working_days == 4
    assert moselle.holiday_name(date(2026, 4, 3)) is not None
    christmas_2025 = date(2025, 12, 22)
    assert calendar(first_sprint=christmas_2025, sprint_weeks=1).sprint(1).working_days == 4
    assert moselle.working_days(christmas_2025, christmas_2025 + timedelta(days=6)) == 3


def test_unknown_country_or_subdivision_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="country 'XX'"):
        calendar(country="XX")
    with pytest.raises(ConfigError, match="subdivision '99' does not exist for country FR"):
        calendar(subdivision="99")


def test_lower_case_country_is_accepted() -> None:
    assert calendar(country="fr", horizon=1).sprints()[0].working_days == 8


@settings(max_examples=60, deadline=None)
@given(
    offset=st.integers(min_value=-400, max_value=800),
    weeks=st.integers(min_value=1, max_value=4),
    horizon=st.integers(min_value=1, max_value=8),
)
def test_sprints_tile_the_weeks_from_the_current_one(offset: int, weeks: int, horizon: int) -> None:
    today = CHRISTMAS_2026 + timedelta(days=offset)
    cal = calendar(today=today, sprint_weeks=weeks, horizon=horizon)
    sprints = cal.sprints()
    assert len(sprints) == horizon
    if today >= CHRISTMAS_2026:
        assert sprints[0].start <= today <= sprints[0].end
    else:
        assert sprints[0].index == 1
    for before, after in pairwise(sprints):
        assert after.index == before.index + 1
        assert after.start == before.end + timedelta(days=1)
    for sprint in sprints:
        assert sprint.start.weekday() == 0 and sprint.end.weekday() == 6
        assert (sprint.end - sprint.start).days == 7 * weeks - 1
        assert sprint.working_days == cal.working_days(sprint.start, sprint.end)
        assert sprint.working_days + len(sprint.holidays) + len(sprint.closed_days) == 5 * weeks
        assert cal.sprint_containing(sprint.start) == cal.sprint_containing(sprint.end) == sprint.index
