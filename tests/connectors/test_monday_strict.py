"""The monday.com connector against a sandbox that refuses what monday refuses, over real HTTP
(and ``responses`` where a refusal cannot be staged on the sandbox).

- Every document the connector sends in a sync, a migration with children, an incremental read and the
  doctor's queries is valid under the ``API-Version`` it pins (the sandbox validates each against that
  version's official SDL and keeps what it refused).
- A choice field of 41 options becomes a single-choice dropdown column, said so in the plan's notes.
- People the target cannot assign are left out before writing, reported, and the items are created; a
  person monday refuses anyway costs that one value, never the item; an unknown code is never retried.
- Errors are classified from the whole answer body.
- The daily call cap: the doctor says which applies; a run that needs more calls than today has left
  stops before writing; a ``DAILY_LIMIT_EXCEEDED`` stops a run without a retry.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import graphql
import pytest
import requests
import responses
from migration.support import apply_plan
from sandbox_connectors import connector_for

from connectors.contract import mutating, plan_for
from connectors.test_monday import URL, _transport, settings_for
from connectors.test_monday_migration import enrich_source
from moteur.connectors.http import Failure
from moteur.connectors.monday import account
from moteur.connectors.monday.daily import DailyLimitExceeded
from moteur.connectors.monday.errors import classify, classify_failure, problems_of
from moteur.connectors.monday.migration_documents import aliased
from moteur.connectors.monday.writer import MondayWriter, apply_ops
from moteur.core.errors import RemoteError, UsageError
from moteur.core.migrate import plan_migration
from moteur.core.model import BoardRef, CustomField, FieldKind, ItemRef, Snapshot, Tool
from moteur.core.ops import CreateItem
from moteur.sandbox.monday.official import official_schema

Sandbox = Any  # tests/conftest.py


def emulator(sandbox: Sandbox) -> Any:
    return sandbox.app.emulators["monday"]


def demo(sandbox: Sandbox) -> BoardRef:
    return BoardRef(tool=Tool.MONDAY, board=sandbox.boards["monday"][0].split(":", 1)[1])


# -- 0. every document validates under the pinned API version ----------------------------------------------


def test_every_document_sent_validates_under_the_pinned_version(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.MONDAY, sandbox.env)
    pinned = settings_for(sandbox.env).monday_api_version
    ref = demo(sandbox)
    snapshot = connector.read(ref)  # a sync: read, plan, write
    board = plan_for(snapshot, connector).boards[0]
    assert all(r.ok for r in connector.apply(snapshot, board.plan.schema_ops, board.plan.item_ops))
    cursor = connector.cursor_of(ref)  # an incremental read
    assert cursor is not None and connector.read_changes(ref, connector.read(ref), cursor) is not None
    source = enrich_source(connector, ref)  # a migration with subitems, comments and an update
    target = connector.create_board("Copie stricte")
    plan, results = apply_plan(connector, source, target, {})
    assert plan.subitems and plan.comments and all(r.ok for r in results)
    transport = connector.transport  # the doctor's queries
    account.whoami(transport), account.reachable_boards(transport), account.board_access(transport, ref.board)

    assert emulator(sandbox).refused() == {}
    sent = emulator(sandbox).documents()
    assert {version for version, _ in sent} == {pinned}
    names = {graphql.parse(query).definitions[0].name.value for _, query in sent}  # type: ignore[attr-defined]
    assert {"ReadBoard", "WriteItems", "ReadFull", "MigrateItems", "MigrateSubitems", "WhoAmI"} <= names
    schema = official_schema(pinned)  # and again, independently of the sandbox's own check
    assert all(graphql.validate(schema, graphql.parse(query)) == [] for _, query in sent)


# -- 8. a choice wider than a status column ----------------------------------------------------------------

CITIES = [f"Ville {n:02d}" for n in range(41)]


def _source_with_41_options(sandbox: Sandbox, connector: Any) -> Snapshot:
    """The demo board with a single-choice dropdown "Ville" of 41 labels, set on three items."""
    ref = demo(sandbox)
    settings = {"labels": [{"label": c} for c in CITIES], "limit_select": True, "label_limit_count": 1}
    post = sandbox.env["MOTEUR_MONDAY_URL"]
    headers = {"Authorization": sandbox.env["MOTEUR_MONDAY_TOKEN"], "API-Version": "2026-10"}
    made = requests.post(
        post,
        json={
            "query": 'mutation ($b: ID!, $d: JSON) { create_column(board_id: $b, title: "Ville", '
            'column_type: dropdown, id: "ville", defaults: $d) { id } }',
            "variables": {"b": ref.board, "d": json.dumps(settings)},
        },
        headers=headers,
        timeout=10,
    ).json()
    assert made["data"]["create_column"]["id"] == "ville"
    items = [a.ref.item for a in connector.read_full(ref).actions[:3]]
    for item, city in zip(items, ("Ville 00", "Ville 40", "Ville 17"), strict=True):
        write = (
            "mutation ($b: ID!, $i: ID!, $v: JSON!) { change_multiple_column_values(board_id: $b, "
            "item_id: $i, column_values: $v) { id } }"
        )
        variables = {"b": ref.board, "i": item, "v": json.dumps({"ville": {"labels": [city]}})}
        requests.post(post, json={"query": write, "variables": variables}, headers=headers, timeout=10)
    return connector.read_full(ref)  # type: ignore[no-any-return]


def test_a_41_option_choice_becomes_a_single_choice_dropdown_and_the_plan_says_so(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.MONDAY, sandbox.env)
    source = _source_with_41_options(sandbox, connector)
    assert CustomField(name="Ville", kind=FieldKind.ENUM, options=tuple(CITIES)) in source.custom_fields
    board = connector.create_board("Villes")
    links: dict[str, ItemRef] = {}
    plan, results = apply_plan(connector, source, board, links)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    assert 'field "Ville" has 41 options: created as a single-choice dropdown column' in " ".join(plan.notes)
    assert not [loss for loss in plan.losses if "Ville" in loss.what]
    state = emulator(sandbox).store.boards[board.board]
    column = next(c for c in state.columns if c.title == "Ville")
    assert column.type == "dropdown" and column.settings["limit_select"] is True
    assert [o["name"] for o in column.settings["labels"]] == CITIES
    copy = connector.read_full(board)
    assert (
        CustomField(name="Ville", kind=FieldKind.ENUM, options=tuple(CITIES)) in copy.custom_fields
    )  # the same single choice
    values = sorted(a.extra["field:Ville"] for a in copy.actions if "field:Ville" in a.extra)
    assert values == ["Ville 00", "Ville 17", "Ville 40"]
    again, _ = apply_plan(connector, source, board, links)
    assert again.ops == ()  # a re-run asks for nothing: the dropdown holds the field


def test_the_plan_alone_names_a_wide_choice_and_refuses_it_where_nothing_is_wider() -> None:
    from moteur.connectors.monday.migration_target import capabilities

    field = CustomField(name="Ville", kind=FieldKind.ENUM, options=tuple(CITIES))
    ref = BoardRef(tool=Tool.FILE, board="plan.json")
    source = Snapshot(board=ref, name="Plan", buckets=(), actions=(), custom_fields=(field,))
    target = Snapshot(board=BoardRef(tool=Tool.MONDAY, board="1"), name="T", buckets=(), actions=())
    caps = capabilities(frozenset())
    plan = plan_migration(source, target, {}, caps)
    assert plan.fields_to_create == ("Ville",)
    assert any("has 41 options: created as a single-choice dropdown" in n for n in plan.notes)
    narrow = plan_migration(source, target, {}, replace(caps, wide_choice=None))
    assert narrow.fields_to_create == ()  # a target with no wider kind does not carry it, and says so
    forty = field.model_copy(update={"options": tuple(CITIES[:40])})
    fits = plan_migration(source.model_copy(update={"custom_fields": (forty,)}), target, {}, caps)
    assert not any("has 40 options" in n for n in fits.notes)


# -- 9. people who cannot be assigned ------------------------------------------------------------------------


def test_unassignable_people_are_left_out_reported_and_the_items_made(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.MONDAY, sandbox.env)
    ref = demo(sandbox)
    ids = {
        kind: emulator(sandbox).add_person(kind, f"{kind}@example.com", kind=k, status=s, boards=(ref.board,))
        for kind, k, s in (("pending", "member", "PENDING"), ("viewer", "view_only", "ACTIVE"))
    }
    source = connector.read_full(ref)
    first, second = source.actions[0], source.actions[1]
    who = {first.key: ("pending@example.com", "owner@example.com"), second.key: ("viewer@example.com",)}
    actions = tuple(a.model_copy(update={"assignees": who.get(a.key, a.assignees)}) for a in source.actions)
    source = source.model_copy(update={"actions": actions})
    board = connector.create_board("Équipe")
    caps = connector.capabilities(connector.read_full(board))
    assert caps.emails is not None and "pending@example.com" not in caps.emails
    assert "viewer@example.com" not in caps.emails and "owner@example.com" in caps.emails
    links: dict[str, ItemRef] = {}
    plan, results = apply_plan(connector, source, board, links)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    assert any("pending@example.com" in n and "viewer@example.com" in n for n in plan.notes)
    assert any(loss.what == "assignees unknown on the target" for loss in plan.losses)
    assert any("cannot be assigned on this board" in n for n in plan.notes)
    copies = {a.extra.get("moteur_source"): a for a in connector.read_full(board).actions}
    assert copies[first.key].assignees == ("owner@example.com",)  # the member kept, the pending one left out
    assert copies[second.key].assignees == ()
    assert all(str(i) not in json.dumps(emulator(sandbox).state()["items"]) for i in ids.values())

    # A plan that could not tell (capabilities without e-mails): the port leaves them out all the same,
    # creates the item, and says so on its result.
    other = connector.create_board("Équipe bis")
    target = connector.read_full(other)
    blind = plan_migration(source, target, {}, replace(connector.capabilities(target), emails=None))
    results = connector.apply_migration(target, blind.ops, {}, on_created=lambda _k, _r: None)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    warned = {r.op.key: r.error for r in results if r.op.kind == "create_item" and r.error}
    assert "not assigned on monday.com: pending@example.com (pending" in (warned[first.key] or "")
    assert "viewer@example.com (a viewer (view-only))" in (warned[second.key] or "")


def _apply_one_create(transport: Any) -> list[Any]:
    """A migrator creating one item assigned to person 42, on a board whose schema says 42 is a member."""
    from moteur.connectors.migration_loop import Ledger
    from moteur.connectors.monday.migration import MondayMigrator
    from moteur.connectors.monday.migration_items import create_items
    from moteur.mappings.loader import load_mapping

    snapshot = Snapshot(board=BoardRef(tool=Tool.MONDAY, board="7"), name="B", buckets=(), actions=())
    op = CreateItem("file:x:1", "Brief", None, {"assignees": ["dana@example.com"]})
    ledger = Ledger([op], {}, lambda _k, _r: None)
    port = MondayMigrator(transport, load_mapping(Tool.MONDAY), "fr", snapshot, ledger)
    entry = {
        "g": None,
        "n": "Brief",
        "v": json.dumps({"people": {"personsAndTeams": [{"id": 42}]}, "t": "x"}),
    }
    create_items(port, [(0, op, entry)])
    return [port.results[0], entry]


@responses.activate
def test_a_person_monday_refuses_anyway_costs_that_value_not_the_item() -> None:
    refusal = {
        "data": {"m0": None},
        "errors": [
            {
                "message": "invalid value - unable to assign person with id: 42",
                "path": ["m0"],
                "extensions": {
                    "code": "ColumnValueException",
                    "status_code": 200,
                    "error_data": {
                        "column_id": "people",
                        "column_validation_error_code": "invalidPersonAssignment",
                    },
                },
            }
        ],
    }
    responses.post(URL, json=refusal)
    responses.post(
        URL, json={"data": {"m0": {"id": "901", "url": "https://x.monday.com/boards/7/pulses/901"}}}
    )
    result, entry = _apply_one_create(_transport([], [0.0]))
    assert result.ok and result.created.item == "901"
    assert "refused to assign person 42" in result.error  # a warning on a success
    assert json.loads(entry["v"]) == {"t": "x"}  # sent again without the people cell
    assert len(responses.calls) == 2  # no look-up: a refusal created nothing
    sent = json.loads(responses.calls[1].request.body)
    assert sent["query"] == aliased("items", 1) and "people" not in sent["variables"]["v0"]


@responses.activate
def test_an_unknown_error_code_is_not_retried() -> None:
    unknown = {
        "data": {"m0": None},
        "errors": [{"message": "Something new", "path": ["m0"], "extensions": {"code": "BrandNewRefusal"}}],
    }
    responses.post(URL, json=unknown)
    result, _ = _apply_one_create(_transport([], [0.0]))
    assert not result.ok and "BrandNewRefusal" in result.error
    assert len(responses.calls) == 1  # neither resent nor looked up
    transient = problems_of({"errors": [{"message": "x", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]})
    assert isinstance(classify(transient[0], "it"), RemoteError) and classify(transient[0], "it").retriable


# -- 10. classified from the whole body ---------------------------------------------------------------------


def test_a_long_error_body_is_classified_from_all_of_it() -> None:
    long_message = "Field 'nope' doesn't exist on type 'Board'. " + "Did you mean something else? " * 12
    extensions = {"code": "undefinedField", "typeName": "Board", "fieldName": "nope"}
    body = {
        "errors": [
            {"message": long_message, "locations": [{"line": 1, "column": 9}], "extensions": extensions}
        ]
    }
    text = json.dumps(body)
    assert len(text) > 300
    failure = Failure(
        "monday.com", "api.monday.com", "POST", "/v2", 400, text[:200], body=text, what="board 1"
    )
    error = classify_failure(failure)
    assert isinstance(error, UsageError) and "undefinedField" in error.message
    assert error.message.endswith("…)") and len(error.message) < 320  # only the message shown is cut


# -- 11. the daily call cap ---------------------------------------------------------------------------------


def test_the_doctor_says_which_daily_cap_applies(sandbox: Sandbox) -> None:
    # The doctor asks the connector: its own client and pacer.
    connector = connector_for(Tool.MONDAY, sandbox.env)
    checks = {c.check: c for c in connector.check_access([demo(sandbox)])}
    daily = checks["monday.com: daily API calls"]
    assert daily.ok and daily.detail.startswith("the Pro plan: 10,000 calls a day (a soft cap); ")
    assert "used today; it resets at midnight UTC" in daily.detail
    assert asdict(daily)["detail"] == daily.detail  # what --json prints
    emulator(sandbox).set_plan("basic", used_today=950)
    low = {c.check: c for c in connector.check_access([])}["monday.com: daily API calls"]
    assert low.warning and not low.ok and low.detail.startswith("49 calls left today — the Basic plan: 1,000")
    emulator(sandbox).set_plan("free", trial=True)
    trial = {c.check: c for c in connector.check_access([])}["monday.com: daily API calls"]
    assert trial.ok and trial.detail.startswith("a trial: 200 calls a day; 1 used today")


def test_a_sync_that_needs_more_calls_than_today_has_stops_before_writing(sandbox: Sandbox) -> None:
    emulator(sandbox).set_plan("free", used_today=197)
    connector = connector_for(Tool.MONDAY, sandbox.env)
    snapshot = connector.read(demo(sandbox))  # call 198: two left
    board = plan_for(snapshot, connector).boards[0]
    assert "2 of today's 200 calls left (the Free plan) — not enough" in connector.estimate(
        board.plan.schema_ops, board.plan.item_ops
    )
    with pytest.raises(DailyLimitExceeded, match=r"needs about 4 API calls, but only 2 of today's 200"):
        connector.apply(snapshot, board.plan.schema_ops, board.plan.item_ops)
    assert mutating(sandbox.requests(), "monday") == []


def test_a_migration_that_needs_more_calls_than_today_has_stops_before_writing(sandbox: Sandbox) -> None:
    sandbox.reset("bulk:300")
    connector = connector_for(Tool.MONDAY, sandbox.env)
    source = connector.read_full(demo(sandbox))
    board = connector.create_board("Trop grand")
    target = connector.read_full(board)
    plan = plan_migration(source, target, {}, connector.capabilities(target))
    emulator(sandbox).set_plan("free", used_today=190)
    before = len(mutating(sandbox.requests(), "monday"))
    with pytest.raises(DailyLimitExceeded, match=r"migrating to board \d+ needs about 1[67] API calls"):
        connector.apply_migration(target, plan.ops, {}, on_created=lambda _k, _r: None)
    assert len(mutating(sandbox.requests(), "monday")) == before  # nothing written


def test_a_daily_limit_met_mid_sync_stops_sending_and_keeps_what_landed(sandbox: Sandbox) -> None:
    sandbox.reset("bulk:120")
    connector = connector_for(Tool.MONDAY, sandbox.env)
    snapshot = connector.read(demo(sandbox))
    board = plan_for(snapshot, connector).boards[0]
    # Another app spends the day's calls after our read: 3 columns and one batch of 50 still land.
    emulator(sandbox).set_plan("free", used_today=196)
    types = {"quadrant": "status", "sprint": "dropdown", "ice": "numbers"}
    writer = MondayWriter(connector.transport, snapshot, connector.writeback(snapshot), types)
    results = apply_ops(writer, board.plan.schema_ops, board.plan.item_ops)
    log = [e for e in sandbox.requests() if e["tool"] == "monday"]
    assert [e["status"] for e in log[-2:]] == [200, 429]  # the refused batch, and nothing after it
    failed = [r for r in results if not r.ok]
    assert failed and all("daily API call limit is used up" in (r.error or "") for r in failed)
    assert sum(1 for r in results if r.ok) >= 50 + len(board.plan.schema_ops)
    with pytest.raises(DailyLimitExceeded, match="resets at midnight UTC"):
        connector.read(demo(sandbox))  # nothing landed in this call: it stops on the one line


@responses.activate
def test_a_daily_limit_answer_is_not_retried_by_the_http_layer() -> None:
    refusal = {
        "errors": [
            {
                "message": "Daily limit exceeded",
                "extensions": {"code": "DAILY_LIMIT_EXCEEDED", "retry_in_seconds": 3599},
            }
        ],
        "extensions": {"request_id": "092b4d0f-5a62-4509-9629-35529744560a"},
    }
    responses.post(URL, json=refusal, status=429, headers={"Retry-After": "3599"})
    slept: list[float] = []
    with pytest.raises(DailyLimitExceeded, match="resets at midnight UTC, in 1 h 00 min") as raised:
        _transport(slept, [0.0]).send("query { me { id } }", {}, what="me", idempotent=True)
    assert len(responses.calls) == 1 and slept == [] and not raised.value.retriable
    assert "run again after the reset" in (raised.value.hint or "")  # the wait shown is monday's own


def test_the_cli_stops_on_the_daily_cap_with_one_line(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from moteur.cli import main

    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.chdir(tmp_path)  # no stray .env or moteur.toml
    emulator(sandbox).set_plan("free", used_today=199)
    assert main(["sync", f"monday:{demo(sandbox).board}", "--today", "2026-12-01"]) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert "monday.com's daily API call limit is used up" in lines[0] or "today's 200" in lines[0]
    assert "midnight UTC" in err
    assert mutating(sandbox.requests(), "monday") == []
