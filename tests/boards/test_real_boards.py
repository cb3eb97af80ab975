"""Every real Trello export in tests/contract/fixtures, loaded into the sandbox: the same card gets the same
status through ``plan``, ``sync --dry-run``, ``migrate`` over the API and ``migrate`` from the export file;
``plan`` and the dry-run agree on every sprint; finished and archived cards are never labelled; a migration
without ``--include-archived`` says how many cards it left out, the same number from the API and the file.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from moteur.core.identity import split_identity
from moteur.core.labels import is_own_sprint, sprint_index

Cli = Any  # conftest.py

FIXTURES = Path(__file__).resolve().parents[1] / "contract" / "fixtures" / "trello"
EXPORTS = sorted(FIXTURES.glob("*.json"))
TODAY = "--today=2026-06-01"


def _archived_in(export: dict[str, Any]) -> int:
    """Cards a person reads as archived: archived themselves, or in an archived list."""
    closed = {x["id"] for x in export["lists"] if x.get("closed")}
    return sum(1 for c in export["cards"] if c.get("closed") or c.get("idList") in closed)


def _statuses_in_csv(path: Path) -> dict[str, str]:
    """Source card id → status, for each row a migration wrote (the identity footer names the card)."""
    found: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            _, key = split_identity(row["description"])
            assert key is not None, row
            found[key.rsplit(":", 1)[-1]] = row["status"]
    return found


@pytest.fixture(params=EXPORTS, ids=[p.stem for p in EXPORTS])
def export(request: pytest.FixtureRequest) -> dict[str, Any]:
    return json.loads(Path(request.param).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_plan_and_dry_run_agree_and_finished_cards_are_not_labelled(
    cli: Cli, import_board: Any, export: dict[str, Any]
) -> None:
    ref = import_board(export)
    plan = cli("plan", ref, TODAY, "--json").json()
    dry = cli("sync", ref, TODAY, "--dry-run", "--json").json()
    planned = {a["id"]: (a["status"], a["sprint"]) for a in plan["actions"]}
    assert planned == {a["id"]: (a["status"], a["sprint"]) for a in dry["actions"]}
    assert dry["pinned"] == []  # nothing on a board moteur never wrote is a pin
    closed = {item for item, (status, _) in planned.items() if status in ("done", "archived")}
    changed = [c for c in dry["changes"] if c["item"] is not None]
    assert not [c for c in changed if c["item"] in closed], "a finished card would be labelled"
    for change in changed:
        if change["field"] == "sprint":
            assert is_own_sprint(change["after"]), change
            assert sprint_index(change["after"]) == planned[change["item"]][1], change
    # The cards of archived lists are archived for every reader.
    lists = {x["id"]: x for x in export["lists"]}
    for card in export["cards"]:
        if card["id"] in planned and lists.get(card.get("idList"), {}).get("closed"):
            assert planned[card["id"]][0] == "archived", card["name"]


def test_a_card_has_one_status_through_plan_sync_and_both_migrations(
    cli: Cli, import_board: Any, export: dict[str, Any], tmp_path: Path
) -> None:
    ref = import_board(export)
    (tmp_path / "export.json").write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    plan = {a["id"]: a["status"] for a in cli("plan", ref, TODAY, "--json").json()["actions"]}
    dry = {a["id"]: a["status"] for a in cli("sync", ref, TODAY, "--dry-run", "--json").json()["actions"]}
    assert plan == dry
    for source, target in ((ref, "file:api.csv"), ("file:export.json", "file:file.csv")):
        result = cli("migrate", source, target, "--include-archived")
        assert result.code == 0, result.err
    over_api, from_file = _statuses_in_csv(tmp_path / "api.csv"), _statuses_in_csv(tmp_path / "file.csv")
    assert over_api == from_file
    assert len(over_api) == len(export["cards"])
    assert {card: over_api[card] for card in plan} == plan
    assert Counter(over_api.values())["archived"] == _archived_in(export)


def test_a_migration_says_how_many_archived_cards_it_left_out(
    cli: Cli, import_board: Any, export: dict[str, Any], tmp_path: Path
) -> None:
    ref = import_board(export)
    (tmp_path / "export.json").write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    left_out = _archived_in(export)
    note = re.compile(rf"{left_out} archived items? left out \(.*\): use --include-archived")
    for source in (ref, "file:export.json"):
        preview = cli("migrate", source, "file:preview.csv", "--dry-run")
        assert preview.code == 0, preview.err
        assert bool(note.search(" ".join(preview.out.split()))) == bool(left_out), preview.out
        as_json = cli("migrate", source, "file:preview.csv", "--dry-run", "--json").json()
        assert as_json["skipped"] == left_out
    done = cli("migrate", ref, "file:kept.csv")
    assert done.code == 0, done.err
    assert bool(note.search(" ".join(done.out.split()))) == bool(left_out)
    assert len(_statuses_in_csv(tmp_path / "kept.csv")) == len(export["cards"]) - left_out
    assert "archived" not in _statuses_in_csv(tmp_path / "kept.csv").values()


def test_lists_that_mean_no_status_are_named_once(cli: Cli, import_board: Any) -> None:
    export = json.loads((FIXTURES / "zh_europe_trip_2026_board.json").read_text(encoding="utf-8"))
    result = cli("plan", import_board(export), TODAY, "--json")
    assert result.code == 0, result.err
    lines = [line for line in result.err.splitlines() if "means a status" in line]
    assert len(lines) == 1 and '"提前訂位"' in lines[0] and "read as to do" in lines[0]
    planka = json.loads((FIXTURES / "en_simple_project_board_planka_sample.json").read_text(encoding="utf-8"))
    assert "means a status" not in cli("plan", import_board(planka), TODAY, "--json").err
