"""History: what each action looked like on each day a run read its board (``docs/history.md``).

Terms:

- *Action day*: one action as one run saw it on one calendar day (``--today``): status, sprint, quadrant,
  scores, people, objective, channel, due. Several runs the same day leave one action day, the last one.
- *First seen*: the day the action's current status was first seen, counted over consecutive runs (an action
  that goes doing → todo → doing starts counting again). It says "doing since 12 days".
- *Done on*: the day the action was first seen done — or, when the tool keeps it, the day the tool says it
  was completed (the first run *back-fills* it); None while it is not done.
- *Since*: the first day moteur recorded the boards; before it the history knows only back-filled done days.
- *Done since*: the first day from which every done day is known (back-filled or recorded).

Pure: no database, no clock. ``engine/state/history.py`` stores it; ``observe`` turns one run's read into
action days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from moteur.core.labels import parse_sprint
from moteur.core.model import Action, Quadrant, Status
from moteur.core.names import fold

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class ActionDay:
    """One action of ``board`` (``key``: ``ItemRef.key``) as a run saw it on ``day``."""

    board: str
    key: str
    day: date
    title: str
    status: Status
    sprint: int | None
    quadrant: Quadrant
    impact: int | None
    effort: int | None
    assignees: tuple[str, ...]
    objective: str | None
    channel: str | None
    due: date | None
    done_on: date | None
    first_seen: date
    # The first day of ``sprint`` when known (moteur's labels carry it): a sprint's number depends on
    # ``first_sprint`` (anchored in the state when unset; a user may still change the setting); its day
    # does not.
    sprint_start: date | None = None
    kpi: str | None = None
    target: float | None = None
    actual: float | None = None


@dataclass(frozen=True)
class Seen:
    """What the last recorded day said of one action: enough to carry first-seen and done-on forward."""

    day: date
    status: Status
    first_seen: date
    done_on: date | None
    sprint: int | None = None
    sprint_start: date | None = None


@dataclass(frozen=True)
class BoardHistory:
    """One board's history bounds: ``since`` its first recorded day, ``backfill`` what the first run read
    from the tool's own history (None: nothing, history starts at ``since``), ``done_since`` the first day
    from which its done days are known."""

    board: str
    since: date
    backfill: str | None = None
    done_since: date | None = None


@dataclass(frozen=True)
class DoneDays:
    """What a tool's own history says of when actions went to done (a first run's back-fill).

    ``days``: action key → the day it last went to done, for the actions done now; ``source`` names what was
    read (``trello board actions``); ``requests`` what it cost; ``since`` the oldest day the tool's record
    reached when the read budget ran out (None: the whole record was read).
    """

    days: dict[str, date]
    source: str
    requests: int = 0
    since: date | None = None


@dataclass(frozen=True)
class History:
    """Action days of some boards, in (day, board, key) order; ``since`` None when nothing is recorded."""

    since: date | None
    days: tuple[ActionDay, ...]
    boards: tuple[BoardHistory, ...] = ()
    _latest: dict[str, ActionDay] = field(init=False, repr=False, compare=False)
    _by_day: dict[date, list[ActionDay]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        latest: dict[str, ActionDay] = {}
        by_day: dict[date, list[ActionDay]] = {}
        for row in self.days:
            found = latest.get(row.key)
            if found is None or row.day >= found.day:
                latest[row.key] = row
            by_day.setdefault(row.day, []).append(row)
        object.__setattr__(self, "_latest", latest)
        object.__setattr__(self, "_by_day", by_day)

    @property
    def empty(self) -> bool:
        return not self.days

    @property
    def done_since(self) -> date | None:
        """The first day from which every board's done days are known (the latest of the boards' bounds)."""
        bounds = [min(b.done_since, b.since) if b.done_since else b.since for b in self.boards]
        return max(bounds) if bounds else self.since

    def latest(self) -> dict[str, ActionDay]:
        """Each action's last recorded day, by key."""
        return dict(self._latest)

    def done_between(self, start: date, end: date) -> list[ActionDay]:
        """The actions that went to done from ``start`` to ``end`` inclusive, as last seen.

        An action done, reopened and done again counts once, on the day it was last done; one done then
        archived still counts (its done day is kept); one reopened and still open does not.
        """
        return [
            row for row in self._latest.values() if row.done_on is not None and start <= row.done_on <= end
        ]

    def status_since(self, key: str) -> date | None:
        """The day the action's current status was first seen (None for an action never recorded)."""
        row = self._latest.get(key)
        return None if row is None else row.first_seen

    def on(self, day: date) -> list[ActionDay]:
        """The action days recorded on ``day``."""
        return list(self._by_day.get(day, ()))

    def recorded_days(self) -> list[date]:
        return sorted(self._by_day)


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
        try:
            return float(text) if text else None
        except ValueError:
            return None
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# Folded native name → indicator, when no mapping says (the packaged mappings give the same names).
DEFAULT_INDICATORS: Mapping[str, str] = {
    "kpi": "kpi",
    "indicateur": "kpi",
    "target": "target",
    "cible": "target",
    "actual": "actual",
    "reel": "actual",
}
# How connectors name a field no role reads in ``Action.extra``: Trello/Asana "field:", monday "column:",
# files the column's own name.
_EXTRA_PREFIXES = ("field:", "column:")


