"""The monday.com emulator over real HTTP: schema subset, paging, incremental reads, mutations, errors."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import requests
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    build_schema,
)

from moteur.sandbox.monday.schema import extract_subset, subset_sdl

REPO = Path(__file__).resolve().parents[2]
SPECS_DIR = Path(os.environ.get("MOTEUR_SPECS_DIR", REPO / "moteur" / "sandbox" / "contracts"))
Sandbox = Any  # the `sandbox` fixture of tests/sandbox/conftest.py

BOARD_QUERY = """
query ($ids: [ID!], $limit: Int!, $qp: ItemsQuery) {
  boards(ids: $ids) {
    id name state board_kind workspace_id
    columns { id title type settings_str }
    groups { id title position color archived deleted }
    items_page(limit: $limit, query_params: $qp) {
      cursor
      items { id name state created_at updated_at group { id title }
              column_values { id type text value ... on StatusValue { label index } } }
    }
  }
}"""


def gql(
    sandbox: Sandbox, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> requests.Response:
    sent = {"Authorization": sandbox.env["MOTEUR_MONDAY_TOKEN"], "API-Version": "2026-07", **headers}
    return requests.post(
        sandbox.urls["monday"], json={"query": query, "variables": variables or {}}, headers=sent, timeout=30
    )


def data(sandbox: Sandbox, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = gql(sandbox, query, variables)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def board_id(sandbox: Sandbox) -> str:
    return sandbox.boards["monday"][0].split(":", 1)[1]


# -- the schema is a subset of monday's ------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2026-07", "2026-10"])
def test_subset_schema_exists_in_the_official_sdl_with_the_same_types(version: str) -> None:
    official_path = SPECS_DIR / f"monday_schema_{version}.graphql"
    if not official_path.exists():
        pytest.skip(f"official monday SDL not found at {official_path} (set MOTEUR_SPECS_DIR)")
    official = build_schema(official_path.read_text(encoding="utf-8"))
    ours = build_schema(subset_sdl())
    for name, ours_type in ours.type_map.items():
        if name.startswith("__"):
            continue
        theirs = official.type_map.get(name)
        assert theirs is not None and type(theirs) is type(ours_type), name
        if isinstance(ours_type, GraphQLObjectType | GraphQLInterfaceType):
            assert isinstance(theirs, GraphQLObjectType | GraphQLInterfaceType)
            assert {i.name for i in ours_type.interfaces} <= {i.name for i in theirs.interfaces}, name
            for field_name, field in ours_type.fields.items():
                if field_name not in theirs.fields and field.deprecation_reason and version != "2026-07":
                    continue  # deprecated in 2026-07, removed since: refused by the official validation
                assert field_name in theirs.fields, f"{name}.{field_name}"
                assert str(field.type) == str(theirs.fields[field_name].type), f"{name}.{field_name}"
                for arg_name, arg in field.args.items():
                    their_arg = theirs.fields[field_name].args.get(arg_name)
                    assert their_arg is not None, f"{name}.{field_name}({arg_name})"
                    assert str(arg.type) == str(their_arg.type), f"{name}.{field_name}({arg_name})"
        elif isinstance(ours_type, GraphQLInputObjectType):
            assert isinstance(theirs, GraphQLInputObjectType)
            for field_name, input_field in ours_type.fields.items():
                assert str(input_field.type) == str(theirs.fields[field_name].type), f"{name}.{field_name}"
        elif isinstance(ours_type, GraphQLEnumType):
            assert isinstance(theirs, GraphQLEnumType)
            assert set(ours_type.values) <= set(theirs.values), name
        else:
            assert isinstance(ours_type, GraphQLScalarType)


# -- reads -------------------------------------------------------------------------------------------------


def test_demo_board_reads_with_columns_groups_and_typed_values(sandbox: Sandbox) -> None:
    board = data(sandbox, BOARD_QUERY, {"ids": [board_id(sandbox)], "limit": 500})["boards"][0]
    assert board["name"] == "Plan marketing (démo)"
    titles = {c["title"]: c["type"] for c in board["columns"]}
    assert titles["Impact"] == titles["Effort"] == titles["Confidence"] == "numbers"
    assert titles["Statut"] == "status" and titles["Tags"] == "dropdown" and titles["Échéance"] == "date"
    assert [g["title"] for g in board["groups"]] == ["Idées", "À faire", "En cours", "Fait"]
    items = board["items_page"]["items"]
    assert len(items) >= 30 and board["items_page"]["cursor"] is None
    status = next(v for v in items[0]["column_values"] if v["id"] == "statut")
    assert status["label"] == status["text"] and json.loads(status["value"])["index"] == status["index"]


def test_items_page_pages_past_500_with_cursors(sandbox: Sandbox) -> None:
    bid = sandbox.reset("bulk:1203")["monday"][0].split(":")[1]
    first = data(sandbox, BOARD_QUERY, {"ids": [bid], "limit": 500})["boards"][0]["items_page"]
    seen = [i["id"] for i in first["items"]]
    cursor = first["cursor"]
    pages = 1
    while cursor:
        page = data(
            sandbox,
            "query ($c: String!) { next_items_page(cursor: $c, limit: 500) { cursor items { id } } }",
            {"c": cursor},
        )["next_items_page"]
        seen += [i["id"] for i in page["items"]]
        cursor, pages = page["cursor"], pages + 1
    assert pages == 3 and len(seen) == len(set(seen)) == 1203
    too_big = gql(sandbox, BOARD_QUERY, {"ids": [bid], "limit": 501}).json()
    assert too_big["errors"][0]["extensions"]["code"] == "InvalidArgumentException"


def test_last_updated_rule_returns_only_items_changed_since(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    bid = board_id(sandbox)
    items = data(sandbox, BOARD_QUERY, {"ids": [bid], "limit": 500})["boards"][0]["items_page"]["items"]
    since = max(i["updated_at"] for i in items)
    rule = {
        "rules": [
            {
                "column_id": "__last_updated__",
                "compare_attribute": "UPDATED_AT",
                "operator": "greater_than",
                "compare_value": ["EXACT", since],
            }
        ]
    }
    assert (
        data(sandbox, BOARD_QUERY, {"ids": [bid], "limit": 500, "qp": rule})["boards"][0]["items_page"][
            "items"
        ]
        == []
    )
    changed = items[3]["id"]
    # Timestamps have one-second resolution: move the write past `since` the way a cron run would see it.
    monkeypatch.setattr(sandbox.app.emulators["monday"], "wall_clock", lambda: _epoch(since) + 5)
    data(
        sandbox,
        "mutation ($b: ID!, $i: ID!) { change_simple_column_value(board_id: $b, item_id: $i, "
        'column_id: "canal", value: "SEO") { id } }',
        {"b": bid, "i": changed},
    )
    page = data(sandbox, BOARD_QUERY, {"ids": [bid], "limit": 500, "qp": rule})["boards"][0]["items_page"]
    assert [i["id"] for i in page["items"]] == [changed]


def _epoch(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


# -- mutations ---------------------------------------------------------------------------------------------


def test_every_mutation_applies_and_reads_back(sandbox: Sandbox) -> None:
    ws = data(sandbox, "{ workspaces { id name } me { id email account { id } } }")
    board = data(
        sandbox,
        'mutation ($w: ID) { create_board(board_name: "Test", board_kind: private, '
        "workspace_id: $w, empty: true) { id name } }",
        {"w": ws["workspaces"][0]["id"]},
    )
    bid = board["create_board"]["id"]
    assert len(bid) == 10 and bid.isdigit()
    group = data(
        sandbox,
        'mutation ($b: ID!) { create_group(board_id: $b, group_name: "Q1") { id title } }',
        {"b": bid},
    )["create_group"]
    cols = {}
    for kind, defaults in [
        ("status", {"labels": {"1": "Done", "0": "Doing"}}),
        ("dropdown", None),
        ("numbers", None),
        ("text", None),
        ("long_text", None),
        ("date", None),
        ("people", None),
    ]:
        col = data(
            sandbox,
            "mutation ($b: ID!, $t: ColumnType!, $d: JSON) { create_column(board_id: $b, "
            'title: "C", column_type: $t, defaults: $d) { id type } }',
            {"b": bid, "t": kind, "d": json.dumps(defaults) if defaults else None},
        )["create_column"]
        cols[kind] = col["id"]
    values = {
        cols["status"]: {"label": "Done"},
        cols["dropdown"]: {"labels": ["a", "b"]},
        cols["numbers"]: "42",
        cols["text"]: "hello",
        cols["long_text"]: {"text": "long\ntext"},
        cols["date"]: {"date": "2026-12-24", "time": "10:00:00"},
        cols["people"]: {"personsAndTeams": [{"id": int(ws["me"]["id"]), "kind": "person"}]},
    }
    item = data(
        sandbox,
        'mutation ($b: ID!, $g: String, $v: JSON) { create_item(board_id: $b, item_name: "A", '
        "group_id: $g, column_values: $v, create_labels_if_missing: true) { id name } }",
        {"b": bid, "g": group["id"], "v": json.dumps(values)},
    )["create_item"]
    iid = item["id"]
    data(
        sandbox,
        "mutation ($b: ID!, $i: ID!, $c: String!, $v: JSON!) { change_column_value(board_id: $b, "
        "item_id: $i, column_id: $c, value: $v) { id } }",
        {"b": bid, "i": iid, "c": cols["status"], "v": json.dumps({"index": 0})},
    )
    data(
        sandbox,
        "mutation ($b: ID!, $i: ID!, $c: String!) { change_simple_column_value(board_id: $b, "
        'item_id: $i, column_id: $c, value: "7") { id } }',
        {"b": bid, "i": iid, "c": cols["numbers"]},
    )
    data(
        sandbox,
        "mutation ($b: ID!, $i: ID!, $v: JSON!) { change_multiple_column_values(board_id: $b, "
        "item_id: $i, column_values: $v) { id } }",
        {"b": bid, "i": iid, "v": json.dumps({cols["text"]: "bye", "name": "A2"})},
    )
    sub = data(
        sandbox,
        'mutation ($i: ID!) { create_subitem(parent_item_id: $i, item_name: "S") { id board { id } } }',
        {"i": iid},
    )["create_subitem"]
    update = data(
        sandbox, 'mutation ($i: ID!) { create_update(item_id: $i, body: "Note") { id body } }', {"i": iid}
    )["create_update"]
    other = data(
        sandbox, 'mutation ($b: ID!) { create_group(board_id: $b, group_name: "Q2") { id } }', {"b": bid}
    )["create_group"]["id"]
    data(
        sandbox,
        "mutation ($i: ID!, $g: String!) { move_item_to_group(item_id: $i, group_id: $g) { id } }",
        {"i": iid, "g": other},
    )
    read = data(
        sandbox,
        "query ($i: [ID!]) { items(ids: $i) { name group { id } subitems { id } updates { body } "
        "column_values { id text value } } }",
        {"i": [iid]},
    )["items"][0]
    texts = {v["id"]: v["text"] for v in read["column_values"]}
    assert read["name"] == "A2" and read["group"]["id"] == other and read["subitems"] == [{"id": sub["id"]}]
    assert read["updates"] == [{"body": "Note"}] and update["body"] == "Note"
    assert texts[cols["status"]] == "Doing" and texts[cols["numbers"]] == "7" and texts[cols["text"]] == "bye"
    assert texts[cols["dropdown"]] == "a, b" and texts[cols["date"]] == "2026-12-24 10:00"
    assert texts[cols["long_text"]] == "long\ntext" and texts[cols["people"]]
    assert sub["board"]["id"] != bid
    logs = data(
        sandbox,
        "query ($b: [ID!]) { boards(ids: $b) { activity_logs(limit: 100) { event data } } }",
        {"b": [bid]},
    )["boards"][0]["activity_logs"]
    assert {"create_pulse", "update_column_value", "move_pulse_into_group"} <= {e["event"] for e in logs}
    data(sandbox, "mutation ($i: ID!) { archive_item(item_id: $i) { id state } }", {"i": iid})
    page = data(sandbox, BOARD_QUERY, {"ids": [bid], "limit": 10})["boards"][0]["items_page"]
    assert page["items"] == []
    deleted = data(sandbox, "mutation ($i: ID!) { delete_item(item_id: $i) { id } }", {"i": iid})
    assert deleted["delete_item"]["id"] == iid


def test_aliased_mutations_fail_on_their_own_with_a_path(sandbox: Sandbox) -> None:
    bid = board_id(sandbox)
    items = data(sandbox, BOARD_QUERY, {"ids": [bid], "limit": 3})["boards"][0]["items_page"]["items"]
    body = gql(
        sandbox,
        "mutation ($b: ID!, $i1: ID!, $i2: ID!, $i3: ID!, $ok: JSON!, $bad: JSON!) {"
        " u1: change_multiple_column_values(board_id: $b, item_id: $i1, column_values: $ok) { id }"
        " u2: change_multiple_column_values(board_id: $b, item_id: $i2, column_values: $bad) { id }"
        " u3: change_multiple_column_values(board_id: $b, item_id: $i3, column_values: $ok) { id } }",
        {
            "b": bid,
            "i1": items[0]["id"],
            "i2": items[1]["id"],
            "i3": items[2]["id"],
            "ok": json.dumps({"impact": "9"}),
            "bad": json.dumps({"statut": {"label": "Nope"}}),
        },
    ).json()
    assert body["data"] == {"u1": {"id": items[0]["id"]}, "u2": None, "u3": {"id": items[2]["id"]}}
    (error,) = body["errors"]
    assert error["path"] == ["u2"] and error["extensions"]["code"] == "ColumnValueException"
    assert error["extensions"]["status_code"] == 200 and error["locations"]
    # create_labels_if_missing adds the label instead.
    made = data(
        sandbox,
        "mutation ($b: ID!, $i: ID!, $v: JSON!) { change_multiple_column_values(board_id: $b, "
        "item_id: $i, column_values: $v, create_labels_if_missing: true) { column_values(ids: "
        '["statut"]) { text } } }',
        {"b": bid, "i": items[1]["id"], "v": json.dumps({"statut": {"label": "Nope"}})},
    )
    assert made["change_multiple_column_values"]["column_values"] == [{"text": "Nope"}]


def test_errors_in_monday_shapes(sandbox: Sandbox) -> None:
    unknown_field = gql(sandbox, "{ boards { id nope } }").json()
    assert unknown_field["errors"][0]["message"] == "Field 'nope' doesn't exist on type 'Board'"
    bad_board = gql(sandbox, 'mutation { create_group(board_id: 1, group_name: "x") { id } }').json()
    assert bad_board["data"] == {"create_group": None}
    assert bad_board["errors"][0]["extensions"]["code"] == "InvalidBoardIdException"
    bad_column = gql(
        sandbox,
        "mutation ($b: ID!) { change_simple_column_value(board_id: $b, item_id: 1, "
        'column_id: "x", value: "y") { id } }',
        {"b": board_id(sandbox)},
    ).json()
    assert bad_column["errors"][0]["extensions"]["code"] == "InvalidItemIdException"
    unauthenticated = requests.post(
        sandbox.urls["monday"],
        json={"query": "{ me { id } }"},
        headers={"Authorization": "wrong"},
        timeout=10,
    )
    assert unauthenticated.status_code == 401 and unauthenticated.json() == {"errors": ["Not Authenticated"]}
    bearer = requests.post(
        sandbox.urls["monday"],
        json={"query": "{ me { id } }"},
        timeout=10,
        headers={"Authorization": f"Bearer {sandbox.env['MOTEUR_MONDAY_TOKEN']}"},
    )
    assert bearer.status_code == 200 and bearer.headers["Api-Version"] == "2026-07"
    assert gql(sandbox, "{ me { id } }", **{"API-Version": "1999-01"}).status_code == 400
    log = [r for r in sandbox.requests() if r["tool"] == "monday"]
    assert any(r["operation"] == "mutation" and r["mutating"] for r in log)


def test_shipped_subset_is_the_extraction_of_the_official_sdl() -> None:
    official_path = SPECS_DIR / "monday_schema_2026-07.graphql"
    if not official_path.exists():
        pytest.skip(f"official monday SDL not found at {official_path} (set MOTEUR_SPECS_DIR)")
    assert extract_subset(official_path.read_text(encoding="utf-8")) == subset_sdl()
