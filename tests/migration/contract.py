"""The migration contract suite: what every tool must do as the target of a migration, over the sandbox's real
HTTP, run by the real orchestrator (``prepare_migration`` then ``apply_prepared``) with a real state store.

A tool opts in with a short subclass in ``tests/migration/test_contract_<tool>.py``::

    class TestTrelloMigration(MigrationContract):
        tool = Tool.TRELLO
        drop_seeds = (1, 2, 3)

The source is one real board for every tool: the Trello sample export (10 cards, one archived, 12 check items,
4 comments, a closed list) imported into the sandbox and read through the Trello connector. What is checked:

- a migration carries every field the target can hold, and a re-run plans 0 created, 0 updated and writes
  nothing; archived items go archived, and only when asked; check items and comments once each, in order;
- links lost with the state are rebuilt from the identity footers: nothing is made twice;
- a dry-run to a new board writes nothing;
- a run killed after N creates (the last one's link committed or not), then run again, ends with every item
  once in the board the killed run created;
- a run killed in the middle of each wave of its writes (the connection dies after the tool applied a write,
  so the connector never hears of it), then run again, ends as an uninterrupted run ends, field by field;
- commit-then-drop faults (applied, the answer lost) and the tool's other transient faults leave no
  duplicate and every field carried.

Fixtures: ``sandbox`` (tests/conftest.py), ``ports`` and ``store`` (tests/migration/conftest.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from migration.board_state import board_state
from migration.kills import Crash, CrashAfter, resume_matrix, writes
from migration.support import (
    SAMPLE,
    Sandbox,
    carried,
    copies,
    differences,
    import_trello,
    migrate,
    now,
)
from moteur.core.migrate import comment_text
from moteur.core.model import BoardRef, Status, Tool
from moteur.core.ops import CreateItem
from moteur.engine.migration_run import identity_of, prepare_migration
from moteur.engine.state import StateStore

Ports = Callable[[Tool], Any]
Kill = tuple[int, bool]  # killed after this many creates; whether that last create's link was committed first


class MigrationContract:
    tool: Tool
    # Where the killed runs die: after these many creates, of the 26 the source asks for (10 cards, 12 check
    # items, 4 comments), the last one linked or not.
    kills: tuple[Kill, ...] = ((1, False), (6, True), (17, False), (25, True))
    # Seeds of the sandbox's faults under which some creates are applied then their answers dropped.
    drop_seeds: tuple[int, ...] = (7,)
    drop_faults: tuple[str, ...] = ("commit_then_drop",)
    # A plain read (no ``include_archived``) leaves archived items out.
    hides_archived: bool = True
    # Items keep the source's order in each list when faults were met (and a single run succeeded).
    keeps_order_under_faults: bool = False

    # -- what a tool may change --------------------------------------------------------------------------

    def new_board(self, tmp_path: Path) -> BoardRef:
        """Where a migration goes: a new board of the tool, created by the first run and remembered."""
        return BoardRef(tool=self.tool, board="new")

    def traces(self, sandbox: Sandbox, board: BoardRef) -> object:
        """What a write to ``board`` leaves behind, to tell whether a run wrote: the tool's write requests."""
        return len([e for e in writes(sandbox, 0) if e["tool"] == self.tool.value])

    def is_create(self, entry: dict[str, Any]) -> bool:
        """Whether a logged write request creates something."""
        return entry["method"] == "POST"

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """The tool's own kill points and fault seeds parametrize the tests that take them."""
        if "kill" in metafunc.fixturenames:
            ids = [f"{n}-{'linked' if linked else 'unlinked'}" for n, linked in self.kills]
            metafunc.parametrize("kill", self.kills, ids=ids)
        if "drop_seed" in metafunc.fixturenames:
            metafunc.parametrize("drop_seed", self.drop_seeds)

    # -- fixtures ----------------------------------------------------------------------------------------

    @pytest.fixture
    def source(self, sandbox: Sandbox, ports: Ports) -> tuple[Any, BoardRef]:
        if not SAMPLE.exists():
            pytest.skip(f"the Trello sample export is not at {SAMPLE}")
        return ports(Tool.TRELLO), import_trello(sandbox, SAMPLE)

    @pytest.fixture
    def target(self, ports: Ports) -> Any:
        return ports(self.tool)

    # -- a whole migration, then again -------------------------------------------------------------------

    def test_carries_every_field_then_a_rerun_plans_and_writes_nothing(
        self, sandbox: Sandbox, source: tuple[Any, BoardRef], target: Any, store: StateStore, tmp_path: Path
    ) -> None:
        src, src_ref = source
        dst_ref = self.new_board(tmp_path)
        prepared, outcome = migrate(store, src, src_ref, target, dst_ref, include_archived=True)
        assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
        board = prepared.target.board
        copy = target.read_full(board, include_archived=True)
        caps = target.capabilities(copy)
        assert differences(prepared.source, copy, caps, include_archived=True) == []
        assert board_state(copy)["strays"] == 0  # nothing on the target that is no copy of a source item
        before = self.traces(sandbox, board)
        again, rerun = migrate(store, src, src_ref, target, dst_ref, include_archived=True)
        plan = again.plan
        assert again.target.board == board  # a new board is remembered: the re-run goes to the same one
        counts = (
            plan.created,
            plan.updated,
            plan.subitems,
            plan.subitem_updates,
            plan.comments,
            rerun.creates,
        )
        assert counts == (0, 0, 0, 0, 0, 0), plan.ops[:3]
        assert self.traces(sandbox, board) == before

    def test_archived_items_are_carried_archived_and_only_when_asked(
        self, source: tuple[Any, BoardRef], target: Any, store: StateStore, tmp_path: Path
    ) -> None:
        src, src_ref = source
        dst_ref = self.new_board(tmp_path)
        everything = src.read_full(src_ref, include_archived=True)
        archived = {a.key for a in everything.actions if a.status is Status.ARCHIVED}
        assert archived  # the sample has an archived card
        left = prepare_migration(src, src_ref, target, dst_ref, store, dry_run=True, now=now)
        created = {op.key for op in left.plan.ops if isinstance(op, CreateItem)}
        assert not created & archived  # not asked: not carried
        assert left.plan.created == len(everything.actions) - len(archived)
        prepared, outcome = migrate(store, src, src_ref, target, dst_ref, include_archived=True)
        assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
        found = copies(target.read_full(prepared.target.board, include_archived=True))
        assert {key: [a.status for a in found.get(key, [])] for key in archived} == {
            key: [Status.ARCHIVED] for key in archived
        }
        if self.hides_archived:
            shown = {identity_of(a) for a in target.read_full(prepared.target.board).actions}
            assert not shown & archived

    def test_check_items_and_comments_are_carried_once_in_order(
        self, source: tuple[Any, BoardRef], target: Any, store: StateStore, tmp_path: Path
    ) -> None:
        src, src_ref = source
        prepared, outcome = migrate(store, src, src_ref, target, self.new_board(tmp_path))
        assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
        items = carried(prepared.source)
        assert prepared.plan.subitems == sum(len(a.checklist) for a in items) > 0
        assert prepared.plan.comments == sum(len(a.comments) for a in items) > 0
        found = copies(target.read_full(prepared.target.board, include_archived=True))
        for action in items:
            [copy] = found[action.key]
            assert [(c.text, c.done) for c in copy.checklist] == [(c.text, c.done) for c in action.checklist]
            want = [comment_text(c.author, c.date, c.text) for c in action.comments]
            assert [c.text for c in copy.comments][: len(want)] == want

    def test_links_lost_with_the_state_are_rebuilt_from_the_footers(
        self, sandbox: Sandbox, source: tuple[Any, BoardRef], target: Any, store: StateStore, tmp_path: Path
    ) -> None:
        src, src_ref = source
        prepared, outcome = migrate(store, src, src_ref, target, self.new_board(tmp_path))
        assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
        board = prepared.target.board
        before = self.traces(sandbox, board)
        with StateStore(f"sqlite:///{tmp_path / 'lost.db'}") as fresh:
            again, rerun = migrate(fresh, src, src_ref, target, board)
        assert again.rebuilt_links == len(carried(prepared.source))  # items; their children are found in them
        assert (again.plan.created, again.plan.subitems, again.plan.comments, rerun.creates) == (0, 0, 0, 0)
        assert self.traces(sandbox, board) == before

    def test_a_dry_run_to_a_new_board_writes_nothing(
        self, sandbox: Sandbox, source: tuple[Any, BoardRef], target: Any, store: StateStore, tmp_path: Path
    ) -> None:
        src, src_ref = source
        dst_ref = self.new_board(tmp_path)
        before = len(sandbox.requests())
        prepared = prepare_migration(src, src_ref, target, dst_ref, store, dry_run=True, now=now)
        assert [e for e in sandbox.requests()[before:] if e["mutating"]] == []
        assert prepared.plan.created == len(carried(prepared.source)) and prepared.plan.buckets_to_create
        assert prepared.target_is_new == (dst_ref.board == "new")  # a new board is only planned, not made
        assert not list(tmp_path.glob("copy*"))  # no file made either

    # -- killed, then run again --------------------------------------------------------------------------

    def test_killed_after_n_creates_then_rerun_has_every_item_once(
        self, source: tuple[Any, BoardRef], target: Any, store: StateStore, tmp_path: Path, kill: Kill
    ) -> None:
        src, src_ref = source
        dst_ref = self.new_board(tmp_path)
        n, linked = kill
        with pytest.raises(Crash):
            migrate(
                store, src, src_ref, CrashAfter(target, n, link_first=linked), dst_ref, include_archived=True
            )
        prepared, outcome = migrate(store, src, src_ref, target, dst_ref, include_archived=True)
        assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
        board = prepared.target.board
        copy = target.read_full(board, include_archived=True)
        assert differences(prepared.source, copy, target.capabilities(copy), include_archived=True) == []
        per_source = Counter(identity_of(a) for a in copy.actions)
        assert set(per_source.values()) == {1} and None not in per_source  # once each, no stray
        again, rerun = migrate(store, src, src_ref, target, dst_ref, include_archived=True)
        assert (again.plan.created, again.plan.subitems, again.plan.comments, rerun.creates) == (0, 0, 0, 0)
        if dst_ref.board == "new":  # the board the killed run created is the one the re-run finished
            assert list(store.links(f"migrate-target:{self.tool.value}").values()) == [str(board)]

    def test_killed_in_every_wave_then_resumed_ends_as_an_uninterrupted_run(
        self, sandbox: Sandbox, ports: Ports, tmp_path: Path
    ) -> None:
        if not SAMPLE.exists():
            pytest.skip(f"the Trello sample export is not at {SAMPLE}")
        resume_matrix(sandbox, ports, tmp_path, SAMPLE, self.tool)

    # -- faults ------------------------------------------------------------------------------------------

    def test_commit_then_drop_leaves_no_duplicate(
        self,
        sandbox: Sandbox,
        source: tuple[Any, BoardRef],
        target: Any,
        store: StateStore,
        tmp_path: Path,
        drop_seed: int,
    ) -> None:
        src, src_ref = source
        dst_ref = self.new_board(tmp_path)
        since = len(sandbox.requests())
        sandbox.set_faults(0.3, drop_seed, kinds=list(self.drop_faults))
        first_ok = False
        try:
            for attempt in range(6):  # a run may lose ops to faults; the next one finishes them
                try:
                    prepared, outcome = migrate(store, src, src_ref, target, dst_ref, include_archived=True)
                except Exception:  # a read or a board create that ran out of retries: run again
                    continue
                first_ok = first_ok or (attempt == 0 and outcome.ok)
                if outcome.ok and prepared.plan.created == 0:
                    break
        finally:
            sandbox.set_faults(0.0)
        log = sandbox.requests()[since:]
        dropped = [e for e in log if e["fault"] == "commit_then_drop" and e["mutating"] and self.is_create(e)]
        assert dropped, "no create was applied then dropped: this seed tests nothing"
        prepared, outcome = migrate(store, src, src_ref, target, dst_ref, include_archived=True)
        assert outcome.ok and prepared.plan.created == 0 and prepared.plan.comments == 0
        board = prepared.target.board
        copy = target.read_full(board, include_archived=True)
        assert differences(prepared.source, copy, target.capabilities(copy), include_archived=True) == []
        per_source = Counter(identity_of(a) for a in copy.actions)
        assert set(per_source.values()) == {1} and None not in per_source
        if first_ok and self.keeps_order_under_faults:  # each list in the source's order despite the faults
            state = board_state(copy)
            for bucket, keys in state["order"].items():
                shown = [a.key for a in prepared.source.actions if a.status is not Status.ARCHIVED]
                source_order = [k for k in shown if k in keys]
                assert keys == source_order, bucket
