"""The connector conformance suite: what every connector must do, run over the sandbox's real HTTP.

A connector opts in with a short subclass (see ``test_trello.py``)::

    class TestTrelloContract(ConnectorContract):
        tool = Tool.TRELLO
        bulk_seed, bulk_size = "bulk:1200", 1200

        def make_connector(self, sandbox, env): ...   # from env (credentials, URL); no real sleeps
        def missing_board(self) -> BoardRef: ...      # a well-formed id no board has

Fixtures used: ``sandbox`` (tests/conftest.py), and ``connector`` / ``board_ref`` defined here.
*Fault tests* turn on the sandbox's seeded random faults of one kind; the connector's client must be built
with an injected no-op sleep so that waiting out a rate window costs no real time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from moteur.connectors.base import Connector
from moteur.core.diff import Memory, current_value
from moteur.core.errors import AuthError, NotFound
from moteur.core.model import BoardRef, Snapshot, Tool
from moteur.core.ops import OpResult
from moteur.core.policy import PlanningPolicy
from moteur.core.sync import SyncPlan, prepare, remembered

TODAY = date(2026, 9, 14)  # a Monday: sprints start today, whatever the machine's clock says


def plan_for(snapshot: Snapshot, connector: Connector, memory: dict[str, Memory] | None = None) -> SyncPlan:
    ref = snapshot.board
    return prepare(
        [snapshot],
        {ref: connector.writeback(snapshot)},
        {ref: memory or {}},
        [("team", [ref])],
        PlanningPolicy(),
        TODAY,
    )


def mutating(log: list[dict[str, Any]], tool: str) -> list[dict[str, Any]]:
    return [entry for entry in log if entry["tool"] == tool and entry["mutating"]]


class ConnectorContract:
    tool: Tool
    bulk_seed: str
    bulk_size: int

    def make_connector(self, sandbox: Any, env: dict[str, str]) -> Connector:
        raise NotImplementedError

    def missing_board(self) -> BoardRef:
        raise NotImplementedError

    @pytest.fixture
    def connector(self, sandbox: Any) -> Iterator[Connector]:
        made = self.make_connector(sandbox, dict(sandbox.env))
        yield made
        made.close()

    @pytest.fixture
    def board_ref(self, sandbox: Any) -> BoardRef:
        tool, board = sandbox.boards[self.tool.value][0].split(":", 1)
        return BoardRef(tool=Tool(tool), board=board)

    # -- the interface ----------------------------------------------------------------------------------

    def test_describes_itself_in_the_tool_s_own_words(self, connector: Connector) -> None:
        about = connector.describe()
        assert isinstance(connector, Connector) and about.tool is self.tool is connector.tool
        assert about.name and about.board and about.bucket and about.item
        assert about.credentials and all(c.variable.startswith("MOTEUR_") for c in about.credentials)

    def test_reads_changes_when_it_says_it_does(self, connector: Connector, board_ref: BoardRef) -> None:
        # The cursor is taken before the full read; nothing changed since, so the feed gives the same board.
        cursor = connector.cursor_of(board_ref)
        full = connector.read(board_ref)
        if not connector.describe().incremental:
            assert cursor is None and connector.read_changes(board_ref, full, "") is None
            return
        assert cursor
        changes = connector.read_changes(board_ref, full, cursor)
        assert changes is not None and changes.cursor
        assert [a.key for a in changes.snapshot.actions] == [a.key for a in full.actions]
        assert connector.board_kept(full, changes.snapshot)

    def test_lists_the_boards_its_credentials_reach(self, connector: Connector, board_ref: BoardRef) -> None:
        listed = connector.reachable_boards()
        assert listed and all(ref.tool is self.tool and name for ref, name in listed)

    # -- reading ----------------------------------------------------------------------------------------

    def test_reads_the_board(self, connector: Connector, board_ref: BoardRef) -> None:
        snapshot = connector.read(board_ref)
        assert snapshot.board == board_ref and snapshot.name
        assert len(snapshot.actions) >= 10
        assert all(a.ref.tool is self.tool and a.title for a in snapshot.actions)
        assert any(a.impact is not None and a.effort is not None for a in snapshot.actions)

    def test_pages_past_one_page(self, sandbox: Any, connector: Connector) -> None:
        ref = sandbox.reset(self.bulk_seed)[self.tool.value][0]
        snapshot = connector.read(BoardRef(tool=self.tool, board=ref.split(":", 1)[1]))
        assert len(snapshot.actions) == self.bulk_size
        assert len({a.key for a in snapshot.actions}) == self.bulk_size

    # -- writing ----------------------------------------------------------------------------------------

    def test_apply_then_read_back_then_nothing_to_do(self, connector: Connector, board_ref: BoardRef) -> None:
        snapshot = connector.read(board_ref)
        sync = plan_for(snapshot, connector)
        board = sync.boards[0]
        assert board.plan.item_ops, "the demo board should need write-back"
        landed: list[OpResult] = []  # what the write-ahead journal records as each request is answered
        results = connector.apply(snapshot, board.plan.schema_ops, board.plan.item_ops, landed.extend)
        assert [r.op for r in results] == [*board.plan.schema_ops, *board.plan.item_ops]
        assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
        # Every item op reported once, as it landed, with the outcome ``apply`` returns at the end.
        assert sorted(map(repr, landed)) == sorted(repr(r) for r in results[len(board.plan.schema_ops) :])

        after = connector.read(board_ref)
        wb = board.writeback
        fields = [f for f in wb.targets if f not in wb.skip]
        by_key = {a.key: a for a in after.actions}
        for key, want in board.desired.items():
            for name in fields:
                got = current_value(by_key[key], name)
                assert (got or None) == (want.value(name) or None), (by_key[key].title, name)

        memory = {
            s.key: Memory(dict(s.written), s.version, s.content_hash) for s in remembered(board, results)
        }
        again = plan_for(after, connector, memory)
        assert again.empty, again.boards[0].plan.item_ops[:3]

    def test_dry_run_sends_no_mutating_request(
        self, sandbox: Any, connector: Connector, board_ref: BoardRef
    ) -> None:
        snapshot = connector.read(board_ref)
        sync = plan_for(snapshot, connector)
        assert not sync.empty
        assert mutating(sandbox.requests(), self.tool.value) == []

    # -- faults -----------------------------------------------------------------------------------------

    @pytest.mark.parametrize("kind", ["429", "500"])
    def test_recovers_from_transient_failures(
        self, sandbox: Any, connector: Connector, board_ref: BoardRef, kind: str
    ) -> None:
        clean = connector.read(board_ref)
        sandbox.set_faults(rate=0.2, seed=7, kinds=[kind])  # seeded: the same faults every run
        snapshot = connector.read(board_ref)
        sync = plan_for(snapshot, connector)
        ops = sync.boards[0].plan
        results = connector.apply(snapshot, ops.schema_ops, ops.item_ops)
        sandbox.set_faults(0.0)
        assert any(e["status"] == int(kind) for e in sandbox.requests()), "no fault was injected"
        assert [a.key for a in snapshot.actions] == [a.key for a in clean.actions]
        assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]

    def test_wrong_token_is_an_auth_error(self, sandbox: Any) -> None:
        env = {k: (v[:-4] + "dead" if "TOKEN" in k else v) for k, v in sandbox.env.items()}
        bad = self.make_connector(sandbox, env)
        board = sandbox.boards[self.tool.value][0].split(":", 1)[1]
        with pytest.raises(AuthError) as caught:
            bad.read(BoardRef(tool=self.tool, board=board))
        assert env[next(k for k in env if "TOKEN" in k)] not in str(caught.value)
        bad.close()

    def test_unknown_board_is_not_found(self, connector: Connector) -> None:
        missing = self.missing_board()
        with pytest.raises(NotFound) as caught:
            connector.read(missing)
        assert missing.board in str(caught.value)

    def test_cli_dry_run_then_sync_then_nothing_to_do(
        self,
        sandbox: Any,
        board_ref: BoardRef,
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Any,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """End to end through ``moteur sync``: the dry-run writes nothing, the sync writes, then nothing."""
        from moteur.cli import main

        for name, value in sandbox.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
        monkeypatch.chdir(tmp_path)  # no stray .env or moteur.toml
        ref, tool, today = str(board_ref), self.tool.value, ["--today", "2026-12-01"]
        assert main(["sync", ref, "--dry-run", *today]) == 0
        assert mutating(sandbox.requests(), tool) == []
        assert main(["sync", ref, *today]) == 0
        written = len(mutating(sandbox.requests(), tool))
        assert written
        capsys.readouterr()
        assert main(["sync", ref, "--dry-run", *today]) == 0
        assert "No changes." in capsys.readouterr().out
        assert main(["sync", ref, *today]) == 0
        assert len(mutating(sandbox.requests(), tool)) == written  # a second sync writes nothing
