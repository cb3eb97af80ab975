"""Recorded app.asana.com traffic replayed against the sandbox (``fixtures/asana-recorded/``; see README).

The recordings (vcrpy, 2026, python-asana 5.2.4) are chains: create a project or a task, batch over it,
read the event stream, delete. Each request goes out as recorded (method, path under the sandbox's
``/asana/api/1.0``, query pairs, JSON body, ``DELETE`` bodies of ``{}`` included) with our token; the recorded
workspace and project are swapped for the demo's, and what the recording created for what our answers
created (``creates``: the recorded gids, in answer order). The answer is held to the recorded one by
:mod:`contract.recorded`: status, shape, exact keys where ``opt_fields`` / ``options.fields`` narrowed it, and
for batches the number of sub-answers and each one's ``status_code``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import requests

from contract.recorded import (
    at,
    exact_key_problems,
    learn,
    load,
    shape_problems,
    substitute,
    substitute_json,
    unexplained,
)

REPO = Path(__file__).resolve().parents[2]
FIXTURES_DIR = Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO / "tests" / "contract" / "fixtures"))
RECORDED = sorted((FIXTURES_DIR / "asana-recorded").glob("*.json"))
TIMEOUT = 10

# What real answers carried and the sandbox does not serve, by answer path ("*": every fixture), each with
# why the replay lets it pass. docs/recorded-traffic.md lists them for the emulator's owner.
NOT_SERVED: dict[str, dict[str, str]] = {
    "*": {
        "$.data[].headers.": "a batch sub-answer's headers: Asana sends {headers: [{key, value}], keys, "
        "as_tuples, empty}; the sandbox a plain object (moteur reads status_code and body only)",
    },
    "project_create_without_team": {
        "$.data.": "project fields the sandbox does not serve on POST /workspaces/{gid}/projects: due_date, "
        "default_access_level, minimum_access_level_for_*, completed_by, privacy_setting, "
        "current_status_update, icon, team",
    },
}

# Keys the sandbox adds to answers narrowed by opt_fields / options.fields, where Asana sends only the asked
# fields and gid. Tolerated in the chains; projects_opt_fields_name holds the sandbox to the recording.
ADDED_WHEN_NARROWED = {"resource_type"}

# Recorded exchanges the real service accepted (or answered otherwise) that the sandbox refuses. Each stays a
# test, expected to fail until the sandbox matches the recording; strict, so that a fix shows.
SANDBOX_DIFFERS: dict[str, str] = {}


def roles(sandbox: Any) -> dict[str, str]:
    """The demo's workspace and first project: where the recorded workspace and project map."""
    project = sandbox.boards["asana"][0].split(":", 1)[1]
    answer = requests.get(
        f"{sandbox.urls['asana']}/projects/{project}",
        params={"opt_fields": "workspace"},
        headers=auth(sandbox),
        timeout=TIMEOUT,
    )
    answer.raise_for_status()
    return {"project": project, "workspace": answer.json()["data"]["workspace"]["gid"]}


def auth(sandbox: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {sandbox.env['MOTEUR_ASANA_TOKEN']}"}


def send(sandbox: Any, request: dict[str, Any], ids: dict[str, str]) -> requests.Response:
    body = request["body"]
    return requests.request(
        request["method"],
        sandbox.urls["asana"] + substitute(request["path"].removeprefix("/api/1.0"), ids),
        params=[(key, substitute(value, ids)) for key, value in request["query"]],
        json=substitute_json(body, ids) if body is not None else None,
        headers=auth(sandbox),
        timeout=TIMEOUT,
    )


def created_gids(ours: Any) -> list[str]:
    """The gids our answer created, in order: one per batch sub-answer, or the one record."""
    data = ours.get("data")
    if isinstance(data, list):
        return [item["body"]["data"]["gid"] for item in data if "gid" in item["body"].get("data", {})]
    return [data["gid"]]


def check(exchange: dict[str, Any], answer: requests.Response, fixture: str) -> Any:
    recorded = exchange["response"]
    assert answer.status_code == recorded["status"], answer.text[:500]
    ours = answer.json()
    allowed = {**NOT_SERVED["*"], **NOT_SERVED.get(fixture, {})}
    assert unexplained(shape_problems(recorded["body"], ours), allowed) == []
    if "exact_keys_at" in exchange:
        strict = fixture in SANDBOX_DIFFERS
        path = exchange["exact_keys_at"]
        asked = {key for record in at(recorded["body"], path) for key in record}
        narrowed = ours if strict else without(ours, ADDED_WHEN_NARROWED - asked, path)
        assert exact_key_problems(recorded["body"], narrowed, path) == []
    if "items" in recorded:  # a batch, its answer cut to a few alike items: count and statuses
        assert len(ours["data"]) == recorded["items"]
        want = {item["status_code"] for item in recorded["body"]["data"]}
        assert {item["status_code"] for item in ours["data"]} == want
    elif isinstance(recorded["body"].get("data"), list) and at(recorded["body"], "data[].status_code"):
        assert [i["status_code"] for i in ours["data"]] == [
            i["status_code"] for i in recorded["body"]["data"]
        ]
    return ours


def without(answer: Any, keys: set[str], path: str) -> Any:
    """A copy of ``answer`` whose objects at ``path`` lack ``keys`` (for the narrowed-answer tolerance)."""
    copy = json.loads(json.dumps(answer))
    for record in at(copy, path):
        for key in keys:
            record.pop(key, None)
    return copy


def params() -> list[Any]:
    return [
        pytest.param(
            path,
            id=path.stem,
            marks=[pytest.mark.xfail(strict=True, reason=SANDBOX_DIFFERS[path.stem])]
            if path.stem in SANDBOX_DIFFERS
            else [],
        )
        for path in RECORDED
    ]


@pytest.mark.refusals  # recorded refusals (400, 404 in a batch slot, 412) are replayed on purpose
@pytest.mark.parametrize("fixture", params())
def test_recorded_exchange_replays(sandbox: Any, fixture: Path) -> None:
    recording = load(fixture)
    named = roles(sandbox)
    ids = {recorded: named[role] for recorded, role in recording["ids"].items()}
    for exchange in recording["exchanges"]:
        ours = check(exchange, send(sandbox, exchange["request"], ids), fixture.stem)
        if "creates" in exchange:
            ids.update(zip(exchange["creates"], created_gids(ours), strict=True))
        learn(exchange["response"]["body"], ours, ids, keys=("sync",))


if not RECORDED:  # pragma: no cover - depends on the checkout
    pytestmark = pytest.mark.skip(reason=f"no Asana recordings in {FIXTURES_DIR} (set MOTEUR_FIXTURES_DIR)")
