"""What ``sync`` and ``plan`` do with the history: record the day's action days, and size the sprints.

*Recording* is a read of moteur's own state, not a write to a board: ``sync``, ``sync --dry-run`` and
``plan`` all record (``plan`` only when a state database exists, so a first ``plan`` still creates nothing).
A board's first recording back-fills the done days its tool reports at no extra request (Asana's
``completed_at``); see ``docs/history.md``.

*Sizing*: with ``capacity = "velocity"`` each planning group (``[[teams]]`` or one board) gets the capacity
its own history measured (``core/velocity``), else the settings' — with the reason either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moteur.core.calendar import SprintCalendar
from moteur.core.errors import MoteurError
from moteur.core.evaluate import Evaluation
from moteur.core.history import DEFAULT_INDICATORS, observe
from moteur.core.model import BoardRef, Quadrant, Snapshot, Status, Tool
from moteur.core.policy import Language, PlanningPolicy
from moteur.core.ports import Connector
from moteur.core.scoring import format_ice
from moteur.core.velocity import CapacityChoice, setting_choice, sized_policy, velocity_capacity
from moteur.engine.state import StateStore
from moteur.i18n import _, tr
from moteur.mappings.loader import load_mapping
from moteur.views.words import plural

if TYPE_CHECKING:
    from moteur.settings import Settings


@dataclass(frozen=True)
class Sized:
    """One planning group's policy with its capacity chosen, and the choice."""

    policy: PlanningPolicy
    choice: CapacityChoice


def sized_groups(
    store: StateStore | None,
    groups: Sequence[tuple[str, Sequence[BoardRef]]],
    policy: PlanningPolicy,
    today: date,
    language: Language = Language.EN,
) -> dict[str, Sized]:
    """Each group's policy: the settings', or with ``capacity = "velocity"`` sized from its history."""
    if policy.capacity != "velocity":
        return {name: Sized(policy, setting_choice(policy)) for name, _ in groups}
    calendar = SprintCalendar(policy, today, language)
    wanted = policy.velocity_sprints
    current = calendar.sprint_containing(today)
    past = [calendar.sprint(index) for index in range(current - wanted, current)]
    sized: dict[str, Sized] = {}
    for name, refs in groups:
        if store is None:
            choice = setting_choice(policy, f" (velocity needs {wanted} finished sprints, no history yet)")
        else:
            history = store.velocity_history([str(r) for r in refs], [(s.start, s.end) for s in past])
            choice = velocity_capacity(history, calendar, today, last=wanted)
        sized[name] = Sized(sized_policy(policy, choice), choice)
    return sized


def capacity_json(choice: CapacityChoice) -> dict[str, Any]:
    """The ``capacity`` member of ``plan --json`` and the dry-run's JSON."""
    return {
        "per_sprint": choice.per_sprint,
        "source": choice.source,
        "reason": choice.reason,
        "sprints_used": choice.sprints_used,
    }


def capacity_line(choice: CapacityChoice) -> str:
    """``Capacity: 18.5 points a full sprint (velocity: …)``, the line of the plan's header."""
    return _("Capacity: {points} points a full sprint — {reason}").format(
        points=format_ice(choice.per_sprint), reason=tr(choice.reason)
    )


def _indicator_names(
    settings: Settings, tool: Tool, found: dict[Tool, Mapping[str, str]]
) -> Mapping[str, str]:
    names = found.get(tool)
    if names is None:
        override = settings.mappings.get(tool.value)
        try:
            names = load_mapping(tool, Path(override) if override else None).indicators.folded()
        except Exception:  # the connector reported a bad mapping already; the history does without
            names = DEFAULT_INDICATORS
        found[tool] = names
    return names


def _completed(snapshot: Snapshot) -> dict[str, date]:
    """The completion day the tool reports for each done action (none for most tools)."""
    return {
        a.key: a.completed_at.date()
        for a in snapshot.actions
        if a.completed_at is not None and a.status is Status.DONE
    }


