"""A migrated board as data to compare with another copy of the same source, field by field: its groups in
order (with their closed state), and per source key (the identity footer) every field the target holds, the
item's place in its group (the items a board shows: monday lists archived ones in the order they were
archived), its checklist and its comments' texts. Ids, dates of creation and the board's own
name are left out: two copies made at different times hold the same state when these are equal.
"""

from __future__ import annotations

from typing import Any

from moteur.core.identity import split_identity
from moteur.core.model import Action, BoardRef, Snapshot, Status
from moteur.engine.migration_run import identity_of


def item_state(action: Action) -> dict[str, Any]:
    return {
        "title": action.title,
        "bucket": action.bucket,
        "status": action.status.value,
        "archived_done": action.archived_done,
        "description": split_identity(action.description)[0].rstrip(),
        "due": None if action.due is None else action.due.isoformat(),
        "tags": sorted(action.tags),
        "assignees": sorted(action.assignees),
        "scores": (action.impact, action.effort, action.confidence),
        "objective/channel": (action.objective, action.channel),
        "moteur": (action.annotations.quadrant, action.annotations.sprint, action.annotations.ice),
        "custom": {k: v for k, v in sorted(action.extra.items()) if k.startswith("field:")},
        "checklist": [(c.text, c.done) for c in action.checklist],
        "comments": [c.text for c in action.comments],
    }


def board_state(snapshot: Snapshot) -> dict[str, Any]:
    """What a read of a migrated board holds (see the module docstring)."""
    items: dict[str, dict[str, Any]] = {}
    order: dict[str, list[str]] = {}
    strays = 0
    for action in snapshot.actions:
        key = identity_of(action)
        if key is None or key in items:
            strays += 1  # a doubled or unidentified item: never in a copy moteur made
            continue
        items[key] = item_state(action)
        if action.status is not Status.ARCHIVED:  # an archived one is not shown: it has no place to compare
            order.setdefault(action.bucket or "", []).append(key)
    return {
        "buckets": [(b.name, b.closed) for b in snapshot.buckets],
        "items": items,
        "order": order,
        "strays": strays,
    }


def read_state(port: Any, board: BoardRef) -> dict[str, Any]:
    return board_state(port.read_full(board, include_archived=True))


def state_differences(want: dict[str, Any], have: dict[str, Any]) -> list[str]:
    """Every place where ``have`` differs from ``want``, one line each (an item's fields named)."""
    parts = ("buckets", "strays")
    problems = [f"{part}: {want[part]!r} -> {have[part]!r}" for part in parts if want[part] != have[part]]

    def titles(keys: list[str]) -> list[str]:
        return [want["items"].get(k, {}).get("title", k) for k in keys]

    for bucket in sorted(set(want["order"]) | set(have["order"])):
        a, b = want["order"].get(bucket, []), have["order"].get(bucket, [])
        if a != b:
            problems.append(f"order in {bucket!r}: {titles(a)} -> {titles(b)}")
    for key in sorted(set(want["items"]) | set(have["items"])):
        a, b = want["items"].get(key), have["items"].get(key)
        if a is None or b is None:
            problems.append(f"{key}: {'missing' if b is None else 'extra'}")
            continue
        problems += [f"{a['title']!r} {name}: {a[name]!r} -> {b[name]!r}" for name in a if a[name] != b[name]]
    return problems
