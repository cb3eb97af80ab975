"""Columns a migration meets as custom fields, in the monday.com emulator.

A dropdown keeps its label limit (``limit_select`` / ``label_limit_count``, as monday's SDL names them in
``CreateDropdownColumnSettingsInput``) and refuses a value with more labels. A checkbox is checked with
``{"checked": "true"}``, reads "v" and ``checked: true`` (monday's checkbox column reference), and is
cleared with ``null``.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.test_monday import board_id, data, gql

Sandbox = Any  # tests/conftest.py

CREATE = """
mutation ($board: ID!, $title: String!, $defaults: JSON) {
  create_column(board_id: $board, title: $title, column_type: dropdown, defaults: $defaults) { id settings }
}"""
SET = """
mutation ($board: ID!, $item: ID!, $values: JSON!) {
  change_multiple_column_values(board_id: $board, item_id: $item, column_values: $values,
                                create_labels_if_missing: true) { id }
}"""


def first_item(sandbox: Sandbox, board: str) -> str:
    found = data(
        sandbox,
        "query ($b: ID!) { boards(ids: [$b]) { items_page(limit: 1) { items { id } } } }",
        {"b": board},
    )
    return str(found["boards"][0]["items_page"]["items"][0]["id"])


def test_a_single_choice_dropdown_keeps_its_limit_and_refuses_two_labels(sandbox: Sandbox) -> None:
    board = board_id(sandbox)
    one = {"labels": [{"label": "P1"}, {"label": "P2"}], "limit_select": True, "label_limit_count": 1}
    column = data(sandbox, CREATE, {"board": board, "title": "Priorité", "defaults": json.dumps(one)})
    settings = column["create_column"]["settings"]
    settings = json.loads(settings) if isinstance(settings, str) else settings
    assert (settings["limit_select"], settings["label_limit_count"]) == (True, 1)
    assert [label["name"] for label in settings["labels"]] == ["P1", "P2"]
    item, column_id = first_item(sandbox, board), column["create_column"]["id"]
    data(sandbox, SET, {"board": board, "item": item, "values": json.dumps({column_id: {"labels": ["P2"]}})})
    refused = gql(
        sandbox,
        SET,
        {"board": board, "item": item, "values": json.dumps({column_id: {"labels": ["P1", "P2"]}})},
    )
    assert "at most 1 labels" in refused.text

    many = data(
        sandbox, CREATE, {"board": board, "title": "Canaux", "defaults": json.dumps({"labels": ["Web"]})}
    )
    many_id = many["create_column"]["id"]
    data(
        sandbox,
        SET,
        {"board": board, "item": item, "values": json.dumps({many_id: {"labels": ["Web", "Print"]}})},
    )


def test_a_checkbox_is_checked_read_as_v_and_cleared(sandbox: Sandbox) -> None:
    board = board_id(sandbox)
    create = """
mutation ($board: ID!) {
  create_column(board_id: $board, title: "Validé", column_type: checkbox) { id type }
}"""
    column = data(sandbox, create, {"board": board})["create_column"]
    assert column["type"] == "checkbox"
    item, column_id = first_item(sandbox, board), column["id"]
    read = """
query ($ids: [ID!], $col: [String!]) {
  items(ids: $ids) { column_values(ids: $col) { text value ... on CheckboxValue { checked } } }
}"""
    data(sandbox, SET, {"board": board, "item": item, "values": json.dumps({column_id: {"checked": "true"}})})
    (cell,) = data(sandbox, read, {"ids": [item], "col": [column_id]})["items"][0]["column_values"]
    assert (cell["text"], cell["checked"], json.loads(cell["value"])["checked"]) == ("v", True, "true")
    data(sandbox, SET, {"board": board, "item": item, "values": json.dumps({column_id: None})})
    (cell,) = data(sandbox, read, {"ids": [item], "col": [column_id]})["items"][0]["column_values"]
    assert (cell["text"], cell["checked"], cell["value"]) == ("", False, None)
