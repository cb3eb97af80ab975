"""Trello emulator additions a migration relies on, as Trello's spec documents them: ``POST /cards`` takes
``dueComplete`` (a done card is created done, in one request) and ``POST /boards`` takes ``idOrganization``
(the workspace) and ``defaultLists=false`` (no To Do / Doing / Done)."""

from __future__ import annotations

from typing import Any

import requests

Sandbox = Any  # the conftest fixture type


def _call(sandbox: Sandbox, auth: dict[str, str], method: str, path: str, **params: Any) -> Any:
    answer = requests.request(method, sandbox.urls["trello"] + path, params={**auth, **params}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_card_can_be_created_done(sandbox: Sandbox, trello_auth: dict[str, str]) -> None:
    board = sandbox.boards["trello"][0].split(":", 1)[1]
    list_id = _call(sandbox, trello_auth, "GET", f"/boards/{board}/lists")[0]["id"]
    card = _call(
        sandbox, trello_auth, "POST", "/cards", idList=list_id, name="Done", due="2026-12-24T12:00:00.000Z",
        dueComplete="true",
    )  # fmt: skip
    assert card["dueComplete"] is True and card["dateCompleted"] is not None
    assert _call(sandbox, trello_auth, "GET", f"/cards/{card['id']}")["dueComplete"] is True
    plain = _call(sandbox, trello_auth, "POST", "/cards", idList=list_id, name="Open")
    assert plain["dueComplete"] is False


def test_a_board_goes_to_the_workspace_given_without_default_lists(
    sandbox: Sandbox, trello_auth: dict[str, str]
) -> None:
    workspace = "5f00000000000000000000aa"
    board = _call(
        sandbox,
        trello_auth,
        "POST",
        "/boards/",
        name="Migrated",
        idOrganization=workspace,
        defaultLists="false",
    )
    assert board["idOrganization"] == workspace
    assert _call(sandbox, trello_auth, "GET", f"/boards/{board['id']}/lists") == []
    default = _call(sandbox, trello_auth, "POST", "/boards/", name="Default")
    assert [x["name"] for x in _call(sandbox, trello_auth, "GET", f"/boards/{default['id']}/lists")] == [
        "To Do",
        "Doing",
        "Done",
    ]
