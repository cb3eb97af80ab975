"""Custom fields and checklist changes through the monday.com migration port, over the sandbox (real HTTP).

A JSON file with Budget (number), Stage / Brief (text) and Launch (date) columns → a new board: the columns
are made once, in the request that makes the role columns; the values ride in the create_item requests; a
re-run sends nothing; a changed value is exactly one update; a checklist entry ticked in the source is ticked
on the subitem. A board with status (single choice), single- and multi-select dropdowns → a new board (the
options become labels, in order), → a JSON file and back (kinds and values read back), and → Trello / Asana
and back (kinds, options and values unchanged).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import requests
from migration.support import apply_plan
from sandbox_connectors import connector_for

from connectors.contract import mutating
from connectors.test_monday_migration import demo_ref
from moteur.connectors.files.connector import FileConnector
from moteur.connectors.monday import MondayConnector
from moteur.core.migrate import MigrationPlan
from moteur.core.model import BoardRef, CustomField, FieldKind, ItemRef, Snapshot, Tool
from moteur.core.ops import EnsureField, UpdateItem, UpdateSubitem
from moteur.engine.migration_run import identity_of
from moteur.settings import Settings

Sandbox = Any  # tests/conftest.py

ROWS: list[dict[str, Any]] = [
    {
        "id": f"a{n}",
        "title": f"Action {n}",
        "bucket": "À faire" if n % 2 else "En cours",
        "Budget": 1000 + 100 * n,
        "Stage": "Idea" if n % 3 else "Live",
        "Brief": f"Brief n°{n}",
        "Launch": "2026-12-24T10:30:00+01:00" if n == 1 else f"2026-12-{n + 1:02d}",
        "checklist": [{"text": "Brief", "done": n == 2}, {"text": "Slides", "done": False}],
    }
    for n in range(1, 26)
]
ROWS[4].pop("Budget")  # an item without a value: nothing sent for it on create


def write_json(path: Path, rows: list[dict[str, Any]]) -> BoardRef:
    path.write_text(json.dumps({"name": "Plan", "actions": rows}, ensure_ascii=False), encoding="utf-8")
    return BoardRef(tool=Tool.FILE, board=str(path))


def run(source: Snapshot, port: Any, board: BoardRef, links: dict[str, ItemRef]) -> MigrationPlan:
    """One migration run at the connector (``apply_plan``) that must succeed, its progress bar ending full."""
    ticks: list[int] = []
    plan, results = apply_plan(port, source, board, links, progress=ticks.append)
    assert all(r.ok for r in results), [(r.op.kind, r.error) for r in results if not r.ok][:3]
    assert sum(ticks) == len(plan.ops)  # the progress bar ends full
    return plan


def writes(sandbox: Sandbox, since: int = 0) -> list[list[str]]:
    return [e["root_fields"] for e in mutating(sandbox.requests(), "monday")[since:]]


def by_source(snapshot: Snapshot) -> dict[str, Any]:
    return {identity_of(a): a for a in snapshot.actions}


def test_a_json_file_with_custom_columns_to_a_new_board_then_reruns_and_changes(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    files = FileConnector(Settings())
    ref = write_json(tmp_path / "plan.json", ROWS)
    source = files.read_full(ref)
    monday = connector_for(Tool.MONDAY, sandbox.env)
    board = monday.create_board("Plan (champs)")
    before, links = len(writes(sandbox)), {}
    plan = run(source, monday, board, links)
    assert set(plan.fields_to_create) == {"Budget", "Stage", "Brief", "Launch"} and not plan.losses
    sent = writes(sandbox, before)
    # One request makes every column of the board (Description, Status and the four fields), one the
    # subitems board's status column; the values add no request: they ride in the create_item requests.
    assert [len(r) for r in sent if "create_column" in r] == [6, 1]
    assert sum(1 for r in sent if "create_item" in r) == math.ceil(25 / 20)

    target = monday.read_full(board)
    kinds = {f.name: f.kind for f in target.custom_fields}
    assert kinds == {
        "Budget": FieldKind.NUMBER,
        "Stage": FieldKind.TEXT,
        "Brief": FieldKind.TEXT,
        "Launch": FieldKind.DATE,
    }
    copies = by_source(target)
    first = copies[f"file:{ref.board}:a1"]
    assert first.extra["field:Budget"] == 1100 and first.extra["field:Stage"] == "Idea"
    assert first.extra["field:Launch"] == "2026-12-24T09:30:00+00:00"  # the same moment, in UTC
    assert copies[f"file:{ref.board}:a3"].extra["field:Launch"] == "2026-12-04"  # a date stays a date
    assert "field:Budget" not in copies[f"file:{ref.board}:a5"].extra

    count = len(writes(sandbox))
    again = run(source, monday, board, links)
    assert again.ops == () and len(writes(sandbox)) == count  # nothing to create, update or extend

    rows = json.loads(json.dumps(ROWS))
    rows[2]["Budget"] = 9999
    rows[1]["checklist"][0]["done"] = False  # unticked
    rows[6]["checklist"][1]["done"] = True  # ticked
    rows[8]["checklist"][0]["text"] = "Brief v2"  # renamed
    changed = files.read_full(write_json(tmp_path / "plan.json", rows))
    plan = run(changed, monday, board, links)

    def key(n: int) -> str:
        return f"file:{ref.board}:a{n}"

    assert [(type(op), op.key) for op in plan.ops] == [
        (UpdateSubitem, f"{key(2)}#check:1"),
        (UpdateItem, key(3)),
        (UpdateSubitem, f"{key(7)}#check:2"),
        (UpdateSubitem, f"{key(9)}#check:1"),
    ]
    assert plan.ops[1].fields == {"custom": {"Budget": 9999}}  # type: ignore[union-attr]
    sent = writes(sandbox, count)
    # The item's update, then the three subitems in one aliased request on the subitems board (which a
    # query names: not a write).
    assert sent == [["change_multiple_column_values"], ["change_multiple_column_values"] * 3]
    copies = by_source(monday.read_full(board))
    assert copies[key(3)].extra["field:Budget"] == 9999
    assert [(c.text, c.done) for c in copies[key(2)].checklist] == [("Brief", False), ("Slides", False)]
    assert [(c.text, c.done) for c in copies[key(7)].checklist] == [("Brief", False), ("Slides", True)]
    assert [(c.text, c.done) for c in copies[key(9)].checklist] == [("Brief v2", False), ("Slides", False)]
    assert run(changed, monday, board, links).ops == ()


def seed_fields(sandbox: Sandbox) -> BoardRef:
    """The demo board with a status "Stage", single- and multi-select dropdowns and numbers / date / text."""
    ref = demo_ref(sandbox)
    item_ids = [a.ref.item for a in connector_for(Tool.MONDAY, sandbox.env).read_full(ref).actions[:3]]
    stage = json.dumps({"labels": [{"label": "Idea", "color": "working_orange", "index": 0}, "Live"]})
    one = json.dumps(
        {"labels": [{"label": "P1"}, {"label": "P2"}], "limit_select": True, "label_limit_count": 1}
    )
    many = json.dumps({"labels": [{"label": "Web"}, {"label": "Print"}]})
    values = [
        {"stage": {"label": "Live"}, "prio": {"labels": ["P2"]}, "chan": {"labels": ["Web", "Print"]},
         "budget": "1200.5", "launch": {"date": "2026-11-02", "time": "08:15:00"}, "brief": "Cible PME",
         "ok": {"checked": "true"}},
        {"stage": {"label": "Idea"}, "budget": "300", "launch": {"date": "2026-11-03"}},
        {"chan": {"labels": ["Web"]}},
    ]  # fmt: skip
    mutation = """
