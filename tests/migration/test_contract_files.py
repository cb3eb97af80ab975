"""A file as the target of a migration: the shared migration contract (``contract.py``). A file has no
connection to drop and no waves of requests: it is killed after N creates and compared with a file an
uninterrupted run wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from migration.board_state import read_state, state_differences
from migration.contract import Kill, MigrationContract
from migration.kills import Crash, CrashAfter, settled
from migration.support import Sandbox, migrate
from moteur.core.model import BoardRef, Tool
from moteur.engine.state import StateStore


class TestFileMigration(MigrationContract):
    tool = Tool.FILE
    kills = ((1, False), (4, False), (9, False), (17, True))
    hides_archived = False  # a file holds its archived rows like any other: the plan decides what is carried
    test_commit_then_drop_leaves_no_duplicate = None  # type: ignore[assignment]  # no connection to drop

    def new_board(self, tmp_path: Path) -> BoardRef:
        return BoardRef(tool=Tool.FILE, board=str(tmp_path / "copy.json"))

    def traces(self, sandbox: Sandbox, board: BoardRef) -> object:
        path = Path(board.board)
        return path.read_bytes(), path.stat().st_mtime_ns

    def test_killed_in_every_wave_then_resumed_ends_as_an_uninterrupted_run(  # type: ignore[override]
        self, source: tuple[Any, BoardRef], target: Any, tmp_path: Path, kill: Kill
    ) -> None:
        src, src_ref = source
        whole = BoardRef(tool=Tool.FILE, board=str(tmp_path / "whole.json"))
        with StateStore(f"sqlite:///{tmp_path / 'whole.db'}") as store:
            migrate(store, src, src_ref, target, whole, include_archived=True)
        copy = self.new_board(tmp_path)
        with StateStore(f"sqlite:///{tmp_path / 'copy.db'}") as store:
            n, linked = kill
            with pytest.raises(Crash):
                migrate(
                    store, src, src_ref, CrashAfter(target, n, link_first=linked), copy, include_archived=True
                )
            _, outcome = migrate(store, src, src_ref, target, copy, include_archived=True)
            assert outcome.ok
            assert state_differences(read_state(target, whole), read_state(target, copy)) == []
            assert settled(store, src, src_ref, target, copy) == []
