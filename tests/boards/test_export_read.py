"""A Trello "Export as JSON" named as a ``file:`` board is read as the Trello board it was, by the one reader
``migrate`` uses: ``plan`` and ``sync --dry-run`` of the file give every card the status and sprint the live
board gives it, and ``migrate`` of the file the same status. Writing into it is refused with one line.

The exports are the real ones of ``tests/contract/fixtures/trello`` (source and licence in its README).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from boards.built import built_board
from boards.test_real_boards import EXPORTS, TODAY, _statuses_in_csv

Cli = Any  # conftest.py


@pytest.fixture(params=EXPORTS, ids=[p.stem for p in EXPORTS])
def export_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    copied = tmp_path / "export.json"
    shutil.copyfile(request.param, copied)
    return copied


def _planned(result: Any) -> dict[str, tuple[str, int | None]]:
    return {a["id"]: (a["status"], a["sprint"]) for a in result.json()["actions"]}


def test_plan_and_dry_run_of_the_export_read_what_the_live_board_shows(
    cli: Cli, import_board: Any, export_file: Path
) -> None:
    export = json.loads(export_file.read_text(encoding="utf-8"))
    live = _planned(cli("plan", import_board(export), TODAY, "--json"))
    from_file = _planned(cli("plan", "file:export.json", TODAY, "--json"))
    assert from_file == live
    dry = cli("sync", "file:export.json", TODAY, "--dry-run", "--json")
    assert _planned(dry) == from_file
    assert dry.json()["changes"] == []  # planned, but nothing to write: sync would refuse it
    assert "a Trello export, which moteur only reads" in dry.err
    assert cli("migrate", "file:export.json", "file:out.csv", "--include-archived").code == 0
    migrated = _statuses_in_csv(Path("out.csv"))
    assert {card: migrated[card] for card in from_file} == {c: s for c, (s, _) in from_file.items()}


def test_the_export_is_read_as_cards_not_as_rows_of_its_actions(cli: Cli, export_file: Path) -> None:
    export = json.loads(export_file.read_text(encoding="utf-8"))
    result = cli("plan", "file:export.json", TODAY, "--json")
    ids = {a["id"] for a in result.json()["actions"]}
    assert ids and ids <= {c["id"] for c in export["cards"]}
    assert "no title column" not in result.err


def test_sync_into_an_export_is_refused_in_one_line(cli: Cli, export_file: Path) -> None:
    before = export_file.read_bytes()
    board_id = json.loads(before)["id"]
    result = cli("sync", "file:export.json", TODAY)
    assert result.code == 2, result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert "Trello export" in lines[0] and f"trello:{board_id}" in lines[0], lines[0]
    assert "Traceback" not in result.err
    assert export_file.read_bytes() == before


def test_a_board_built_like_a_teams_reads_the_same_from_its_export(
    cli: Cli, import_board: Any, tmp_path: Path
) -> None:
    """``Done 🎉`` and ``Terminé(e)s`` done, the archived list's card archived, the 1–5 Impact read on its
    scale, the team's ``Sprint N`` labels no pins: the same from the export as from the live board."""
    export = built_board()
    (tmp_path / "built.json").write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    live = cli("plan", import_board(export), TODAY, "--json").json()["actions"]
    from_file = cli("plan", "file:built.json", TODAY, "--json").json()["actions"]
    fields = ("status", "sprint", "impact", "effort", "confidence", "quadrant")
    assert {a["id"]: [a[f] for f in fields] for a in from_file} == {
        a["id"]: [a[f] for f in fields] for a in live
    }
    statuses = {a["title"]: a["status"] for a in from_file}
    assert statuses["Newsletter de rentrée"] == statuses["Étude de cas"] == "done"
    assert statuses["Ancien salon"] == "archived" and "Carte archivée" not in statuses
    dry = cli("sync", "file:built.json", TODAY, "--dry-run", "--json").json()
    assert dry["pinned"] == []
    assert {a["id"]: (a["status"], a["sprint"]) for a in dry["actions"]} == {
        a["id"]: (a["status"], a["sprint"]) for a in from_file
    }
