"""Recorded api.trello.com traffic replayed against the sandbox (``fixtures/trello-recorded/``; see README).

Each fixture is one recorded exchange or a short chain of them (create, then update, then read back). The
request goes out as recorded: same method, same path under the sandbox's ``/trello/1``, same query pairs,
same form body (the clients sent ``application/x-www-form-urlencoded``); only the credentials are ours and the
recorded ids are swapped for sandbox ids of the same role (``ids`` in the fixture → :func:`roles`), or for the
ids our earlier answers gave where the recording created the object. The answer is held to the recorded one
by :mod:`contract.recorded` (status, shape, exact keys where the request named its fields).

Paths: trello-for-wolves built ``/1//boards/…`` (a doubled slash) and Trello answered 200. The replay sends
the single-slash path; :func:`test_the_doubled_slash_a_real_client_sent` sends the doubled one as recorded.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from contract.recorded import (
    exact_key_problems,
    learn,
    load,
    shape_problems,
    substitute,
    unexplained,
)

REPO = Path(__file__).resolve().parents[2]
FIXTURES_DIR = Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO / "tests" / "contract" / "fixtures"))
RECORDED = sorted((FIXTURES_DIR / "trello-recorded").glob("*.json"))
TIMEOUT = 10
FORM = "application/x-www-form-urlencoded"

# What real answers carried and the sandbox does not serve, by answer path ("*": every fixture), each with why
# the replay lets it pass. None of it is read by moteur; docs/recorded-traffic.md lists them for the emulator.
NOT_SERVED: dict[str, dict[str, str]] = {
    "*": {
        "$.members[].": "member profile fields (avatarHash, initials, confirmed, memberType)",
        "$[].memberCreator.": "member profile fields (avatarHash, avatarUrl, nonPublic, activityBlocked…)",
    },
    "card_find_with_id_and_get_all_fields": {
        "$.cover.": "scaled/edgeColor come with an image cover; the demo cards have none",
    },
    "get_custom_field_items_of_card": {
        "$[].value": "items differ by field type: the recording has date and number items, the demo board "
        "number, list (idValue, no value) and text ones",
    },
}

# Recorded exchanges the real service accepted (or answered otherwise) and the sandbox refuses. Each stays a
# test, expected to fail until the sandbox matches the recording; strict, so that a fix shows. None today
# (docs/recorded-traffic.md, "Where the sandbox differs", says what the emulator does as recorded).
SANDBOX_DIFFERS: dict[str, str] = {}


def roles(sandbox: Any, auth: dict[str, str]) -> dict[str, str]:
    """Sandbox ids for the roles the fixtures name, all on the demo's first board (custom fields, labels)."""
    base = sandbox.urls["trello"]
    board_id = sandbox.boards["trello"][0].split(":", 1)[1]

    def get(path: str, **params: str) -> Any:
        answer = requests.get(f"{base}{path}", params={**auth, **params}, timeout=TIMEOUT)
        answer.raise_for_status()
        return answer.json()

    board = get(f"/boards/{board_id}", fields="shortLink")
    lists = get(f"/boards/{board_id}/lists")
    cards = get(f"/boards/{board_id}/cards")
    labels = get(f"/boards/{board_id}/labels")
    fields = {f["type"]: f["id"] for f in get(f"/boards/{board_id}/customFields")}
    card = next(c for c in cards if c["idLabels"])
    return {
        "board": board_id,
        "board:shortLink": board["shortLink"],
        "list": lists[0]["id"],
        "list2": lists[1]["id"],
        "card": card["id"],
        "card:shortLink": card["shortLink"],
        "label": next(lb["id"] for lb in labels if lb["id"] not in card["idLabels"]),
        "label:on-card": card["idLabels"][0],
        "member": get("/members/me")["id"],
        "customField:text": fields["text"],
        "customField:list": fields["list"],
    }


def sandbox_path(recorded_path: str) -> str:
    """``/1/boards/x`` → ``/boards/x``; a doubled slash is folded (see the module docstring)."""
    return re.sub(r"/{2,}", "/", recorded_path.removeprefix("/1"))


def send(sandbox: Any, auth: dict[str, str], request: dict[str, Any], ids: dict[str, str], path: str) -> Any:
    query = [(key, substitute(value, ids)) for key, value in request["query"]]
    body = substitute(request["body"], ids) if request["body"] else None
    return requests.request(
        request["method"],
        sandbox.urls["trello"] + substitute(path, ids),
        params=[*query, *auth.items()],
        data=body.encode() if body else None,
        headers={"Content-Type": request["content_type"]} if body else {},
        timeout=TIMEOUT,
    )


