"""``moteur sync`` as a cron runs it: the first run reads in full, the next ones read only what changed (the
request counts come from the sandbox's log), a refused cursor or ``full_every`` brings back a full read, and a
dry-run saves no cache. Plus the state database's upgrade from schema 1 (no board cache) to 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, select

from incremental.support import TOOLS, Sandbox, board_of, connector, delete_item, log_size, set_impact
from incremental.support import sync_requests as _sync
from moteur.engine.incremental_read import CURSOR, RUNS_SINCE_FULL
from moteur.engine.state import SCHEMA_VERSION, StateStore
from moteur.engine.state import schema as tables


def _cursors(state_url: str, board: str) -> dict[str, str]:
    with StateStore(state_url) as store:
        return store.cursors(board)


@pytest.mark.parametrize("tool", TOOLS)
def test_cron_runs_read_only_what_changed(
    sandbox: Sandbox, cli: str, tool: str, capsys: pytest.CaptureFixture[str]
) -> None:
    board = str(board_of(sandbox, tool))
    first = _sync(sandbox, tool)
    assert _cursors(cli, board)[RUNS_SINCE_FULL] == "0"
    # The second run reads in full, behind a fresh cursor, when re-reading the items the first one wrote
    # would cost more (Trello, Asana); monday reads them back as changes, never more than a full read.
    port = connector(tool, sandbox.env)
    before = log_size(sandbox, tool)
    port.read(board_of(sandbox, tool))
    full_read = log_size(sandbox, tool) - before
    second = _sync(sandbox, tool)
    assert second <= full_read + 1, (second, full_read)
    capsys.readouterr()
    # A no-op run on a settled board: one request (the change feed with the board-level parts).
    third = _sync(sandbox, tool, "--verbose")
    assert "read changes only" in capsys.readouterr().err
    assert third == 1, (first, second, third)
    assert int(_cursors(cli, board)[RUNS_SINCE_FULL]) >= 1
    capsys.readouterr()
    assert _sync(sandbox, tool, "--dry-run") <= 2
    assert "No changes." in capsys.readouterr().out
    print(f"{tool}: first sync {first} requests, re-read of own writes {second}, no-op {third}")


@pytest.mark.parametrize("tool", TOOLS)
def test_twenty_changed_scores_give_the_plan_a_full_read_gives(
    sandbox: Sandbox, cli: str, tool: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _sync(sandbox, tool)
    _sync(sandbox, tool)  # reads back its own writes; from now on the cursor is past them
    port = connector(tool, sandbox.env)
    snapshot = port.read(board_of(sandbox, tool))
    for action in snapshot.actions[:20]:
        set_impact(sandbox, tool, snapshot, action.ref.item, 1)
    capsys.readouterr()
    incremental = _sync(sandbox, tool, "--dry-run", "--json")
    changed = _comparable(json.loads(capsys.readouterr().out))
    assert incremental <= (1 if tool == "monday" else 3)
    _sync(sandbox, tool, "--dry-run", "--json", "--full")
    assert changed == _comparable(json.loads(capsys.readouterr().out))
    touched = {row["item"] for row in changed["changes"] if row["item"]}
    assert {a.ref.item for a in snapshot.actions[:20] if not a.status.is_closed} & touched


def _comparable(plan: dict[str, Any]) -> dict[str, Any]:
    """A --json plan with its lists in one order (an incremental read lists new items last)."""
    for key in ("actions", "changes"):
        plan[key] = sorted(plan[key], key=lambda row: json.dumps(row, sort_keys=True))
    return plan


@pytest.mark.parametrize("tool", TOOLS)
def test_a_deleted_item_disappears(sandbox: Sandbox, cli: str, tool: str) -> None:
    _sync(sandbox, tool)
    _sync(sandbox, tool)  # reads back its own writes; from now on the cursor is past them
    port = connector(tool, sandbox.env)
    ref = board_of(sandbox, tool)
    gone = port.read(ref).actions[2].ref.item
    delete_item(sandbox, tool, gone)
    _sync(sandbox, tool)
    with StateStore(cli) as store:
        cached = store.board_cache(str(ref))
    assert gone not in {a["ref"]["item"] for a in cached["actions"]}
    # monday cannot name a deletion cheaply: its cursor was refused and that run read in full.
    assert (_cursors(cli, str(ref))[RUNS_SINCE_FULL] == "0") == (tool == "monday")


def test_full_every_one_reads_in_full_every_run(
    sandbox: Sandbox, cli: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTEUR_FULL_EVERY", "1")
    _sync(sandbox, "monday")
    first = connector("monday", sandbox.env).read(board_of(sandbox, "monday")).actions[0]
    delete_item(sandbox, "monday", first.ref.item)
    _sync(sandbox, "monday")
    assert _cursors(cli, str(board_of(sandbox, "monday")))[RUNS_SINCE_FULL] == "0"


def test_a_refused_cursor_brings_a_full_read(
    sandbox: Sandbox, cli: str, capsys: pytest.CaptureFixture[str]
) -> None:
    board = str(board_of(sandbox, "asana"))
    _sync(sandbox, "asana")
    _sync(sandbox, "asana")  # reads back its own writes; from now on the cursor is past them
    with StateStore(cli) as store:
        store.save_read(board, cache=store.board_cache(board), cursors={CURSOR: "f" * 32}, now=_now())
    capsys.readouterr()
    _sync(sandbox, "asana", "--verbose")
    assert "in full (cursor refused" in capsys.readouterr().err
    assert _cursors(cli, board)[CURSOR] != "f" * 32


def test_a_dry_run_saves_no_cache_and_full_forces_a_full_read(
    sandbox: Sandbox, cli: str, capsys: pytest.CaptureFixture[str]
) -> None:
    board = str(board_of(sandbox, "monday"))
    _sync(sandbox, "monday", "--dry-run")
    assert _cursors(cli, board) == {}
    _sync(sandbox, "monday")
    capsys.readouterr()
    _sync(sandbox, "monday", "--full", "--verbose")
    assert "in full (--full)" in capsys.readouterr().err
    assert _cursors(cli, board)[RUNS_SINCE_FULL] == "0"


def test_a_schema_1_database_is_upgraded_with_its_rows_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v1.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:  # a database as moteur 0.1 with schema 1 left it
        for table in tables.metadata.sorted_tables:
            if table.name != "board_cache":
                table.create(conn)
        conn.execute(tables.meta.insert().values(key="schema_version", value="1"))
        conn.execute(tables.cursors.insert().values(board="trello:b", name="x", value="1", updated_at=_now()))
    engine.dispose()
    with StateStore(url) as store:
        assert store.cursors("trello:b") == {"x": "1"}
        assert store.board_cache("trello:b") is None
        store.save_read("trello:b", cache={"any": "json"}, cursors={"x": "2"}, now=_now())
        assert store.board_cache("trello:b") == {"any": "json"}
    engine = create_engine(url)
    with engine.connect() as conn:
        assert inspect(conn).has_table("board_cache")
        version = conn.execute(select(tables.meta.c.value)).scalar()
    engine.dispose()
    assert version == str(SCHEMA_VERSION) == "4"  # 1 → 2 → 3 (journal settling) → 4 (history)


def _now() -> datetime:
    return datetime.now(UTC)
