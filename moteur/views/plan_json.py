"""The ``plan --json`` contract (``format_version`` "1"): actions with their verdicts, and the sprints."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from moteur.core.evaluate import Evaluation
from moteur.core.model import Tool

FORMAT_VERSION = "1"


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
        "today": evaluation.today.isoformat(),
        "actions": actions_json(evaluation),
        "sprints": sprints_json(evaluation),
    }
