"""Every request the Asana connector sends is one Asana's own OpenAPI spec (``asana_oas.yaml``) describes.

The scenario covers each kind of request the connector makes: a paged read, a sync writing sections, custom
fields, enum options, and custom field values and section moves inside ``POST /batch``, a read of the changes
since a sync token (GET actions in batches, their fields in ``options``), and a sync in the tag fallback (tags
created, added and removed). Two checks:

- from the sandbox log: each request's method and path match a spec path template with that method, its query
  keys are parameters of that operation, and so does each inner action of a batch;
- with ``openapi-core`` (the spec loaded once per session): each request as sent (query and JSON body), and
  each batch action as the request it stands for, validates against the operation's parameters and body.

``SPEC_EXCEPTIONS`` lists where the connector knowingly goes beyond the spec, each with its reason.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sandbox_connectors import connector_for

from connectors.contract import plan_for
from moteur.connectors.asana import AsanaConnector
from moteur.core.model import BoardRef, Tool
from moteur.core.ops import SetTags, inverse

REPO = Path(__file__).resolve().parents[2]
SPEC_FILE = (
    Path(os.environ.get("MOTEUR_SPECS_DIR", REPO / "moteur" / "sandbox" / "contracts")) / "asana_oas.yaml"
)
SPEC_SERVER = "https://app.asana.com/api/1.0"
Sandbox = Any  # tests/conftest.py

# Where the connector knowingly goes beyond the spec's schemas, each with the spec's own words for it.
SPEC_EXCEPTIONS = {
    # opt_fields may name any property of a nested record (dotted path); the enum lists assignee.name only.
    "assignee.email": "UserResponse has email; the Action keeps assignees as e-mails",
    # TaskRequestBase.custom_fields: additionalProperties is typed string, yet its description says "each key
    # is the GID of a custom field and its corresponding value is either an enum GID, string, number…".
    "custom_fields number": "a number custom field's value is sent as a JSON number",
}
NUMBER_AS_STRING = re.compile(r"^-?\d+(\.\d+)? is not of type 'string'$")


@pytest.fixture(scope="session")
def asana_spec() -> dict[str, Any]:
    if not SPEC_FILE.exists():
        pytest.skip(f"Asana OpenAPI spec not found at {SPEC_FILE} (set MOTEUR_SPECS_DIR)")
    import yaml

    with SPEC_FILE.open(encoding="utf-8") as handle:
        spec = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return json.loads(json.dumps(spec))  # type: ignore[no-any-return]  # status codes as string keys


@pytest.fixture(scope="session")
def asana_openapi(asana_spec: dict[str, Any]) -> Any:
    from openapi_core import Config, OpenAPI

    return OpenAPI.from_dict(asana_spec, config=Config(spec_validator_cls=None))


def _attach_recorder(connector: AsanaConnector, sent: list[requests.PreparedRequest]) -> None:
    """Keep every request the connector's session sends (observing the transport, not replacing it)."""

    def record(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        sent.append(response.request)

    connector.http.session.hooks["response"].append(record)


@pytest.fixture
def sent(sandbox: Sandbox) -> Iterator[tuple[list[requests.PreparedRequest], list[dict[str, Any]]]]:
    """Run the scenario; yield every request the connectors sent, and the sandbox's log of them."""
    recorded: list[requests.PreparedRequest] = []
    sandbox.reset("bulk:150")
    reader = connector_for(Tool.ASANA, sandbox.env)
    _attach_recorder(reader, recorded)
    reader.read(BoardRef(tool=Tool.ASANA, board=sandbox.boards["asana"][0].split(":", 1)[1]))
    log = sandbox.requests()  # a reset clears the log
    sandbox.reset("demo")
    ref = BoardRef(tool=Tool.ASANA, board=sandbox.boards["asana"][0].split(":", 1)[1])
    for tier in ("free", "paid"):  # tags first (the fallback), then sections and custom fields
        connector = connector_for(Tool.ASANA, sandbox.env, tier=tier)
        _attach_recorder(connector, recorded)
        snapshot = connector.read(ref)
        cursor = connector.cursor_of(ref)
        plan = plan_for(snapshot, connector).boards[0].plan
        results = connector.apply(snapshot, plan.schema_ops, plan.item_ops)
        assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
        if tier == "paid":  # the changes since the cursor: project, sections and events, then tasks, batched
            assert cursor is not None and connector.read_changes(ref, snapshot, cursor) is not None
        if tier == "free":  # undo one sprint tag: a removeTag and an addTag
            undo = next(inverse(op) for op in plan.item_ops if isinstance(op, SetTags) and op.add)
            after = connector.read(ref)
            assert all(r.ok for r in connector.apply(after, (), [undo]))
    yield recorded, [e for e in log + sandbox.requests() if e["tool"] == "asana"]


def _templates(spec: dict[str, Any]) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", t) + "$"), t) for t in spec["paths"]]


def _operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    for pattern, template in _templates(spec):
        if pattern.match(path) and method.lower() in spec["paths"][template]:
            item = spec["paths"][template]
            operation: dict[str, Any] = item[method.lower()]
            return {
                "template": template,
                "parameters": [*item.get("parameters", []), *operation.get("parameters", [])],
            }
    return None


def _parameter_names(spec: dict[str, Any], parameters: list[dict[str, Any]]) -> set[str]:
    names = set()
    for parameter in parameters:
        if "$ref" in parameter:
            parameter = spec["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        names.add(parameter["name"])
    return names


def test_every_logged_request_is_a_spec_operation_with_spec_parameters(
    sent: tuple[list[requests.PreparedRequest], list[dict[str, Any]]], asana_spec: dict[str, Any]
) -> None:
    log = sent[1]
    assert any(e["path"] == "/batch" for e in log) and any("offset" in e["query"] for e in log)
    problems: list[str] = []
    for entry in log:
        calls = [(entry["method"], entry["path"], set(entry["query"]))]
        calls += [(a.split(" ", 1)[0], a.split(" ", 1)[1], set()) for a in entry["root_fields"]]
        for method, path, keys in calls:
            operation = _operation(asana_spec, method, path)
            if operation is None:
                problems.append(f"{method} {path}: no such operation in the spec")
                continue
            unknown = keys - _parameter_names(asana_spec, operation["parameters"])
            if unknown:
                problems.append(f"{method} {path}: query keys {sorted(unknown)} not in the spec")
    assert problems == []


def _as_sent(prepared: requests.PreparedRequest, base: str) -> requests.PreparedRequest:
    copy = prepared.copy()
    copy.url = SPEC_SERVER + str(copy.url)[len(base) :]
    copy.url = copy.url.replace("%2Cassignee.email", "")  # SPEC_EXCEPTIONS["assignee.email"]
    return copy


def _batch_actions(prepared: requests.PreparedRequest) -> list[requests.PreparedRequest]:
    """Each action of a ``POST /batch`` as the plain request it stands for: a GET's ``data`` is its query, its
    ``options`` (``fields``, ``limit``, ``offset``) become ``opt_fields``, ``limit`` and ``offset``."""
    body = json.loads(prepared.body or b"{}")
    auth = {"Authorization": str(prepared.headers["Authorization"])}  # an action runs with the batch's auth
    out = []
    for action in body["data"]["actions"]:
        method = action["method"].upper()
        url = SPEC_SERVER + action["relative_path"]
        if method in ("GET", "HEAD"):
            data, options = dict(action.get("data") or {}), action.get("options") or {}
            # Spec BatchRequestAction.data: "Options and pagination are not accepted here".
            assert not {"opt_fields", "opt_pretty", "limit", "offset"} & set(data), action
            fields = [f for f in options.get("fields", ()) if f != "assignee.email"]  # SPEC_EXCEPTIONS
            params = {**data, **({"opt_fields": ",".join(fields)} if fields else {})}
            params |= {k: options[k] for k in ("limit", "offset") if k in options}
            out.append(requests.Request(method, url, auth, params=params).prepare())
        else:
            out.append(requests.Request(method, url, auth, json={"data": action.get("data") or {}}).prepare())
    return out


# The spec's opt_pretty parameter has allowEmptyValue, which openapi-core reports as deprecated on each use.
@pytest.mark.filterwarnings("ignore:Use of allowEmptyValue property is deprecated:DeprecationWarning")
def test_every_request_validates_against_the_spec(
    sandbox: Sandbox, sent: tuple[list[requests.PreparedRequest], list[dict[str, Any]]], asana_openapi: Any
) -> None:
    from openapi_core.contrib.requests import RequestsOpenAPIRequest

    base = sandbox.urls["asana"]
    checked: list[requests.PreparedRequest] = []
    for prepared in sent[0]:
        request = _as_sent(prepared, base)
        checked.append(request)
        if request.method == "POST" and str(request.url).endswith("/batch"):
            checked.extend(_batch_actions(request))
    errors = []
    for request in checked:
        for error in asana_openapi.request_validator.iter_errors(RequestsOpenAPIRequest(request)):
            cause = error.__cause__ or error
            details = [
                str(getattr(e, "message", e)) for e in getattr(cause, "schema_errors", None) or [cause]
            ]
            if request.method == "PUT" and all(NUMBER_AS_STRING.match(d) for d in details):
                continue  # SPEC_EXCEPTIONS["custom_fields number"]
            errors.append(f"{request.method} {request.path_url}: {'; '.join(details)[:300]}")
    kinds = {(r.method, re.sub(r"\d{6,}", "{gid}", str(r.path_url).split("?")[0])) for r in checked}
    assert {("POST", "/api/1.0/batch"), ("PUT", "/api/1.0/tasks/{gid}"), ("POST", "/api/1.0/tags")} <= kinds
    assert errors == []


def test_a_batch_action_puts_fields_and_pagination_in_options_never_in_data() -> None:
    """Spec ``BatchRequestAction``: a GET's ``data`` is its query, "Options and pagination are not accepted
    here; put them in options instead"; every batch action the connector sends comes from ``batch_action``."""
    from moteur.connectors.asana.batch import batch_action

    action = batch_action("GET", "/events", {"resource": "1"}, fields=("name",), limit=100, offset="eyJ")
    assert action == {
        "relative_path": "/events",
        "method": "get",
        "data": {"resource": "1"},
        "options": {"fields": ["name"], "limit": 100, "offset": "eyJ"},
    }
    assert "options" not in batch_action("put", "/tasks/1", {"name": "x"})
    for misplaced in ("opt_fields", "opt_pretty", "limit", "offset"):
        with pytest.raises(ValueError, match=misplaced):
            batch_action("get", "/tasks/1", {misplaced: "1"})
    with pytest.raises(TypeError):
        batch_action("get", "/tasks/1", fields="name,notes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="query string"):
        batch_action("get", "/tasks/1?opt_fields=name")


def test_every_colour_moteur_gives_a_tag_is_in_the_specs_enum(
    sandbox: Sandbox, asana_spec: dict[str, Any]
) -> None:
    """``TagBase.color`` lists Asana's palette (dark-/light- pink, green, blue, red, teal, brown, orange,
    purple, warm-gray); a quadrant tag of each neutral colour (``core.labels.QUADRANT_COLOURS``) gets one."""
    from moteur.core.labels import QUADRANT_COLOURS
    from moteur.core.ops import EnsureTag

    parts = asana_spec["components"]["schemas"]["TagBase"]["allOf"]
    palette = next(p["properties"]["color"]["enum"] for p in parts if "color" in p.get("properties", {}))
    connector = connector_for(Tool.ASANA, sandbox.env)
    snapshot = connector.read(BoardRef(tool=Tool.ASANA, board=sandbox.boards["asana"][0].split(":", 1)[1]))
    colours = sorted(set(QUADRANT_COLOURS.values()))
    results = connector.apply(snapshot, [EnsureTag(f"Quadrant {c}", c) for c in colours], [])
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()["asana"]["records"]["tag"]
    given = {t["name"]: t["color"] for t in state.values()}
    assert all(given[f"Quadrant {c}"] in palette and given[f"Quadrant {c}"] for c in colours), given
