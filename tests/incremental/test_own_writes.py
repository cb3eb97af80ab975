"""The run right after a big sync: moteur's own writes since the cursor decide, before the change feed is
asked for, that a full read (behind a fresh cursor) is cheaper — the no-op re-run that once paged 29
pages of its own Asana events (33 requests against a full read's 22) and Trello's 5 against 2.

Regression tests: the cost rules per tool (pure), the journal count, and the runs themselves on the
sandbox, counted from its request log.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incremental.support import Sandbox, board_of, connector, log_size, same, set_impact, sync_requests
from moteur.connectors.asana import incremental as asana
from moteur.connectors.files.connector import FileConnector
from moteur.connectors.monday import incremental as monday
from moteur.connectors.trello import incremental as trello
from moteur.core.ports import Connector
from moteur.engine.incremental_read import CURSOR, TAKEN_AT, cached_snapshot, own_writes
from moteur.engine.state import OpStatus, RunOutcome, StateStore

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_asana_reads_in_full_when_its_own_writes_cost_more_than_a_full_read() -> None:
    # 2,000 tasks: a full read is a fresh token + project + sections + 20 task pages = 23 requests.
    assert asana.full_cost(2000) == 23
    assert not asana.feed_worth_reading(2000, 2000)  # 20 event pages + 200 task batches
    assert asana.feed_worth_reading(2000, 0)  # a settled board: one request
    assert asana.feed_worth_reading(2000, 20)  # a changed re-run: 1 + 2
    assert asana.changes_cost(200) == 22 and asana.feed_worth_reading(2000, 200)
    assert asana.changes_cost(210) == 24 and not asana.feed_worth_reading(2000, 210)


def test_trello_reads_in_full_when_its_own_writes_cost_more_or_overflow_the_actions_page() -> None:
    assert trello.full_cost(2000) == 4  # cursor + batch + 2 more pages (the reader asks after a full one)
    assert not trello.feed_worth_reading(2000, 2000)
    assert trello.feed_worth_reading(2000, 20)  # 1 + 2 < 4
    assert not trello.feed_worth_reading(2000, 30)  # 1 + 3: no cheaper than reading in full
    assert not trello.feed_worth_reading(100_000, 1000)  # more than one page of actions: refused


def test_monday_and_files_always_read_their_feed() -> None:
    # monday pages changed items 500 at a time like a full read, without a cursor to take first.
    assert monday.feed_worth_reading(2000, 2000)
    assert FileConnector.feed_worth_reading is Connector.feed_worth_reading  # the interface's default: True


def _run(
    store: StateStore, board: str, items: list[str | None], at: datetime, *, dry_run: bool = False
) -> None:
    run = store.start_run("sync", [board], dry_run, at)
    entries = [
        {"board": board, "item": i, "kind": "update_fields", "field": "sprint", "status": OpStatus.APPLIED}
        for i in items
    ]
    store.record_ops(run, entries, at)


def test_own_writes_count_the_items_written_on_the_board_since_the_cursor(tmp_path: object) -> None:
    with StateStore(f"sqlite:///{tmp_path}/state.db") as store:
        _run(store, "asana:1", ["a", "b"], T0 - timedelta(hours=1))  # before the cursor: in the last feed
        _run(store, "asana:1", ["c", "c", "d", None], T0 + timedelta(seconds=5))  # None: a schema op
        _run(store, "asana:1", ["d", "e"], T0 + timedelta(minutes=5))
        _run(store, "asana:2", ["x", "y", "z"], T0 + timedelta(minutes=6))  # another board
        _run(store, "asana:1", ["f"], T0 + timedelta(minutes=7), dry_run=True)
        assert own_writes(store, "asana:1", T0) == 3  # c, d, e
        # A finished sync says how many items its plan changed: its journal is not read.
        run = store.start_run("sync", ["asana:1"], False, T0 + timedelta(minutes=8))
        store.finish_run(
            run, outcome=RunOutcome.OK, counts={"update": 7}, item_states=[], board="asana:1", now=T0
        )
        assert own_writes(store, "asana:1", T0) == 3 + 7
        assert own_writes(store, "asana:1", None) == 0  # a cursor saved before moteur noted its time


# Trello on its 40-card demo board: a bigger one would wait for the client's pacing (100 requests / 10 s).
@pytest.mark.parametrize(("tool", "seed"), [("asana", "bulk:300"), ("trello", "demo")])
def test_the_run_after_a_big_sync_reads_in_full_behind_a_fresh_cursor(
    sandbox: Sandbox, cli: str, tool: str, seed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.reset(seed)
    ref = board_of(sandbox, tool)
    sync_requests(sandbox, tool)
    port = connector(tool, sandbox.env)
    before = log_size(sandbox, tool)
    full = port.read(ref)
    full_read = log_size(sandbox, tool) - before
    capsys.readouterr()
    # The re-run right after: the feed holds the first sync's own writes on most items; it is not paged.
    assert sync_requests(sandbox, tool, "--verbose") == full_read + 1
    assert "read in full (moteur's own writes on" in capsys.readouterr().err
    # A person's edit after that run's fresh cursor is in the next feed, read in a couple of requests.
    item = full.actions[0]
    impact = 1 if (item.impact or 0) >= 6 else 9
    set_impact(sandbox, tool, full, item.ref.item, impact)
    assert sync_requests(sandbox, tool, "--verbose", "--dry-run") <= 2
    assert "read changes only" in capsys.readouterr().err
    with StateStore(cli) as store:
        cursors = store.cursors(str(ref))
        cached = cached_snapshot(store.board_cache(str(ref)), port.native_model)
    assert cached is not None and datetime.fromisoformat(cursors[TAKEN_AT]) <= datetime.now(UTC)
    changes = port.read_changes(ref, cached, cursors[CURSOR])
    assert changes is not None
    assert {a.ref.item: a.impact for a in changes.snapshot.actions}[item.ref.item] == impact
    assert same(changes.snapshot, port.read(ref))
