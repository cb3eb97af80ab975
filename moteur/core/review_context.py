"""What every section of the review reads (``ReviewContext``), and how figures are rounded once.

``figure`` rounds an effort to one decimal, ``percent`` gives 0–100 with one decimal and ``share`` 0–1 with
three: the page and the JSON show these same numbers (``core/review_model``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from moteur.core.calendar import Sprint, SprintCalendar
from moteur.core.evaluate import Evaluation
from moteur.core.history import ActionDay, History
from moteur.core.policy import Language, PlanningPolicy
from moteur.core.review_model import ActionLine
from moteur.core.scoring import Scored
from moteur.core.velocity import SprintVelocity, velocities

SHOWN_SPRINTS = 6  # finished sprints the velocity chart shows (the mean uses the policy's window)


def figure(value: float) -> float:
    """A figure as the report shows it: one decimal at most."""
    return round(value, 1)


def percent(part: float, whole: float) -> float | None:
    return figure(100 * part / whole) if whole > 0 else None


def share(part: float, whole: float) -> float | None:
    return round(part / whole, 3) if whole > 0 else None


def action_line(s: Scored, sprint: int | None) -> ActionLine:
    a = s.action
    return ActionLine(
        key=a.key,
        title=a.title,
        url=a.ref.url,
        status=a.status,
        quadrant=s.quadrant,
        ice=s.ice,
        effort=float(a.effort) if a.effort is not None else None,
        sprint=sprint,
        due=a.due_day,
        assignees=list(a.assignees),
        objective=(a.objective or "").strip() or None,
        channel=(a.channel or "").strip() or None,
    )


def day_line(row: ActionDay) -> ActionLine:
    return ActionLine(
        key=row.key,
        title=row.title,
        status=row.status,
        quadrant=row.quadrant,
        effort=float(row.effort) if row.effort is not None else None,
        sprint=row.sprint,
        due=row.due,
        assignees=list(row.assignees),
        objective=row.objective,
        channel=row.channel,
    )


def done_effort(rows: Iterable[ActionDay]) -> float:
    return figure(sum(row.effort or 0 for row in rows))


class ReviewContext:
    """What every section reads: the evaluation, its sprints, the calendar, the history and the window."""

    def __init__(
        self,
        evaluation: Evaluation,
        history: History,
        policy: PlanningPolicy,
        today: date,
        language: Language,
        window: int,
    ) -> None:
        self.evaluation = evaluation
        self.history = history
        self.policy = policy
        self.today = today
        self.calendar = SprintCalendar(policy, today, language)
        self.current = self.calendar.current_index()
        self.window = window
        self.open = [s for s in evaluation.scored if not s.action.status.is_closed]
        self.sprint_of = {s.key: evaluation.plan.sprint_of(s.key) for s in evaluation.scored}
        self.velocity: list[SprintVelocity] = (
            [] if history.empty else velocities(history, self.calendar, today, max(SHOWN_SPRINTS, window))
        )

    def sprint(self, index: int) -> Sprint:
        """The plan's sprint (its capacity is the one the plan packed with), else the calendar's."""
        return self.evaluation.plan.sprint(index) or self.calendar.sprint(index)

    def line(self, s: Scored) -> ActionLine:
        return action_line(s, self.sprint_of.get(s.key))
