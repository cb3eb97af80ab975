"""Never doubled, always resumable, over the sandbox: migrations interrupted after N creates (with or without
the last link committed) end, once re-run, with every item exactly once in the board the first run created;
a dry-run sends no mutating request; commit-then-drop faults double nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from migration.kills import Crash, CrashAfter
from migration.support import (
    SAMPLE,
    Sandbox,
    board,
    carried,
    differences,
    import_trello,
    migrate,
    needs_fixtures,
    now,
)
from moteur.core.model import BoardRef, Tool
from moteur.engine.migration_run import (
    identity_of,
    prepare_migration,
)
from moteur.engine.state import StateStore

# -- never doubled: crashes, lost links, dry-runs, faults --------------------------------------------------


@needs_fixtures
@pytest.mark.parametrize("tool", [Tool.ASANA, Tool.MONDAY, Tool.TRELLO, Tool.FILE])
@pytest.mark.parametrize(("n", "link_first"), [(1, False), (6, True), (17, False)])
def test_interrupted_after_n_creates_then_rerun_has_everything_once(
    sandbox: Sandbox,
    ports: Callable[[Tool], Any],
    store: StateStore,
    tmp_path: Path,
    tool: Tool,
    n: int,
    link_first: bool,
) -> None:
    src_ref, src = import_trello(sandbox, SAMPLE), ports(Tool.TRELLO)
    dst = ports(tool)
    dst_ref = BoardRef(tool=tool, board=str(tmp_path / "copy.json") if tool is Tool.FILE else "new")
    with pytest.raises(Crash):
        migrate(store, src, src_ref, CrashAfter(dst, n, link_first=link_first), dst_ref)
    prepared, outcome = migrate(store, src, src_ref, dst, dst_ref)
    assert outcome.ok
    target = dst.read_full(prepared.target.board, include_archived=True)
    assert differences(prepared.source, target, dst.capabilities(prepared.target.board)) == []
    per_source = Counter(identity_of(a) for a in target.actions)
    assert set(per_source.values()) == {1}
    again, rerun = migrate(store, src, src_ref, dst, dst_ref)
    assert (again.plan.created, again.plan.subitems, again.plan.comments, rerun.creates) == (0, 0, 0, 0)
    if tool is not Tool.FILE:  # the board the interrupted run created is the one the re-run finished
        remembered = store.links(f"migrate-target:{tool.value}")
        assert list(remembered.values()) == [str(prepared.target.board)]


@pytest.mark.parametrize("tool", [Tool.ASANA, Tool.MONDAY, Tool.TRELLO])
def test_dry_run_to_a_new_board_sends_no_mutating_request(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tool: Tool
) -> None:
    src = ports(Tool.TRELLO)
    dst = ports(tool)
    before = len(sandbox.requests())
    prepared = prepare_migration(
        src, board(sandbox, Tool.TRELLO), dst, BoardRef(tool=tool, board="new"), store, dry_run=True, now=now
    )
    log = sandbox.requests()[before:]
    assert [e for e in log if e["mutating"]] == []
    assert prepared.target_is_new and prepared.plan.created == len(carried(prepared.source))
    assert prepared.plan.buckets_to_create


@pytest.mark.parametrize("tool", [Tool.ASANA, Tool.MONDAY, Tool.TRELLO])
def test_commit_then_drop_faults_double_nothing(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tool: Tool
) -> None:
    src, dst = ports(Tool.TRELLO), ports(tool)
    src_ref, dst_ref = board(sandbox, Tool.TRELLO), BoardRef(tool=tool, board="new")
    source = src.read_full(src_ref)
    before = len(sandbox.requests())
    sandbox.set_faults(0.2, seed=7, kinds=["commit_then_drop"])
    for _ in range(6):  # each run may lose ops to faults; the next one finishes them
        try:
            prepared, outcome = migrate(store, src, src_ref, dst, dst_ref)
        except Exception:
            continue
        if outcome.ok and prepared.plan.created == 0:
            break
    sandbox.set_faults(0.0)
    dropped = [e for e in sandbox.requests()[before:] if e["fault"] == "commit_then_drop" and e["mutating"]]
    assert dropped, "the faults must have hit some writes for this test to mean anything"
    prepared, outcome = migrate(store, src, src_ref, dst, dst_ref)
    assert outcome.ok and prepared.plan.created == 0
    target = dst.read_full(prepared.target.board, include_archived=True)
    per_source = Counter(identity_of(a) for a in target.actions)
    assert per_source and set(per_source.values()) == {1}
    assert len(per_source) == len(carried(source))
