"""The Trello emulator refuses what Trello refuses: a ``/batch``'s ``urls`` split on every literal
comma and each route percent-decoded; more than ten routes refused; ``POST /customFields`` without a
required field refused with Trello's plain-text 400; Custom Fields exposed as a board plugin, never in
``powerUps``; a board reached by shortLink on ``GET /boards/{id}``; ``/1/members/``'s own limit (100 per
900 s per token) answered with Trello's 429 shape.

The ``lenient`` server is the emulator alone (no contract check in front), so these show what the emulator
itself does; the strict sandbox in front refuses the same things first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from werkzeug.test import Client

from moteur.sandbox.serve import start_sandbox
from moteur.sandbox.server import SandboxApp
from moteur.sandbox.trello.plugins import CUSTOM_FIELDS_PLUGIN

Sandbox = Any  # the conftest fixture type


class Trello:
    """Base URL, credentials and the two seeded boards of one server."""

    def __init__(self, url: str, env: dict[str, str], boards: list[str]) -> None:
        self.base = url
        self.auth = {"key": env["MOTEUR_TRELLO_API_KEY"], "token": env["MOTEUR_TRELLO_TOKEN"]}
        self.demo, self.calendar = (ref.split(":", 1)[1] for ref in boards[:2])

    def call(self, method: str, path: str, json: Any = None, **params: Any) -> requests.Response:
        return requests.request(
            method, self.base + path, params={**self.auth, **params}, json=json, timeout=10
        )

    def ok(self, path: str, **params: Any) -> Any:
        answer = self.call("GET", path, **params)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def lenient() -> Iterator[Trello]:
    with start_sandbox(seed="demo", rate_limits=False, strict=False) as handle:
        yield Trello(handle.urls["trello"], handle.env, handle.boards["trello"])


@pytest.fixture
def trello(sandbox: Sandbox) -> Trello:
    return Trello(sandbox.urls["trello"], sandbox.env, sandbox.boards["trello"])


# -- GET /batch ------------------------------------------------------------------------------------------


def test_batch_splits_urls_on_every_literal_comma(lenient: Trello) -> None:
    """A comma inside a route's value ends the route: ``fields=name,idList`` makes two routes, the second
    one ``idList`` (no such route)."""
    answers = lenient.ok("/batch", urls=f"/boards/{lenient.demo}/lists?fields=name,closed")
    assert [list(a) for a in answers] == [["200"], ["404"]]
    assert answers[1]["404"] == "Cannot GET /1/closed"
    assert {frozenset(x) for x in answers[0]["200"]} == {frozenset({"id", "name"})}


def test_batch_routes_are_percent_decoded_before_they_are_served(lenient: Trello) -> None:
    encoded = (
        f"/boards/{lenient.demo}/lists?fields=name%2Cclosed,"
        f"/boards%2F{lenient.demo}%2Flabels?fields=name%2Ccolor&limit=2,"
        f"boards/{lenient.demo}/actions?filter=createCard%2CupdateCard&limit=3"  # no leading slash: kept
    )
    lists, labels, actions = (a["200"] for a in lenient.ok("/batch", urls=encoded))
    assert {frozenset(x) for x in lists} == {frozenset({"id", "name", "closed"})}
    assert len(labels) == 2 and set(labels[0]) == {"id", "name", "color"}
    assert len(actions) == 3 and {a["type"] for a in actions} <= {"createCard", "updateCard"}


def test_more_than_ten_routes_is_trellos_400(lenient: Trello) -> None:
    eleven = ",".join([f"/boards/{lenient.demo}"] * 10 + ["/members/me"])
    refused = lenient.call("GET", "/batch", urls=eleven)
    assert (refused.status_code, refused.text) == (400, "Too many URLs; max is 10")
    assert refused.headers["Content-Type"].startswith("text/plain")
    assert len(lenient.ok("/batch", urls=",".join([f"/boards/{lenient.demo}"] * 10))) == 10


@pytest.mark.refusals
def test_the_strict_sandbox_refuses_a_comma_inside_a_batch_route(trello: Trello) -> None:
    refused = trello.call("GET", "/batch", urls=",".join([f"/boards/{trello.demo}?fields=name,url"] * 6))
    assert refused.status_code == 400  # twelve routes once split on every comma
    encoded = ",".join([f"/boards/{trello.demo}?fields=name%2Curl"] * 6)
    assert [set(a["200"]) for a in trello.ok("/batch", urls=encoded)] == [{"id", "name", "url"}] * 6


# -- POST /customFields ----------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["idModel", "modelType", "name", "type", "pos"])
def test_a_custom_field_without_a_required_field_is_refused(lenient: Trello, missing: str) -> None:
    """Spec ``POST /customFields``: ``required: [idModel, modelType, name, type, pos]``."""
    body = {
        "idModel": lenient.demo,
        "modelType": "board",
        "name": "Sprint",
        "type": "number",
        "pos": "bottom",
    }
    del body[missing]
    refused = lenient.call("POST", "/customFields", json=body)
    assert (refused.status_code, refused.text) == (400, f"invalid value for {missing}")
    assert refused.headers["Content-Type"].startswith("text/plain")


# -- Custom Fields is a board plugin ---------------------------------------------------------------------


def test_custom_fields_is_a_board_plugin_never_a_power_up_name(trello: Trello) -> None:
    """The board's ``powerUps`` holds only the spec's built-in names (calendar|cardAging|recap|voting);
    ``GET /boards/{id}/boardPlugins`` lists Custom Fields where it is on."""
    for board in (trello.demo, trello.calendar):
        assert trello.ok(f"/boards/{board}", fields="powerUps")["powerUps"] == []
    [plugin] = trello.ok(f"/boards/{trello.demo}/boardPlugins")
    assert (plugin["idPlugin"], plugin["idBoard"]) == (CUSTOM_FIELDS_PLUGIN, trello.demo)
    assert trello.ok(f"/boards/{trello.calendar}/boardPlugins") == []


# -- shortLink ---------------------------------------------------------------------------------------------


def test_a_board_is_reached_by_its_short_link_on_the_board_route(trello: Trello) -> None:
    board = trello.ok(f"/boards/{trello.demo}", fields="shortLink")
    by_link = trello.ok(f"/boards/{board['shortLink']}", fields="id,name")
    assert by_link == {"id": trello.demo, "name": "Plan marketing (démo)"}
    missing = trello.call("GET", "/boards/abcdEFGH", fields="id")
    assert (missing.status_code, missing.text) == (404, "The requested resource was not found.")


# -- /1/members/ ---------------------------------------------------------------------------------------------


def test_members_routes_allow_100_requests_per_900_seconds_per_token() -> None:
    now = [1000.0]
    app = SandboxApp(seed="demo", rate_limits=True, clock=lambda: now[0], strict=False)
    emulator = app.emulators["trello"]
    auth = {
        "key": emulator.credentials["MOTEUR_TRELLO_API_KEY"],
        "token": emulator.credentials["MOTEUR_TRELLO_TOKEN"],
    }
    board = next(iter(emulator.store.boards))
    client = Client(app)

    def get(path: str, **params: str) -> Any:
        return client.get(f"/trello/1{path}", query_string={**auth, **params})

    for second in range(100):  # spread over 100 s: the 10 s token window never fills
        now[0] = 1000.0 + second
        path = "/members/me" if second % 2 else "/members/me/boards"
        assert get(path).status_code == 200, second
    now[0] = 1101.0
    limited = get("/members/me")
    assert limited.status_code == 429
    assert limited.json == {"error": "MEMBER_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
    assert "Retry-After" not in limited.headers
    assert get(f"/boards/{board}", fields="name").status_code == 200  # other routes are not held
    batched = get("/batch", urls=f"/boards/{board},/members/me")  # an inner /members/ route counts too
    assert batched.status_code == 429
    assert get("/Members/me").status_code == 429  # paths route case-insensitively: so does the limit
    assert get("//members/me").status_code == 429  # and a doubled slash is one
    now[0] = 1000.0 + 900.0 + 1  # the first ones have left the 900 s window
    assert get("/members/me").status_code == 200
