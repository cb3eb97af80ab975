"""The strict sandbox refuses what the vendors' own contracts refuse, in the vendor's shape, before an
emulator serves it — and logs why. Each case is a request a strict server refused, or a rule of
``moteur.sandbox.contract``.

The connectors' own tests hold the other half: ``tests/conftest.py``'s ``sandbox`` fixture fails any test
during which the strict sandbox refused a request, unless the test is marked ``refusals``.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from moteur.sandbox.contract.exceptions import EXTRA_QUERY, UNCHECKED_VALUES
from moteur.sandbox.serve import start_sandbox

pytestmark = pytest.mark.refusals
Sandbox = Any  # tests/conftest.py


def _trello(sandbox: Sandbox, method: str, path: str, **kwargs: Any) -> requests.Response:
    auth = {"key": sandbox.env["MOTEUR_TRELLO_API_KEY"], "token": sandbox.env["MOTEUR_TRELLO_TOKEN"]}
    params = {**auth, **kwargs.pop("params", {})}
    return requests.request(method, sandbox.urls["trello"] + path, params=params, timeout=10, **kwargs)


def _asana(sandbox: Sandbox, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {sandbox.env['MOTEUR_ASANA_TOKEN']}"}
    return requests.request(method, sandbox.urls["asana"] + path, headers=headers, timeout=10, **kwargs)


def _board(sandbox: Sandbox) -> str:
    return str(sandbox.boards["trello"][0]).split(":", 1)[1]


def test_a_trello_batch_is_split_on_every_comma(sandbox: Sandbox) -> None:
    board = _board(sandbox)
    routes = [f"/boards/{board}/lists", f"/boards/{board}/cards?fields=name,idList,idLabels"]
    refused = _trello(sandbox, "GET", "/batch", params={"urls": ",".join(routes)})
    assert refused.status_code == 404  # "idList" and "idLabels" became routes of their own
    assert refused.headers["Content-Type"].startswith("text/plain")
    encoded = [routes[0], routes[1].replace(",", "%2C")]
    assert _trello(sandbox, "GET", "/batch", params={"urls": ",".join(encoded)}).status_code == 200
    eleven = ",".join([f"/boards/{board}/lists"] * 11)
    too_many = _trello(sandbox, "GET", "/batch", params={"urls": eleven})
    assert (too_many.status_code, too_many.text) == (400, "Too many URLs; max is 10")
    entry = sandbox.requests()[-1]
    assert entry["refused"] and "11 routes" in entry["refused"][0]


def test_a_trello_batch_route_is_checked_as_a_request_of_its_own(sandbox: Sandbox) -> None:
    board = _board(sandbox)
    refused = _trello(sandbox, "GET", "/batch", params={"urls": f"/boards/{board}/labels?limit=5000"})
    assert (refused.status_code, refused.text) == (400, "invalid value for limit")


def test_a_trello_custom_field_needs_its_position(sandbox: Sandbox) -> None:
    body = {"idModel": _board(sandbox), "modelType": "board", "name": "Impact", "type": "number"}
    refused = _trello(sandbox, "POST", "/customFields", json=body)
    assert (refused.status_code, refused.text) == (400, "invalid value for pos")
    assert _trello(sandbox, "POST", "/customFields", json={**body, "pos": "bottom"}).status_code == 200


def test_trello_refuses_a_value_outside_the_spec_enum_and_an_unknown_route(sandbox: Sandbox) -> None:
    labels = _trello(sandbox, "GET", f"/boards/{_board(sandbox)}/labels").json()
    refused = _trello(sandbox, "PUT", f"/labels/{labels[0]['id']}", params={"color": "magenta"})
    assert (refused.status_code, refused.text) == (400, "invalid value for color")
    unknown = _trello(sandbox, "GET", "/boards/abc/nothing")
    assert (unknown.status_code, unknown.text) == (404, "Cannot GET /1/boards/abc/nothing")


def test_an_asana_batch_get_takes_options_in_options_not_in_data(sandbox: Sandbox) -> None:
    project = str(sandbox.boards["asana"][0]).split(":", 1)[1]
    action = {"method": "get", "relative_path": f"/projects/{project}/sections"}
    wrong = {"data": {"actions": [{**action, "data": {"opt_fields": "name", "limit": 10}}]}}
    refused = _asana(sandbox, "POST", "/batch", json=wrong)
    assert refused.status_code == 400
    message = refused.json()["errors"][0]["message"]
    assert message.startswith("actions[0].data.opt_fields: Options and pagination are not accepted here")
    right = {"data": {"actions": [{**action, "options": {"fields": ["name"], "limit": 10}}]}}
    answer = _asana(sandbox, "POST", "/batch", json=right)
    assert answer.status_code == 200 and answer.json()["data"][0]["status_code"] == 200


def test_asana_refuses_values_outside_the_spec(sandbox: Sandbox) -> None:
    project = str(sandbox.boards["asana"][0]).split(":", 1)[1]
    too_big = _asana(sandbox, "GET", f"/projects/{project}/tasks", params={"limit": 500})
    assert too_big.status_code == 400 and too_big.json()["errors"][0]["message"].startswith("limit:")
    workspace = _asana(sandbox, "GET", "/workspaces").json()["data"][0]["gid"]
    colour = _asana(
        sandbox,
        "POST",
        "/tags",
        json={"data": {"name": "x", "color": "light-yellow", "workspace": workspace}},
    )
    assert colour.status_code == 400 and "light-yellow" in colour.json()["errors"][0]["message"]
    assert {"message", "help"} <= set(colour.json()["errors"][0])
    unknown = _asana(sandbox, "GET", f"/projects/{project}", params={"sort": "name"})
    assert unknown.json()["errors"][0]["message"] == "sort: Unknown parameter"


def test_asana_dot_notation_reaches_nested_fields_the_spec_does_not_list(sandbox: Sandbox) -> None:
    project = str(sandbox.boards["asana"][0]).split(":", 1)[1]
    fine = _asana(sandbox, "GET", f"/projects/{project}/tasks", params={"opt_fields": "gid,assignee.email"})
    assert fine.status_code == 200
    wrong = _asana(sandbox, "GET", f"/projects/{project}/tasks", params={"opt_fields": "colour"})
    assert wrong.status_code == 400


def test_a_lenient_sandbox_serves_what_a_strict_one_refuses() -> None:
    with start_sandbox(rate_limits=False, strict=False) as handle:
        board = handle.boards["trello"][0].split(":", 1)[1]
        auth = {"key": handle.env["MOTEUR_TRELLO_API_KEY"], "token": handle.env["MOTEUR_TRELLO_TOKEN"]}
        url = f"{handle.urls['trello']}/boards/{board}"
        assert requests.get(url, params={**auth, "nonsense": "1"}, timeout=10).status_code == 200
    with start_sandbox(rate_limits=False) as handle:
        auth = {"key": handle.env["MOTEUR_TRELLO_API_KEY"], "token": handle.env["MOTEUR_TRELLO_TOKEN"]}
        url = f"{handle.urls['trello']}/boards/{board}"
        refused = requests.get(url, params={**auth, "nonsense": "1"}, timeout=10)
        assert (refused.status_code, refused.text) == (400, "unknown parameter nonsense")


def test_every_departure_from_a_spec_names_its_source() -> None:
    for departure in (*EXTRA_QUERY, *UNCHECKED_VALUES):
        assert departure.names and len(departure.why) > 40 and len(departure.source) > 15, departure
