"""The same numbers everywhere: a real Trello board planned for a migration from the API and from its
"Export as JSON" file gives the same counts (items carried and left out, and every line of the loss
report: covers, attachments, colour-only labels, checklists, comments…)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from migration.support import CLIPKIT, SAMPLE, TRIP, Sandbox, import_trello, migrate, needs_fixtures, now
from moteur.cli import main
from moteur.core.model import BoardRef, Status, Tool
from moteur.engine.migration_run import prepare_migration
from moteur.engine.state import StateStore


def _plan(store: StateStore, port: Any, ref: BoardRef, dst: Any, tool: Tool, archived: bool) -> Any:
    new = BoardRef(tool=tool, board="new")
    return prepare_migration(
        port, ref, dst, new, store, include_archived=archived, dry_run=True, now=now
    ).plan


@needs_fixtures
@pytest.mark.parametrize("archived", [False, True], ids=["open", "all"])
@pytest.mark.parametrize("export", [SAMPLE, TRIP, CLIPKIT], ids=["sample", "trip", "clipkit"])
def test_the_api_and_the_export_give_the_same_loss_report(
    sandbox: Sandbox,
    ports: Callable[[Tool], Any],
    store: StateStore,
    export: Path,
    archived: bool,
) -> None:
    api, files, dst = ports(Tool.TRELLO), ports(Tool.FILE), ports(Tool.MONDAY)
    from_api = _plan(store, api, import_trello(sandbox, export), dst, Tool.MONDAY, archived)
    from_file = _plan(store, files, BoardRef(tool=Tool.FILE, board=str(export)), dst, Tool.MONDAY, archived)
    _same_counts(from_api, from_file)


def _same_counts(from_api: Any, from_file: Any) -> None:
    counts = ("created", "skipped", "subitems", "comments")
    assert {c: getattr(from_api, c) for c in counts} == {c: getattr(from_file, c) for c in counts}
    assert sorted(loss.text() for loss in from_api.losses) == sorted(loss.text() for loss in from_file.losses)


@needs_fixtures
def test_a_colour_cover_counts_from_the_api_and_from_the_export(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tmp_path: Path
) -> None:
    """A cover that is only a colour (no image) is a cover for both readers."""
    board = json.loads(SAMPLE.read_text(encoding="utf-8"))
    cover_keys = ("idAttachment", "idUploadedBackground", "color")
    plain = [c for c in board["cards"] if not any((c.get("cover") or {}).get(k) for k in cover_keys)]
    for card in plain[:2]:
        card["cover"] = {"color": "green", "idAttachment": None, "idUploadedBackground": None}
    export = tmp_path / "colour.json"
    export.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    api, files, dst = ports(Tool.TRELLO), ports(Tool.FILE), ports(Tool.MONDAY)
    from_api = _plan(store, api, import_trello(sandbox, export), dst, Tool.MONDAY, True)
    from_file = _plan(store, files, BoardRef(tool=Tool.FILE, board=str(export)), dst, Tool.MONDAY, True)
    _same_counts(from_api, from_file)
    plain_file = _plan(store, files, BoardRef(tool=Tool.FILE, board=str(SAMPLE)), dst, Tool.MONDAY, True)

    def covers(plan: Any) -> int:
        return sum(loss.count for loss in plan.losses if loss.what == "Trello cover images")

    assert covers(from_file) == covers(plain_file) + 2


def _cli_env(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


@needs_fixtures
def test_plan_counts_a_migrated_copy_the_same_in_every_tool(
    sandbox: Sandbox,
    ports: Callable[[Tool], Any],
    store: StateStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The sample board with its archived card, migrated with it to each tool: ``plan`` on each copy lists
    the same actions — an archived item is in none (Trello's closed cards, monday's archived items,
    Asana's tasks a migration tagged "archived", Asana having no archive)."""
    files = ports(Tool.FILE)
    source = files.read_full(BoardRef(tool=Tool.FILE, board=str(SAMPLE)))
    open_titles = sorted(a.title for a in source.actions if a.status is not Status.ARCHIVED)
    copies: dict[Tool, BoardRef] = {}
    for tool in (Tool.TRELLO, Tool.ASANA, Tool.MONDAY):
        prepared, outcome = migrate(
            store,
            files,
            BoardRef(tool=Tool.FILE, board=str(SAMPLE)),
            ports(tool),
            BoardRef(tool=tool, board="new"),
            include_archived=True,
        )
        assert outcome.ok
        copies[tool] = prepared.target.board
    _cli_env(sandbox, tmp_path, monkeypatch)
    planned: dict[Tool, list[str]] = {}
    for tool, ref in copies.items():
        assert main(["plan", str(ref), "--json", "--today=2026-06-01"]) == 0
        planned[tool] = sorted(a["title"] for a in json.loads(capsys.readouterr().out)["actions"])
    assert {tool: len(titles) for tool, titles in planned.items()} == dict.fromkeys(copies, len(open_titles))
    assert planned[Tool.ASANA] == planned[Tool.MONDAY] == planned[Tool.TRELLO] == open_titles


@needs_fixtures
@pytest.mark.parametrize("export", [SAMPLE, CLIPKIT], ids=["sample", "clipkit"])
def test_the_api_and_the_export_read_the_same_tags(
    sandbox: Sandbox, ports: Callable[[Tool], Any], export: Path
) -> None:
    """A 2015 export has no top-level labels, only each card's: its cards keep their tags all the same."""
    api = ports(Tool.TRELLO).read_full(import_trello(sandbox, export), include_archived=True)
    files = ports(Tool.FILE).read_full(BoardRef(tool=Tool.FILE, board=str(export)), include_archived=True)

    def tags(snapshot: Any) -> dict[str, list[str]]:
        return {a.ref.item: sorted(a.tags) for a in snapshot.actions}

    assert tags(api) == tags(files) and any(tags(files).values())