mutation Seed($board: ID!, $stage: JSON, $one: JSON, $many: JSON) {
  a: create_column(board_id: $board, title: "Stage", column_type: status, id: "stage", defaults: $stage) {
    id
  }
  b: create_column(board_id: $board, title: "Priorité", column_type: dropdown, id: "prio", defaults: $one) {
    id
  }
  c: create_column(board_id: $board, title: "Canaux", column_type: dropdown, id: "chan", defaults: $many) {
    id
  }
  d: create_column(board_id: $board, title: "Budget", column_type: numbers, id: "budget") { id }
  e: create_column(board_id: $board, title: "Lancement", column_type: date, id: "launch") { id }
  f: create_column(board_id: $board, title: "Brief", column_type: long_text, id: "brief") { id }
  g: create_column(board_id: $board, title: "Validé", column_type: checkbox, id: "ok") { id }
}
"""
    post(sandbox, mutation, {"board": ref.board, "stage": stage, "one": one, "many": many})
    change = """
mutation Set($board: ID!, $item: ID!, $values: JSON!) {
  change_multiple_column_values(board_id: $board, item_id: $item, column_values: $values) { id }
}
"""
    for item, value in zip(item_ids, values, strict=True):
        post(sandbox, change, {"board": ref.board, "item": item, "values": json.dumps(value)})
    return ref


def post(sandbox: Sandbox, query: str, variables: dict[str, Any]) -> None:
    answer = requests.post(
        sandbox.env["MOTEUR_MONDAY_URL"],
        json={"query": query, "variables": variables},
        headers={"Authorization": sandbox.env["MOTEUR_MONDAY_TOKEN"]},
        timeout=10,
    )
    assert "errors" not in answer.json(), answer.text


def test_a_board_reads_its_custom_columns_with_kinds_options_and_canonical_values(sandbox: Sandbox) -> None:
    monday = connector_for(Tool.MONDAY, sandbox.env)
    source = monday.read_full(seed_fields(sandbox))
    assert source.custom_fields == (
        CustomField(name="Stage", kind=FieldKind.ENUM, options=("Idea", "Live")),
        CustomField(name="Priorité", kind=FieldKind.ENUM, options=("P1", "P2")),
        CustomField(name="Canaux", kind=FieldKind.OTHER),
        CustomField(name="Budget", kind=FieldKind.NUMBER),
        CustomField(name="Lancement", kind=FieldKind.DATE),
        CustomField(name="Brief", kind=FieldKind.TEXT),
        CustomField(name="Validé", kind=FieldKind.OTHER),
    )  # the role columns (Statut, Impact, Description…) are not custom fields
    first, second, third = (a.extra for a in source.actions[:3])
    assert {k: v for k, v in first.items() if k.startswith("field:")} == {
        "field:Stage": "Live",
        "field:Priorité": "P2",
        "field:Canaux": "Web, Print",
        "field:Budget": 1200.5,
        "field:Lancement": "2026-11-02T08:15:00+00:00",
        "field:Brief": "Cible PME",
        "field:Validé": "v",
    }
    assert (second["field:Budget"], second["field:Lancement"]) == (300, "2026-11-03")
    assert [k for k in third if k.startswith("field:")] == ["field:Canaux"]
    assert all(c.id and c.id.isdigit() for a in source.actions for c in a.checklist)


def test_board_to_new_board_carries_single_choices_as_labels_and_reports_the_multi_select(
    sandbox: Sandbox,
) -> None:
    monday = connector_for(Tool.MONDAY, sandbox.env)
    source = monday.read_full(seed_fields(sandbox))
    board = monday.create_board("Copie avec champs")
    links: dict[str, ItemRef] = {}
    plan = run(source, monday, board, links)
    ensure = [op for op in plan.ops if isinstance(op, EnsureField)]
    assert [(op.name, op.field_kind, op.options) for op in ensure][:2] == [
        ("Stage", FieldKind.ENUM, ("Idea", "Live")),
        ("Priorité", FieldKind.ENUM, ("P1", "P2")),
    ]
    assert sorted((loss.what, loss.count) for loss in plan.losses) == [
        ('custom field "Canaux"', 2),
        ('custom field "Validé"', 1),
    ]
    target = monday.read_full(board)
    fields = {f.name: f for f in target.custom_fields}
    assert fields["Stage"].options == ("Idea", "Live") and fields["Priorité"].options == ("P1", "P2")
    assert fields["Priorité"].kind is FieldKind.ENUM  # a status column now: monday's single choice
    copy = by_source(target)[source.actions[0].key]
    assert copy.extra["field:Priorité"] == "P2" and copy.extra["field:Budget"] == 1200.5
    assert copy.extra["field:Lancement"] == "2026-11-02T08:15:00+00:00"
    assert run(source, monday, board, links).ops == ()

    # A value that is not yet an option is added as a label, not dropped.
    item = by_source(target)[source.actions[1].key]
    change = UpdateItem(source.actions[1].key, item.ref, item.title, {"custom": {"Stage": "Archivé"}})
    assert monday.apply_migration(target, [change], {}, on_created=lambda _k, _r: None)[0].ok
    again = monday.read_full(board)
    assert by_source(again)[source.actions[1].key].extra["field:Stage"] == "Archivé"
    assert "Archivé" in next(f for f in again.custom_fields if f.name == "Stage").options


def test_board_to_a_json_file_and_back_reads_kinds_and_values(sandbox: Sandbox, tmp_path: Path) -> None:
    monday = connector_for(Tool.MONDAY, sandbox.env)
    source = monday.read_full(seed_fields(sandbox))
    files = FileConnector(Settings())
    out = BoardRef(tool=Tool.FILE, board=str(tmp_path / "copie.json"))
    run(source, files, out, {})
    copy = files.read_full(out)
    kinds = {f.name: f.kind for f in copy.custom_fields}
    assert kinds == {
        "Stage": FieldKind.TEXT,  # a file has no single-choice type
        "Priorité": FieldKind.TEXT,
        "Budget": FieldKind.NUMBER,
        "Lancement": FieldKind.DATE,
        "Brief": FieldKind.TEXT,
    }
    first = by_source(copy)[source.actions[0].key]
    assert (first.extra["field:Budget"], first.extra["field:Lancement"]) == (
        1200.5,
        "2026-11-02T08:15:00+00:00",
    )

    back = monday.create_board("Retour du fichier")
    run(copy, monday, back, {})
    target = monday.read_full(back)
    assert {f.name: f.kind for f in target.custom_fields} == kinds
    returned = by_source(target)[first.key]
    assert returned.extra["field:Budget"] == 1200.5 and returned.extra["field:Stage"] == "Live"


def test_capabilities_hold_the_four_kinds_and_the_accounts_emails_of_the_full_read(sandbox: Sandbox) -> None:
    monday: MondayConnector = connector_for(Tool.MONDAY, sandbox.env)
    target = monday.read_full(demo_ref(sandbox))
    sent = len(sandbox.requests())
    caps = monday.capabilities(target)
    assert monday.capabilities(target) == caps and len(sandbox.requests()) == sent  # no request
    assert caps.custom_fields == {FieldKind.NUMBER, FieldKind.ENUM, FieldKind.TEXT, FieldKind.DATE}
    assert caps.emails is not None and "owner@example.com" in caps.emails
    # One request of the full read: the people (with their kind and status), the board's members, the cap.
    roots = [e["root_fields"] for e in sandbox.requests() if e["tool"] == "monday"]
    assert roots.count(["users", "boards", "account", "platform_api"]) == 1
    assert any("10,000 calls a day" in note for note in caps.notes)


# Seed 4 drops the create_column request after applying it, seed 10 that and a create_item (seeds 1–12 tried).
@pytest.mark.parametrize("seed", [4, 10])
def test_commit_then_drop_faults_make_each_field_and_item_once(
    sandbox: Sandbox, tmp_path: Path, seed: int
) -> None:
    source = FileConnector(Settings()).read_full(write_json(tmp_path / "plan.json", ROWS))
    monday = connector_for(Tool.MONDAY, sandbox.env)
    board = monday.create_board("Plan (pannes)")
    sandbox.set_faults(0.3, seed, kinds=["commit_then_drop", "reset", "503"])
    run(source, monday, board, {})
    sandbox.set_faults(0.0, 0)
    dropped = {
        f for e in sandbox.requests() if e.get("fault") == "commit_then_drop" for f in e["root_fields"]
    }
    assert "create_column" in dropped
    target = monday.read_full(board)
    titles = [c["title"] for c in target.native["columns"]]
    assert sorted(t for t in titles if t in ("Budget", "Stage", "Brief", "Launch")) == [
        "Brief", "Budget", "Launch", "Stage"
    ]  # fmt: skip
    copies = by_source(target)
    assert len(target.actions) == len(copies) == 25
    assert copies[f"file:{source.board.board}:a3"].extra["field:Budget"] == 1300


@pytest.mark.parametrize("tool", [Tool.TRELLO, Tool.ASANA])
def test_board_to_another_tool_and_back_keeps_kinds_options_and_values(sandbox: Sandbox, tool: Tool) -> None:
    monday = connector_for(Tool.MONDAY, sandbox.env)
    source = monday.read_full(seed_fields(sandbox))
    other = connector_for(tool, sandbox.env)
    middle_ref = other.create_board(f"Via {tool.value}", None)
    run(source, other, middle_ref, {})
    middle = other.read_full(middle_ref)
    back = monday.create_board(f"Retour de {tool.value}")
    run(middle, monday, back, {})
    target = monday.read_full(back)
    carried = [f for f in source.custom_fields if f.kind is not FieldKind.OTHER]
    assert target.custom_fields == tuple(carried)  # the single-select dropdown is a status column now
    returned = next(a for a in target.actions if a.title == source.actions[0].title)
    assert {k: v for k, v in returned.extra.items() if k.startswith("field:")} == {
        k: v
        for k, v in source.actions[0].extra.items()
        if k.startswith("field:") and k not in ("field:Canaux", "field:Validé")
    }
    assert run(middle, monday, back, {}).ops == ()
