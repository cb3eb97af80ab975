"""Sprint packing: which sprint each scored action goes to, or why it goes nowhere.

Terms:

- *Load* of a sprint: the effort points of the actions assigned to it.
- *Room*: a sprint has room for an action when ``load + effort ≤ capacity``.
- *Pin*: a sprint a person set by hand on an item since our last write. It wins over the plan, even beyond
  capacity, and counts in that sprint's load when the sprint is in the horizon.
- *Keep*: an action not done that is already in the current sprint stays there (stability), counting load,
  even beyond capacity: moving work in progress out would be worse than a full sprint.
- *Horizon*: the sprints passed in, earliest first.

The rules, in order: done/archived actions are never planned; pins; keeps; then quick wins by
``priority_key``, then big projects, then fill-ins. Each goes to the earliest sprint with room whose last
working day is on or before its due day; if none does, the earliest with room, flagged LATE. An effort above
every sprint's capacity is SPLIT_ME, and a plannable action no sprint has room for is NO_ROOM. Time sinks
(STOP) and unscored actions (SCORE_ME) are never planned.

Packing is O(N log N): the earliest sprint with room for a given effort only moves later as sprints fill,
so one cursor per distinct effort value replaces a scan of every sprint for every action.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from moteur.core.calendar import Sprint
from moteur.core.model import Flag, Quadrant, Status
from moteur.core.phrase import Phrase
from moteur.core.scoring import VERDICT, PriorityKey, Scored, format_ice, priority_key

# The quadrants packed by capacity, in the order they are served.
PACKING_ORDER: tuple[Quadrant, ...] = (Quadrant.QUICK_WIN, Quadrant.BIG_PROJECT, Quadrant.FILL_IN)

_NO_PINS: Mapping[str, int] = {}


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one action goes: ``sprint`` (an index, None when not planned), every flag the action carries
    (scoring flags included) and a short English ``reason`` (a ``Phrase``, which a view translates, when
    moteur made it)."""

    key: str
    sprint: int | None
    flags: tuple[Flag, ...]
    reason: str


@dataclass(frozen=True)
class SprintPlan:
    """The outcome of packing: the sprints, one assignment per action key, and the load per sprint index."""

    sprints: list[Sprint]
    assignments: dict[str, Assignment]
    load: dict[int, float]
    _by_index: dict[int, Sprint] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_index", {sprint.index: sprint for sprint in self.sprints})

    def sprint_of(self, key: str) -> int | None:
        assignment = self.assignments.get(key)
        return assignment.sprint if assignment is not None else None

    def sprint(self, index: int) -> Sprint | None:
        return self._by_index.get(index)

    def room(self, index: int) -> float:
        """Capacity left in a sprint of the horizon (negative when pins overfill it)."""
        return self._by_index[index].capacity - self.load.get(index, 0.0)

    def flagged(self, flag: Flag) -> list[str]:
        return [key for key, assignment in self.assignments.items() if flag in assignment.flags]

    def unplanned(self) -> list[str]:
        return [key for key, assignment in self.assignments.items() if assignment.sprint is None]


class _Packer:
    """Sprint loads and the cursors that find the earliest sprint with room for an effort."""

    def __init__(self, sprints: Sequence[Sprint]) -> None:
        self.sprints = sorted(sprints, key=lambda sprint: sprint.start)
        self.position = {sprint.index: pos for pos, sprint in enumerate(self.sprints)}
        self.capacity = [sprint.capacity for sprint in self.sprints]
        self.load = [0.0 for _ in self.sprints]
        # When a sprint's work is done: its last working day, not its calendar end (a Sunday or a holiday).
        self.ends = [sprint.last_working_day for sprint in self.sprints]
        self.max_capacity = max((sprint.capacity for sprint in self.sprints), default=0.0)
        self._cursor: dict[float, int] = {}

    def add(self, pos: int, effort: float) -> None:
        self.load[pos] += effort

    def earliest_with_room(self, effort: float) -> int | None:
        # Room only shrinks, so the first sprint with room for `effort` never moves earlier: resume from
        # where the last search for the same effort stopped.
        pos = self._cursor.get(effort, 0)
        count = len(self.load)
        # Loads are sums of whole effort points, so this comparison is exact.
        while pos < count and self.load[pos] + effort > self.capacity[pos]:
            pos += 1
        self._cursor[effort] = pos
        return pos if pos < count else None

    def loads(self) -> dict[int, float]:
        return {sprint.index: load for sprint, load in zip(self.sprints, self.load, strict=True)}


