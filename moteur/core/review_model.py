"""The follow-up report as data: what ``moteur review`` shows, section by section, in meeting order.

Terms (``core/review`` computes them, ``views/review_html`` draws them, ``--json`` prints them):

- *Reviewed sprint*: the sprint the meeting looks at (``--sprint N``, default the current one).
- *Planned effort* of a sprint: the effort of the open actions the plan puts in it, plus the effort of the
  actions done during it (what the team committed to, whatever state it is in now). Of a past sprint: what
  the history held in it on its last day.
- *Done effort* of a sprint: the effort of the actions that went to done between its first and last day.
- *Late*: an open action due before the last working day of the sprint that holds it, or already past due,
  or due with no sprint that has room. *At risk*: still "doing" for longer than a sprint, or its owner holds
  more effort in that sprint than they can do.
- *Share*: a row's effort over the total (0–1); the planned efforts of the rows of one table add up to the
  planned total, "no objective" and the objectives ``[[objectives]]`` does not name included.
- *Filling*: a section that needs history (done efforts, velocity, how long an action has been doing) and
  has none yet: it starts filling after the next runs of ``sync`` or ``plan``.

Every model is frozen and JSON-serialisable (``model_dump(mode="json")``); numbers are rounded here, once,
so the page and the JSON show the same figures.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from moteur.core.model import Flag, Quadrant, Status

REVIEW_FORMAT = "1"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Section(StrEnum):
    """The sections, in meeting order; their ids are stable (HTML anchors, JSON, tests)."""

    SPRINT = "sprint"
    LATE = "late"
    DELIVERED = "delivered"
    VELOCITY = "velocity"
    MATRIX = "matrix"
    ALIGNMENT = "alignment"
    FLAGS = "flags"


class ActionLine(_Frozen):
    """One action as the report names it."""

    key: str
    title: str
    url: str | None = None
    status: Status
    quadrant: Quadrant
    ice: float | None = None
    effort: float | None = None
    sprint: int | None = None
    due: date | None = None
    assignees: list[str] = []
    objective: str | None = None
    channel: str | None = None


class SprintLine(_Frozen):
    """The reviewed sprint in one line."""

    number: int
    start: date
    end: date
    working_days: int
    capacity: float
    planned_effort: float
    done_effort: float | None  # None: no history yet
    planned_percent: float | None  # planned / capacity × 100; None when the capacity is 0
    done_percent: float | None
    current: bool  # the sprint holding today


class ReasonKind(StrEnum):
    OVERDUE = "overdue"  # due day already past, not done
    DUE_BEFORE_SPRINT_END = "due_before_sprint_end"  # its sprint ends (last working day) after the due day
    NO_SPRINT = "no_sprint"  # due, but no sprint of the horizon has room (or it is bigger than any)
    DOING_TOO_LONG = "doing_too_long"  # "doing" for longer than a sprint
    OWNER_OVER_CAPACITY = (
        "owner_over_capacity"  # an assignee holds more effort in that sprint than they can do
    )


class Reason(_Frozen):
    """Why an action is late or at risk, with the figures that make it true."""

    kind: ReasonKind
    due: date | None = None
    sprint: int | None = None
    sprint_end: date | None = None  # the last working day of the sprint holding the action
    days: int | None = None  # days past due, or days in "doing"
    since: date | None = None  # first day seen in "doing"
    at_least: bool = False  # "doing" since the history began: maybe longer
    owner: str | None = None
    owner_load: float | None = None
    owner_capacity: float | None = None


class LateAction(_Frozen):
    action: ActionLine
    late: bool  # False: at risk only
    reasons: list[Reason]


class Delivered(_Frozen):
    """What one past sprint delivered."""

    number: int
    start: date
    end: date
    planned_effort: float | None
    done_effort: float
    actions: list[ActionLine]


class SprintFigures(_Frozen):
    """One past sprint's velocity figures."""

    number: int
    start: date
    end: date
    working_days: int
    planned_effort: float
    done_effort: float
    by_person: dict[str, float]


class VelocitySection(_Frozen):
    """Velocity over the last sprints and the forecast it gives.

    ``mean`` is the mean done effort of the last ``window`` finished sprints; ``open_effort`` the effort of
    the open actions the plan would pack (time sinks and unscored actions left out); at ``mean`` per sprint
    it is done in ``sprints_to_finish`` sprints, by the last working day of ``finish_sprint``."""

    sprints: list[SprintFigures]
    window: int
    mean: float | None
    open_effort: float
    sprints_to_finish: float | None
    finish_sprint: int | None
    finish_date: date | None
    capacity_per_sprint: float | None  # what ``capacity = "velocity"`` would use (None: not enough sprints)
    capacity_source: str | None
    capacity_reason: str | None
    capacity_in_use: bool  # the plan sizes its sprints so (``capacity = "velocity"``)


class QuadrantFigures(_Frozen):
    quadrant: Quadrant
    actions: int
    effort: float


class MatrixSection(_Frozen):
    """The open actions per quadrant and the decisions they imply."""

    quadrants: list[QuadrantFigures]
    stop: list[ActionLine]  # open time sinks: stop them
    next_sprint: int
    quick_wins: list[ActionLine]  # open quick wins the plan puts in the next sprint


class ShareRow(_Frozen):
    """One objective's (or channel's) effort against its target share.

    ``name`` None is "no objective" / "no channel"; ``configured`` False for an objective actions name that
    ``[[objectives]]`` does not."""

    name: str | None
    configured: bool
    target_share: float | None
    planned_effort: float
    planned_share: float | None
    done_effort: float | None
    done_share: float | None
    kpi: str | None = None
    kpi_target: float | None = None


class Indicator(_Frozen):
    """A leading indicator a team records on an action: its KPI, target and actual value."""

    action: ActionLine
    kpi: str
    target: float | None
    actual: float | None
    percent: float | None  # actual / target × 100


class AlignmentSection(_Frozen):
    planned_total: float
    done_total: float | None
    done_since: date | None
    by_objective: list[ShareRow]
    by_channel: list[ShareRow]
    no_objective: list[ActionLine]
    unknown_objectives: list[str]
    indicators: list[Indicator]


class FlagGroup(_Frozen):
    flag: Flag
    actions: list[ActionLine]


class Review(_Frozen):
    """The whole report for one team (one board, or the boards of one ``[[teams]]`` group)."""

    team: str
    boards: list[str]
    today: date
    history_since: date | None  # the first day the history holds
    history_days: int  # days with a record
    filling: list[Section]  # sections waiting for history (see the module docstring)
    sprint: SprintLine
    late: list[LateAction]
    delivered: Delivered | None
    velocity: VelocitySection
    matrix: MatrixSection
    alignment: AlignmentSection
    flags: list[FlagGroup]
