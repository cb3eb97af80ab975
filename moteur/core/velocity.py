"""Velocity: the effort a team finished per past sprint, and the capacity it gives the coming sprints.

Terms:

- *Finished sprint*: one whose last day is before ``today``. It is *measured* when the history knows every
  done day of it: it starts on or after the history's ``done_since`` (a sprint half-recorded would read low).
- *Done effort* of a sprint: the effort points of the actions that went to done in it (``done_on`` inside
  it), as last recorded. An action done without an effort counts 0 and is counted in ``unestimated``.
- *Planned effort*: the effort of the actions the plan had put in the sprint as it began — the last recorded
  day on or before its first day, else its first recorded day.
- *By person*: an action's effort split evenly among its assignees (so the people's shares add up to the
  sprint's done effort, less ``unassigned``).
- *Velocity capacity*: with ``capacity = "velocity"``, the coming sprints get the configured capacity times
  the ratio done / configured over the last N measured sprints. The configured capacity already follows
  each sprint's working days (holidays, closures) and, with a team, its vacations; so the velocity is
  scaled the same way. With fewer than N measured sprints, or none with any effort done, the setting stays.

Pure: the history and the calendar are passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from moteur.core.calendar import Sprint, SprintCalendar
from moteur.core.history import ActionDay, History
from moteur.core.phrase import Phrase
from moteur.core.policy import PlanningPolicy
from moteur.core.scoring import format_ice

CapacitySource = Literal["setting", "velocity"]


@dataclass(frozen=True)
class SprintVelocity:
    """One finished, measured sprint: its days, what was done and planned in it, and who did it."""

    number: int
    start: date
    end: date
    working_days: int
    done_effort: float
    planned_effort: float
    by_person: dict[str, float]
    capacity: float = 0.0  # what the settings gave it (working days, vacations), for "% of capacity"
    done_count: int = 0
    unestimated: int = 0
    unassigned: float = 0.0
    done_keys: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class CapacityChoice:
    """The capacity of a full sprint (five working days a week) the plan uses, where it came from and why."""

    per_sprint: float
    source: CapacitySource
    reason: str
    sprints_used: int


def _planned(history: History, sprint: Sprint) -> float:
    days = history.recorded_days()
    before = [d for d in days if d <= sprint.start]
    within = [d for d in days if sprint.start <= d <= sprint.end]
    day = before[-1] if before else within[0] if within else None
    if day is None:
        return 0.0
    return float(
        sum(
            row.effort or 0
            for row in history.on(day)
            if (row.sprint_start == sprint.start) or (row.sprint_start is None and row.sprint == sprint.index)
        )
    )


def _split(rows: Sequence[ActionDay]) -> tuple[dict[str, float], float]:
    people: dict[str, float] = {}
    unassigned = 0.0
    for row in rows:
        effort = float(row.effort or 0)
        if not row.assignees:
            unassigned += effort
            continue
        share = effort / len(row.assignees)
        for person in row.assignees:
            people[person] = round(people.get(person, 0.0) + share, 2)
    return dict(sorted(people.items())), unassigned


def measured_sprints(history: History, calendar: SprintCalendar, today: date, last: int) -> list[Sprint]:
    """The last ``last`` finished sprints the history fully covers, oldest first."""
    bound = history.done_since
    if bound is None or last <= 0:
        return []
    found: list[Sprint] = []
    index = calendar.sprint_containing(today) - 1
    while len(found) < last:
        sprint = calendar.sprint(index)
        if sprint.start < bound:
            break
        found.append(sprint)
        index -= 1
    return found[::-1]


def velocities(history: History, calendar: SprintCalendar, today: date, last: int) -> list[SprintVelocity]:
    """Done and planned effort of the last ``last`` finished, measured sprints, oldest first."""
    result = []
    for sprint in measured_sprints(history, calendar, today, last):
        done = sorted(history.done_between(sprint.start, sprint.end), key=lambda r: r.key)
        people, unassigned = _split(done)
        result.append(
            SprintVelocity(
                number=sprint.index,
                start=sprint.start,
                end=sprint.end,
                working_days=sprint.working_days,
                done_effort=float(sum(row.effort or 0 for row in done)),
                planned_effort=_planned(history, sprint),
                by_person=people,
                capacity=sprint.capacity,
                done_count=len(done),
                unestimated=sum(1 for row in done if row.effort is None),
                unassigned=unassigned,
                done_keys=tuple(row.key for row in done),
            )
        )
    return result


def _nominal(policy: PlanningPolicy) -> float:
    """The configured capacity of a full sprint (no holiday, no vacation)."""
    if policy.team:
        return sum(m.points_per_day for m in policy.team) * 5 * policy.sprint_weeks
    return policy.capacity_per_sprint


def setting_choice(policy: PlanningPolicy, why: str = "") -> CapacityChoice:
    """The capacity the settings give, with the reason in words."""
    # Phrases: English in the JSON, said in the reader's language in the plan's header.
    if policy.team:
        full = format_ice(round(_nominal(policy), 1))
        said = Phrase("the team's points per day × available days ({full} a full sprint)", full=full)
    else:
        said = Phrase("capacity_per_sprint = {capacity}", capacity=format_ice(policy.capacity_per_sprint))
    reason = Phrase("{said}{why}", said=said, why=why) if why else said
    return CapacityChoice(round(_nominal(policy), 1), "setting", reason, 0)


def velocity_capacity(
    history: History, calendar: SprintCalendar, today: date, *, last: int = 3
) -> CapacityChoice:
    """The capacity measured over the last ``last`` finished sprints, or the setting and why not."""
    policy = calendar.policy
    measured = velocities(history, calendar, today, last)
    if len(measured) < last:
        since = Phrase(" since {day}", day=history.done_since.isoformat()) if history.done_since else ""
        found = (
            Phrase("{n} finished sprint recorded{since}", n=len(measured), since=since)
            if len(measured) == 1
            else Phrase("{n} finished sprints recorded{since}", n=len(measured), since=since)
        )
        return setting_choice(
            policy, Phrase(" (velocity needs {last} finished sprints, {found})", last=last, found=found)
        )
    done = sum(v.done_effort for v in measured)
    if done <= 0:
        return setting_choice(policy, Phrase(" (no effort was done in the last {last} sprints)", last=last))
    configured = sum(v.capacity for v in measured)
    nominal = _nominal(policy)
    if configured > 0 and nominal > 0:
        per_sprint = done / configured * nominal
    else:
        working = sum(v.working_days for v in measured)
        if working == 0:
            return setting_choice(policy, Phrase(" (the last {last} sprints had no working day)", last=last))
        per_sprint = done / working * 5 * policy.sprint_weeks
    per_sprint = round(per_sprint, 1)
    mean = format_ice(round(done / len(measured), 1))
    first, final = measured[0].number, measured[-1].number
    reason = Phrase(
        "velocity: {mean} points done per sprint over Sprints {first}–{final}, {full} for a full sprint, "
        "scaled by each sprint's working days",
        mean=mean,
        first=first,
        final=final,
        full=format_ice(per_sprint),
    )
    return CapacityChoice(per_sprint, "velocity", reason, len(measured))


def sized_policy(policy: PlanningPolicy, choice: CapacityChoice) -> PlanningPolicy:
    """``policy`` with its capacity replaced by ``choice`` (unchanged when the choice is the setting).

    With a team, each person's points per day is scaled by the same ratio, so vacations still count.
    """
    if choice.source == "setting":
        return policy
    nominal = _nominal(policy)
    update: dict[str, object] = {"capacity_per_sprint": choice.per_sprint}
    if policy.team and nominal > 0:
        ratio = choice.per_sprint / nominal
        update["team"] = [
            m.model_copy(update={"points_per_day": round(m.points_per_day * ratio, 4)}) for m in policy.team
        ]
    return policy.model_copy(update=update)