def record_day(
    store: StateStore,
    snapshots: Sequence[Snapshot],
    evaluations: Sequence[tuple[str, Evaluation]],
    today: date,
    settings: Settings,
    connectors: Mapping[BoardRef, Connector] | None = None,
) -> list[str]:
    """Save what each board looked like today, with the sprint and quadrant the run's plan gave.

    A board recorded for the first time is back-filled: from fields already read (Asana's
    ``completed_at``), else from the tool's history when its connector in ``connectors`` offers ``done_days``
    (Trello's board actions). Returns what to tell the user (one line per back-fill).
    """
    sprints, quadrants = _planned(evaluations)
    mappings: dict[Tool, Mapping[str, str]] = {}
    boards = [str(s.board) for s in snapshots]
    known = {b.board for b in store.history_bounds(boards)}
    said: list[str] = []
    for snapshot in snapshots:
        board = str(snapshot.board)
        completed = _completed(snapshot)
        backfill: str | None = None
        done_since: date | None = None
        if board not in known:
            backfill, done_since, completed, line = _backfill(snapshot, completed, today, connectors)
            if line:
                said.append(line)
        rows = observe(
            board,
            today,
            snapshot.actions,
            sprints=sprints,
            quadrants=quadrants,
            previous=store.history_seen(board),
            completed=completed,
            indicator_names=_indicator_names(settings, snapshot.board.tool, mappings),
            first_recording=board not in known,
        )
        store.record_history(board, today, rows, backfill=backfill, done_since=done_since)
    return said


def _planned(
    evaluations: Sequence[tuple[str, Evaluation]],
) -> tuple[dict[str, tuple[int | None, date | None]], dict[str, Quadrant]]:
    """Each action's sprint (number, first day) and quadrant in the run's plan."""
    sprints: dict[str, tuple[int | None, date | None]] = {}
    quadrants: dict[str, Quadrant] = {}
    for _name, evaluation in evaluations:
        plan = evaluation.plan
        for key, assignment in plan.assignments.items():
            index = assignment.sprint
            sprint = plan.sprint(index) if index is not None else None
            start = sprint.start if sprint is not None else None
            if index is not None and start is None and plan.sprints:
                # A pin outside the horizon: its first day from the horizon's own step.
                first = plan.sprints[0]
                weeks = (first.end - first.start).days + 1
                start = first.start + timedelta(days=(index - first.index) * weeks)
            sprints[key] = (index, start)
        for s in evaluation.scored:
            quadrants[s.key] = s.quadrant
    return sprints, quadrants


def _backfill(
    snapshot: Snapshot,
    completed: dict[str, date],
    today: date,
    connectors: Mapping[BoardRef, Connector] | None,
) -> tuple[str | None, date | None, dict[str, date], str | None]:
    """A new board's back-fill: (source, done since, completion days, a line for the user)."""
    past = [day for day in completed.values() if day <= today]  # a clock ahead of --today proves nothing
    if past:
        return f"{snapshot.board.tool.value} completed_at", min(past), completed, None
    connector = (connectors or {}).get(snapshot.board)
    if connector is None:
        return None, None, completed, None
    try:
        found = connector.done_days(snapshot.board, snapshot)
    except MoteurError as exc:  # no back-fill is no harm: the history starts today, and says so
        line = _("{board}: history starts today ({error})").format(
            board=snapshot.board, error=tr(exc.message)
        )
        return None, None, completed, line
    if found is None:  # the tool cannot say
        return None, None, completed, None
    days = {key: day for key, day in found.days.items() if day <= today}
    since = found.since or min(days.values(), default=None)
    line = _("{board}: history back-filled from {source}: {days} in {requests}").format(
        board=snapshot.board,
        source=tr(found.source),
        days=plural(len(days), "done day", "done days"),
        requests=plural(found.requests, "request", "requests"),
    )
    return found.source, since, {**completed, **days}, line
