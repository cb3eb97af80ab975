"""The Trello emulator's board Power-Ups, as Trello's spec documents them (``/boards/{id}/boardPlugins``):
a board made through ``POST /boards`` has none, so its custom field writes answer 403 until Custom Fields
(``56d5e249a98895a9797bebb9``) is enabled; a free workspace refuses it; disabling it turns the 403 back on."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import requests

from moteur.sandbox.trello.plugins import CUSTOM_FIELDS_PLUGIN

Sandbox = Any  # the conftest fixture type
REPO = Path(__file__).resolve().parents[2]
SPEC = (
    Path(os.environ.get("MOTEUR_SPECS_DIR", REPO / "moteur" / "sandbox" / "contracts"))
    / "trello_openapi.json"
)


def _call(sandbox: Sandbox, auth: dict[str, str], method: str, path: str, **params: Any) -> requests.Response:
    return requests.request(method, sandbox.urls["trello"] + path, params={**auth, **params}, timeout=10)


def _ok(answer: requests.Response) -> Any:
    assert answer.status_code == 200, answer.text
    return answer.json()


def _new_board(sandbox: Sandbox, auth: dict[str, str], **params: Any) -> str:
    return str(_ok(_call(sandbox, auth, "POST", "/boards/", name="Fresh", **params))["id"])


def _add_field(sandbox: Sandbox, auth: dict[str, str], board: str) -> requests.Response:
    body = {"idModel": board, "modelType": "board", "name": "Budget", "type": "number", "pos": "bottom"}
    return requests.post(f"{sandbox.urls['trello']}/customFields", params=auth, json=body, timeout=10)


def test_a_new_board_has_no_power_up_until_custom_fields_is_enabled(
    sandbox: Sandbox, trello_auth: dict[str, str]
) -> None:
    board = _new_board(sandbox, trello_auth)
    assert _ok(_call(sandbox, trello_auth, "GET", f"/boards/{board}", fields="powerUps"))["powerUps"] == []
    assert _ok(_call(sandbox, trello_auth, "GET", f"/boards/{board}/boardPlugins")) == []
    refused = _add_field(sandbox, trello_auth, board)
    assert refused.status_code == 403 and "not enabled" in refused.text
    plugin = _ok(
        _call(sandbox, trello_auth, "POST", f"/boards/{board}/boardPlugins", idPlugin=CUSTOM_FIELDS_PLUGIN)
    )
    assert (plugin["idBoard"], plugin["idPlugin"]) == (board, CUSTOM_FIELDS_PLUGIN)
    # Custom Fields is a plugin, not one of the built-in Power-Ups the board's powerUps field lists.
    assert _ok(_call(sandbox, trello_auth, "GET", f"/boards/{board}", fields="powerUps"))["powerUps"] == []
    assert _ok(_call(sandbox, trello_auth, "GET", f"/boards/{board}/boardPlugins")) == [plugin]
    field = _ok(_add_field(sandbox, trello_auth, board))
    assert field["name"] == "Budget" and field["type"] == "number"
    again = _call(
        sandbox, trello_auth, "POST", f"/boards/{board}/boardPlugins", idPlugin=CUSTOM_FIELDS_PLUGIN
    )
    assert _ok(again) == plugin  # enabling twice changes nothing


def test_seeded_boards_list_their_power_up(sandbox: Sandbox, trello_auth: dict[str, str]) -> None:
    demo, calendar = (ref.split(":", 1)[1] for ref in sandbox.boards["trello"][:2])
    [record] = _ok(_call(sandbox, trello_auth, "GET", f"/boards/{demo}/boardPlugins"))
    assert record["idPlugin"] == CUSTOM_FIELDS_PLUGIN
    assert _ok(_call(sandbox, trello_auth, "GET", f"/boards/{calendar}/boardPlugins")) == []


def test_a_free_workspace_refuses_custom_fields(sandbox: Sandbox, trello_auth: dict[str, str]) -> None:
    free = "5f00000000000000000000ff"
    sandbox.app.emulators["trello"].store.free_organizations.add(free)
    board = _new_board(sandbox, trello_auth, idOrganization=free)
    refused = _call(
        sandbox, trello_auth, "POST", f"/boards/{board}/boardPlugins", idPlugin=CUSTOM_FIELDS_PLUGIN
    )
    assert refused.status_code == 403 and "Standard" in refused.text
    assert _ok(_call(sandbox, trello_auth, "GET", f"/boards/{board}", fields="powerUps"))["powerUps"] == []


@pytest.mark.refusals  # sends values Trello refuses, on purpose
def test_disabling_turns_custom_field_writes_off_and_bad_ids_are_refused(
    sandbox: Sandbox, trello_auth: dict[str, str]
) -> None:
    board = _new_board(sandbox, trello_auth)
    _ok(_call(sandbox, trello_auth, "POST", f"/boards/{board}/boardPlugins", idPlugin=CUSTOM_FIELDS_PLUGIN))
    _ok(_call(sandbox, trello_auth, "DELETE", f"/boards/{board}/boardPlugins/{CUSTOM_FIELDS_PLUGIN}"))
    assert _add_field(sandbox, trello_auth, board).status_code == 403
    assert (
        _call(sandbox, trello_auth, "POST", f"/boards/{board}/boardPlugins", idPlugin="nope").status_code
        == 400
    )
    unknown = _call(sandbox, trello_auth, "POST", f"/boards/{board}/boardPlugins", idPlugin="0" * 24)
    assert unknown.status_code == 404


def test_a_field_and_an_option_take_a_position_word(sandbox: Sandbox, trello_auth: dict[str, str]) -> None:
    board = sandbox.boards["trello"][0].split(":", 1)[1]
    body = {
        "idModel": board, "modelType": "board", "name": "Stage", "type": "list", "pos": "bottom",
        "options": [{"value": {"text": "Idea"}, "color": "none", "pos": 16384}],
    }  # fmt: skip
    field = _ok(
        requests.post(f"{sandbox.urls['trello']}/customFields", params=trello_auth, json=body, timeout=10)
    )
    others = _ok(_call(sandbox, trello_auth, "GET", f"/boards/{board}/customFields"))
    assert field["pos"] > max(f["pos"] for f in others if f["id"] != field["id"])
    option = requests.post(
        f"{sandbox.urls['trello']}/customFields/{field['id']}/options",
        params=trello_auth,
        json={"value": {"text": "Live"}, "pos": "bottom"},
        timeout=10,
    )
    assert _ok(option)["value"] == {"text": "Live"}
    options = _ok(_call(sandbox, trello_auth, "GET", f"/customFields/{field['id']}/options"))
    assert [o["value"]["text"] for o in options] == ["Idea", "Live"]


@pytest.mark.skipif(not SPEC.exists(), reason=f"trello_openapi.json not found at {SPEC}")
def test_the_plugin_routes_are_the_specs(sandbox: Sandbox, trello_auth: dict[str, str]) -> None:
    paths = json.loads(SPEC.read_text(encoding="utf-8"))["paths"]
    post = paths["/boards/{id}/boardPlugins"]["post"]
    assert [p["name"] for p in post["parameters"] if p["in"] == "query"] == ["idPlugin"]
    assert "get" in paths["/boards/{id}/boardPlugins"]
    assert "delete" in paths["/boards/{id}/boardPlugins/{idPlugin}"]
    board = sandbox.boards["trello"][0].split(":", 1)[1]
    for record in _ok(_call(sandbox, trello_auth, "GET", f"/boards/{board}/boardPlugins")):
        assert isinstance(record["id"], str) and len(record["id"]) == 24  # the spec's Plugin: {id: TrelloID}