def check(exchange: dict[str, Any], answer: requests.Response, fixture: str) -> None:
    recorded = exchange["response"]
    assert answer.status_code == recorded["status"], answer.text[:500]
    if not recorded["content_type"].startswith("application/json"):
        assert answer.text.strip() == recorded["body"].strip()
        return
    ours = answer.json()
    allowed = {**NOT_SERVED["*"], **NOT_SERVED.get(fixture, {})}
    assert unexplained(shape_problems(recorded["body"], ours), allowed) == []
    if exchange.get("exact_keys"):
        path = "[]" if isinstance(recorded["body"], list) else ""
        assert exact_key_problems(recorded["body"], ours, path) == []


def params() -> list[Any]:
    marks = {
        path.stem: [pytest.mark.xfail(strict=True, reason=SANDBOX_DIFFERS[path.stem])]
        for path in RECORDED
        if path.stem in SANDBOX_DIFFERS
    }
    return [pytest.param(path, id=path.stem, marks=marks.get(path.stem, [])) for path in RECORDED]


@pytest.mark.refusals  # recorded refusals (404) are replayed on purpose
@pytest.mark.parametrize("fixture", params())
def test_recorded_exchange_replays(sandbox: Any, trello_auth: dict[str, str], fixture: Path) -> None:
    recording = load(fixture)
    named = roles(sandbox, trello_auth)
    ids = {recorded: named[role] for recorded, role in recording["ids"].items()}
    for exchange in recording["exchanges"]:
        request = exchange["request"]
        answer = send(sandbox, trello_auth, request, ids, sandbox_path(request["path"]))
        check(exchange, answer, fixture.stem)
        if answer.headers.get("Content-Type", "").startswith("application/json"):
            learn(exchange["response"]["body"], answer.json(), ids, keys=("id",))


def test_the_doubled_slash_a_real_client_sent(sandbox: Any, trello_auth: dict[str, str]) -> None:
    """trello-for-wolves' ``GET /1//batch?urls=…`` got 200 from Trello (2017): sent here as recorded."""
    recording = load(FIXTURES_DIR / "trello-recorded" / "tfw_batch_board_and_card.json")
    named = roles(sandbox, trello_auth)
    ids = {recorded: named[role] for recorded, role in recording["ids"].items()}
    (exchange,) = recording["exchanges"]
    path = exchange["request"]["path"].removeprefix("/1")
    assert path.startswith("//")
    check(exchange, send(sandbox, trello_auth, exchange["request"], ids, path), "tfw_batch_board_and_card")


def test_batch_routes_encoded_as_trellos_web_client_encodes_them(
    sandbox: Any, trello_auth: dict[str, str]
) -> None:
    """trello.com's own client (a browser capture, 2022, answered 200; see docs/recorded-traffic.md) sends
    each route as a URL whose query values are percent-encoded (``fields=name%2CidList``), the routes
    joined by ``,`` and the whole ``urls`` value percent-encoded again: a comma *between* routes arrives as
    ``%2C``, a comma *inside* a route's query as ``%252C``. Decoded once, the server sees routes joined by
    ``,`` whose own commas are still ``%2C``. Only the request and the 200 are recorded, so this
    holds the sandbox to what the capture shows: 200, one ``{"200": …}`` per route, the fields honoured."""
    named = roles(sandbox, trello_auth)
    routes = [f"/boards/{named['board']}/cards?fields=name%2CidList", f"/boards/{named['board']}/lists"]
    encoded = quote(",".join(routes), safe="")
    assert "%252C" in encoded and "%2C%2Fboards" in encoded
    answer = requests.get(
        f"{sandbox.urls['trello']}/batch?urls={encoded}", params=trello_auth, timeout=TIMEOUT
    )
    assert answer.status_code == 200, answer.text[:500]
    cards, lists = answer.json()
    assert set(cards) == {"200"} and set(lists) == {"200"}
    assert {frozenset(card) for card in cards["200"]} == {frozenset({"id", "name", "idList"})}


if not RECORDED:  # pragma: no cover - depends on the checkout
    pytestmark = pytest.mark.skip(reason=f"no Trello recordings in {FIXTURES_DIR} (set MOTEUR_FIXTURES_DIR)")
