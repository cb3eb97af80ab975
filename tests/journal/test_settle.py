"""Settling journal entries whose outcome is unknown, from literals (``core/settle.py``): the decision table,
row by row — the item as read now decides, never a guess."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moteur.core.diff import Memory
from moteur.core.model import Action, Annotations, BoardRef, Bucket, ItemRef, Snapshot, Tool
from moteur.core.settle import memory_with, settle
from moteur.engine.state import JournalEntry, OpStatus

BOARD = BoardRef(tool=Tool.FILE, board="plan.csv")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def action(item: str, **annotations: Any) -> Action:
    return Action.model_validate(
        {
            "ref": ItemRef(tool=Tool.FILE, board="plan.csv", item=item),
            "title": f"Action {item}",
            "annotations": Annotations(**annotations),
        }
    )


def entry(n: int, item: str | None, name: str, before: Any, after: Any, status: OpStatus) -> JournalEntry:
    kind = "update_fields" if item is not None else "ensure_" + name
    return JournalEntry(n, 7, n, str(BOARD), item, None, kind, name, before, after, status, None, T0)


SNAPSHOT = Snapshot(
    board=BOARD,
    name="plan.csv",
    actions=(
        action("landed", sprint="Sprint 2"),
        action("never-sent", sprint="Sprint 1"),
        action("hand-edited", sprint="Sprint 4"),
        action("ice", ice=512.0),
    ),
    tags=("Quick win",),
    buckets=(Bucket(id="b1", name="Time sink"),),
)


def test_each_pending_or_failed_entry_is_settled_by_what_the_item_shows() -> None:
    entries = [
        entry(1, "file:plan.csv:landed", "sprint", "Sprint 1", "sprint 2", OpStatus.PENDING),  # case aside
        entry(2, "file:plan.csv:never-sent", "sprint", "Sprint 1", "Sprint 3", OpStatus.PENDING),
        entry(3, "file:plan.csv:hand-edited", "sprint", "Sprint 1", "Sprint 3", OpStatus.PENDING),
        entry(4, "file:plan.csv:gone", "sprint", None, "Sprint 3", OpStatus.PENDING),
        entry(5, "file:plan.csv:ice", "ice", None, "512", OpStatus.FAILED),  # the answer was lost
        entry(6, "file:plan.csv:never-sent", "quadrant", None, "Quick win", OpStatus.FAILED),
        entry(7, None, "tag", None, "quick WIN", OpStatus.PENDING),
        entry(8, None, "bucket", None, "Big project", OpStatus.PENDING),
    ]
    found = settle(entries, SNAPSHOT)
    assert [(o.entry, o.status) for o in found.outcomes] == [
        (1, OpStatus.APPLIED),
        (2, OpStatus.NOT_APPLIED),
        (3, OpStatus.UNKNOWN),  # a person's value: the pin rule decides, as for any edit
        (4, OpStatus.UNKNOWN),
        (5, OpStatus.APPLIED),
        (6, OpStatus.FAILED),  # examined once, stays failed
        (7, OpStatus.APPLIED),
        (8, OpStatus.NOT_APPLIED),
    ]
    # What landed is what moteur wrote: the next sync remembers it, so it is never read as a pin.
    assert found.written == {
        "file:plan.csv:landed": {"sprint": "sprint 2"},
        "file:plan.csv:ice": {"ice": "512"},
    }


def test_a_later_run_wins_when_two_left_the_same_field_unsettled() -> None:
    entries = [
        entry(1, "file:plan.csv:landed", "sprint", None, "Sprint 2", OpStatus.PENDING),
        entry(2, "file:plan.csv:landed", "sprint", "Sprint 2", "Sprint 2", OpStatus.PENDING),
    ]
    assert settle(entries, SNAPSHOT).written == {"file:plan.csv:landed": {"sprint": "Sprint 2"}}


def test_a_dry_run_sees_the_settled_values_on_top_of_its_memory() -> None:
    memory = {"file:plan.csv:landed": Memory({"quadrant": "Quick win", "sprint": "Sprint 1"}, "v1", "h1")}
    found = settle(
        [entry(1, "file:plan.csv:landed", "sprint", "Sprint 1", "Sprint 2", OpStatus.PENDING)], SNAPSHOT
    )
    seen = memory_with(memory, found)
    assert seen["file:plan.csv:landed"] == Memory({"quadrant": "Quick win", "sprint": "Sprint 2"}, "v1", "h1")
    assert memory["file:plan.csv:landed"].written["sprint"] == "Sprint 1"  # the caller's memory is untouched
