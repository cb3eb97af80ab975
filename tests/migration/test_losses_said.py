"""Nothing dropped without a word: what a target cannot keep of a real board is named in the loss report with
its count (the dry-run's report is the run's: one plan) — named checklists, lists that share a name,
archived lists — and what it can keep comes back: check items with spaces at either end.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from migration.support import SAMPLE, TRIP, Sandbox, hop, import_trello, needs_fixtures, now
from moteur.core.migrate import Loss, checklist_names
from moteur.core.model import BoardRef, Tool
from moteur.core.ops import EnsureTag
from moteur.engine.migration_run import prepare_migration
from moteur.engine.state import StateStore


def _losses(store: StateStore, src: Any, ref: BoardRef, dst: Any, tool: Tool) -> dict[str, Loss]:
    new = BoardRef(tool=tool, board="new")
    prepared = prepare_migration(src, ref, dst, new, store, include_archived=True, dry_run=True, now=now)
    return {loss.what: loss for loss in prepared.plan.losses}


def test_which_checklist_names_a_migration_loses() -> None:
    assert checklist_names([]) == [] and checklist_names(["Checklist"]) == [] and checklist_names([""]) == []
    assert checklist_names(["Bugs Minor"]) == ["Bugs Minor"]
    assert checklist_names(["Checklist", "Checklist"]) == ["Checklist", "Checklist"]
    assert checklist_names(["Planear", "Hacer", "Verificar", "Actuar"]) == [
        "Planear",
        "Hacer",
        "Verificar",
        "Actuar",
    ]


@needs_fixtures
@pytest.mark.parametrize("tool", [Tool.ASANA, Tool.MONDAY, Tool.TRELLO])
def test_named_checklists_are_reported_from_the_api_and_the_export(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tool: Tool
) -> None:
    """The sample's cards hold "first checklist" + "second checklist", and "What needs to be done": two
    cards whose checklist names no target keeps (the one card with a single "Checklist" loses nothing)."""
    api, files, dst = ports(Tool.TRELLO), ports(Tool.FILE), ports(tool)
    for src, ref in (
        (api, import_trello(sandbox, SAMPLE)),
        (files, BoardRef(tool=Tool.FILE, board=str(SAMPLE))),
    ):
        loss = _losses(store, src, ref, dst, tool)["Trello named checklists"]
        assert (loss.count, loss.fate) == (2, "their entries carried in one list, the checklist names not")


@needs_fixtures
def test_lists_of_one_name_and_archived_lists_are_reported(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore
) -> None:
    """The trip board has two archived lists named "6/24佛羅倫斯" (11 cards in all) and 32 cards in 7
    archived lists that hold any."""
    losses = _losses(store, ports(Tool.TRELLO), import_trello(sandbox, TRIP), ports(Tool.MONDAY), Tool.MONDAY)
    same = losses['2 lists named "6/24佛羅倫斯"']
    assert (same.count, same.fate) == (11, "merged into one on the target")
    closed = losses["archived lists (7)"]
    assert (closed.count, closed.fate) == (32, "created open on the target, their items archived")


@needs_fixtures
def test_check_items_with_spaces_at_either_end_go_round_the_tools(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tmp_path: Path
) -> None:
    ref, port = import_trello(sandbox, SAMPLE), ports(Tool.TRELLO)
    base = sandbox.urls["trello"]
    auth = {"key": sandbox.env["MOTEUR_TRELLO_API_KEY"], "token": sandbox.env["MOTEUR_TRELLO_TOKEN"]}
    checklist = requests.get(f"{base}/boards/{ref.board}/checklists", params=auth, timeout=10).json()[0]
    for name in ("Relire  ", "  Publier"):
        body = {"name": name, "pos": "bottom"}
        answer = requests.post(
            f"{base}/checklists/{checklist['id']}/checkItems", params=auth, json=body, timeout=10
        )
        answer.raise_for_status()
    texts = [c.text for a in port.read_full(ref).actions for c in a.checklist]
    assert "Relire  " in texts and "  Publier" in texts
    for tool in (Tool.MONDAY, Tool.ASANA, Tool.TRELLO):  # ``hop`` compares each checklist text as it is
        nxt = ports(tool)
        ref, _ = hop(store, port, ref, nxt, BoardRef(tool=tool, board="new"))
        port = nxt


@needs_fixtures
def test_label_colours_are_carried_from_the_api_and_the_export(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore
) -> None:
    """The sample's one named label with a colour ("green label") keeps it: the plan gives the Asana tag
    the counterpart of Trello's green, and reports no colour loss (``tests/migration/test_label_colours``)."""
    board = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert [x["color"] for x in board["labels"] if x.get("name") == "green label"] == ["green"]
    api, files, dst = ports(Tool.TRELLO), ports(Tool.FILE), ports(Tool.ASANA)
    for src, ref in (
        (api, import_trello(sandbox, SAMPLE)),
        (files, BoardRef(tool=Tool.FILE, board=str(SAMPLE))),
    ):
        new = BoardRef(tool=Tool.ASANA, board="new")
        plan = prepare_migration(src, ref, dst, new, store, include_archived=True, dry_run=True, now=now).plan
        assert EnsureTag("green label", "dark-green") in plan.ops
        assert not [loss for loss in plan.losses if "label colours" in loss.what]
