"""A resumed migration ends in the state an uninterrupted one ends in: a real board migrated once without a
stop, then again into a new board killed in the middle of each wave of writes (the item creates, the
archives, the field values, the subitems, the comments…), run again to the end, and the two boards compared
field by field; a third run then changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from migration.board_state import read_state, state_differences
from migration.kills import Crash, CrashAfter, KillPoint, kill_after, kill_points, writes
from migration.support import (
    SAMPLE,
    TRIP,
    Sandbox,
    import_trello,
    migrate,
    needs_fixtures,
    seed_trello_fields,
)
from moteur.core.model import BoardRef, Tool
from moteur.engine.state import StateStore

NEW = {tool: BoardRef(tool=tool, board="new") for tool in Tool}
# The waves of each tool's writes where archiving happens (an Asana task is archived in its create).
ARCHIVING = {
    Tool.TRELLO: ("PUT /cards/{id}", "halfway"),
    Tool.ASANA: ("halfway",),
}


def _resumed(
    sandbox: Sandbox,
    tmp_path: Path,
    name: str,
    src: Any,
    src_ref: BoardRef,
    dst: Any,
    tool: Tool,
    kill: KillPoint,
) -> tuple[BoardRef, StateStore, bool]:
    """A migration into a new board killed at ``kill``, then run again to its end; whether it was killed."""
    store = StateStore(f"sqlite:///{tmp_path / f'{name}.db'}")
    killed = False
    with kill_after(sandbox, kill):
        try:
            migrate(store, src, src_ref, dst, NEW[tool], include_archived=True)
        except Crash:
            killed = True  # else a wave this run has not (tags the first run made): not killed
    prepared, outcome = migrate(store, src, src_ref, dst, NEW[tool], include_archived=True)
    assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
    return prepared.target.board, store, killed


def _settled(store: StateStore, src: Any, src_ref: BoardRef, dst: Any, tool: Tool) -> list[str]:
    again, rerun = migrate(store, src, src_ref, dst, NEW[tool], include_archived=True)
    plan = again.plan
    counts = (plan.created, plan.updated, plan.subitems, plan.subitem_updates, plan.comments, rerun.creates)
    return [] if counts == (0, 0, 0, 0, 0, 0) else [f"the run after it plans {counts}: {plan.ops[:3]}"]


def _matrix(
    sandbox: Sandbox,
    ports: Callable[[Tool], Any],
    tmp_path: Path,
    export: Path,
    tool: Tool,
    only: tuple[str, ...] = (),
) -> None:
    src_ref, src, dst = import_trello(sandbox, export), ports(Tool.TRELLO), ports(tool)
    seed_trello_fields(sandbox, src_ref.board)  # custom field values: a wave of their own on some targets
    with StateStore(f"sqlite:///{tmp_path / 'whole.db'}") as store:
        since = len(sandbox.app.requests_log())
        prepared, outcome = migrate(store, src, src_ref, dst, NEW[tool], include_archived=True)
        assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
        points = kill_points(writes(sandbox, since))
        whole = read_state(dst, prepared.target.board)
    assert whole["items"] and whole["strays"] == 0
    if only:
        points = {where: n for where, n in points.items() if any(where.endswith(word) for word in only)}
    assert points
    problems: list[str] = []
    kills = 0
    for n, (where, kill) in enumerate(points.items()):
        board, store, killed = _resumed(sandbox, tmp_path, f"kill{n}", src, src_ref, dst, tool, kill)
        kills += killed
        with store:
            found = state_differences(whole, read_state(dst, board))
            found += _settled(store, src, src_ref, dst, tool)
        problems += [f"killed at {where} (after {kill[1]}): {p}" for p in found[:6]]
    assert problems == [], "\n".join(problems)
    assert kills >= max(1, len(points) - 2), f"{kills} of {len(points)} runs were killed"


@needs_fixtures
@pytest.mark.parametrize("tool", [Tool.TRELLO, Tool.ASANA, Tool.MONDAY])
def test_killed_in_every_wave_then_resumed_ends_as_an_uninterrupted_run(
    sandbox: Sandbox, ports: Callable[[Tool], Any], tmp_path: Path, tool: Tool
) -> None:
    _matrix(sandbox, ports, tmp_path, SAMPLE, tool)


@needs_fixtures
@pytest.mark.soak
@pytest.mark.parametrize("tool", [Tool.TRELLO, Tool.ASANA])
def test_the_201_card_board_killed_among_its_archives_then_resumed(
    sandbox: Sandbox, ports: Callable[[Tool], Any], tmp_path: Path, tool: Tool
) -> None:
    """The trip board (51 archived cards, 8 closed lists): killed where its archiving is under way (each
    tool's matrix runs on the small board by default)."""
    _matrix(sandbox, ports, tmp_path, TRIP, tool, only=ARCHIVING[tool])


@needs_fixtures
def test_the_201_card_board_killed_among_its_monday_archives_then_resumed(
    sandbox: Sandbox, ports: Callable[[Tool], Any], tmp_path: Path
) -> None:
    """The trip board to monday.com, killed half-way through archiving its 51 items: the items created
    before the kill are archived by the next run (they were found "unchanged", created done, before)."""
    _matrix(sandbox, ports, tmp_path, TRIP, Tool.MONDAY, only=("archive_item",))


@needs_fixtures
@pytest.mark.parametrize("n", [1, 4, 9])
def test_a_file_target_killed_after_n_creates_then_resumed(
    sandbox: Sandbox, ports: Callable[[Tool], Any], tmp_path: Path, n: int
) -> None:
    src_ref, src, dst = import_trello(sandbox, SAMPLE), ports(Tool.TRELLO), ports(Tool.FILE)
    whole_ref = BoardRef(tool=Tool.FILE, board=str(tmp_path / "whole.json"))
    copy_ref = BoardRef(tool=Tool.FILE, board=str(tmp_path / "copy.json"))
    with StateStore(f"sqlite:///{tmp_path / 'whole.db'}") as store:
        migrate(store, src, src_ref, dst, whole_ref, include_archived=True)
    with StateStore(f"sqlite:///{tmp_path / 'copy.db'}") as store:
        killing = CrashAfter(dst, n, link_first=False)
        with pytest.raises(Crash):
            migrate(store, src, src_ref, killing, copy_ref, include_archived=True)
        _, outcome = migrate(store, src, src_ref, dst, copy_ref, include_archived=True)
        assert outcome.ok
        assert state_differences(read_state(dst, whole_ref), read_state(dst, copy_ref)) == []
        assert _settled_file(store, src, src_ref, dst, copy_ref) == (0, 0, 0, 0)


def _settled_file(store: StateStore, src: Any, src_ref: BoardRef, dst: Any, ref: BoardRef) -> tuple[int, ...]:
    again, rerun = migrate(store, src, src_ref, dst, ref, include_archived=True)
    return (again.plan.created, again.plan.updated, again.plan.comments, rerun.creates)
