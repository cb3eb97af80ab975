"""Issue 16 on a free workspace (no custom fields): each open task of "Plan marketing" also added to a
companion project "Plan marketing · Priorities", in the section of its quadrant, created once and found again
by the tasks' memberships (or by name); the team's sections left as they are; its rollback takes each task
out again. And, for both tiers, what the dry-run says, the CLI's sync then rollback, the refusal to move a
task out of a team section, the estimate. Helpers: ``test_asana_sections.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sandbox_connectors import connector_for

from connectors.contract import plan_for
from connectors.test_asana import memory_of_results
from connectors.test_asana_sections import (
    COMPANION,
    TODAY,
    board_state,
    inner_writes,
    projects_named,
    sections_in,
    sync,
    team_board,
    undo,
)
from moteur.connectors.asana import AsanaConnector
from moteur.core.labels import QUADRANT_NAMES, QUADRANT_ORDER
from moteur.core.model import Tool
from moteur.core.ops import MoveItem, UpdateFields, inverse
from moteur.core.policy import Language
from moteur.sandbox.serve import start_sandbox
from moteur.settings import Settings

Sandbox = Any  # tests/conftest.py


@pytest.fixture(scope="module")
def free_server() -> Iterator[Any]:
    with start_sandbox(seed="demo", rate_limits=False, asana_tier="free") as handle:
        yield handle


@pytest.fixture
def free(free_server: Any) -> Any:
    free_server.app.reset("demo")
    return free_server


# -- a free workspace: the companion project ---------------------------------------------------------------


def test_a_free_sync_puts_the_quadrants_in_a_companion_project_and_leaves_the_team_sections(
    free: Any,
) -> None:
    board = team_board(free.app)
    before = board_state(free.env, board)
    connector = connector_for(Tool.ASANA, free.env, tier="free")
    planned, results = sync(connector, board)

    after = board_state(free.env, board)
    assert sections_in(after, "Plan marketing") == sections_in(before, "Plan marketing")
    (made,) = projects_named(free.app, COMPANION)
    store = free.app.emulators["asana"].store
    assert made.default_view == "board" and made.team == store.records[board.board].team
    names = [store.records[s].name for s in made.sections]
    order = [QUADRANT_NAMES[Language.EN][q] for q in QUADRANT_ORDER]
    assert names == [q for q in order if q in names] and "Untitled section" not in names
    snapshot = connector.read(board)
    for action in snapshot.actions:
        there = after[action.ref.item]["sections"].get(COMPANION)
        assert there == (None if action.status.is_closed else action.annotations.quadrant)
    assert any(action.annotations.quadrant for action in snapshot.actions)
    writes = inner_writes(free.app.requests_log())
    assert not [w for w in writes if "addTask" in w or f"/projects/{board.board}/sections" in w]
    assert plan_for(snapshot, connector, memory_of_results(planned, results)).empty


def test_the_companion_is_found_again_and_never_made_twice(free: Any) -> None:
    board = team_board(free.app)
    sync(connector_for(Tool.ASANA, free.env, tier="free"), board)
    rerun = connector_for(Tool.ASANA, free.env, tier="free")
    rerun.read(board)
    assert rerun.request_count() == 3  # the tasks' memberships name it: no look-up
    # A French run finds the English-named companion (by the tasks, or by name when none is in it yet).
    settings = Settings(
        asana_token=free.env["MOTEUR_ASANA_TOKEN"],
        asana_url=free.env["MOTEUR_ASANA_URL"],
        asana_tier="free",
        language="fr",
    )
    french = AsanaConnector(settings)
    snapshot = french.read(board)
    planned = plan_for(snapshot, french).boards[0]
    french.apply(snapshot, planned.plan.schema_ops, planned.plan.item_ops)
    assert len(projects_named(free.app, COMPANION)) == 1
    assert not projects_named(free.app, "Plan marketing · Priorités")


def test_an_emptied_companion_is_found_by_name_before_anything_is_created(free: Any) -> None:
    board = team_board(free.app)
    first = connector_for(Tool.ASANA, free.env, tier="free")
    planned, results = sync(first, board)
    undo(first, board, results)  # every task out of the companion: only its name finds it now
    again = connector_for(Tool.ASANA, free.env, tier="free")
    snapshot = again.read(board)
    assert again.request_count() == 3 + 2  # the team's projects, then the companion's sections
    planned = plan_for(snapshot, again).boards[0]
    assert not [op for op in planned.plan.schema_ops if op.kind == "ensure_bucket"]  # its sections are known
    results = again.apply(snapshot, planned.plan.schema_ops, planned.plan.item_ops)
    assert all(r.ok for r in results)
    assert len(projects_named(free.app, COMPANION)) == 1


def test_a_free_rollback_takes_each_task_out_of_the_companion_again(free: Any) -> None:
    board = team_board(free.app)
    before = board_state(free.env, board)
    connector = connector_for(Tool.ASANA, free.env, tier="free")
    _, results = sync(connector, board)
    undone = undo(connector, board, results)
    assert all(r.ok for r in undone), [r.error for r in undone if not r.ok][:3]
    assert board_state(free.env, board) == before


def test_a_change_inside_the_companion_records_the_section_left(free: Any) -> None:
    board = team_board(free.app)
    connector = connector_for(Tool.ASANA, free.env, tier="free")
    sync(connector, board)
    snapshot = connector.read(board)
    action = next(a for a in snapshot.actions if a.annotations.quadrant == "Quick win")
    change = UpdateFields(action.ref, action.title, "quadrant", "Quick win", "Time sink")
    (done,) = connector.apply(snapshot, [], [change])
    assert done.ok, done.error
    assert board_state(free.env, board)[action.ref.item]["sections"][COMPANION] == "Time sink"
    (back,) = connector.apply(connector.read(board), [], [inverse(change)])
    assert back.ok, back.error
    state = board_state(free.env, board)[action.ref.item]["sections"]
    assert state == {"Plan marketing": action.bucket, COMPANION: "Quick win"}


@pytest.mark.parametrize("tier", ["paid", "free"])
def test_a_task_is_never_moved_out_of_a_team_section(sandbox: Sandbox, free: Any, tier: str) -> None:
    """A section move of the team's project (what only ``in_place`` plans) is refused outside ``in_place``
    for a task in one of the team's sections; nothing is sent."""
    server = sandbox if tier == "paid" else free
    board = team_board(server.app)
    connector = connector_for(Tool.ASANA, server.env, tier=tier)
    snapshot = connector.read(board)
    action = next(a for a in snapshot.actions if a.bucket == "In progress")
    (result,) = connector.apply(
        snapshot, [], [MoveItem(action.ref, action.title, "quadrant", None, "Backlog")]
    )
    assert not result.ok and 'the team\'s section "In progress"' in (result.error or "")
    log = server.requests() if tier == "paid" else server.app.requests_log()
    assert not [e for e in log if e["mutating"]]


