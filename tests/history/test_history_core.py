"""The history as data: what one run's read becomes (``observe``), and what a History answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from moteur.core.history import ActionDay, History, Seen, indicators, observe, seen_of
from moteur.core.model import Action, Annotations, ItemRef, Quadrant, Status, Tool

BOARD = "trello:b1"
D0 = date(2026, 9, 7)  # a Monday


def action(item: str, status: Status = Status.TODO, **fields: Any) -> Action:
    ref = ItemRef(tool=Tool.TRELLO, board="b1", item=item)
    return Action(ref=ref, title=f"Action {item}", status=status, **fields)


def run(
    day: date,
    actions: list[Action],
    previous: dict[str, Seen],
    *,
    first: bool = False,
    completed: dict[str, date] | None = None,
) -> tuple[list[ActionDay], dict[str, Seen]]:
    rows = observe(
        BOARD,
        day,
        actions,
        sprints={a.key: (3, D0) for a in actions},
        quadrants={a.key: Quadrant.QUICK_WIN for a in actions},
        previous=previous,
        completed=completed,
        first_recording=first,
    )
    return rows, {**previous, **seen_of(rows)}


def test_the_status_is_counted_from_the_day_it_was_first_seen() -> None:
    a = action("a", effort=3, impact=8, assignees=("camille@example.com",), objective=" Leads ")
    rows, seen = run(D0, [a], {}, first=True)
    (row,) = rows
    assert (row.status, row.first_seen, row.done_on, row.sprint, row.sprint_start) == (
        Status.TODO,
        D0,
        None,
        3,
        D0,
    )
    assert (row.objective, row.assignees, row.quadrant) == (
        "Leads",
        ("camille@example.com",),
        Quadrant.QUICK_WIN,
    )
    doing = a.model_copy(update={"status": Status.DOING})
    rows, seen = run(D0 + timedelta(days=1), [doing], seen)
    assert rows[0].first_seen == D0 + timedelta(days=1)
    rows, seen = run(D0 + timedelta(days=5), [doing], seen)
    assert rows[0].first_seen == D0 + timedelta(days=1)  # still doing since that day
    done = a.model_copy(update={"status": Status.DONE})
    rows, seen = run(D0 + timedelta(days=8), [done], seen)
    assert (rows[0].done_on, rows[0].first_seen) == (D0 + timedelta(days=8),) * 2
    rows, seen = run(D0 + timedelta(days=9), [done.model_copy(update={"status": Status.ARCHIVED})], seen)
    assert rows[0].done_on == D0 + timedelta(days=8)  # done, then archived: its done day is kept


def test_an_action_done_before_the_first_run_has_no_done_day_unless_the_tool_says() -> None:
    done = action("d", Status.DONE, effort=2)
    rows, seen = run(D0, [done], {}, first=True)
    assert rows[0].done_on is None
    rows, _ = run(D0 + timedelta(days=1), [done], seen)
    assert rows[0].done_on is None  # still unknown, never "today"
    rows, _ = run(D0, [done], {}, first=True, completed={done.key: date(2026, 8, 20)})
    assert (rows[0].done_on, rows[0].first_seen) == (date(2026, 8, 20), date(2026, 8, 20))


def test_a_completion_day_from_the_tool_lies_between_the_last_run_and_today() -> None:
    a = action("a")
    _, seen = run(D0, [a], {}, first=True)
    done = a.model_copy(update={"status": Status.DONE})
    later = D0 + timedelta(days=4)
    rows, _ = run(later, [done], seen, completed={a.key: D0 + timedelta(days=2)})
    assert rows[0].done_on == D0 + timedelta(days=2)
    rows, _ = run(later, [done], seen, completed={a.key: D0 - timedelta(days=30)})  # reopened since?
    assert rows[0].done_on == D0 + timedelta(days=1)
    rows, _ = run(later, [done], seen, completed={a.key: D0 + timedelta(days=40)})  # a clock ahead
    assert rows[0].done_on == later


def test_a_new_action_already_done_between_two_runs_is_done_that_day() -> None:
    rows, _ = run(D0 + timedelta(days=3), [action("n", Status.DONE)], {"x": Seen(D0, Status.TODO, D0, None)})
    assert rows[0].done_on == D0 + timedelta(days=3)


def test_a_done_action_keeps_the_sprint_its_label_or_the_last_run_gave() -> None:
    a = action("a")
    _, seen = run(D0, [a], {}, first=True)
    labelled = a.model_copy(
        update={"status": Status.DONE, "annotations": Annotations(sprint="Sprint 2 · 2026-08-24")}
    )
    rows, _ = run(D0 + timedelta(days=1), [labelled], seen)
    assert (rows[0].sprint, rows[0].sprint_start) == (2, date(2026, 8, 24))
    rows, _ = run(D0 + timedelta(days=1), [a.model_copy(update={"status": Status.DONE})], seen)
    assert (rows[0].sprint, rows[0].sprint_start) == (3, D0)


def test_indicators_are_found_by_name_in_the_fields_no_role_reads() -> None:
    trello = action("a", extra={"field:KPI": "MQL / mois", "field:Cible": 120, "field:Réel": "87,5"})
    assert indicators(trello) == ("MQL / mois", 120.0, 87.5)
    monday = action("b", extra={"column:Indicateur": "Visites", "column:Target": "1 200"})
    assert indicators(monday) == ("Visites", 1200.0, None)
    file_row = action("c", extra={"actual": "n/a"})
    assert indicators(file_row) == (None, None, None)


def test_a_history_answers_latest_done_between_and_status_since() -> None:
    def day(key: str, on: date, status: Status, first: date, done: date | None = None) -> ActionDay:
        return ActionDay(
            BOARD, key, on, key, status, 3, Quadrant.QUICK_WIN, 8, 2, (), None, None, None, done, first
        )

    history = History(
        since=D0,
        days=(
            day("a", D0, Status.DOING, D0),
            day("b", D0, Status.TODO, D0),
            day("a", D0 + timedelta(days=2), Status.DONE, D0 + timedelta(days=2), D0 + timedelta(days=2)),
            day("b", D0 + timedelta(days=2), Status.DOING, D0 + timedelta(days=1)),
        ),
    )
    assert {k: r.day for k, r in history.latest().items()} == {
        "a": D0 + timedelta(days=2),
        "b": D0 + timedelta(days=2),
    }
    assert [r.key for r in history.done_between(D0, D0 + timedelta(days=6))] == ["a"]
    assert history.done_between(D0 + timedelta(days=3), D0 + timedelta(days=6)) == []
    assert history.status_since("b") == D0 + timedelta(days=1)
    assert history.status_since("nope") is None
    assert History(since=None, days=()).empty and History(since=None, days=()).done_since is None


def test_completed_at_is_not_content() -> None:
    a = action("a", Status.DONE)
    stamped = a.model_copy(update={"completed_at": datetime(2026, 9, 1, 10, 0)})
    assert a.content_hash == stamped.content_hash
