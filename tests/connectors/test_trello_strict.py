"""The Trello connector against the strict sandbox: every ``/batch`` ``urls`` value is built by one
function that percent-encodes the commas inside a route and counted by one (``request_units``); the sync read
stays one request with the board's Power-Ups inside it; a board given by shortLink costs what it costs by id
and never a ``/1/members/`` request; Custom Fields detection follows the board plugin; a refused write is one
line naming the board and the field, exit code 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
import requests
import responses
from sandbox_connectors import connector_for
from virtual_clock import VirtualClock

from moteur.connectors.http import HttpClient
from moteur.connectors.trello.account import board_access
from moteur.connectors.trello.batch import batch_urls, route
from moteur.connectors.trello.board_schema import BoardSchema, load_native
from moteur.connectors.trello.power_ups import CUSTOM_FIELDS_PLUGIN
from moteur.connectors.trello.transport import MAX_BATCH_URLS, request_units, trello_auth, trello_options
from moteur.core.errors import NotFound, RateLimited
from moteur.core.model import BoardRef, FieldKind, Tool
from moteur.core.ops import EnsureField

Sandbox = Any  # tests/conftest.py


def _ref(sandbox: Sandbox, index: int = 0) -> BoardRef:
    return BoardRef(tool=Tool.TRELLO, board=sandbox.boards["trello"][index].split(":", 1)[1])


def _log(sandbox: Sandbox, since: int = 0) -> list[dict[str, Any]]:
    return [e for e in sandbox.requests()[since:] if e["tool"] == "trello"]


def _paths(entries: list[dict[str, Any]]) -> list[str]:
    """Each request's path, and each route of a ``/batch`` as Trello reads it (split on every comma)."""
    out = []
    for entry in entries:
        out.append(entry["path"])
        if entry["path"] == "/batch":
            out += [unquote(urlsplit(r).path) for r in entry["query"]["urls"].split(",")]
    return out


# -- the urls value ----------------------------------------------------------------------------------------


def test_one_function_builds_the_urls_value_and_one_counts_its_routes() -> None:
    routes = [
        route("/boards/b1/cards", fields="name,idList", filter="a&b?c%d=e#f+g"),
        route("/boards/b1/actions", filter="createCard,updateCard", limit="1000"),
        route("/members/me"),
    ]
    urls = batch_urls(routes)
    assert urls.count(",") == len(routes) - 1  # a literal comma only between routes
    assert urls.split(",")[0] == "/boards/b1/cards?fields=name%2CidList&filter=a%26b%3Fc%25d%3De%23f%2Bg"
    assert request_units("GET", "/batch", {"urls": urls}) == 3
    # Read back as Trello reads it: split on every comma, then each route percent-decoded.
    decoded = [
        (urlsplit(r).path, dict(parse_qsl(urlsplit(r).query, keep_blank_values=True)))
        for r in urls.split(",")
    ]
    assert decoded == [(path, dict(params)) for path, params in routes]
    with pytest.raises(ValueError):
        batch_urls([route("/members/me")] * (MAX_BATCH_URLS + 1))


def test_the_sync_read_is_one_request_of_seven_routes_with_the_power_ups(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.TRELLO, sandbox.env)
    ref = _ref(sandbox)
    snapshot = connector.read(ref)
    [batch] = _log(sandbox)
    routes = batch["query"]["urls"].split(",")
    assert connector.request_count() == 1 and batch["path"] == "/batch"
    assert len(routes) == 7 and all(r.startswith(f"/boards/{ref.board}") for r in routes)
    assert f"/boards/{ref.board}/boardPlugins" in routes
    assert snapshot.native["custom_fields_on"] is True


# -- a board by shortLink -----------------------------------------------------------------------------------


def _short_link(sandbox: Sandbox, ref: BoardRef) -> BoardRef:
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()["trello"]
    return BoardRef(tool=Tool.TRELLO, board=state["boards"][ref.board]["shortLink"])


