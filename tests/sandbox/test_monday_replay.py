"""The recorded monday.com exchanges replayed against the sandbox, and the complexity budget on a fake clock.

Replay: each request of ``tests/contract/fixtures/monday-cassettes/*.yml`` (Ruby VCR) is sent as recorded,
with the API version the recording answered in and the recorded ids swapped for the sandbox's (learned from
the answers: every ``id`` and ``cursor`` of a recorded answer maps to the one at the same place in ours). Our
answer must have the recorded answer's shape: same status, same keys at every level, same error shape.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from virtual_clock import VirtualClock
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from moteur.sandbox.monday import TOKEN, MondayEmulator

REPO = Path(__file__).resolve().parents[2]
FIXTURES_DIR = Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO / "tests" / "contract" / "fixtures"))
CASSETTES = sorted((FIXTURES_DIR / "monday-cassettes").glob("*.yml"))


def same_shape(recorded: Any, ours: Any, where: str = "$") -> list[str]:
    """Where the two JSON values differ in shape (keys, container kinds); ``null`` matches anything."""
    if recorded is None or ours is None:
        return []
    if isinstance(recorded, dict):
        if not isinstance(ours, dict):
            return [f"{where}: object expected"]
        problems = (
            [f"{where}: keys {sorted(set(recorded) ^ set(ours))}"] if set(recorded) != set(ours) else []
        )
        for key in set(recorded) & set(ours):
            problems += same_shape(recorded[key], ours[key], f"{where}.{key}")
        return problems
    if isinstance(recorded, list):
        if not isinstance(ours, list):
            return [f"{where}: list expected"]
        return [p for r, o in zip(recorded, ours, strict=False) for p in same_shape(r, o, f"{where}[]")]
    if isinstance(recorded, bool) != isinstance(ours, bool) or isinstance(recorded, str) != isinstance(
        ours, str
    ):
        return [f"{where}: {type(recorded).__name__} vs {type(ours).__name__}"]
    return []


def learn_ids(recorded: Any, ours: Any, ids: dict[str, str]) -> None:
    if isinstance(recorded, dict) and isinstance(ours, dict):
        for key, value in recorded.items():
            if key in ("id", "cursor") and isinstance(value, str) and isinstance(ours.get(key), str):
                ids[value] = ours[key]
            else:
                learn_ids(value, ours.get(key), ids)
    elif isinstance(recorded, list) and isinstance(ours, list):
        for r, o in zip(recorded, ours, strict=False):
            learn_ids(r, o, ids)


@pytest.mark.parametrize("cassette", CASSETTES, ids=[c.stem for c in CASSETTES])
def test_recorded_exchange_replays_with_the_same_shape(sandbox: Any, cassette: Path) -> None:
    interactions = yaml.safe_load(cassette.read_text(encoding="utf-8"))["http_interactions"]
    ids: dict[str, str] = {}
    for number, exchange in enumerate(interactions):
        body = exchange["request"]["body"]["string"]
        for recorded_id in sorted(ids, key=len, reverse=True):
            body = body.replace(recorded_id, ids[recorded_id])
        token = exchange["request"]["headers"]["Authorization"][0]
        version = (exchange["response"]["headers"].get("Api-Version") or ["2026-07"])[0]
        answer = requests.post(
            sandbox.urls["monday"],
            data=body.encode(),
            timeout=30,
            headers={
                "Content-Type": "application/json",
                "Authorization": sandbox.env["MOTEUR_MONDAY_TOKEN"] if token == "<TOKEN>" else token,
                "API-Version": version,
            },
        )
        recorded = json.loads(exchange["response"]["body"]["string"])
        assert answer.status_code == exchange["response"]["status"]["code"], (number, answer.text)
        ours = answer.json()
        assert same_shape(recorded, ours) == [], (number, body, ours)
        learn_ids(recorded, ours, ids)


if not CASSETTES:  # pragma: no cover - depends on the checkout
    pytestmark = pytest.mark.skip(
        reason=f"no monday cassettes under {FIXTURES_DIR} (set MOTEUR_FIXTURES_DIR)"
    )


# -- the complexity budget, on an emulator with an injected clock ---------------------------------------


def client_for(emulator: MondayEmulator) -> Client:
    """A tiny WSGI wrapper: the emulator as the server would call it, without the server."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response: Response = emulator.handle(request, "")
        return response(environ, start_response)

    return Client(app)


HEAVY = (
    "{ complexity { before after query } "
    "boards(limit: 100) { items_page(limit: 500) { items { column_values { id text value } } } } }"
)


def test_complexity_budget_is_exhausted_then_refills_after_a_minute() -> None:
    clock = VirtualClock(start=1000.0)
    emulator = MondayEmulator(clock, rate_limits=True)
    emulator.seed("demo")
    client = client_for(emulator)
    headers = {"Authorization": TOKEN}
    first = client.post("/", json={"query": HEAVY}, headers=headers).get_json()
    cost = first["data"]["complexity"]["query"]
    assert 2_000_000 < cost < 5_000_000 and first["data"]["complexity"]["before"] == 10_000_000
    answers = [client.post("/", json={"query": HEAVY}, headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[-1].get_json()
    (error,) = refused["errors"]
    assert error["extensions"]["code"] == "COMPLEXITY_BUDGET_EXHAUSTED"
    assert 1 <= error["extensions"]["retry_in_seconds"] <= 60
    assert answers[-1].headers["Retry-After"] == str(error["extensions"]["retry_in_seconds"])
    clock.now += 61
    assert client.post("/", json={"query": HEAVY}, headers=headers).status_code == 200


def test_one_query_over_five_million_is_refused() -> None:
    client = client_for(MondayEmulator(VirtualClock(start=1000.0), rate_limits=True))
    answer = client.post(
        "/", json={"query": HEAVY.replace("limit: 100", "limit: 200")}, headers={"Authorization": TOKEN}
    )
    assert answer.status_code == 200
    assert answer.get_json()["errors"][0]["extensions"]["code"] == "maxComplexityExceeded"


def test_cursor_expires_after_sixty_minutes() -> None:
    clock = VirtualClock(start=1000.0)
    emulator = MondayEmulator(clock, rate_limits=False)
    board = emulator.seed("demo")[0].split(":")[1]
    client = client_for(emulator)
    page = client.post(
        "/",
        json={"query": f"{{ boards(ids: [{board}]) {{ items_page(limit: 5) {{ cursor }} }} }}"},
        headers={"Authorization": TOKEN},
    ).get_json()
    cursor = page["data"]["boards"][0]["items_page"]["cursor"]
    clock.now += 3_601
    late = client.post(
        "/",
        json={
            "query": "query ($c: String!) { next_items_page(cursor: $c, limit: 5) { cursor } }",
            "variables": {"c": cursor},
        },
        headers={"Authorization": TOKEN},
    ).get_json()
    assert late["data"] is None or late["data"].get("next_items_page") is None
    assert late["errors"][0]["extensions"]["code"] == "CursorExpiredError"
