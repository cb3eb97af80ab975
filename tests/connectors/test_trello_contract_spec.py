"""Every request the Trello connector sends during a sync — and every URL inside its ``/batch`` — exists in
Trello's OpenAPI spec (``../shared/specs/trello_openapi.json``): the path and method exist, each query key is
a declared parameter, and the required ones are present (openapi-core checks the parameters' values).

``SPEC_GAPS`` lists the query keys Trello documents outside the spec's parameter lists; each names where.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from openapi_core.datatypes import RequestParameters
from sandbox_connectors import connector_for
from werkzeug.datastructures import ImmutableMultiDict

from connectors.contract import plan_for
from moteur.core.model import BoardRef, Tool

REPO = Path(__file__).resolve().parents[2]
SPECS_DIR = Path(os.environ.get("MOTEUR_SPECS_DIR", REPO / "moteur" / "sandbox" / "contracts"))
SPEC_PATH = SPECS_DIR / "trello_openapi.json"
pytestmark = pytest.mark.skipif(
    not SPEC_PATH.exists(), reason=f"trello_openapi.json not found at {SPEC_PATH} (set MOTEUR_SPECS_DIR)"
)

# Query keys Trello accepts that the spec's operation does not list.
SPEC_GAPS: dict[tuple[str, str], set[str]] = {
    # Nested card resources take the card query parameters and paging (developer.atlassian.com/cloud/trello
    # "Nested Resources" and "Paging": limit/before/since on /boards/{id}/cards).
    ("GET", "/boards/{id}/cards"): {"filter", "limit", "before", "since", "customFieldItems", "fields"},
}

# Declared keys whose values the spec describes wrongly (their names are still checked above).
SPEC_VALUE_GAPS: dict[tuple[str, str], set[str]] = {
    # spec: one 24-hex id; Trello's docs: "comma-separated list of label IDs" (the whole point of one PUT)
    ("PUT", "/cards/{id}"): {"idLabels"},
    # spec: an array schema openapi-core cannot deserialise from "name,color" (form style)
    ("GET", "/boards/{id}/labels"): {"fields"},
}


@dataclass
class _Request:
    """The openapi-core request protocol for one logged call (parameters only: the log keeps no body)."""

    method: str
    path: str
    parameters: RequestParameters
    host_url: str = "https://api.trello.com"
    content_type: str = "application/json"
    body: bytes | None = None


def _templates(spec: dict[str, Any]) -> list[tuple[re.Pattern[str], str]]:
    out = []
    for template in spec["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        literal = len(re.sub(r"\{[^}]+\}", "", template))
        out.append((re.compile(pattern), template, literal))
    out.sort(key=lambda t: -t[2])  # literal segments win over placeholders, as Trello routes them
    return [(p, t) for p, t, _ in out]


def _calls(log: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, query) of each logged Trello call, with the inner URLs of each ``/batch``."""
    calls = []
    for entry in log:
        if entry["tool"] != "trello":
            continue
        query = {k: v for k, v in entry["query"].items() if k not in ("key", "token")}
        calls.append((entry["method"], entry["path"], query))
        if entry["path"] == "/batch":
            # Trello splits urls on every literal comma, then each route is percent-decoded.
            for url in query["urls"].split(","):
                parts = urlsplit(url)
                inner = dict(parse_qsl(parts.query, keep_blank_values=True))
                calls.append(("GET", unquote(parts.path), inner))
    return calls


def test_every_request_of_a_sync_is_in_the_spec(sandbox: Any) -> None:
    from openapi_core import Config, OpenAPI

    spec_dict = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    openapi = OpenAPI.from_dict(spec_dict, config=Config(spec_validator_cls=None))
    templates = _templates(spec_dict)
    connector = connector_for(Tool.TRELLO, sandbox.env)
    for index in (0, 1):  # power-up on and off
        ref = BoardRef(tool=Tool.TRELLO, board=sandbox.boards["trello"][index].split(":", 1)[1])
        snapshot = connector.read(ref)
        plan = plan_for(snapshot, connector).boards[0].plan
        assert all(r.ok for r in connector.apply(snapshot, plan.schema_ops, plan.item_ops))
    calls = _calls(sandbox.requests())
    assert {m for m, _, _ in calls} >= {"GET", "PUT", "POST"}
    problems: list[str] = []
    for method, path, query in calls:
        template = next((t for p, t in templates if p.match(path)), None)
        operation = spec_dict["paths"].get(template or "", {}).get(method.lower())
        if operation is None:
            problems.append(f"{method} {path}: no such path and method in the spec")
            continue
        declared = operation.get("parameters", []) + spec_dict["paths"][template].get("parameters", [])
        known = {p["name"] for p in declared if p.get("in") == "query"} | SPEC_GAPS.get(
            (method, template), set()
        )
        unknown = set(query) - known
        if unknown:
            problems.append(f"{method} {template}: unknown query keys {sorted(unknown)}")
        required = {p["name"] for p in declared if p.get("in") == "query" and p.get("required")}
        if required - set(query):
            problems.append(f"{method} {template}: missing required {sorted(required - set(query))}")
        skip = SPEC_GAPS.get((method, template), set()) | SPEC_VALUE_GAPS.get((method, template), set())
        spec_query = {k: v for k, v in query.items() if k not in skip}
        # The connector authenticates with Trello's OAuth header form, which the spec's security schemes
        # (query apiKey) do not describe: stand-in credentials satisfy the security check.
        spec_query |= {"key": "k", "token": "t"}
        request = _Request(
            method.lower(), "/1" + path, RequestParameters(query=ImmutableMultiDict(spec_query))
        )
        if method in ("GET", "DELETE") or not operation.get("requestBody"):
            try:
                openapi.validate_request(request)
            except Exception as exc:  # openapi-core's errors carry the detail in their causes
                detail = "; ".join(
                    str(e) for e in getattr(exc, "schema_errors", []) or [exc.__cause__ or exc]
                )
                problems.append(f"{method} {template}: {type(exc).__name__}: {detail}")
    assert problems == [], "\n".join(problems)