def test_a_board_given_by_short_link_is_read_in_one_request(sandbox: Sandbox) -> None:
    """Trello answered 200 to ``/boards/{shortLink}`` and its sub-routes, and to shortLinks inside a
    ``/batch`` (trello-for-wolves, 2017: tests/contract/fixtures/trello-recorded/tfw_*.json): the read sends
    its batch with the shortLink and learns the id from the board's answer, never through ``/1/members/``
    (100 requests per 900 s)."""
    by_id = _ref(sandbox)
    link = _short_link(sandbox, by_id)
    connector = connector_for(Tool.TRELLO, sandbox.env)
    snapshot = connector.read(link)
    assert connector.request_count() == 1  # the batch alone: no request to resolve the shortLink
    assert snapshot.native["board_id"] == by_id.board and len(snapshot.actions) == 40
    [batch] = _log(sandbox)
    assert batch["path"] == "/batch"
    assert all(r.startswith(f"/boards/{link.board}") for r in batch["query"]["urls"].split(","))
    assert connector.read(link).native["board_id"] == by_id.board
    assert connector.request_count() == 2  # the id is kept: the second read names the board by it
    assert all(r.startswith(f"/boards/{by_id.board}") for r in _log(sandbox)[1]["query"]["urls"].split(","))
    assert connector.writeback(snapshot).skip == frozenset()
    assert not [p for p in _paths(_log(sandbox)) if p.startswith("/members")]


def test_every_read_by_short_link_costs_what_it_costs_by_id(sandbox: Sandbox) -> None:
    """Each entry point, on a fresh connector (nothing learnt): the same requests by shortLink as by id."""
    by_id = _ref(sandbox)
    link = _short_link(sandbox, by_id)

    def costs(ref: BoardRef) -> dict[str, int]:
        out = {}
        for name, call in {
            "read": lambda c: c.read(ref),
            "cursor then read": lambda c: (c.cursor_of(ref), c.read(ref)),
            "full read": lambda c: c.read_full(ref),
            "capabilities of a full read": lambda c: c.capabilities(c.read_full(ref)),
            "board access": lambda c: board_access(c.http, ref.board, "nobody"),
            "target schema": lambda c: load_native(c.http, ref.board),
        }.items():
            connector = connector_for(Tool.TRELLO, sandbox.env)
            call(connector)
            out[name] = connector.request_count()
        return out

    assert costs(link) == costs(by_id) == {
        "read": 1, "cursor then read": 2, "full read": 1, "capabilities of a full read": 1, "board access": 1,
        "target schema": 1,
    }  # fmt: skip
    connector = connector_for(Tool.TRELLO, sandbox.env)
    assert load_native(connector.http, link.board).board_id == by_id.board
    assert connector.read_full(link).native["board_id"] == by_id.board


def test_cards_past_the_first_thousand_are_paged_by_the_board_id(sandbox: Sandbox) -> None:
    sandbox.reset("bulk:1200")
    by_id = _ref(sandbox)
    link = _short_link(sandbox, by_id)
    connector = connector_for(Tool.TRELLO, sandbox.env)
    assert len(connector.read(link).actions) == 1200
    assert connector.request_count() == 2  # the batch (first 1,000 cards), then the page after them
    assert _log(sandbox)[-1]["path"] == f"/boards/{by_id.board}/cards"


def test_an_unknown_short_link_is_not_found_naming_it(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.TRELLO, sandbox.env)
    with pytest.raises(NotFound, match="abcdEFGH"):
        connector.read(BoardRef(tool=Tool.TRELLO, board="abcdEFGH"))
    assert connector.request_count() == 1


