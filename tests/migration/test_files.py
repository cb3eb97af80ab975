"""Migrations between files and from Trello exports, through ``moteur migrate``: carried, re-run, resumed."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from moteur.cli import main
from moteur.commands.migrate_command import load_user_map
from moteur.connectors.files.connector import FileConnector
from moteur.connectors.files.migration import FileMigration
from moteur.core.model import BoardRef, Tool
from moteur.engine.migration_run import apply_prepared, prepare_migration
from moteur.engine.state import StateStore
from moteur.mappings.loader import load_mapping
from moteur.settings import Settings

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO / "tests" / "contract" / "fixtures")) / "trello"
SAMPLE = FIXTURES / "en_simple_project_board_planka_sample.json"
TRIP = FIXTURES / "zh_europe_trip_2026_board.json"
needs_fixtures = pytest.mark.skipif(not SAMPLE.exists(), reason=f"Trello exports not found in {FIXTURES}")

SOURCE_JSON: dict[str, Any] = {
    "name": "Plan marketing",
    "actions": [
        {
            "id": "a1",
            "title": "Webinar SEO",
            "bucket": "À faire",
            "impact": 8,
            "effort": 3,
            "due": "2026-12-18",
            "tags": ["seo", "webinar"],
            "assignees": ["camille"],
            "checklist": [{"text": "Brief", "done": True}, {"text": "Slides", "done": False}],
            "comments": [
                {"author": "Camille Martin", "date": "2026-03-04T10:00:00+00:00", "text": "On y va"}
            ],
        },
        {"id": "a2", "title": "Livre blanc", "bucket": "En cours", "status": "doing", "description": "Draft"},
        {"id": "a3", "title": "Vieux salon", "bucket": "À faire", "status": "archived"},
    ],
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    (tmp_path / "source.json").write_text(json.dumps(SOURCE_JSON, ensure_ascii=False), encoding="utf-8")
    yield tmp_path


def migrate_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code = main(["migrate", *args, "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)  # type: ignore[no-any-return]


def read(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))["actions"]  # type: ignore[no-any-return]
    return yaml.safe_load(path.read_text(encoding="utf-8"))["actions"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_json_to_a_new_document_carries_every_field_and_rerun_creates_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    out, users = workdir / f"out{suffix}", str(workdir / "users.yaml")
    first = migrate_json(capsys, "file:source.json", f"file:{out}", "--map-users", users)
    assert (first["created"], first["updated"], first["unchanged"], first["skipped"]) == (2, 0, 0, 1)
    assert (first["subitems"], first["comments"]) == (2, 1)
    rows = read(out)
    assert [r["title"] for r in rows] == ["Webinar SEO", "Livre blanc"]
    webinar = rows[0]
    assert webinar["bucket"] == "À faire"
    assert (webinar["impact"], webinar["effort"], webinar["due"]) == (8, 3, "2026-12-18")
    assert webinar["tags"] == ["seo", "webinar"]
    assert webinar["assignees"] == ["camille@example.org"]
    assert webinar["checklist"] == [{"text": "Brief", "done": True}, {"text": "Slides", "done": False}]
    assert webinar["comments"] == [{"text": "[Camille Martin — 2026-03-04] On y va"}]
    source = f"file:{(workdir / 'source.json').resolve()}"  # its real path: docs/state.md
    assert webinar["description"] == f"moteur-source: {source}:a1"
    assert rows[1]["status"] == "doing"
    assert rows[1]["description"] == f"Draft\n\nmoteur-source: {source}:a2"
    again = migrate_json(capsys, "file:source.json", f"file:{out}", "--map-users", users)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert (again["subitems"], again["comments"]) == (0, 0)
    assert read(out) == rows


@pytest.fixture(autouse=True)
def users_file(tmp_path: Path) -> None:
    (tmp_path / "users.yaml").write_text("camille: camille@example.org\n", encoding="utf-8")


def test_a_source_change_updates_only_that_item(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    migrate_json(capsys, "file:source.json", "file:out.json")
    changed = json.loads((workdir / "source.json").read_text(encoding="utf-8"))
    changed["actions"][1]["impact"] = 9
    changed["actions"][1]["bucket"] = "À faire"
    (workdir / "source.json").write_text(json.dumps(changed), encoding="utf-8")
    again = migrate_json(capsys, "file:source.json", "file:out.json")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 1, 1)
    rows = read(workdir / "out.json")
    assert (rows[1]["impact"], rows[1]["bucket"]) == (9, "À faire")
    assert len(rows) == 2


def test_to_csv_nested_lists_are_losses_and_the_file_reads_back(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = migrate_json(capsys, "file:source.json", "file:out.csv")
    losses = {loss["field"]: loss["items"] for loss in first["losses"]}
    assert losses["checklists"] == 1 and losses["comments"] == 1
    assert losses["assignees without an e-mail"] == 1
    snapshot = FileMigration(load_mapping(Tool.FILE, None)).read_full(
        BoardRef(tool=Tool.FILE, board=str(workdir / "out.csv"))
    )
    assert [a.title for a in snapshot.actions] == ["Webinar SEO", "Livre blanc"]
    assert snapshot.actions[0].tags == ("seo", "webinar") and snapshot.actions[0].impact == 8
    again = migrate_json(capsys, "file:source.json", "file:out.csv")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_include_archived_carries_archived_items_archived(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = migrate_json(capsys, "file:source.json", "file:out.json", "--include-archived")
    assert (result["created"], result["skipped"]) == (3, 0)
    assert read(workdir / "out.json")[2]["status"] == "archived"


def test_dry_run_writes_nothing_and_shows_counts_structure_and_losses(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["migrate", "file:source.json", "file:out.csv", "--dry-run"])
    text = capsys.readouterr().out
    assert code == 0
    assert not (workdir / "out.csv").exists()
    assert 'structure to create (2): "À faire", "En cours"' in text
    assert "items: 2 to create, 0 to update, 0 unchanged, 1 skipped; 0 subitems and 0 comments" in text
    assert "checklists: 1 item — not carried" in text
    assert StateStore(f"sqlite:///{workdir / 'state.db'}").links(f"file:{workdir / 'out.csv'}") == {}


def test_links_lost_with_the_state_are_rebuilt_from_identity_footers(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    migrate_json(capsys, "file:source.json", "file:out.json")
    (workdir / "state.db").unlink()
    again = migrate_json(capsys, "file:source.json", "file:out.json")
    assert (again["created"], again["unchanged"], again["subitems"], again["comments"]) == (0, 2, 0, 0)
    assert len(read(workdir / "out.json")) == 2


def test_file_new_is_refused_with_the_fix(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "file:source.json", "file:new"]) == 2
    assert "name the file instead" in capsys.readouterr().err


def test_user_maps_in_yaml_and_csv(tmp_path: Path) -> None:
    (tmp_path / "u.csv").write_text("source;target\ncamille;camille@example.org\nBob B;bob@example.org\n")
    assert load_user_map(tmp_path / "u.csv") == {"camille": "camille@example.org", "Bob B": "bob@example.org"}
    (tmp_path / "u.yaml").write_text("camille: camille@example.org\n")
    assert load_user_map(tmp_path / "u.yaml") == {"camille": "camille@example.org"}


# -- Trello "Export as JSON" as a source ---------------------------------------------------------------------


@needs_fixtures
def test_trello_export_checklists_comments_and_losses(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = migrate_json(capsys, f"file:{SAMPLE}", "file:out.json")
    export = json.loads(SAMPLE.read_text(encoding="utf-8"))
    closed_lists = {x["id"] for x in export["lists"] if x["closed"]}
    open_cards = [c for c in export["cards"] if not c["closed"] and c["idList"] not in closed_lists]
    assert result["created"] == len(open_cards)
    rows = read(workdir / "out.json")
    by_title = {r["title"]: r for r in rows}
    assert set(by_title) == {c["name"] for c in open_cards}
    carried_ids = {c["id"] for c in open_cards}
    items = [
        (i["name"], i["state"] == "complete")
        for cl in export["checklists"]
        if cl["idCard"] in carried_ids
        for i in cl["checkItems"]
    ]
    got = [(e["text"], e["done"]) for r in rows for e in r.get("checklist", [])]
    assert sorted(got) == sorted(items) and result["subitems"] == len(items)
    comments = [
        a for a in export["actions"] if a["type"] == "commentCard" and a["data"]["card"]["id"] in carried_ids
    ]
    assert result["comments"] == len(comments)
    assert all(c["text"].startswith("[Trello Sample User — 20") for r in rows for c in r.get("comments", []))
    fields = {loss["field"] for loss in result["losses"]}
    assert {"Trello attachments", "Trello cover images"} <= fields
    card = next(c for c in open_cards if c["desc"])
    assert by_title[card["name"]]["description"].endswith(
        f"moteur-source: trello:{export['id']}:{card['id']}"
    )
    again = migrate_json(capsys, f"file:{SAMPLE}", "file:out.json")
    assert (again["created"], again["subitems"], again["comments"], again["updated"]) == (0, 0, 0, 0)


@needs_fixtures
@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_the_201_card_trip_export_to_a_file_and_back(
    workdir: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    started = time.monotonic()
    first = migrate_json(capsys, f"file:{TRIP}", f"file:trip{suffix}", "--include-archived")
    seconds = time.monotonic() - started
    assert first["created"] == 201 and first["skipped"] == 0
    again = migrate_json(capsys, f"file:{TRIP}", f"file:trip{suffix}", "--include-archived")
    assert (again["created"], again["updated"], again["unchanged"], again["comments"]) == (0, 0, 201, 0)
    assert seconds < 10
    # The copy is itself a source: to YAML, with everything a file holds.
    onward = migrate_json(capsys, f"file:trip{suffix}", "file:trip2.yaml", "--include-archived")
    assert onward["created"] == 201


def test_the_source_cannot_be_the_target(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "file:source.json", f"file:{workdir / 'source.json'}"]) == 2
    assert "both the source and the target" in capsys.readouterr().err


def test_a_plan_made_stale_by_another_run_creates_nothing_twice(workdir: Path) -> None:
    """Regression: run B planned before run A applied; B, once it has the lock, must skip what A linked."""
    port = FileConnector(Settings())
    src, dst = BoardRef(tool=Tool.FILE, board="source.json"), BoardRef(tool=Tool.FILE, board="out.json")
    with StateStore(f"sqlite:///{workdir / 'state.db'}") as store:
        first = prepare_migration(port, src, port, dst, store, now=lambda: datetime.now(UTC))
        second = prepare_migration(port, src, port, dst, store, now=lambda: datetime.now(UTC))
        done = apply_prepared(first, port, store, now=lambda: datetime.now(UTC), owner="a")
        late = apply_prepared(second, port, store, now=lambda: datetime.now(UTC), owner="b")
    assert (done.creates, late.creates, late.ok) == (5, 0, True)
    rows = read(workdir / "out.json")
    assert len(rows) == 2 and len(rows[0]["checklist"]) == 2 and len(rows[0]["comments"]) == 1
