"""The sprint calendar: working days, public holidays, closures, vacations and each sprint's capacity.

Terms:

- *Working day*: Monday to Friday, not a public holiday of ``policy.country`` / ``policy.subdivision``
  (from the ``holidays`` package) and not inside a company *closure* (``policy.closures``, inclusive ranges).
- *Available day* of a person: a working day outside their vacations.
- *Sprint k*: ``sprint_weeks`` weeks from ``first_sprint + (k − 1) · sprint_weeks · 7`` days, Monday to
  Sunday inclusive. Numbers are fixed by ``first_sprint``, so "Sprint 7" names the same weeks on every run;
  days before ``first_sprint`` fall in sprints numbered 0 or less.
- *Current sprint*: the one containing ``today`` (sprint 1 when today is before ``first_sprint``).
- *Capacity*, in effort points: with a team, the sum over people of available days × ``points_per_day``
  (rounded to 2 decimals); without, ``capacity_per_sprint`` scaled by working days / nominal working days
  (5 per week), rounded to 1 decimal. A sprint with no working day has capacity 0.

Pure: ``today`` is passed in; holidays are computed, never fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import holidays

from moteur.core.errors import ConfigError
from moteur.core.policy import DateRange, Language, PlanningPolicy, TeamMember

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Sprint:
    """One sprint of the calendar.

    ``holidays`` lists the public holidays on its weekdays (with names); ``closed_days`` the other weekdays
    a closure removes (a holiday inside a closure is listed as a holiday, not as closed).
    """

    index: int
    start: date
    end: date
    working_days: int
    capacity: float
    holidays: tuple[tuple[date, str], ...]
    closed_days: tuple[date, ...]

    @property
    def name(self) -> str:
        return f"Sprint {self.index}"

    @property
    def last_working_day(self) -> date:
        """The sprint's last working day: the day its work is done by (its ``end`` is a Sunday, or a holiday).

        An action due on that day is on time in this sprint."""
        off = {day for day, _ in self.holidays} | set(self.closed_days)
        day = self.end
        while day > self.start and (day.weekday() >= 5 or day in off):
            day -= timedelta(days=1)
        return day


def week_start(day: date) -> date:
    """The Monday of ``day``'s week: where sprint 1 starts when ``first_sprint`` is not set."""
    return day - timedelta(days=day.weekday())


def _in_ranges(day: date, ranges: list[DateRange]) -> bool:
    return any(start <= day <= end for start, end in ranges)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def _holiday_language(supported: tuple[str, ...], language: Language) -> str | None:
    """The ``holidays`` language closest to ours, or None for the country's own default."""
    if language is Language.FR:
        return "fr" if "fr" in supported else None
    if "en_US" in supported:
        return "en_US"
    return next((code for code in supported if code.startswith("en")), None)


class SprintCalendar:
    """Working days and sprints for one policy, seen from ``today``.

    Holidays are computed once per year and cached; building a calendar costs one ``holidays`` lookup.
    """

    def __init__(self, policy: PlanningPolicy, today: date, language: Language = Language.EN) -> None:
        self.policy = policy
        self.today = today
        self.language = Language(language)
        self._country = policy.country.strip().upper()
        self._subdivision = policy.subdivision
        probe = self._country_holidays(years=(), language=None)
        supported = tuple(getattr(probe, "supported_languages", ()))
        self._holiday_language = _holiday_language(supported, self.language)
        self._by_year: dict[int, dict[date, str]] = {}
        # Sprint 1 defaults to the Monday of today's week, so "today" is always in sprint 1 then. Commands
        # pass a policy whose first_sprint is set: the one of the settings or the anchor the state keeps.
        self.first_sprint = policy.first_sprint or week_start(today)
        self._sprint_days = 7 * policy.sprint_weeks

    def _country_holidays(self, years: tuple[int, ...], language: str | None) -> holidays.HolidayBase:
        try:
            return holidays.country_holidays(
                self._country, subdiv=self._subdivision, years=years, language=language
            )
        except NotImplementedError as exc:
            if self._subdivision is None:
                raise ConfigError(
                    f"country {self.policy.country!r} is not known to the holidays package",
                    hint="set planning.country to an ISO 3166 code such as FR, BE, DE",
                ) from exc
            raise ConfigError(
                f"subdivision {self._subdivision!r} does not exist for country {self._country}",
                hint="set planning.subdivision to one the holidays package knows (e.g. 57 for Moselle) "
                "or remove it",
            ) from exc

    def holidays_of_year(self, year: int) -> dict[date, str]:
        """Public holidays of one year (any weekday), with their names in the calendar's language."""
        found = self._by_year.get(year)
        if found is None:
            source = self._country_holidays(years=(year,), language=self._holiday_language)
            found = {day: str(name) for day, name in source.items() if day.year == year}
            self._by_year[year] = found
        return found

    def holiday_name(self, day: date) -> str | None:
        return self.holidays_of_year(day.year).get(day)

    def is_closed(self, day: date) -> bool:
        return _in_ranges(day, self.policy.closures)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None and not self.is_closed(day)

    def working_days(self, start: date, end: date) -> int:
        """Working days from ``start`` to ``end``, both included (0 when end < start)."""
        return sum(1 for day in _days(start, end) if self.is_working_day(day))

    def available_days(self, member: TeamMember, start: date, end: date) -> int:
        """``member``'s working days from ``start`` to ``end`` inclusive, minus their vacations."""
        return sum(
            1
            for day in _days(start, end)
            if self.is_working_day(day) and not _in_ranges(day, member.vacations)
        )

    def sprint_containing(self, day: date) -> int:
        """The index of the sprint ``day`` falls in; 0 or less before ``first_sprint``."""
        return (day - self.first_sprint).days // self._sprint_days + 1

    def sprint_start(self, index: int) -> date:
        return self.first_sprint + timedelta(days=(index - 1) * self._sprint_days)

    def current_index(self) -> int:
        return max(1, self.sprint_containing(self.today))

    def capacity(self, start: date, end: date) -> float:
        """Effort points the team can spend from ``start`` to ``end`` inclusive (see the module docstring)."""
        if self.policy.team:
            total = sum(
                self.available_days(member, start, end) * member.points_per_day for member in self.policy.team
            )
            return round(total, 2)
        nominal = 5 * self.policy.sprint_weeks
        return round(self.policy.capacity_per_sprint * self.working_days(start, end) / nominal, 1)

    def sprint(self, index: int) -> Sprint:
        start = self.sprint_start(index)
        end = start + timedelta(days=self._sprint_days - 1)
        named: list[tuple[date, str]] = []
        closed: list[date] = []
        working = 0
        for day in _days(start, end):
            if day.weekday() >= 5:
                continue
            name = self.holiday_name(day)
            if name is not None:
                named.append((day, name))
            elif self.is_closed(day):
                closed.append(day)
            else:
                working += 1
        return Sprint(
            index=index,
            start=start,
            end=end,
            working_days=working,
            capacity=self.capacity(start, end) if working else 0.0,
            holidays=tuple(named),
            closed_days=tuple(closed),
        )

    def sprints(self) -> list[Sprint]:
        """``policy.horizon`` sprints from the current one."""
        first = self.current_index()
        return [self.sprint(index) for index in range(first, first + self.policy.horizon)]