def test_an_option_whose_create_was_dropped_is_found_by_the_options_route(sandbox: Sandbox) -> None:
    """``GET /customFields/{id}/options`` keys each option ``_id`` (recorded:
    can_get_custom_field_options_of_custom_field, ruby-trello 2020): the lookup after an ambiguous create
    finds the option there and adds none twice."""
    connector = connector_for(Tool.TRELLO, sandbox.env)
    schema = BoardSchema(connector.http, connector.read(_ref(sandbox)))
    field = schema.fields["objective"]
    sandbox.set_faults(rate=1.0, seed=3, kinds=["commit_then_drop"])
    option_id = schema.option_id(field, "Virality")
    sandbox.set_faults(0.0)
    assert any(e["fault"] == "commit_then_drop" for e in sandbox.requests())
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()["trello"]
    options = state["customFields"][field["id"]]["options"]
    assert [o["id"] for o in options if o["value"]["text"] == "Virality"] == [option_id]
    assert schema.option_id(field, "virality") == option_id  # found again without a request


# -- the Custom Fields power-up ------------------------------------------------------------------------------


def test_custom_fields_detection_follows_the_board_plugin(
    sandbox: Sandbox, trello_auth: dict[str, str]
) -> None:
    connector = connector_for(Tool.TRELLO, sandbox.env)
    ref = _ref(sandbox)
    plugin = f"{sandbox.urls['trello']}/boards/{ref.board}/boardPlugins"
    off = requests.delete(f"{plugin}/{CUSTOM_FIELDS_PLUGIN}", params=trello_auth, timeout=10)
    assert off.status_code == 200
    snapshot = connector.read(ref)
    assert snapshot.native["custom_fields_on"] is False
    assert sum("power-up" in w for w in snapshot.warnings) == 1
    assert connector.capabilities(connector.read_full(ref)).custom_fields == frozenset()
    on = requests.post(plugin, params={**trello_auth, "idPlugin": CUSTOM_FIELDS_PLUGIN}, timeout=10)
    assert on.status_code == 200
    assert connector.read(ref).native["custom_fields_on"] is True
    assert connector.capabilities(connector.read_full(ref)).custom_fields  # the full read says it is on


def test_a_field_the_sync_creates_carries_the_required_pos(sandbox: Sandbox) -> None:
    """Spec ``POST /customFields`` requires ``idModel, modelType, name, type, pos``; Trello answers 400
    ``invalid value for pos`` without it (the sandbox too)."""
    connector = connector_for(Tool.TRELLO, sandbox.env)
    snapshot = connector.read(_ref(sandbox))
    [result] = connector.apply(snapshot, [EnsureField("Budget", FieldKind.NUMBER)], [])
    assert result.ok, result.error
    fields = connector.read(_ref(sandbox)).fields
    assert fields[-1] == "Budget"  # "bottom": after the board's other fields


# -- refusals and limits reach the user as one line ------------------------------------------------------


@pytest.mark.refusals  # the label colour is refused on purpose
def test_a_refused_label_colour_is_one_line_naming_board_and_field_exit_1(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from moteur.cli import main

    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)
    ref = f"trello:{_ref(sandbox).board}"
    assert main(["sync", ref, "--dry-run", "--plan-out", "plan.json", "--today", "2026-09-14"]) == 0
    plan = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    [board] = plan["boards"]
    tag = next(op for op in board["schema_ops"] if op["kind"] == "ensure_tag")
    board["schema_ops"], board["item_ops"] = [{**tag, "color": "magenta"}], []  # not in the spec's Color
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    capsys.readouterr()
    assert main(["apply", "plan.json"]) == 1
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert 'on board "Plan marketing (démo)"' in lines[0] and "invalid value for color" in lines[0]
    assert "Traceback" not in captured.err + captured.out


@responses.activate
def test_the_members_limit_is_told_as_such() -> None:
    base = "https://api.trello.example/1"
    body = {"error": "MEMBER_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
    responses.get(f"{base}/members/me", json=body, status=429)
    clock = VirtualClock()
    options = trello_options("k" * 32, "t" * 64, runtime=clock.runtime())
    client = HttpClient(base, trello_auth("k" * 32, "t" * 64), options)
    with pytest.raises(RateLimited) as caught:
        client.request_json("GET", "/members/me", what="the token's member")
    assert "100 per 15 minutes" in str(caught.value) and caught.value.retry_after == 900.0
