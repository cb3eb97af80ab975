"""Each connector's typed native state (``core/native.py``): a read's state validates through the connector's
model and round-trips through JSON as a board cache stores it; the fields marked ``Kept`` are the items';
and a cache written in an old layout is not reused: the board is read in full, then read incrementally
again from the cache that read wrote."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from incremental.support import TOOLS, Sandbox, board_of, connector, sync_requests

from moteur.connectors.asana.native import AsanaNative
from moteur.connectors.base import connector_for
from moteur.connectors.files.native import FileNative
from moteur.connectors.monday.native import MondayNative
from moteur.connectors.trello.native import TrelloNative
from moteur.core.model import BoardRef, Snapshot, Tool
from moteur.core.native import Kept, NativeState
from moteur.engine.incremental_read import cached_snapshot
from moteur.engine.state import StateStore
from moteur.settings import Settings

MODELS: dict[str, type[NativeState]] = {"trello": TrelloNative, "asana": AsanaNative, "monday": MondayNative}
EXPORTS = Path(__file__).resolve().parents[1] / "contract" / "fixtures" / "trello"
EXPORT = EXPORTS / "en_simple_project_board_planka_sample.json"


def _round_trip(snapshot: Snapshot, model: type[NativeState]) -> None:
    state = model.of(snapshot)
    assert state.dump() == snapshot.native  # what the connector wrote is its model's JSON form, nothing else
    cached = Snapshot.model_validate(json.loads(snapshot.model_dump_json()))
    assert model.of(cached) == state and cached.native == snapshot.native


# What only a migration's full read adds to the state (None in a sync read's).
FULL_READ_ADDS = {"trello": "members", "monday": "children"}


@pytest.mark.parametrize("tool", TOOLS)
def test_a_read_and_a_full_read_round_trip_through_json(sandbox: Sandbox, tool: str) -> None:
    tool_connector = connector(tool, sandbox.env)
    model = tool_connector.native_model
    assert model is MODELS[tool]
    ref = board_of(sandbox, tool)
    read, full = tool_connector.read(ref), tool_connector.read_full(ref, include_archived=True)
    _round_trip(read, model)
    _round_trip(full, model)
    if tool in FULL_READ_ADDS:
        added = FULL_READ_ADDS[tool]
        assert getattr(model.of(read), added) is None and getattr(model.of(full), added)


def test_a_trello_boards_short_link_is_an_alias_of_the_snapshot(sandbox: Sandbox) -> None:
    read = connector("trello", sandbox.env).read(board_of(sandbox, "trello"))
    assert len(read.aliases) == 1 and read.aliases[0] != read.board.board
    assert "short_link" not in read.native


def test_a_file_board_and_a_trello_export_round_trip_through_json(tmp_path: Path) -> None:
    files = connector_for(Tool.FILE, Settings())
    assert files.native_model is FileNative
    csv_file = tmp_path / "plan.csv"
    csv_file.write_text("title;status\nShip it;todo\n", encoding="utf-8")
    read = files.read(BoardRef(tool=Tool.FILE, board=str(csv_file)))
    _round_trip(read, FileNative)
    assert FileNative.of(read).delimiter == ";" and FileNative.of(read).read_only is None
    export = tmp_path / "export.json"
    export.write_bytes(EXPORT.read_bytes())
    read = files.read(BoardRef(tool=Tool.FILE, board=str(export)))
    _round_trip(read, FileNative)
    assert FileNative.of(read).format == "trello-export" and FileNative.of(read).read_only


def test_the_marks_say_which_native_fields_are_the_items_and_not_the_boards() -> None:
    assert TrelloNative.kept(Kept.PER_ITEM) == ("card_labels",)
    assert (AsanaNative.kept(Kept.PER_ITEM), AsanaNative.kept(Kept.GATHERED)) == (("task_tags",), ("tags",))
    assert "companion" in AsanaNative.kept(Kept.UNKEPT)  # seen through the tasks read, not the board's
    assert "pages" in MondayNative.kept(Kept.UNKEPT)  # how the board was read, not what it holds
    assert FileNative.kept(Kept.PER_ITEM) == FileNative.kept(Kept.GATHERED) == ()


def test_a_snapshot_no_read_made_has_no_state_and_one_tool_state_fits_no_other() -> None:
    built = Snapshot(board=BoardRef(tool=Tool.TRELLO, board="b"), name="New board")  # a board just created
    assert TrelloNative.of_read(built) is None
    trello = built.model_copy(update={"native": TrelloNative(board_id="b", custom_fields_on=False).dump()})
    assert TrelloNative.fits(trello) and TrelloNative.of_read(trello) == TrelloNative.of(trello)
    assert not any(model.fits(trello) for model in (AsanaNative, MondayNative, FileNative))


# What an older moteur cached (the layout before the native state was typed): a Trello board's shortLink
# among its native entries, a list field's options as Trello answers them.
OLD_LAYOUT: dict[str, dict[str, Any]] = {
    "trello": {
        "short_link": "AbCd1234",
        "fields": [
            {
                "id": "f1",
                "name": "Stage",
                "type": "list",
                "options": [{"id": "o1", "idCustomField": "f1", "value": {"text": "Draft"}, "pos": 1}],
            }
        ],
    },
    "asana": {"companion": {"gid": None, "sections": [], "known": True}},
    "monday": {"columns": [{"id": "status", "title": "Status", "type": "status", "width": 120}]},
}


@pytest.fixture
def state_url(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """``moteur sync`` in this process, on the sandbox, with a state database of its own."""
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    url = f"sqlite:///{tmp_path / 'state.db'}"
    monkeypatch.setenv("MOTEUR_STATE_URL", url)
    monkeypatch.delenv("MOTEUR_FULL_EVERY", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env or moteur.toml
    return url


@pytest.mark.parametrize("tool", TOOLS)
def test_a_cache_of_an_old_layout_falls_back_to_a_full_read(
    sandbox: Sandbox, state_url: str, tool: str, capsys: pytest.CaptureFixture[str]
) -> None:
    board = str(board_of(sandbox, tool))
    model = MODELS[tool]
    sync_requests(sandbox, tool)
    sync_requests(sandbox, tool)  # reads back its own writes; from now on the cursor is past them
    with StateStore(state_url) as store:
        payload = store.board_cache(board)
        assert cached_snapshot(payload, model) is not None  # the current layout is reused
        old = {**payload, "native": {**payload["native"], **OLD_LAYOUT[tool]}}
        assert cached_snapshot(old, model) is None
        store.save_read(board, cache=old, cursors=store.cursors(board), now=datetime.now(UTC))
    capsys.readouterr()
    sync_requests(sandbox, tool, "--verbose")
    assert "read in full (no usable cache)" in capsys.readouterr().err
    sync_requests(sandbox, tool, "--verbose")  # the full read wrote a cache in the current layout
    assert "read changes only" in capsys.readouterr().err
