"""Custom fields and ticked check items through the Trello migration port, over the sandbox (real HTTP), run
by the real orchestrator (``core.migration_run``) with a real state store: a JSON file's custom columns land
in Trello fields made once, a re-run writes nothing, a changed value or a ticked entry is exactly one write;
a Trello board's number / list / text / date fields read with their kinds and go to a JSON file and back, or
to another Trello board with the list's options; a target without the Custom Fields power-up reports them
lost; a Trello export gives the same fields and values as the live board.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from migration.support import STAGES, migrate, seed_trello_fields
from sandbox_connectors import connector_for

from moteur.connectors.files.migration import FileMigration
from moteur.connectors.files.trello_export import read_trello_export
from moteur.connectors.trello import TrelloConnector
from moteur.connectors.trello.target import POWER_UP_OFF
from moteur.core.model import BoardRef, CustomField, FieldKind, Snapshot, Tool
from moteur.core.ops import EnsureField, UpdateItem
from moteur.engine.migration_run import (
    NEW,
    PreparedMigration,
)
from moteur.engine.state import StateStore
from moteur.mappings.loader import load_mapping

Sandbox = Any  # tests/conftest.py
Port = TrelloConnector | FileMigration
FILE_ROWS: list[dict[str, Any]] = [
    {
        "id": "a1", "title": "Webinar SEO", "bucket": "Idées", "impact": 8, "Budget": 1200, "Stage": "Live",
        "Brief": "Cibler les DAF", "Launch": "2026-12-18",
        "checklist": [{"text": "Brief", "done": False}, {"text": "Slides", "done": False}],
    },
    {"id": "a2", "title": "Livre blanc", "bucket": "Prêt", "Budget": 2.5, "Stage": "Idea",
     "Launch": "2026-12-24T10:00:00+00:00"},
    {"id": "a3", "title": "Salon", "bucket": "Idées"},
]  # fmt: skip
REPO = Path(__file__).resolve().parents[2]
SPEC = (
    Path(os.environ.get("MOTEUR_SPECS_DIR", REPO / "moteur" / "sandbox" / "contracts"))
    / "trello_openapi.json"
)
# Query keys Trello accepts that the spec's operation does not list (see test_trello_contract_spec.py).
SPEC_GAPS = {
    ("GET", "/boards/{id}/cards"): {"filter", "limit", "before", "since", "customFieldItems", "fields"},
    ("GET", "/lists/{id}/cards"): {"fields"},
}
NEW_BOARD = BoardRef(tool=Tool.TRELLO, board=NEW)  # a new Trello board, created by the first run


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore(f"sqlite:///{tmp_path / 'state.db'}") as state:
        yield state


def _writes(sandbox: Sandbox, since: int = 0) -> list[tuple[str, str]]:
    return [
        (e["method"], e["path"])
        for e in sandbox.requests()[since:]
        if e["tool"] == "trello" and e["method"] != "GET"
    ]


def _file(tmp_path: Path, rows: list[dict[str, Any]], name: str = "source.json") -> BoardRef:
    (tmp_path / name).write_text(json.dumps({"name": "Plan", "actions": rows}), encoding="utf-8")
    return BoardRef(tool=Tool.FILE, board=str(tmp_path / name))


def _values(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """Title -> its custom values (``field:`` extras)."""
    return {
        a.title: {k[6:]: v for k, v in a.extra.items() if k.startswith("field:")} for a in snapshot.actions
    }


def _trello_board(prepared: PreparedMigration) -> BoardRef:
    return prepared.target.board


def _demo(sandbox: Sandbox, index: int = 0) -> BoardRef:
    return BoardRef(tool=Tool.TRELLO, board=sandbox.boards["trello"][index].split(":", 1)[1])


# -- a JSON file into a new Trello board ---------------------------------------------------------------------


def test_a_files_custom_columns_become_fields_made_once_and_a_rerun_writes_nothing(
    sandbox: Sandbox, tmp_path: Path, store: StateStore
) -> None:
    port, files = connector_for(Tool.TRELLO, sandbox.env), FileMigration(load_mapping(Tool.FILE, None))
    source = _file(tmp_path, FILE_ROWS)
    before = len(sandbox.requests())
    prepared, _ = migrate(store, files, source, port, NEW_BOARD, must_succeed=True)
    writes = Counter(
        (m, p.rsplit("/", 1)[-1] if "customFields" in p else p.split("/")[1])
        for m, p in _writes(sandbox, before)
    )
    assert set(prepared.plan.fields_to_create) == {"Budget", "Stage", "Brief", "Launch"}
    assert writes[("POST", "customFields")] == 4 + 1  # the four, and Impact for the score (a role)
    assert writes[("PUT", "customFields")] == 2  # ONE per card with values: scores and custom values together
    assert (
        writes[("POST", "cards")] == 3 and writes[("PUT", "cards")] == 0
    )  # a value adds no request of its own
    target = port.read_full(_trello_board(prepared))
    kinds = {f.name: f.kind for f in target.custom_fields}
    assert kinds == {"Budget": FieldKind.NUMBER, "Stage": FieldKind.TEXT, "Brief": FieldKind.TEXT,
                     "Launch": FieldKind.DATE}  # fmt: skip
    assert _values(target) == {
        "Webinar SEO": {"Budget": 1200, "Stage": "Live", "Brief": "Cibler les DAF", "Launch": "2026-12-18"},
        "Livre blanc": {"Budget": 2.5, "Stage": "Idea", "Launch": "2026-12-24T10:00:00+00:00"},
        "Salon": {},
    }
    assert target.actions[0].impact == 8 or any(a.impact == 8 for a in target.actions)
    before = len(sandbox.requests())
    again, _ = migrate(store, files, source, port, NEW_BOARD, must_succeed=True)
    assert again.plan.empty and again.plan.created == 0 and _writes(sandbox, before) == []


def test_a_changed_value_and_a_ticked_entry_are_exactly_one_write_each(
    sandbox: Sandbox, tmp_path: Path, store: StateStore
) -> None:
    port, files = connector_for(Tool.TRELLO, sandbox.env), FileMigration(load_mapping(Tool.FILE, None))
    source = _file(tmp_path, FILE_ROWS)
    prepared, _ = migrate(store, files, source, port, NEW_BOARD, must_succeed=True)
    card = next(a for a in port.read_full(_trello_board(prepared)).actions if a.title == "Livre blanc")
    rows = json.loads(json.dumps(FILE_ROWS))
    rows[1]["Budget"] = 3
    _file(tmp_path, rows)
    before = len(sandbox.requests())
    changed, _ = migrate(store, files, source, port, NEW_BOARD, must_succeed=True)
    [update] = [op for op in changed.plan.ops if isinstance(op, UpdateItem)]
    assert (update.target.item, update.fields, update.bucket) == (
        card.ref.item,
        {"custom": {"Budget": 3}},
        None,
    )
    assert _writes(sandbox, before) == [("PUT", f"/cards/{card.ref.item}/customFields")]
    rows[0]["checklist"][1]["done"] = True
    _file(tmp_path, rows)
    before = len(sandbox.requests())
    ticked, _ = migrate(store, files, source, port, NEW_BOARD, must_succeed=True)
    assert ticked.plan.subitem_updates == 1 and ticked.plan.updated == 0
    webinar = next(a for a in port.read_full(_trello_board(prepared)).actions if a.title == "Webinar SEO")
    entry = webinar.checklist[1]
    assert (entry.text, entry.done) == ("Slides", True) and not webinar.checklist[0].done
    assert _writes(sandbox, before) == [("PUT", f"/cards/{webinar.ref.item}/checkItem/{entry.id}")]
    assert _values(port.read_full(_trello_board(prepared)))["Livre blanc"]["Budget"] == 3
    before = len(sandbox.requests())
    assert migrate(store, files, source, port, NEW_BOARD, must_succeed=True)[0].plan.empty
    assert _writes(sandbox, before) == []


# -- a Trello board's own fields ---------------------------------------------------------------------------


def test_a_boards_fields_read_with_kinds_options_and_canonical_values(
    sandbox: Sandbox, trello_auth: dict[str, str]
) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    seed_trello_fields(sandbox, _demo(sandbox).board)
    snapshot = port.read_full(_demo(sandbox))
    assert snapshot.custom_fields == (
        CustomField(name="Budget", kind=FieldKind.NUMBER),
        CustomField(name="Stage", kind=FieldKind.ENUM, options=STAGES),
        CustomField(name="Brief", kind=FieldKind.TEXT),
        CustomField(name="Launch", kind=FieldKind.DATE),
        CustomField(name="Approved", kind=FieldKind.OTHER),
    )  # Impact, Effort, Confidence, Objective, Channel are roles: not custom fields
    carried = [v for v in _values(snapshot).values() if v]
    assert sorted(carried, key=len) == [
        {"Budget": 2.5, "Stage": "Idea", "Launch": "2026-12-24T10:00:00+00:00"},
        {
            "Budget": 1200,
            "Stage": "Live",
            "Brief": "Cibler les DAF",
            "Launch": "2026-12-18",
            "Approved": "true",
        },
    ]
    assert all(c.id for a in snapshot.actions for c in a.checklist)


def test_trello_to_a_json_file_and_back_into_a_new_board(
    sandbox: Sandbox, trello_auth: dict[str, str], tmp_path: Path, store: StateStore
) -> None:
    port, files = connector_for(Tool.TRELLO, sandbox.env), FileMigration(load_mapping(Tool.FILE, None))
    seed_trello_fields(sandbox, _demo(sandbox).board)
    out = BoardRef(tool=Tool.FILE, board=str(tmp_path / "out.json"))
    prepared, _ = migrate(store, port, _demo(sandbox), files, out, must_succeed=True)
    assert 'custom field "Approved": 1 item — not carried (no counterpart on the target)' in [
        loss.text() for loss in prepared.plan.losses
    ]
    written = files.read_full(out)
    kinds = {f.name: f.kind for f in written.custom_fields}
    assert kinds == {
        "Budget": FieldKind.NUMBER,
        "Stage": FieldKind.TEXT,
        "Brief": FieldKind.TEXT,
        "Launch": FieldKind.DATE,
    }  # fmt: skip  (a file has no single-choice type)
    live = {
        t: {k: v for k, v in vs.items() if k != "Approved"}
        for t, vs in _values(port.read_full(_demo(sandbox))).items()
    }
    assert _values(written) == live
    back, _ = migrate(store, files, out, port, NEW_BOARD, must_succeed=True)
    assert _values(port.read_full(_trello_board(back))) == live
    before = len(sandbox.requests())
    assert migrate(store, files, out, port, NEW_BOARD, must_succeed=True)[0].plan.empty
    assert _writes(sandbox, before) == []


def test_trello_to_trello_keeps_a_list_field_with_its_options_and_adds_a_new_one_once(
    sandbox: Sandbox, trello_auth: dict[str, str], store: StateStore
) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    ids = seed_trello_fields(sandbox, _demo(sandbox).board)
    prepared, _ = migrate(store, port, _demo(sandbox), port, NEW_BOARD, must_succeed=True)
    assert EnsureField("Stage", FieldKind.ENUM, STAGES) in prepared.plan.ops
    copy = port.read_full(_trello_board(prepared))
    assert {f.name: f for f in copy.custom_fields}["Stage"].options == STAGES
    source_values = _values(port.read_full(_demo(sandbox)))
    assert _values(copy) == {
        t: {k: v for k, v in vs.items() if k != "Approved"} for t, vs in source_values.items()
    }
    # A new option in the source, chosen on a card: the field gets it once, the card one PUT.
    base = sandbox.urls["trello"]
    option = requests.post(
        f"{base}/customFields/{ids['Stage']}/options",
        params=trello_auth,
        json={"value": {"text": "Paused"}},
        timeout=10,
    ).json()
    card = next(a for a in port.read_full(_demo(sandbox)).actions if a.extra.get("field:Stage") == "Idea")
    items = {"customFieldItems": [{"idCustomField": ids["Stage"], "idValue": option["id"]}]}
    requests.put(f"{base}/cards/{card.ref.item}/customFields", params=trello_auth, json=items, timeout=10)
    before = len(sandbox.requests())
    again, _ = migrate(store, port, _demo(sandbox), port, NEW_BOARD, must_succeed=True)
    assert again.plan.fields_to_create == ("Stage",) and again.plan.updated == 1
    paths = [path.rsplit("/", 1)[-1] for _, path in _writes(sandbox, before)]
    assert paths == ["options", "customFields"]
    assert {f.name: f for f in port.read_full(_trello_board(prepared)).custom_fields}["Stage"].options == (
        *STAGES,
        "Paused",
    )


def test_an_enum_value_that_is_no_option_yet_is_added_not_dropped(
    sandbox: Sandbox, trello_auth: dict[str, str]
) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    seed_trello_fields(sandbox, _demo(sandbox).board)
    target = port.read_full(_demo(sandbox))
    action = next(a for a in target.actions if a.extra.get("field:Stage") == "Live")
    op = UpdateItem("k:b:1", action.ref, action.title, {"custom": {"Stage": "Paused", "Budget": None}})
    [result] = port.apply_migration(target, [op], {"k:b:1": action.ref}, on_created=lambda k, r: None)
    assert result.ok, result.error
    after = next(a for a in port.read_full(_demo(sandbox)).actions if a.ref == action.ref)
    assert after.extra["field:Stage"] == "Paused" and "field:Budget" not in after.extra
    wrong = UpdateItem("k:b:1", action.ref, action.title, {"custom": {"Budget": "a lot"}})
    [failed] = port.apply_migration(target, [wrong], {"k:b:1": action.ref}, on_created=lambda k, r: None)
    assert not failed.ok and "holds numbers" in str(failed.error)


# -- targets without the power-up ----------------------------------------------------------------------------


def test_a_target_without_the_power_up_reports_custom_fields_lost_and_writes_none(
    sandbox: Sandbox, tmp_path: Path, store: StateStore
) -> None:
    port, files = connector_for(Tool.TRELLO, sandbox.env), FileMigration(load_mapping(Tool.FILE, None))
    calendar = _demo(sandbox, 1)  # "Content calendar": Custom Fields off
    caps = port.capabilities(port.read_full(calendar))
    assert caps.custom_fields == frozenset() and POWER_UP_OFF in caps.notes and caps.emails is None
    prepared, _ = migrate(store, files, _file(tmp_path, FILE_ROWS), port, calendar, must_succeed=True)
    losses = [loss.text() for loss in prepared.plan.losses]
    assert 'custom field "Budget": 2 items — not carried (the target has no number fields)' in losses
    assert not [p for _, p in _writes(sandbox) if "customField" in p]


def test_a_new_board_in_a_free_workspace_stays_without_the_power_up_and_says_so(
    sandbox: Sandbox, tmp_path: Path, store: StateStore
) -> None:
    free = "5f00000000000000000000ff"
    sandbox.app.emulators["trello"].store.free_organizations.add(free)
    port, files = connector_for(Tool.TRELLO, sandbox.env), FileMigration(load_mapping(Tool.FILE, None))
    board = port.create_board("Gratuit", workspace=free)
    assert port.capabilities(port.read_full(board)).custom_fields == frozenset()
    prepared, _ = migrate(store, files, _file(tmp_path, FILE_ROWS), port, board, must_succeed=True)
    assert not prepared.plan.fields_to_create and POWER_UP_OFF in prepared.plan.notes
    copy = port.read_full(board)
    assert {a.title: a.impact for a in copy.actions}["Webinar SEO"] == 8  # the score rides as a label


# -- a Trello export -----------------------------------------------------------------------------------------


def test_an_export_gives_the_same_fields_and_values_as_the_live_board(
    sandbox: Sandbox, trello_auth: dict[str, str], tmp_path: Path
) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    board = _demo(sandbox)
    seed_trello_fields(sandbox, board.board)
    nested = {"lists": "all", "labels": "all", "customFields": "true", "members": "all"}
    nested |= {"checklists": "all", "actions": "commentCard"}
    url = f"{sandbox.urls['trello']}/boards/{board.board}"
    export = requests.get(url, params={**trello_auth, **nested}, timeout=10).json()
    # The export's cards with their custom field items (the spec's GET /boards/{id} declares no nested
    # card_customFieldItems parameter, so the cards come from their own route).
    cards = {"filter": "all", "customFieldItems": "true"}
    export["cards"] = requests.get(f"{url}/cards", params={**trello_auth, **cards}, timeout=10).json()
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    exported = read_trello_export(path, export, load_mapping(Tool.TRELLO, None))
    live = port.read_full(board, include_archived=True)
    assert exported.custom_fields == live.custom_fields
    assert _values(exported) == _values(live)


# -- every request is one Trello documents -------------------------------------------------------------------


@pytest.mark.skipif(not SPEC.exists(), reason=f"trello_openapi.json not found at {SPEC}")
def test_every_request_of_a_migration_with_fields_and_ticks_is_in_the_spec(
    sandbox: Sandbox, trello_auth: dict[str, str], tmp_path: Path, store: StateStore
) -> None:
    from connectors.test_trello_contract_spec import _calls, _templates

    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    port = connector_for(Tool.TRELLO, sandbox.env)
    seed_trello_fields(sandbox, _demo(sandbox).board)
    before = len(sandbox.requests())
    prepared, _ = migrate(store, port, _demo(sandbox), port, NEW_BOARD, must_succeed=True)
    files = FileMigration(load_mapping(Tool.FILE, None))
    rows = json.loads(json.dumps(FILE_ROWS))
    source = _file(tmp_path, rows)
    migrate(store, files, source, port, prepared.target.board, must_succeed=True)
    rows[0]["checklist"][0]["done"], rows[1]["Stage"] = True, "Paused"
    _file(tmp_path, rows)
    migrate(store, files, source, port, prepared.target.board, must_succeed=True)
    problems, seen = [], set()
    for method, path, query in _calls(sandbox.requests()[before:]):
        template = next((t for p, t in _templates(spec) if p.match(path)), "")
        operation = spec["paths"].get(template, {}).get(method.lower())
        if operation is None:
            problems.append(f"{method} {path}: not in the spec")
            continue
        seen.add((method, template))
        declared = operation.get("parameters", []) + spec["paths"][template].get("parameters", [])
        known = {p["name"] for p in declared if p.get("in") == "query"} | SPEC_GAPS.get(
            (method, template), set()
        )
        if set(query) - known:
            problems.append(f"{method} {template}: unknown query keys {sorted(set(query) - known)}")
    assert problems == []
    assert {
        ("POST", "/boards/{id}/boardPlugins"),
        ("POST", "/customFields"),
        ("PUT", "/cards/{idCard}/customFields"),
        ("PUT", "/cards/{id}/checkItem/{idCheckItem}"),
    } <= seen
