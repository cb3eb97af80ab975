"""From actions to verdicts: score every action, then pack the plannable ones into sprints.

An *evaluation* is the pure result of one planning pass over one team's actions (one or several boards):
the scored actions, the sprint calendar and the sprint of each action. ``plan``, ``sync`` and ``demo`` all
start from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from moteur.core.calendar import SprintCalendar
from moteur.core.model import Action
from moteur.core.policy import Language, PlanningPolicy
from moteur.core.scoring import Scored, score_all
from moteur.core.sprints import SprintPlan, plan_sprints


@dataclass(frozen=True)
class Evaluation:
    today: date
    scored: list[Scored]
    plan: SprintPlan

    def by_key(self) -> dict[str, Scored]:
        return {s.action.key: s for s in self.scored}


def evaluate(
    actions: Sequence[Action],
    policy: PlanningPolicy,
    today: date,
    *,
    language: Language = Language.EN,
    pins: Mapping[str, int] | None = None,
    keep: Mapping[str, int] | None = None,
) -> Evaluation:
    calendar = SprintCalendar(policy, today, language)
    scored = score_all(actions, policy)
    sprint_plan = plan_sprints(scored, calendar.sprints(), pins=pins or {}, keep=keep or {})
    return Evaluation(today=today, scored=scored, plan=sprint_plan)