@lru_cache(maxsize=4096)
def _folded_name(key: str) -> str:
    """An extra's key as a folded field name (the same few keys recur on every action of a board)."""
    return fold(next((key[len(p) :] for p in _EXTRA_PREFIXES if key.startswith(p)), key))


def indicators(
    action: Action, names: Mapping[str, str] = DEFAULT_INDICATORS
) -> tuple[str | None, float | None, float | None]:
    """The action's leading indicator — KPI name, target, actual — found in ``Action.extra`` by the folded
    native ``names`` (``mappings.schema.IndicatorNames.folded``); each None when the action has none."""
    found: dict[str, object] = {}
    for key, value in action.extra.items():
        if value in (None, "") or not isinstance(key, str):
            continue
        role = names.get(_folded_name(key))
        if role is not None and role not in found:
            found[role] = value
    return _text(found.get("kpi")), _number(found.get("target")), _number(found.get("actual"))


def observe(
    board: str,
    day: date,
    actions: Iterable[Action],
    *,
    sprints: Mapping[str, tuple[int | None, date | None]],
    quadrants: Mapping[str, Quadrant],
    previous: Mapping[str, Seen],
    completed: Mapping[str, date] | None = None,
    indicator_names: Mapping[str, str] = DEFAULT_INDICATORS,
    first_recording: bool = False,
) -> list[ActionDay]:
    """The action days of one read of ``board`` on ``day``.

    ``sprints`` maps a key to the sprint (number, first day) the run's plan gives an open action;
    ``quadrants`` the run's verdicts; ``previous`` what the last recorded day said (``Seen``);
    ``completed`` the completion days the tool reported (a back-fill), used when the action is done and no
    earlier run saw it go to done. A done action's sprint is the one its label shows, else the last recorded.
    On the board's ``first_recording`` an action already done has no done day unless the tool gives one:
    counting it done today would credit the current sprint with work of the past.
    """
    done_days = completed or {}
    rows: list[ActionDay] = []
    for action in actions:
        key = action.key
        before = previous.get(key)
        if before is not None and before.status is action.status and before.day <= day:
            first_seen = before.first_seen
        else:
            first_seen = day
        done_on: date | None = None
        if action.status is Status.DONE:
            if before is not None and before.status is Status.DONE:
                done_on = before.done_on  # None stays None: done before the history began, day unknown
            elif key in done_days and (before is not None or done_days[key] <= day):
                # The tool's own completion day, between the last run that saw the action open and today
                # (a completion after today on a first sight says the clocks disagree: it proves nothing).
                done_on = min(done_days[key], day)
                if before is not None and before.day < day:
                    done_on = max(done_on, before.day + _ONE_DAY)
                first_seen = done_on
            elif before is None and first_recording:
                done_on = None  # done before the board's first run, and the tool does not say when
            else:
                done_on = day
        elif action.status is Status.ARCHIVED and before is not None:
            done_on = before.done_on  # done, then archived (a Trello habit): still done that day
        sprint, sprint_start = _sprint_of(action, sprints.get(key), before)
        kpi, target, actual = indicators(action, indicator_names)
        rows.append(
            ActionDay(
                board=board,
                key=key,
                day=day,
                title=action.title,
                status=action.status,
                sprint=sprint,
                quadrant=quadrants.get(key, Quadrant.UNSCORED),
                impact=action.impact,
                effort=action.effort,
                assignees=tuple(action.assignees),
                objective=_text(action.objective),
                channel=_text(action.channel),
                due=action.due_day,
                done_on=done_on,
                first_seen=first_seen,
                sprint_start=sprint_start,
                kpi=kpi,
                target=target,
                actual=actual,
            )
        )
    return rows


def _sprint_of(
    action: Action, planned: tuple[int | None, date | None] | None, before: Seen | None
) -> tuple[int | None, date | None]:
    if not action.status.is_closed and planned is not None:
        return planned
    label = parse_sprint(action.annotations.sprint)
    if label is not None:
        return label.index, label.start
    if before is not None and before.sprint is not None:
        return before.sprint, before.sprint_start
    return None, None


def seen_of(rows: Sequence[ActionDay]) -> dict[str, Seen]:
    """The ``Seen`` each row leaves for the next run (what ``history_latest`` stores)."""
    return {
        row.key: Seen(row.day, row.status, row.first_seen, row.done_on, row.sprint, row.sprint_start)
        for row in rows
    }