# -- what the dry-run says, and the CLI end to end ---------------------------------------------------------


def _cli(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tier: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_ASANA_TIER", tier)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("tier", ["paid", "free"])
def test_the_dry_run_says_where_the_quadrant_goes_and_writes_nothing(
    sandbox: Sandbox,
    free: Any,
    tier: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from moteur.cli import main

    server = sandbox if tier == "paid" else free
    board = team_board(server.app)
    _cli(server.env, monkeypatch, tmp_path, tier)
    assert main(["sync", f"asana:{board.board}", TODAY, "--dry-run"]) == 0
    out = capsys.readouterr().out
    if tier == "paid":
        assert 'quadrant → the custom field "Quadrant" of "Plan marketing"' in out
    else:
        assert f'quadrant → sections of the companion project "{COMPANION}", created by this run' in out
        assert "a free workspace has no custom fields" in out
    assert "the team's sections" in " ".join(out.split())
    log = server.app.requests_log() if tier == "free" else server.requests()
    assert not [e for e in log if e["mutating"]]


@pytest.mark.parametrize("tier", ["paid", "free"])
def test_sync_then_rollback_through_the_cli_restores_the_board(
    sandbox: Sandbox,
    free: Any,
    tier: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from moteur.cli import main

    server = sandbox if tier == "paid" else free
    board = team_board(server.app)
    before = board_state(server.env, board)
    _cli(server.env, monkeypatch, tmp_path, tier)
    assert main(["sync", f"asana:{board.board}", TODAY]) == 0
    synced = board_state(server.env, board)
    assert sections_in(synced, "Plan marketing") == sections_in(before, "Plan marketing")
    capsys.readouterr()
    assert main(["runs", "--json"]) == 0
    run_id = json.loads(capsys.readouterr().out)["runs"][0]["id"]
    assert main(["rollback", str(run_id)]) == 0
    assert board_state(server.env, board) == before


@pytest.mark.parametrize("tier", ["paid", "free"])
def test_the_estimate_counts_what_apply_sends(sandbox: Sandbox, free: Any, tier: str) -> None:
    server = sandbox if tier == "paid" else free
    board = team_board(server.app)
    connector = connector_for(Tool.ASANA, server.env, tier=tier)
    snapshot = connector.read(board)
    plan = plan_for(snapshot, connector).boards[0].plan
    text = connector.estimate(plan.schema_ops, plan.item_ops)
    before = connector.request_count()
    connector.apply(snapshot, plan.schema_ops, plan.item_ops)
    assert text.startswith(f"≈ {connector.request_count() - before} requests"), text


def test_a_read_of_changes_keeps_the_companion_and_sees_a_move_there(free: Any) -> None:
    """The events of the team's project carry a task's moves in the companion (a task's events bubble up to
    every project it is in): an incremental read keeps what the cached read knew of the companion and reads
    the moved task again; the plan puts it back, as a hand edit of a derived value."""
    board = team_board(free.app)
    connector = connector_for(Tool.ASANA, free.env, tier="free")
    planned, results = sync(connector, board)
    cursor = connector.cursor_of(board)
    assert cursor is not None
    cached = connector.read(board)
    quiet = connector.read_changes(board, cached, cursor)
    assert quiet is not None
    assert [a.annotations for a in quiet.snapshot.actions] == [a.annotations for a in cached.actions]
    assert quiet.snapshot.fields == cached.fields and COMPANION in cached.fields
    memory = memory_of_results(planned, results)
    assert plan_for(quiet.snapshot, connector, memory).empty

    action = next(a for a in cached.actions if a.annotations.quadrant == "Quick win")
    store = free.app.emulators["asana"].store
    (made,) = projects_named(free.app, COMPANION)
    sink = next(s for s in made.sections if store.records[s].name == "Time sink")
    moved = requests.post(
        f"{free.env['MOTEUR_ASANA_URL']}/tasks/{action.ref.item}/addProject",
        json={"data": {"project": made.gid, "section": sink}},
        headers={"Authorization": f"Bearer {free.env['MOTEUR_ASANA_TOKEN']}"},
        timeout=10,
    )
    assert moved.status_code == 200, moved.text
    change = connector.read_changes(board, quiet.snapshot, quiet.cursor)
    assert change is not None
    seen = next(a for a in change.snapshot.actions if a.key == action.key)
    assert seen.annotations.quadrant == "Time sink"
    (op,) = plan_for(change.snapshot, connector, memory).boards[0].plan.item_ops
    assert (op.field, op.before, op.after) == ("quadrant", "Time sink", "Quick win")


def test_a_cache_read_for_another_place_is_not_read_incrementally(free: Any) -> None:
    """A board cache whose quadrants came from another place (an older moteur, a changed mapping) would keep
    them for every task the feed does not name: the read of changes gives way to a full read."""
    board = team_board(free.app)
    connector = connector_for(Tool.ASANA, free.env, tier="free")
    cursor = connector.cursor_of(board)
    assert cursor is not None
    cached = connector.read(board)
    older = cached.model_copy(update={"native": {**cached.native, "quadrant_place": None}})
    assert connector.read_changes(board, older, cursor) is None
    assert connector.read_changes(board, cached, cursor) is not None
