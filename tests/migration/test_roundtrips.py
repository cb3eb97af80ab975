"""Migrations between the tools over the sandbox (real HTTP), compared field by field.

Chains Trello → Asana → monday → Trello and the reverse, and through JSON/CSV/YAML files; the real Trello
exports to each tool. Every hop is re-run: nothing is created or updated the second time. A pair whose port
has no ``apply_migration`` yet is skipped with that reason (``conftest.ports``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from migration.support import (
    CLIPKIT,
    SAMPLE,
    TRIP,
    Sandbox,
    board,
    carried,
    differences,
    hop,
    import_trello,
    migrate,
    needs_fixtures,
    seed_trello_fields,
)
from moteur.core.model import BoardRef, Tool
from moteur.engine.state import StateStore

CHAINS = {
    "trello-asana-monday-trello": (Tool.ASANA, Tool.MONDAY, Tool.TRELLO),
    "trello-monday-asana-trello": (Tool.MONDAY, Tool.ASANA, Tool.TRELLO),
}


@pytest.mark.parametrize("chain", list(CHAINS))
def test_chain_of_tools_on_the_demo_board(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, chain: str
) -> None:
    ref, port = board(sandbox, Tool.TRELLO), ports(Tool.TRELLO)
    for tool in CHAINS[chain]:
        nxt = ports(tool)
        ref, _ = hop(store, port, ref, nxt, BoardRef(tool=tool, board="new"), name=f"copy {chain}")
        port = nxt


@needs_fixtures
@pytest.mark.parametrize("chain", list(CHAINS))
def test_chain_of_tools_carries_checklists_and_comments(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, chain: str
) -> None:
    ref, port = import_trello(sandbox, SAMPLE), ports(Tool.TRELLO)
    first = True
    for tool in CHAINS[chain]:
        nxt = ports(tool)
        ref, prepared = hop(store, port, ref, nxt, BoardRef(tool=tool, board="new"))
        if first:
            items = carried(prepared.source)
            assert prepared.plan.subitems == sum(len(a.checklist) for a in items) > 0
            assert prepared.plan.comments == sum(len(a.comments) for a in items) > 0
            first = False
        port = nxt


@pytest.mark.parametrize(
    ("first", "suffix", "then"),
    [
        (Tool.TRELLO, ".json", Tool.ASANA),
        (Tool.ASANA, ".csv", Tool.MONDAY),
        (Tool.MONDAY, ".yaml", Tool.TRELLO),
    ],
)
def test_through_a_file(
    sandbox: Sandbox,
    ports: Callable[[Tool], Any],
    store: StateStore,
    tmp_path: Path,
    first: Tool,
    suffix: str,
    then: Tool,
) -> None:
    src, files, dst = ports(first), ports(Tool.FILE), ports(then)
    middle = BoardRef(tool=Tool.FILE, board=str(tmp_path / f"middle{suffix}"))
    hop(store, src, board(sandbox, first), files, middle)
    hop(store, files, middle, dst, BoardRef(tool=then, board="new"))


# -- the real exports to each tool ------------------------------------------------------------------------


@needs_fixtures
@pytest.mark.parametrize("tool", [Tool.TRELLO, Tool.ASANA, Tool.MONDAY])
@pytest.mark.parametrize("export", [SAMPLE, TRIP, CLIPKIT], ids=["sample", "trip", "clipkit"])
def test_real_export_to_each_tool(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tool: Tool, export: Path
) -> None:
    files, dst = ports(Tool.FILE), ports(tool)
    src_ref = BoardRef(tool=Tool.FILE, board=str(export))
    before = len(sandbox.requests())
    started = time.monotonic()
    prepared, outcome = migrate(
        store, files, src_ref, dst, BoardRef(tool=tool, board="new"), include_archived=True
    )
    seconds = time.monotonic() - started
    sent = len(sandbox.requests()) - before
    assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
    target = dst.read_full(prepared.target.board, include_archived=True)
    caps = dst.capabilities(target)
    assert differences(prepared.source, target, caps, include_archived=True) == []
    again, rerun = migrate(
        store, files, src_ref, dst, BoardRef(tool=tool, board="new"), include_archived=True
    )
    assert (again.plan.created, again.plan.updated, rerun.creates) == (0, 0, 0), again.plan.ops[:3]
    plan = prepared.plan
    print(
        f"\n{export.name} -> {tool.value}: {plan.created} items, {plan.subitems} subitems, {plan.comments} "
        f"comments, {sent} requests, {seconds:.2f} s; re-run creates {rerun.creates}, updates "
        f"{again.plan.updated}; losses: {'; '.join(loss.text() for loss in plan.losses)}"
    )


@pytest.mark.parametrize("chain", list(CHAINS))
def test_chain_of_tools_carries_custom_fields(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, chain: str
) -> None:
    """Number, single choice, text and date fields go round the three tools (``hop`` compares the values);
    a checkbox has no counterpart and is the one loss; no hop reports a number/choice/text/date field lost."""
    ref, port = board(sandbox, Tool.TRELLO), ports(Tool.TRELLO)
    seed_trello_fields(sandbox, ref.board)
    for n, tool in enumerate(CHAINS[chain]):
        nxt = ports(tool)
        ref, prepared = hop(store, port, ref, nxt, BoardRef(tool=tool, board="new"), name=f"fields {chain}")
        lost = [loss.what for loss in prepared.plan.losses if loss.what.startswith("custom field")]
        assert lost == (['custom field "Approved"'] if n == 0 else []), prepared.plan.losses
        if n == 0:
            assert set(prepared.plan.fields_to_create) >= {"Budget", "Stage", "Brief", "Launch"}
        copy = nxt.read_full(ref)
        values = {k: v for a in copy.actions for k, v in a.extra.items() if k.startswith("field:")}
        assert {"field:Budget", "field:Stage", "field:Brief", "field:Launch"} <= set(values), values
        port = nxt
