"""The ``plan --json`` contract (``format_version`` "1"): actions with their verdicts, and the sprints.

Two forms of the same document:

- ``plan_payload`` / ``plan_json`` / ``actions_json``: Python values (one dict per action, made as they are
  written), for ``Output.json`` and for the dry-run's JSON.
- ``plan_json_chunks``: the text itself, byte for byte what ``Output.json(plan_payload(...))`` prints, made
  from *fragments* (pieces of JSON text encoded once and reused: a board label, a status, a flag list, an
  ICE score). ``plan`` on 100,000 actions spends a third of its time in ``json.dumps`` otherwise: one
  encoder per action, and the same few strings encoded again and again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from json.encoder import encode_basestring  # what json.dumps(..., ensure_ascii=False) encodes a str with
from typing import Any

from moteur import __version__
from moteur.core.evaluate import Evaluation
from moteur.core.model import Action, Flag, Tool
from moteur.core.sprints import Assignment

FORMAT_VERSION = "1"

# Actions per chunk of ``plan_json_chunks``: large enough that writing costs nothing per action, small
# enough that a chunk is a few hundred kilobytes.
_CHUNK = 2000


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 1)


def board_label(tool: Tool, board: str) -> str:
    return f"{tool}:{board}"


def actions_json(evaluation: Evaluation) -> Iterator[dict[str, Any]]:
    """One JSON object per action, made as they are written (never all at once)."""
    for s in evaluation.scored:
        a = s.action
        assignment = evaluation.plan.assignments.get(a.key)
        flags = list(assignment.flags) if assignment else list(s.flags)
        yield (
            {
                "id": a.ref.item,
                "board": board_label(a.ref.tool, a.ref.board),
                "title": a.title,
                "status": a.status,  # a StrEnum is a str: JSON writes its value
                "impact": a.impact,
                "effort": a.effort,
                "confidence": a.confidence,
                "ice": _number(s.ice),
                "quadrant": s.quadrant,
                "sprint": assignment.sprint if assignment else None,
                "flags": list(flags),
                "explanation": s.explanation,
            }
        )


def sprints_json(evaluation: Evaluation) -> list[dict[str, Any]]:
    load = evaluation.plan.load
    return [
        {
            "index": sp.index,
            "name": sp.name,
            "start": sp.start.isoformat(),
            "end": sp.end.isoformat(),
            "working_days": sp.working_days,
            "capacity": _number(sp.capacity),
            "load": _number(load.get(sp.index, 0.0)),
            "holidays": [{"date": d.isoformat(), "name": name} for d, name in sp.holidays],
        }
        for sp in evaluation.plan.sprints
    ]


def plan_json(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "moteur_version": __version__,  # which moteur wrote it: the one version
        "today": evaluation.today.isoformat(),
        "actions": actions_json(evaluation),
        "sprints": sprints_json(evaluation),
    }


def _teams(
    evaluations: Sequence[tuple[str, Evaluation]], capacity: Mapping[str, dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """Each team's entry of a several-team plan: its name, the capacity that sized it, its sprints."""
    return [
        {"name": name, **({"capacity": capacity[name]} if capacity and name in capacity else {})}
        | {"sprints": sprints_json(evaluation)}
        for name, evaluation in evaluations
    ]


