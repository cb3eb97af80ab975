"""What the incremental-read tests share: a connector per tool over the sandbox, and each tool's own way to
change an item's impact score or delete an item through its API (as a person would, not through moteur)."""

from __future__ import annotations

from typing import Any

import requests
from sandbox_connectors import connector_for

from moteur.cli import main
from moteur.core.model import BoardRef, Snapshot, Tool

Sandbox = Any  # tests/conftest.py
TOOLS = ("trello", "asana", "monday")


def connector(tool: str, env: dict[str, str]) -> Any:
    return connector_for(Tool(tool), env)


def board_of(sandbox: Sandbox, tool: str) -> BoardRef:
    return BoardRef(tool=Tool(tool), board=sandbox.boards[tool][0].split(":", 1)[1])


def log_size(sandbox: Sandbox, tool: str) -> int:
    return sum(1 for e in sandbox.requests() if e["tool"] == tool)


def sync_requests(sandbox: Sandbox, tool: str, *args: str) -> int:
    """Run ``moteur sync`` on the tool's board (``cli`` fixture); return the requests it sent to the tool."""
    before = log_size(sandbox, tool)
    ref = board_of(sandbox, tool)
    assert main(["sync", f"{tool}:{ref.board}", "--today", "2026-11-30", *args]) == 0
    return log_size(sandbox, tool) - before


def _field_id(snapshot: Snapshot, name: str) -> str:
    fields = snapshot.native.get("fields") or snapshot.native.get("columns") or []
    for f in fields:
        title = str(f.get("name") or f.get("title") or "")
        if title.lower() == name:
            return str(f.get("id") or f.get("gid"))
    raise AssertionError(f"no {name} field on the board: {fields}")


def set_impact(sandbox: Sandbox, tool: str, snapshot: Snapshot, item: str, value: int) -> None:
    env = sandbox.env
    field = _field_id(snapshot, "impact")
    if tool == "trello":
        auth = {"key": env["MOTEUR_TRELLO_API_KEY"], "token": env["MOTEUR_TRELLO_TOKEN"]}
        url = f"{env['MOTEUR_TRELLO_URL']}/cards/{item}/customField/{field}/item"
        answer = requests.put(url, params=auth, json={"value": {"number": str(value)}}, timeout=10)
    elif tool == "asana":
        answer = requests.put(
            f"{env['MOTEUR_ASANA_URL']}/tasks/{item}",
            json={"data": {"custom_fields": {field: value}}},
            headers={"Authorization": f"Bearer {env['MOTEUR_ASANA_TOKEN']}"},
            timeout=10,
        )
    else:
        answer = _graphql(
            sandbox,
            "mutation ($b: ID!, $i: ID!, $c: String!, $v: String!) "
            "{ change_simple_column_value(board_id: $b, item_id: $i, column_id: $c, value: $v) { id } }",
            {"b": snapshot.native["board_id"], "i": item, "c": field, "v": str(value)},
        )
    answer.raise_for_status()
    assert "errors" not in answer.json(), answer.text


def delete_item(sandbox: Sandbox, tool: str, item: str) -> None:
    env = sandbox.env
    if tool == "trello":
        auth = {"key": env["MOTEUR_TRELLO_API_KEY"], "token": env["MOTEUR_TRELLO_TOKEN"]}
        answer = requests.delete(f"{env['MOTEUR_TRELLO_URL']}/cards/{item}", params=auth, timeout=10)
    elif tool == "asana":
        answer = requests.delete(
            f"{env['MOTEUR_ASANA_URL']}/tasks/{item}",
            headers={"Authorization": f"Bearer {env['MOTEUR_ASANA_TOKEN']}"},
            timeout=10,
        )
    else:
        answer = _graphql(sandbox, "mutation ($i: ID!) { delete_item(item_id: $i) { id } }", {"i": item})
    answer.raise_for_status()


def _graphql(sandbox: Sandbox, query: str, variables: dict[str, Any]) -> requests.Response:
    return requests.post(
        sandbox.env["MOTEUR_MONDAY_URL"],
        json={"query": query, "variables": variables},
        headers={"Authorization": sandbox.env["MOTEUR_MONDAY_TOKEN"], "API-Version": "2026-10"},
        timeout=10,
    )


def same(incremental: Snapshot, full: Snapshot) -> bool:
    """Equal as moteur uses them, but for: warnings (an incremental read re-reports only the changed
    items'), the order of actions, and the tags *seen on items* (Asana's workspace tags): the incremental
    union may still name a tag whose last task left the project, harmless since the tag still exists."""
    a = incremental.model_dump(exclude={"warnings", "tags"})
    b = full.model_dump(exclude={"warnings", "tags"})
    for dump in (a, b):
        dump["native"].pop("tags", None)
        # Order is not meaning: planning orders actions totally by itself (ties: due, creation, id).
        dump["actions"] = sorted(dump["actions"], key=lambda action: action["ref"]["item"])
    return a == b and set(full.tags) <= set(incremental.tags)