_CLOSED_REASONS: dict[Status, Phrase] = {
    Status.DONE: Phrase("done: not planned"),
    Status.ARCHIVED: Phrase("archived: not planned"),
}


_TIME_SINK_REASON = Phrase("time sink: never planned (stop)")
_UNSCORED_REASON = Phrase("impact or effort missing: never planned (score me)")


def _effort(s: Scored) -> float:
    return float(s.action.effort or 0)


class _Reasons:
    """The reasons and flag tuples of packed actions, each distinct one made once and then shared.

    They depend on the quadrant, the ICE, the effort and the due day, never on the action itself: 100,000
    assignments need a few hundred texts, and formatting one per action would cost more than the packing.
    """

    def __init__(self, max_capacity: float) -> None:
        self.max_capacity = max_capacity
        self._texts: dict[tuple[object, ...], Phrase] = {}
        self._flags: dict[tuple[tuple[Flag, ...], Flag], tuple[Flag, ...]] = {}

    def with_flag(self, flags: tuple[Flag, ...], flag: Flag) -> tuple[Flag, ...]:
        found = self._flags.get((flags, flag))
        if found is None:
            found = self._flags[(flags, flag)] = (*flags, flag)
        return found

    def split_me(self, effort: float) -> Phrase:
        text = self._texts.get(("split", effort))
        if text is None:
            text = self._texts[("split", effort)] = Phrase(
                "split me: effort {effort} exceeds every sprint's capacity (largest {largest})",
                effort=format_ice(effort),
                largest=format_ice(self.max_capacity),
            )
        return text

    def no_room(self, effort: float) -> Phrase:
        text = self._texts.get(("no room", effort))
        if text is None:
            text = self._texts[("no room", effort)] = Phrase(
                "no room: no sprint in the horizon has {effort} points left", effort=format_ice(effort)
            )
        return text

    def placed(self, s: Scored, due: date | None, late: bool, sprint: Sprint | None = None) -> Phrase:
        key = ("placed", s.quadrant, s.ice, due, late, sprint.index if late and sprint else None)
        text = self._texts.get(key)
        if text is None:
            if due is None:
                text = Phrase("{verdict}: earliest sprint with room", verdict=_verdict(s))
            elif late and sprint is not None:
                # Say what happened: the earliest sprint with room finishes after the due day.
                text = Phrase(
                    "late: due {due}, the earliest sprint with room ({sprint}) ends {end}",
                    due=due.isoformat(),
                    sprint=sprint.name,
                    end=sprint.last_working_day.isoformat(),
                )
            elif late:
                text = Phrase(
                    "late: due {due}, the earliest sprint with room ends after it", due=due.isoformat()
                )
            else:
                text = Phrase(
                    "{verdict}: earliest sprint with room ending by {due}", verdict=_verdict(s), due=due
                )
            self._texts[key] = text
        return text


def _place(
    s: Scored, key: str, effort: float, due: date | None, packer: _Packer, reasons: _Reasons
) -> Assignment:
    if effort > packer.max_capacity:
        return Assignment(key, None, reasons.with_flag(s.flags, Flag.SPLIT_ME), reasons.split_me(effort))
    pos = packer.earliest_with_room(effort)
    if pos is None:
        return Assignment(key, None, reasons.with_flag(s.flags, Flag.NO_ROOM), reasons.no_room(effort))
    packer.add(pos, effort)
    index = packer.sprints[pos].index
    # The earliest sprint with room overall is also the earliest among those ending by the due day, if any.
    if due is None or packer.ends[pos] <= due:
        return Assignment(key, index, s.flags, reasons.placed(s, due, late=False))
    late = reasons.placed(s, due, late=True, sprint=packer.sprints[pos])
    return Assignment(key, index, reasons.with_flag(s.flags, Flag.LATE), late)


