"""Replaying recorded vendor traffic against the sandbox: the pieces both replay tests share.

A recorded fixture (``fixtures/trello-recorded/*.json``, ``fixtures/asana-recorded/*.json``) holds what a real
client sent to the real service and an excerpt of what the service answered. The replay sends the request as
recorded, with the recorded ids swapped for sandbox ids, and holds the sandbox's answer to the recorded one:

- same status;
- *shape*: every key the real answer had is in ours, with the same JSON type, recursively (``null`` on either
  side matches anything: real data and demo data differ in what is empty). Our answer may carry more keys: the
  recordings are years apart and real answers grow; the spec validator, not this test, polices extra keys;
- *exact keys* where the request narrowed the answer (``fields=``, ``opt_fields``, ``options.fields``):
  there the real service sent those keys and no other, and so must we.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

JsonKind = str


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def kind(value: Any) -> JsonKind:
    """A JSON value's type; ints and floats are both numbers (Trello's ``pos`` is either)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def shape_problems(recorded: Any, ours: Any, where: str = "$") -> list[str]:
    """Where ``ours`` lacks a key of ``recorded`` or has another JSON type; ``[]`` when it has the shape.

    In lists, each of our elements must have the shape of at least one recorded element (real lists can mix
    kinds: events of several types, custom-field items of several types).
    """
    if recorded is None or ours is None:
        return []
    if kind(recorded) != kind(ours):
        return [f"{where}: {kind(recorded)} recorded, {kind(ours)} served"]
    if isinstance(recorded, dict):
        problems = [f"{where}.{key}: missing" for key in recorded if key not in ours]
        for key in recorded.keys() & ours.keys():
            problems += shape_problems(recorded[key], ours[key], f"{where}.{key}")
        return problems
    if isinstance(recorded, list) and recorded:
        unmatched: list[str] = []
        for element in ours:
            candidates: list[list[str]] = [shape_problems(r, element, f"{where}[]") for r in recorded]
            if all(candidates):  # no recorded element fits: report the nearest one's differences
                fewest = min(len(found) for found in candidates)
                unmatched += next(found for found in candidates if len(found) == fewest)
        return sorted(set(unmatched))
    return []


def unexplained(problems: list[str], allowed: Iterable[str]) -> list[str]:
    """``problems`` less those under an allowed path (``$.prefs.`` allows every key inside ``prefs``)."""
    prefixes = tuple(allowed)
    return [p for p in problems if not p.startswith(prefixes)]


def at(value: Any, path: str) -> list[Any]:
    """The values at ``path`` (``data[].body.data``): ``[]`` steps into every element of a list."""
    found = [value]
    for step in path.split("."):
        each = step.endswith("[]")
        name = step[:-2] if each else step
        if name:
            found = [v[name] for v in found if isinstance(v, dict) and name in v]
        if each:
            found = [element for v in found if isinstance(v, list) for element in v]
    return [v for v in found if isinstance(v, dict)]


def exact_key_problems(recorded: Any, ours: Any, path: str) -> list[str]:
    """Where the key sets at ``path`` differ between the recorded answer and ours."""
    want = {frozenset(v) for v in at(recorded, path)}
    return [
        f"{path}: keys {sorted(got)}, recorded {sorted(next(iter(want)))}"
        for got in (frozenset(v) for v in at(ours, path))
        if want and got not in want
    ]


def substitute(text: str, ids: Mapping[str, str]) -> str:
    """``text`` with every recorded id replaced by ours (longest first, so no id swaps part of another)."""
    for recorded in sorted(ids, key=len, reverse=True):
        text = text.replace(recorded, ids[recorded])
    return text


def substitute_json(value: Any, ids: Mapping[str, str]) -> Any:
    return json.loads(substitute(json.dumps(value, ensure_ascii=False), ids))


def learn(recorded: Any, ours: Any, ids: dict[str, str], keys: Iterable[str] = ("id", "gid", "sync")) -> None:
    """Map the recorded values of ``keys`` to ours, where both answers have them at the same place."""
    names = tuple(keys)
    if isinstance(recorded, dict) and isinstance(ours, dict):
        for key, value in recorded.items():
            mine = ours.get(key)
            if key in names and isinstance(value, str) and isinstance(mine, str) and value not in ids:
                ids[value] = mine
            else:
                learn(value, mine, ids, names)
    elif isinstance(recorded, list) and isinstance(ours, list):
        for r, o in zip(recorded, ours, strict=False):
            learn(r, o, ids, names)
