"""Trello emulator over real HTTP: reads with nested resources, writes and their board actions, batch, paging,
auth errors, rate limits (injected clock) and the custom-fields power-up switch."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from werkzeug.test import Client

from moteur.sandbox.server import SandboxApp

Sandbox = Any  # the conftest fixture type (conftest modules are not importable)


class Trello:
    """A tiny client for the tests: base URL + credentials."""

    def __init__(self, sandbox: Sandbox, auth: dict[str, str]) -> None:
        self.base, self.auth = sandbox.urls["trello"], auth
        self.demo, self.calendar = (ref.split(":", 1)[1] for ref in sandbox.boards["trello"][:2])

    def call(self, method: str, path: str, json: Any = None, **params: Any) -> requests.Response:
        return requests.request(
            method, self.base + path, params={**self.auth, **params}, json=json, timeout=10
        )

    def get(self, path: str, **params: Any) -> Any:
        answer = self.call("GET", path, **params)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
def trello(sandbox: Sandbox, trello_auth: dict[str, str]) -> Trello:
    return Trello(sandbox, trello_auth)


def test_board_with_nested_resources(trello: Trello) -> None:
    board = trello.get(
        f"/boards/{trello.demo}", lists="open", cards="open", labels="all", customFields="true",
        members="all", checklists="all",
    )  # fmt: skip
    assert board["name"] == "Plan marketing (démo)"
    assert [lst["name"] for lst in board["lists"]] == ["Idées", "À faire", "En cours", "Fait"]
    assert len(board["cards"]) == 40
    fields = {f["name"]: f["id"] for f in board["customFields"]}
    assert {"Impact", "Effort", "Confidence"} <= set(fields)
    cards = trello.get(f"/boards/{trello.demo}/cards", customFieldItems="true")
    scored = [c for c in cards if any(i["idCustomField"] == fields["Impact"] for i in c["customFieldItems"])]
    assert 30 <= len(scored) < 40  # some demo actions are unscored
    assert len(board["members"]) == 5
    only = trello.get(f"/boards/{trello.demo}", fields="name,dateLastActivity")
    assert set(only) == {"id", "name", "dateLastActivity"}


def test_content_calendar_scores_with_labels(trello: Trello) -> None:
    labels = {lb["name"] for lb in trello.get(f"/boards/{trello.calendar}/labels")}
    assert any(name.startswith("Impact: ") for name in labels) and any(
        n.startswith("Effort: ") for n in labels
    )
    assert len(trello.get(f"/boards/{trello.calendar}/cards")) == 12


def test_update_card_moves_relabels_and_records_an_action(trello: Trello) -> None:
    lists = trello.get(f"/boards/{trello.demo}/lists")
    labels = trello.get(f"/boards/{trello.demo}/labels")
    card = trello.get(f"/boards/{trello.demo}/cards")[0]
    since = trello.get(f"/boards/{trello.demo}/actions", limit=1)[0]["id"]
    answer = trello.call(
        "PUT", f"/cards/{card['id']}", idList=lists[2]["id"], idLabels=f"{labels[0]['id']},{labels[1]['id']}",
        pos="top", due="2027-01-15", dueComplete="true", name="Renamed",
    )  # fmt: skip
    assert answer.status_code == 200
    updated = answer.json()
    assert updated["idList"] == lists[2]["id"] and updated["idLabels"] == [labels[0]["id"], labels[1]["id"]]
    assert [lb["id"] for lb in updated["labels"]] == updated["idLabels"]
    assert updated["name"] == "Renamed" and updated["dueComplete"] is True
    new = trello.get(f"/boards/{trello.demo}/actions", since=since, filter="updateCard")
    assert len(new) == 1 and new[0]["data"]["old"]["name"] == card["name"]
    assert new[0]["data"]["listAfter"]["id"] == lists[2]["id"]


@pytest.mark.refusals  # sends values Trello refuses, on purpose
def test_create_card_label_list_and_comment(trello: Trello) -> None:
    board = trello.demo
    new_list = trello.call("POST", "/lists", idBoard=board, name="Backlog Q2").json()
    label = trello.call("POST", "/labels", idBoard=board, name="Quadrant: Quick win", color="green").json()
    card = trello.call("POST", "/cards", idList=new_list["id"], name="New idea", idLabels=label["id"]).json()
    assert card["idLabels"] == [label["id"]] and card["idBoard"] == board
    assert trello.call("DELETE", f"/cards/{card['id']}/idLabels/{label['id']}").status_code == 200
    assert trello.call("POST", f"/cards/{card['id']}/idLabels", value=label["id"]).json() == [label["id"]]
    comment = trello.call("POST", f"/cards/{card['id']}/actions/comments", text="Looks good").json()
    assert comment["type"] == "commentCard"
    comments = trello.get(f"/cards/{card['id']}/actions", filter="commentCard")
    assert [c["data"]["text"] for c in comments] == ["Looks good"]
    assert trello.get(f"/cards/{card['id']}")["badges"]["comments"] == 1
    renamed = trello.call("PUT", f"/labels/{label['id']}", name="Quadrant: Big project", color="red").json()
    assert renamed["color"] == "red"
    assert trello.call("PUT", f"/labels/{label['id']}", color="magenta").status_code == 400


@pytest.mark.refusals  # sends values Trello refuses, on purpose
def test_custom_fields_values_and_definitions(trello: Trello) -> None:
    fields = {f["name"]: f for f in trello.get(f"/boards/{trello.demo}/customFields")}
    card = trello.get(f"/boards/{trello.demo}/cards")[0]
    path = f"/cards/{card['id']}/customField/{fields['Impact']['id']}/item"
    assert trello.call("PUT", path, json={"value": {"number": "9"}}).status_code == 200
    assert (
        trello.call("PUT", path, json={"value": {"number": 9}}).status_code == 400
    )  # numbers travel as strings
    option = fields["Objective"]["options"][2]
    many = {"customFieldItems": [
        {"idCustomField": fields["Effort"]["id"], "value": {"number": "2"}},
        {"idCustomField": fields["Objective"]["id"], "idValue": option["id"]},
    ]}  # fmt: skip
    assert trello.call("PUT", f"/cards/{card['id']}/customFields", json=many).status_code == 200
    items = {
        i["idCustomField"]: i
        for i in trello.get(f"/cards/{card['id']}", customFieldItems="true")["customFieldItems"]
    }
    assert items[fields["Impact"]["id"]]["value"] == {"number": "9"}
    assert items[fields["Objective"]["id"]]["idValue"] == option["id"]
    definition = {
        "idModel": trello.demo,
        "modelType": "board",
        "name": "Sprint",
        "type": "list",
        "pos": "bottom",
    }
    created = trello.call("POST", "/customFields", json=definition | {"options": [{"value": {"text": "S1"}}]})
    assert created.status_code == 200 and created.json()["options"][0]["value"] == {"text": "S1"}
    assert trello.call(
        "POST", f"/customFields/{created.json()['id']}/options", json={"value": {"text": "S2"}}
    ).ok
    assert trello.call("PUT", path, json={"value": {}}).status_code == 200  # clears
    assert trello.get(f"/cards/{card['id']}/customFieldItems") != []
    assert fields["Impact"]["id"] not in {
        i["idCustomField"] for i in trello.get(f"/cards/{card['id']}/customFieldItems")
    }


def test_custom_field_writes_fail_when_the_power_up_is_off(trello: Trello) -> None:
    answer = trello.call(
        "POST",
        "/customFields",
        json={"idModel": trello.calendar, "modelType": "board", "name": "Impact", "type": "number", "pos": 1},
    )
    assert answer.status_code == 403
    assert trello.get(f"/boards/{trello.calendar}/customFields") == []


def test_checklists(trello: Trello) -> None:
    card = trello.get(f"/boards/{trello.demo}/cards")[0]
    checklist = trello.call("POST", f"/cards/{card['id']}/checklists", name="Steps").json()
    item = trello.call("POST", f"/checklists/{checklist['id']}/checkItems", name="Draft").json()
    done = trello.call("PUT", f"/cards/{card['id']}/checkItem/{item['id']}", state="complete").json()
    assert done["state"] == "complete"
    assert trello.get(f"/cards/{card['id']}/checklists")[0]["checkItems"][0]["state"] == "complete"
    assert trello.get(f"/cards/{card['id']}")["badges"]["checkItemsChecked"] == 1


@pytest.mark.refusals  # sends values Trello refuses, on purpose
def test_batch_wraps_each_answer_and_refuses_more_than_ten(trello: Trello) -> None:
    board = trello.demo
    cards = f"/boards/{board}/cards?fields=name%2CidList&customFieldItems=true"  # %2C: Trello splits on ","
    urls = f"/boards/{board}/lists,{cards},/cards/nothex"
    answers = trello.get("/batch", urls=urls)
    assert [list(a) for a in answers] == [["200"], ["200"], ["400"]]
    assert set(answers[1]["200"][0]) == {"id", "name", "idList", "customFieldItems"}
    assert trello.call("GET", "/batch", urls=",".join([f"/boards/{board}"] * 11)).status_code == 400


def test_paging_cards_with_before_past_1000(sandbox: Sandbox, trello: Trello) -> None:
    board = sandbox.reset("bulk:1200")["trello"][0].split(":", 1)[1]
    seen: list[str] = []
    before: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1000, "fields": "id"} | ({"before": before} if before else {})
        page = trello.get(f"/boards/{board}/cards", **params)
        if not page:
            break
        seen += [c["id"] for c in page]
        before = min(c["id"] for c in page)
    assert len(seen) == len(set(seen)) == 1200
    assert trello.call("GET", f"/boards/{board}/cards", limit=1001).status_code == 400


def test_auth_errors_and_unknown_ids(sandbox: Sandbox, trello: Trello) -> None:
    base = sandbox.urls["trello"]
    assert requests.get(f"{base}/members/me", timeout=5).text == "invalid key"
    bad_token = requests.get(
        f"{base}/members/me", params={"key": trello.auth["key"], "token": "x"}, timeout=5
    )
    assert (bad_token.status_code, bad_token.text) == (401, "invalid token")
    header = f'OAuth oauth_consumer_key="{trello.auth["key"]}", oauth_token="{trello.auth["token"]}"'
    assert requests.get(f"{base}/members/me", headers={"Authorization": header}, timeout=5).status_code == 200
    assert (trello.call("GET", "/cards/nothex").status_code, trello.call("GET", "/cards/nothex").text) == (
        400, "invalid id",
    )  # fmt: skip
    missing = trello.call("GET", "/cards/" + "0" * 24)
    assert (missing.status_code, missing.text) == (404, "The requested resource was not found.")
    assert trello.get("/members/me/boards", fields="name")[0]["name"] == "Plan marketing (démo)"


def test_rate_limit_after_100_requests_in_ten_seconds() -> None:
    now = [1000.0]
    app = SandboxApp(seed="demo", rate_limits=True, clock=lambda: now[0])
    trello = app.emulators["trello"]
    auth = {
        "key": trello.credentials["MOTEUR_TRELLO_API_KEY"],
        "token": trello.credentials["MOTEUR_TRELLO_TOKEN"],
    }
    # A board route: /members/ has a stricter limit of its own (test_trello_strict.py).
    board = f"/trello/1/boards/{next(iter(trello.store.boards))}"
    client = Client(app)
    statuses = [client.get(board, query_string=auth).status_code for _ in range(101)]
    assert statuses[:100] == [200] * 100 and statuses[100] == 429
    limited = client.get(board, query_string=auth)
    assert limited.json == {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
    assert "Retry-After" not in limited.headers
    now[0] += 10.0
    assert client.get(board, query_string=auth).status_code == 200
