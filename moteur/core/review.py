"""The follow-up report, computed: ``build_review`` turns a plan and a history into a ``Review``.

Pure: the evaluation (what ``plan`` shows, pins and keeps included), the history (``core/history``), the
policy the plan used and ``today`` are passed in. Nothing here plans again: every sprint, load and flag is the
evaluation's, so the report and ``plan`` never disagree. The terms (planned and done effort, late, at risk,
share, filling) are defined in ``core/review_model``.

The rules, as the report applies them:

- *Late* — an open action placed in a sprint whose last working day is after its due day, or already past
  due, or due with no sprint (no room, too big). The reason names the due day and the sprint's end.
- *At risk* — an open action "doing" for longer than one sprint (``first_seen`` of its current status; "at
  least" when that is the first recorded day), or held in a sprint by an owner whose load there exceeds their
  capacity: with ``[planning] team``, their available days × points per day; else the mean effort they
  finished per sprint over the velocity window. An action with several owners counts for each in full: each
  of them is on the hook for it.
- *Planned effort* of the alignment tables: the open actions the plan puts in a sprint of the horizon; *done
  effort*: the actions done since the first sprint of the velocity window.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from moteur.core.calendar import Sprint
from moteur.core.evaluate import Evaluation
from moteur.core.history import History
from moteur.core.model import Flag, Quadrant, Status
from moteur.core.names import name_key
from moteur.core.objectives import Objective
from moteur.core.policy import Language, PlanningPolicy, TeamMember
from moteur.core.review_alignment import alignment
from moteur.core.review_context import SHOWN_SPRINTS, ReviewContext, day_line, done_effort, figure, percent
from moteur.core.review_model import (
    ActionLine,
    Delivered,
    FlagGroup,
    LateAction,
    MatrixSection,
    QuadrantFigures,
    Reason,
    ReasonKind,
    Review,
    Section,
    SprintFigures,
    SprintLine,
    VelocitySection,
)
from moteur.core.scoring import Scored, priority_key
from moteur.core.sprints import PACKING_ORDER
from moteur.core.velocity import velocity_capacity

# The order flags are listed in: what needs a decision first.
FLAG_ORDER: tuple[Flag, ...] = (
    Flag.LATE,
    Flag.NO_ROOM,
    Flag.SPLIT_ME,
    Flag.STOP,
    Flag.SCORE_ME,
    Flag.NO_OBJECTIVE,
    Flag.PINNED,
)


# -- the sprint in one line ----------------------------------------------------------------------------------


def _sprint_line(ctx: ReviewContext, number: int) -> SprintLine:
    sprint = ctx.sprint(number)
    measured = next((v for v in ctx.velocity if v.number == number), None)
    open_effort = sum(float(s.action.effort or 0) for s in ctx.open if ctx.sprint_of.get(s.key) == number)
    done: float | None
    if ctx.history.empty:
        done = None
        planned = figure(open_effort)
    elif number < ctx.current and measured is not None:
        done, planned = figure(measured.done_effort), figure(measured.planned_effort)
    else:
        done = done_effort(ctx.history.done_between(sprint.start, min(sprint.end, ctx.today)))
        planned = figure(open_effort + done)
    return SprintLine(
        number=number,
        start=sprint.start,
        end=sprint.end,
        working_days=sprint.working_days,
        capacity=figure(sprint.capacity),
        planned_effort=planned,
        done_effort=done,
        planned_percent=percent(planned, sprint.capacity),
        done_percent=percent(done, sprint.capacity) if done is not None else None,
        current=number == ctx.current,
    )


# -- late and at risk ----------------------------------------------------------------------------------------


def _member(team: Sequence[TeamMember], person: str) -> TeamMember | None:
    wanted = name_key(person)
    for member in team:
        if wanted in (name_key(member.name), name_key(member.email or "")):
            return member
    return None


def _person(team: Sequence[TeamMember], person: str) -> str:
    """One key per person, whether an action names them by e-mail or by name."""
    member = _member(team, person)
    return name_key(member.name if member is not None else person)


def _person_capacity(ctx: ReviewContext, person: str, sprint: Sprint) -> float | None:
    member = _member(ctx.policy.team, person)
    if member is not None:
        return figure(ctx.calendar.available_days(member, sprint.start, sprint.end) * member.points_per_day)
    if ctx.policy.team:
        return None  # a team is declared and this person is not in it: no figure to hold them to
    finished = [v for v in ctx.velocity if v.number < ctx.current][-ctx.window :]
    if len(finished) < ctx.window:
        return None
    return figure(sum(v.by_person.get(person, 0.0) for v in finished) / len(finished)) or None


def _owner_loads(ctx: ReviewContext) -> dict[tuple[int, str], float]:
    loads: dict[tuple[int, str], float] = defaultdict(float)
    for s in ctx.open:
        index = ctx.sprint_of.get(s.key)
        if index is not None:
            for person in s.action.assignees:
                loads[(index, _person(ctx.policy.team, person))] += float(s.action.effort or 0)
    return loads


def _due_reasons(ctx: ReviewContext, s: Scored, index: int | None) -> list[Reason]:
    due = s.action.due_day
    if due is None:
        return []
    if due < ctx.today:
        return [Reason(kind=ReasonKind.OVERDUE, due=due, sprint=index, days=(ctx.today - due).days)]
    if index is None:
        flags = ctx.evaluation.plan.assignments[s.key].flags
        if Flag.NO_ROOM in flags or Flag.SPLIT_ME in flags:
            return [Reason(kind=ReasonKind.NO_SPRINT, due=due)]
        return []
    end = ctx.sprint(index).last_working_day
    if end > due:
        return [Reason(kind=ReasonKind.DUE_BEFORE_SPRINT_END, due=due, sprint=index, sprint_end=end)]
    return []


def _doing_reason(ctx: ReviewContext, s: Scored) -> list[Reason]:
    if s.action.status is not Status.DOING:
        return []
    since = ctx.history.status_since(s.key)
    if since is None:
        return []
    days = (ctx.today - since).days
    if days <= 7 * ctx.policy.sprint_weeks:
        return []
    at_least = ctx.history.since is not None and since <= ctx.history.since
    return [Reason(kind=ReasonKind.DOING_TOO_LONG, since=since, days=days, at_least=at_least)]


def _owner_reasons(
    ctx: ReviewContext, s: Scored, index: int | None, loads: dict[tuple[int, str], float]
) -> list[Reason]:
    if index is None:
        return []
    sprint = ctx.sprint(index)
    reasons = []
    for person in s.action.assignees:
        capacity = _person_capacity(ctx, person, sprint)
        load = loads.get((index, _person(ctx.policy.team, person)), 0.0)
        if capacity is not None and load > capacity:
            reasons.append(
                Reason(
                    kind=ReasonKind.OWNER_OVER_CAPACITY,
                    sprint=index,
                    owner=person,
                    owner_load=figure(load),
                    owner_capacity=capacity,
                )
            )
    return reasons


_LATE_KINDS = frozenset({ReasonKind.OVERDUE, ReasonKind.DUE_BEFORE_SPRINT_END, ReasonKind.NO_SPRINT})


def _late(ctx: ReviewContext) -> list[LateAction]:
    loads = _owner_loads(ctx)
    found: list[tuple[tuple[object, ...], LateAction]] = []
    for s in ctx.open:
        index = ctx.sprint_of.get(s.key)
        reasons = [
            *_due_reasons(ctx, s, index),
            *_doing_reason(ctx, s),
            *_owner_reasons(ctx, s, index, loads),
        ]
        if reasons:
            late = any(r.kind in _LATE_KINDS for r in reasons)
            due = s.action.due_day
            order = (not late, due is None, due or ctx.today, s.key)
            found.append((order, LateAction(action=ctx.line(s), late=late, reasons=reasons)))
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


# -- what was delivered, velocity ----------------------------------------------------------------------------


def _delivered(ctx: ReviewContext, number: int) -> Delivered | None:
    """What sprint ``number`` delivered; None when the history does not know all its done days (it began
    later, or there is none yet), or when there is no such sprint."""
    known = ctx.history.done_since
    if number < 1 or known is None:
        return None
    sprint = ctx.sprint(number)
    if sprint.start < known:
        return None
    rows = sorted(ctx.history.done_between(sprint.start, sprint.end), key=lambda r: (r.done_on, r.key))
    measured = next((v for v in ctx.velocity if v.number == number), None)
    return Delivered(
        number=number,
        start=sprint.start,
        end=sprint.end,
        planned_effort=figure(measured.planned_effort) if measured is not None else None,
        done_effort=done_effort(rows),
        actions=[day_line(row) for row in rows],
    )


def _plannable_effort(ctx: ReviewContext) -> float:
    return figure(sum(float(s.action.effort or 0) for s in ctx.open if s.quadrant in PACKING_ORDER))


def _velocity(ctx: ReviewContext) -> VelocitySection:
    finished = [v for v in ctx.velocity if v.number < ctx.current]
    window = finished[-ctx.window :]
    mean = figure(sum(v.done_effort for v in window) / len(window)) if window else None
    open_effort = _plannable_effort(ctx)
    to_finish = finish = finish_day = None
    if mean:
        to_finish = figure(open_effort / mean)
        finish = ctx.current + max(math.ceil(open_effort / mean), 1) - 1
        finish_day = ctx.calendar.sprint(finish).last_working_day
    choice = (
        None
        if ctx.history.empty
        else velocity_capacity(ctx.history, ctx.calendar, ctx.today, last=ctx.window)
    )
    return VelocitySection(
        sprints=[
            SprintFigures(
                number=v.number,
                start=v.start,
                end=v.end,
                working_days=v.working_days,
                planned_effort=figure(v.planned_effort),
                done_effort=figure(v.done_effort),
                by_person={k: figure(x) for k, x in sorted(v.by_person.items())},
            )
            for v in finished[-SHOWN_SPRINTS:]
        ],
        window=ctx.window,
        mean=mean,
        open_effort=open_effort,
        sprints_to_finish=to_finish,
        finish_sprint=finish,
        finish_date=finish_day,
        capacity_per_sprint=figure(choice.per_sprint) if choice is not None else None,
        capacity_source=choice.source if choice is not None else None,
        capacity_reason=str(choice.reason) if choice is not None else None,
        capacity_in_use=ctx.policy.capacity == "velocity",
    )


# -- matrix, alignment, flags --------------------------------------------------------------------------------


def _matrix(ctx: ReviewContext, number: int) -> MatrixSection:
    quadrants = [
        QuadrantFigures(
            quadrant=quadrant,
            actions=len(members := [s for s in ctx.open if s.quadrant is quadrant]),
            effort=figure(sum(float(s.action.effort or 0) for s in members)),
        )
        for quadrant in (*PACKING_ORDER, Quadrant.TIME_SINK, Quadrant.UNSCORED)
    ]
    by_priority = sorted(ctx.open, key=priority_key)
    return MatrixSection(
        quadrants=quadrants,
        stop=[ctx.line(s) for s in by_priority if s.quadrant is Quadrant.TIME_SINK],
        next_sprint=number + 1,
        quick_wins=[
            ctx.line(s)
            for s in by_priority
            if s.quadrant is Quadrant.QUICK_WIN and ctx.sprint_of.get(s.key) == number + 1
        ],
    )


def _flags(ctx: ReviewContext) -> list[FlagGroup]:
    groups: dict[Flag, list[ActionLine]] = defaultdict(list)
    for s in sorted(ctx.open, key=priority_key):
        for flag in ctx.evaluation.plan.assignments[s.key].flags:
            groups[flag].append(ctx.line(s))
    return [FlagGroup(flag=flag, actions=groups[flag]) for flag in FLAG_ORDER if groups.get(flag)]


# -- the whole report ----------------------------------------------------------------------------------------


def build_review(
    evaluation: Evaluation,
    history: History,
    policy: PlanningPolicy,
    today: date,
    *,
    objectives: Sequence[Objective] = (),
    window: int = 3,
    sprint: int | None = None,
    team: str = "",
    boards: Sequence[str] = (),
    language: Language = Language.EN,
) -> Review:
    """The report of one team: ``evaluation`` is what ``plan`` computed with ``policy`` (the anchored one
    it packed with); ``window`` the finished sprints velocity is measured on; ``sprint`` the sprint
    reviewed (default: the current one)."""
    ctx = ReviewContext(evaluation, history, policy, today, language, window)
    number = ctx.current if sprint is None else sprint
    delivered = _delivered(ctx, number - 1)
    filling = [Section.SPRINT, Section.LATE, Section.ALIGNMENT] if history.empty else []
    if delivered is None:
        filling.append(Section.DELIVERED)
    if len([v for v in ctx.velocity if v.number < ctx.current]) < window:
        filling.append(Section.VELOCITY)
    return Review(
        team=team,
        boards=list(boards),
        today=today,
        history_since=history.since,
        history_days=len(history.recorded_days()),
        filling=sorted(set(filling), key=list(Section).index),
        sprint=_sprint_line(ctx, number),
        late=_late(ctx),
        delivered=delivered,
        velocity=_velocity(ctx),
        matrix=_matrix(ctx, number),
        alignment=alignment(ctx, objectives),
        flags=_flags(ctx),
    )
