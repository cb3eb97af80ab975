"""One team's plan as ``plan`` shows it and ``sync`` writes it: scores, sprints, and what the last run keeps.

``plan`` and ``sync --dry-run`` must show the same sprint for every action, so both come here: the
evaluation (``evaluate``) with the state's *memory* applied — pins (a sprint a person set since moteur's last
write, ``plan.detect_pins``), *keeps* (an open action moteur put in the current sprint stays there) and
*cleared pins* (a sprint a person removed: the action is shown, never planned). Without memory (no state
database, or a lost one) there are neither pins nor keeps, and the plan is ``evaluate``'s.

``sprint_value`` is the sprint label moteur writes for an assignment: its own form with the sprint's first day
(``labels.sprint_label``), or the pinned label as the person left it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from moteur.core.calendar import SprintCalendar
from moteur.core.diff import Memory, Pin, current_sprint, detect_pins
from moteur.core.evaluate import Evaluation, evaluate
from moteur.core.labels import sprint_index, sprint_label
from moteur.core.model import Action, Flag
from moteur.core.phrase import Phrase
from moteur.core.policy import Language, PlanningPolicy
from moteur.core.sprints import Assignment, SprintPlan


def keep_current(actions: Sequence[Action], memory: Mapping[str, Memory], current: int) -> dict[str, int]:
    """Stability: an open action moteur put in the current sprint stays there."""
    keep: dict[str, int] = {}
    for a in actions:
        mem = memory.get(a.key)
        if a.status.is_closed or mem is None:
            continue
        if (
            sprint_index(current_sprint(a, mem)) == current
            and sprint_index(mem.written.get("sprint")) == current
        ):
            keep[a.key] = current
    return keep


_REMOVED_BY_HAND = Phrase("sprint removed by hand; kept out")


def with_cleared_pins(
    evaluation: Evaluation,
    actions: Sequence[Action],
    cleared: set[str],
    policy: PlanningPolicy,
    today: date,
    language: Language,
) -> Evaluation:
    """Add back the actions whose sprint a person removed: scored, shown, never planned."""
    extra = evaluate([a for a in actions if a.key in cleared], policy, today, language=language)
    assignments = dict(evaluation.plan.assignments)
    for s in extra.scored:
        flags = tuple(dict.fromkeys((*s.flags, Flag.PINNED)))
        assignments[s.action.key] = Assignment(s.action.key, None, flags, _REMOVED_BY_HAND)
    plan = SprintPlan(evaluation.plan.sprints, assignments, dict(evaluation.plan.load))
    return Evaluation(today=evaluation.today, scored=[*evaluation.scored, *extra.scored], plan=plan)


def plan_with_memory(
    actions: Sequence[Action],
    memory: Mapping[str, Memory],
    policy: PlanningPolicy,
    today: date,
    *,
    language: Language = Language.EN,
    replan: bool = False,
) -> tuple[Evaluation, dict[str, Pin]]:
    """The evaluation of one team's actions with pins and keeps from ``memory``, and the pins found."""
    pins = detect_pins(actions, memory, replan=replan)
    sprint_pins = {k: i for k, p in pins.items() if (i := sprint_index(p.sprint)) is not None}
    unplanned = {k for k, p in pins.items() if sprint_index(p.sprint) is None}
    current = SprintCalendar(policy, today, language).sprint_containing(today)
    keep = keep_current(actions, memory, current)
    plannable = [a for a in actions if a.key not in unplanned]
    evaluation = evaluate(plannable, policy, today, language=language, pins=sprint_pins, keep=keep)
    if unplanned:
        evaluation = with_cleared_pins(evaluation, actions, unplanned, policy, today, language)
    return evaluation, pins


def sprint_value(evaluation: Evaluation, index: int | None, pin: Pin | None = None) -> str | None:
    """The sprint label moteur wants on an action assigned to sprint ``index`` (None: no sprint)."""
    if pin is not None:
        return pin.sprint
    if index is None:
        return None
    sprint = evaluation.plan.sprint(index)
    if sprint is None:  # only a pin lies outside the horizon, and a pin keeps its own label
        return None
    return sprint_label(index, sprint.start)