def plan_payload(
    evaluations: Sequence[tuple[str, Evaluation]],
    *,
    first_sprint: dict[str, Any] | None = None,
    capacity: dict[str, Any] | None = None,
    team_capacity: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The ``plan --json`` document of one or several teams (name, evaluation), as Python values.

    With several teams, ``actions`` holds every team's actions and ``teams`` each team's sprints; the
    top-level ``sprints`` are the first team's. ``first_sprint``: where sprint 1 starts and why (the sprint
    anchor), after ``today`` when given; ``capacity`` the first team's sprint capacity and why, and
    ``team_capacity`` each team's (by name), shown in its ``teams`` entry.
    """
    payload = plan_json(evaluations[0][1])
    if first_sprint is not None:
        # Right after "today", where plan_json_chunks writes it (a dict keeps the order of its first keys).
        head = {k: payload[k] for k in ("format_version", "moteur_version", "today")}
        payload = {**head, "first_sprint": first_sprint} | payload
    if capacity is not None:
        # After "today" (and "first_sprint"): the capacity the sprints were sized with, and why.
        keys = ("format_version", "moteur_version", "today", "first_sprint")
        head = {k: payload[k] for k in keys if k in payload}
        payload = {**head, "capacity": capacity} | payload
    if len(evaluations) > 1:
        payload["actions"] = (row for _, ev in evaluations for row in actions_json(ev))
        payload["teams"] = _teams(evaluations, team_capacity)
    return payload


class _ActionText:
    """Encodes one action of an evaluation as the JSON object ``actions_json`` gives, as text.

    Keys, order and separators are those of ``json.dumps(row, ensure_ascii=False)``: ``", "`` between
    members, ``": "`` after a key. Only the id and the title are encoded for every action; the board, the
    verdict (status to quadrant) and the placement (sprint, flags, explanation) repeat across actions, so
    each distinct one is encoded once.
    """

    def __init__(self) -> None:
        self._boards: dict[tuple[str, str], str] = {}
        self._verdicts: dict[tuple[str, int | None, int | None, int | None, float | None, str], str] = {}
        self._placements: dict[tuple[int | None, tuple[Flag, ...], str], str] = {}

    def _board(self, tool: str, board: str) -> str:
        found = self._boards.get((tool, board))
        if found is None:
            found = self._boards[(tool, board)] = encode_basestring(f"{tool}:{board}")
        return found

    def _verdict(self, a: Action, ice: float | None, quadrant: str) -> str:
        key = (a.status, a.impact, a.effort, a.confidence, ice, quadrant)
        found = self._verdicts.get(key)
        if found is None:
            found = self._verdicts[key] = (
                f'"status": {encode_basestring(a.status)}, "impact": {json.dumps(a.impact)}, '
                f'"effort": {json.dumps(a.effort)}, "confidence": {json.dumps(a.confidence)}, '
                f'"ice": {json.dumps(_number(ice))}, "quadrant": {encode_basestring(quadrant)}'
            )
        return found

    def _placement(self, at: Assignment, explanation: str) -> str:
        key = (at.sprint, at.flags, explanation)
        found = self._placements.get(key)
        if found is None:
            flags = json.dumps(list(at.flags), ensure_ascii=False)
            found = self._placements[key] = (
                f'"sprint": {json.dumps(at.sprint)}, "flags": {flags}, '
                f'"explanation": {encode_basestring(explanation)}'
            )
        return found

    def text(self, a: Action, ice: float | None, quadrant: str, explanation: str, at: Assignment) -> str:
        ref = a.ref
        return (
            f'{{"id": {encode_basestring(ref.item)}, "board": {self._board(ref.tool, ref.board)}, '
            f'"title": {encode_basestring(a.title)}, {self._verdict(a, ice, quadrant)}, '
            f"{self._placement(at, explanation)}}}"
        )


def _action_texts(evaluations: Sequence[tuple[str, Evaluation]]) -> Iterator[str]:
    encoder = _ActionText()
    for _, evaluation in evaluations:
        assignments = evaluation.plan.assignments
        for s in evaluation.scored:
            assignment = assignments.get(s.key)
            if assignment is None:
                # Not planned at all (not in the plan's keys): the scoring flags, no sprint. A stand-in
                # assignment keeps ``text`` to one shape.
                assignment = Assignment(s.key, None, s.flags, "")
            yield encoder.text(s.action, s.ice, s.quadrant, s.explanation, assignment)


def plan_json_chunks(
    evaluations: Sequence[tuple[str, Evaluation]],
    *,
    indent: int | None,
    first_sprint: dict[str, Any] | None = None,
    capacity: dict[str, Any] | None = None,
    team_capacity: Mapping[str, dict[str, Any]] | None = None,
) -> Iterator[str]:
    """``plan_payload(evaluations)`` as ``Output.json`` prints it (``indent``: 2 at a terminal, else None),
    in chunks of text to write one after the other; the last ends with a newline.

    The layout is ``Output.json``'s streamed form: top-level keys without spaces, each action on one line
    compact but with ``", "`` and ``": "``, the other values as ``json.dumps(value, indent=indent)``.
    """
    first = evaluations[0][1]

    def member(key: str, value: Any) -> str:
        return f",{json.dumps(key)}:{json.dumps(value, ensure_ascii=False, indent=indent)}"

    yield "{" + member("format_version", FORMAT_VERSION)[1:] + member("moteur_version", __version__)
    yield member("today", first.today.isoformat())
    if first_sprint is not None:
        yield member("first_sprint", first_sprint)
    if capacity is not None:
        yield member("capacity", capacity)
    yield ',"actions":['
    batch: list[str] = []
    started = False
    for text in _action_texts(evaluations):
        batch.append(text)
        if len(batch) == _CHUNK:
            yield ("," if started else "") + ",".join(batch)
            started, batch = True, []
    if batch:
        yield ("," if started else "") + ",".join(batch)
    yield "]" + member("sprints", sprints_json(first))
    if len(evaluations) > 1:
        yield member("teams", _teams(evaluations, team_capacity))
    yield "}\n"