def _verdict(s: Scored) -> Phrase:
    return Phrase("{quadrant}, ICE {ice}", quadrant=VERDICT[s.quadrant], ice=format_ice(s.ice))


def _not_planned(s: Scored, key: str) -> Assignment:
    closed = _CLOSED_REASONS.get(s.action.status)
    if closed is not None:
        return Assignment(key, None, s.flags, closed)
    if s.quadrant is Quadrant.TIME_SINK:
        return Assignment(key, None, s.flags, _TIME_SINK_REASON)
    return Assignment(key, None, s.flags, _UNSCORED_REASON)


def _refuse_repeated(keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"action {key} appears twice in the actions to plan")
        seen.add(key)


def plan_sprints(
    scored: Sequence[Scored],
    sprints: Sequence[Sprint],
    *,
    pins: Mapping[str, int] = _NO_PINS,
    keep: Mapping[str, int] = _NO_PINS,
) -> SprintPlan:
    """Pack ``scored`` into ``sprints`` (see the module docstring for the rules).

    ``pins`` maps an action key to the sprint index a person set by hand; it applies to any action not
    done, in or out of the horizon. ``keep`` maps a key to the current sprint index for actions already
    there; it applies to plannable actions (quick win, big project, fill-in) whose sprint is in the horizon,
    and otherwise the action is packed as usual. Keys must be unique.
    """
    packer = _Packer(sprints)
    assignments: dict[str, Assignment] = {}
    # Each queue holds (priority_key, effort, due day, scored); the key ends with the unique action key, so
    # sorting the tuples never compares what follows it. Effort and due day are read here, in file order:
    # read again in priority order, each action would be a cache miss (100,000 actions: a tenth of a second).
    queues: dict[Quadrant, list[tuple[PriorityKey, float, date | None, Scored]]] = {
        quadrant: [] for quadrant in PACKING_ORDER
    }
    keys = [s.key for s in scored]
    if len(set(keys)) < len(keys):
        _refuse_repeated(keys)
    for s, key in zip(scored, keys, strict=True):
        if s.action.status in _CLOSED_REASONS:
            assignments[key] = _not_planned(s, key)
        elif pins and key in pins:
            index = pins[key]
            pos = packer.position.get(index)
            if pos is not None:
                packer.add(pos, _effort(s))
                reason = Phrase("pinned by hand to Sprint {index}", index=index)
            else:
                reason = Phrase("pinned by hand to Sprint {index} (outside the horizon)", index=index)
            assignments[key] = Assignment(key, index, (*s.flags, Flag.PINNED), reason)
        elif s.quadrant in queues:
            kept = keep.get(key) if keep else None
            pos = packer.position.get(kept) if kept is not None else None
            if pos is not None:
                packer.add(pos, _effort(s))
                assignments[key] = Assignment(
                    key,
                    kept,
                    s.flags,
                    Phrase("in the current sprint and not done: kept in Sprint {index}", index=kept),
                )
            else:
                queues[s.quadrant].append((priority_key(s, key), _effort(s), s.action.due_day, s))
        else:
            assignments[key] = _not_planned(s, key)
    reasons = _Reasons(packer.max_capacity)
    for quadrant in PACKING_ORDER:
        queue = queues[quadrant]
        queue.sort()
        for order, effort, due, s in queue:
            assignments[order[-1]] = _place(s, order[-1], effort, due, packer, reasons)
    return SprintPlan(sprints=list(packer.sprints), assignments=assignments, load=packer.loads())
