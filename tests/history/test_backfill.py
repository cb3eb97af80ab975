"""A board's first run back-fills when its actions went to done, where the tool keeps it: Trello from the
board's card updates (one request for a board of fewer than 1,000), Asana from ``completed_at`` (no request at
all); monday and files start their history at the first run, and the history says so."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from history.support import Mover, Sandbox, sync
from moteur.core.model import Status
from moteur.engine.state import StateStore

FIRST_RUN = date(2026, 9, 14)  # the Trello sandbox's clock starts on 2026-09-01: its actions are before


def _open_key(url: str, ref: str) -> str:
    with StateStore(url) as store:
        latest = store.history([ref]).latest()
    return next(k for k, r in sorted(latest.items()) if r.status is Status.TODO and r.effort)


def test_trello_back_fills_from_the_board_actions(sandbox: Sandbox, history_env: str) -> None:
    ref = str(sandbox.boards["trello"][0])
    board = ref.split(":", 1)[1]
    mover = Mover(sandbox, "trello", ref)
    card = next(
        c
        for c in sandbox.app.emulators["trello"].store.cards.values()
        if c["idBoard"] == board and c["idList"] != mover.buckets()["Fait"] and not c["closed"]
    )
    mover.move(f"{ref}:{card['id']}", Status.DONE)
    before = len(sandbox.requests())
    sync(ref, FIRST_RUN)
    backfill = [
        e for e in sandbox.requests()[before:] if (e.get("query") or {}).get("filter") == "updateCard"
    ]
    assert len(backfill) == 1  # one page of card updates: the whole record of a small board
    with StateStore(history_env) as store:
        history = store.history([ref])
        (bounds,) = store.history_bounds([ref])
    row = history.latest()[f"{ref}:{card['id']}"]
    assert row.status is Status.DONE and row.done_on is not None and row.done_on < FIRST_RUN
    assert (bounds.since, bounds.backfill, bounds.done_since) == (
        FIRST_RUN,
        "trello board actions",
        row.done_on,
    )
    assert history.done_since == row.done_on


def test_asana_back_fills_from_completed_at(
    sandbox: Sandbox, history_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = str(sandbox.boards["asana"][0])
    emulator = sandbox.app.emulators["asana"]
    # The tool's clock back in the past, as if the task had been completed two weeks before the first run.
    monkeypatch.setattr(
        emulator, "_epoch", datetime(2026, 9, 1, 9, 0, tzinfo=UTC) - (datetime.now(UTC) - emulator._epoch)
    )
    task = next(t for t in emulator.store.records.values() if getattr(t, "completed", True) is False)
    Mover(sandbox, "asana", ref).move(f"{ref}:{task.gid}", Status.DONE)
    sync(ref, FIRST_RUN)
    with StateStore(history_env) as store:
        row = store.history([ref]).latest()[f"{ref}:{task.gid}"]
        (bounds,) = store.history_bounds([ref])
    assert row.done_on == date(2026, 9, 1)
    assert (bounds.backfill, bounds.done_since) == ("asana completed_at", date(2026, 9, 1))


def test_monday_back_fills_from_the_status_column_log(sandbox: Sandbox, history_env: str) -> None:
    ref = str(sandbox.boards["monday"][0])
    item = next(
        i
        for i in sandbox.app.emulators["monday"].store.items.values()
        if i.board_id == ref.split(":", 1)[1]
        and i.state == "active"
        and i.values.get("statut")
        and "index" in i.values["statut"]
        and i.values["statut"]["index"] == 2  # "à faire"
    )
    Mover(sandbox, "monday", ref).move(f"{ref}:{item.id}", Status.DONE)
    first_run = datetime.now(UTC).date() + timedelta(days=1)  # the sandbox stamps its log with the real clock
    sync(ref, first_run)
    with StateStore(history_env) as store:
        history = store.history([ref])
        (bounds,) = store.history_bounds([ref])
    row = history.latest()[f"{ref}:{item.id}"]
    assert row.done_on == datetime.now(UTC).date() and bounds.backfill == "monday activity log"
    others = [r for r in history.latest().values() if r.status is Status.DONE and r.key != row.key]
    assert others and all(r.done_on is None for r in others)  # done with no trace in the log: day unknown


def test_a_file_starts_its_history_at_the_first_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'state.db'}"
    monkeypatch.setenv("MOTEUR_STATE_URL", url)
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    (tmp_path / "plan.csv").write_text("id;titre;statut;effort\nA;Fait déjà;fait;3\nB;À faire;à faire;2\n")
    sync("file:plan.csv", FIRST_RUN)
    with StateStore(url) as store:
        history = store.history([f"file:{tmp_path / 'plan.csv'}"])
    assert (history.since, history.done_since, history.boards[0].backfill) == (FIRST_RUN, FIRST_RUN, None)
    done = [r for r in history.latest().values() if r.status is Status.DONE]
    assert len(done) == 1 and done[0].done_on is None  # done before moteur knew the board: day unknown
