"""Trello fidelity: real exports load through the admin API; cards have the keys and JSON types of real cards;
every served route exists in Trello's OpenAPI spec, and responses validate against it except for the spec
errors that real data contradicts (``SPEC_EXCEPTIONS``: the one place they are listed)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import requests

from moteur.sandbox.trello.routes import ROUTES

Sandbox = Any  # the conftest fixture type (conftest modules are not importable)

_HERE = Path(__file__).resolve()
_REPO = _HERE.parents[2]
import os  # noqa: E402  (kept next to its only use: the overridable shared paths)

SPECS = Path(os.environ.get("MOTEUR_SPECS_DIR", _REPO / "moteur" / "sandbox" / "contracts"))
FIXTURES = Path(os.environ.get("MOTEUR_FIXTURES_DIR", _REPO / "tests" / "contract" / "fixtures")) / "trello"
EXPORTS = sorted(FIXTURES.glob("*.json")) if FIXTURES.is_dir() else []

# Spec errors that real data contradicts. Each: where, what the spec says, and a real example.
SPEC_EXCEPTIONS: dict[str, str] = {  # keyed by the offending field's name
    "cardRole": "spec: enum without null; real: null on every card of zh_europe_trip_2026_board.json",
    "descData": "spec: non-nullable string; real: null (board of zh_europe_trip…json)",
    "softLimit": "spec: non-nullable string; real: null on every list of en_simple_project_board…json",
    "idAttachmentCover": "spec: non-nullable id; real: null on cards without cover (en_simple_project…json)",
    "mirrorSourceId": "spec: non-nullable id; real: null on every card of zh_europe_trip_2026_board.json",
    "idAttachment": "spec: cover.idAttachment non-nullable; real: null (zh_europe_trip…json cards)",
    "color": "spec: Color enum without null; real: null (cover.color of zh cards; colourless labels)",
    "dateLastActivity": "spec: format date; real: date-time '2026-05-13T08:58:29.917Z' (zh board)",
    "dateLastView": "spec: format date; real: date-time '2026-05-18T03:33:13.738Z' (zh board)",
    "idTags": "spec: string; real: [] (zh and en boards)",
    "ixUpdate": "spec: integer; real: string '2103' (zh board)",
    "powerUps": "spec: string; real: [] (zh board, a list)",
    "permissionLevel": "spec: org|board; real boards say 'private' (prefs of ja_clipkit_board.json)",
    "background": "spec: 24-hex id; real: colour names such as 'blue' (prefs of ja_clipkit_board.json)",
    "backgroundImage": "spec: non-nullable uri; real: null on a colour background (prefs of ja_clipkit…json)",
    "backgroundImageScaled": "spec: non-nullable array; real: null on a colour background (prefs of "
    "ja_clipkit_board.json)",
    "labels": "spec: Label without 'uses'; real card labels carry 'uses': 12 (zh cards)",
}

needs_fixtures = pytest.mark.skipif(not EXPORTS, reason=f"Trello fixtures not found in {FIXTURES}")
needs_spec = pytest.mark.skipif(
    not (SPECS / "trello_openapi.json").exists(), reason=f"trello_openapi.json not found in {SPECS}"
)


def _json_type(value: Any) -> str:
    return {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), "null")


@needs_fixtures
@pytest.mark.parametrize("export_path", EXPORTS, ids=lambda p: p.stem)
def test_each_export_imports_and_reads_back(
    sandbox: Sandbox, trello_auth: dict[str, str], export_path: Path
) -> None:
    export = json.loads(export_path.read_text(encoding="utf-8"))
    answer = requests.post(f"{sandbox.url}/_sandbox/import/trello", json=export, timeout=30)
    assert answer.status_code == 200, answer.text
    board_id = answer.json()["id"]
    base, params = sandbox.urls["trello"], trello_auth
    board = requests.get(
        f"{base}/boards/{board_id}", timeout=30,
        params={**params, "cards": "all", "lists": "all", "labels": "all", "customFields": "true",
                "members": "all", "checklists": "all"},
    ).json()  # fmt: skip
    assert {c["id"] for c in board["cards"]} == {c["id"] for c in export["cards"]}
    assert {lst["id"] for lst in board["lists"]} == {lst["id"] for lst in export["lists"]}
    assert {m["id"] for m in export["members"]} <= {m["id"] for m in board["members"]}
    assert {c["id"] for c in export.get("checklists", [])} == {c["id"] for c in board["checklists"]}
    assert {f["id"] for f in export.get("customFields") or []} == {f["id"] for f in board["customFields"]}
    label_ids = {lb["id"] for lb in export.get("labels") or []} | {
        lb["id"] for c in export["cards"] for lb in c.get("labels", [])
    }
    assert label_ids <= {lb["id"] for lb in board["labels"]}
    comments = [a for a in export["actions"] if a["type"] == "commentCard"]
    got = requests.get(
        f"{base}/boards/{board_id}/actions",
        params={**params, "filter": "commentCard", "limit": 1000},
        timeout=30,
    ).json()
    assert {a["id"] for a in comments} == {a["id"] for a in got}
    one = export["cards"][0]
    card = requests.get(
        f"{base}/cards/{one['id']}", params={**params, "customFieldItems": "true"}, timeout=10
    ).json()
    assert (card["name"], card["idList"], card["desc"]) == (one["name"], one["idList"], one["desc"])


@needs_fixtures
def test_sandbox_cards_have_the_keys_and_types_of_real_cards(
    sandbox: Sandbox, trello_auth: dict[str, str]
) -> None:
    real: dict[str, set[str]] = defaultdict(set)
    for path in EXPORTS:
        for card in json.loads(path.read_text(encoding="utf-8"))["cards"]:
            for key, value in card.items():
                real[key].add(_json_type(value))
    board = sandbox.boards["trello"][0].split(":", 1)[1]
    base = sandbox.urls["trello"]
    ids = [
        c["id"] for c in requests.get(f"{base}/boards/{board}/cards", params=trello_auth, timeout=10).json()
    ]
    # One by one: the card route is the one whose spec declares attachments and pluginData.
    opt_in = {"customFieldItems": "true", "attachments": "true", "pluginData": "true"}
    cards = [
        requests.get(f"{base}/cards/{i}", params={**trello_auth, **opt_in}, timeout=10).json()
        for i in ids[:5]
    ]
    for card in cards:
        missing = set(real) - set(card)
        assert not missing, f"sandbox card lacks keys real cards have: {sorted(missing)}"
        for key, types in real.items():
            got = _json_type(card[key])
            assert got in types or got == "null" or types == {"null"}, f"{key}: {got} not in {types}"


@pytest.fixture(scope="session")
def trello_spec() -> Any:
    from openapi_core import Config, OpenAPI

    return OpenAPI.from_file_path(str(SPECS / "trello_openapi.json"), config=Config(spec_validator_cls=None))


@needs_spec
def test_every_served_route_exists_in_the_spec() -> None:
    spec = json.loads((SPECS / "trello_openapi.json").read_text(encoding="utf-8"))
    missing = [
        f"{method} {template}"
        for method, template, _ in ROUTES
        if method.lower() not in spec["paths"].get(template, {})
    ]
    assert "get" in spec["paths"]["/batch"]
    assert missing == []


@needs_spec
def test_responses_validate_against_the_spec(
    sandbox: Sandbox, trello_auth: dict[str, str], trello_spec: Any
) -> None:
    from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

    board = sandbox.boards["trello"][0].split(":", 1)[1]
    base = sandbox.urls["trello"]
    card = requests.get(f"{base}/boards/{board}/cards", params=trello_auth, timeout=10).json()[0]
    calls = [
        ("GET", f"/boards/{board}", {}),
        ("GET", f"/boards/{board}/lists", {}),
        ("GET", f"/boards/{board}/labels", {}),
        ("GET", f"/boards/{board}/customFields", {}),
        ("GET", f"/cards/{card['id']}", {}),
        ("GET", f"/boards/{board}/actions", {}),
        ("PUT", f"/cards/{card['id']}", {"name": "Renamed"}),
    ]
    failures = []
    for method, path, extra in calls:
        answer = requests.request(method, base + path, params={**trello_auth, **extra}, timeout=10)
        assert answer.status_code == 200, (path, answer.text)
        spec_request = requests.Request(
            method, "https://api.trello.com/1" + path, params={**trello_auth, **extra}
        )
        try:
            trello_spec.validate_response(
                RequestsOpenAPIRequest(spec_request), RequestsOpenAPIResponse(answer)
            )
        except Exception as error:
            for schema_error in getattr(error.__cause__, "schema_errors", None) or [error]:
                where = [p for p in getattr(schema_error, "absolute_path", []) if isinstance(p, str)]
                if not where or (where[-1] not in SPEC_EXCEPTIONS and where[0] not in SPEC_EXCEPTIONS):
                    failures.append(f"{method} {path}: {where}: {str(schema_error)[:200]}")
    assert failures == []
