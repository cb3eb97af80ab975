"""The monday.com emulator refuses what monday refuses, over real HTTP.

- Documents are validated against the official SDL of their ``API-Version`` (``contracts/``), then against
  the served subset: a 2026-10 field is refused under 2026-07 in monday's words, a field 2026-10 removed is
  refused under 2026-10, and a valid document the sandbox does not serve is said to be so (no fake data).
- A status column holds at most 40 labels (monday's status column reference).
- A people value naming someone the board cannot take fails the whole mutation (``invalidPersonAssignment``).
- The daily call cap per plan: HTTP 429 ``DAILY_LIMIT_EXCEEDED`` with the time to midnight UTC, counted on
  the emulator's wall clock, and what ``platform_api`` reports.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sandbox.test_monday import board_id, data, gql

Sandbox = Any  # tests/conftest.py


def emulator(sandbox: Sandbox) -> Any:
    return sandbox.app.emulators["monday"]


# -- 0. the SDL of the API version ------------------------------------------------------------------------


def test_a_2026_10_field_is_refused_under_2026_07_in_mondays_words(sandbox: Sandbox) -> None:
    query = "{ teams { id created_at } }"  # Team.created_at: new in 2026-10
    old = gql(sandbox, query).json()
    assert "data" not in old
    (error,) = old["errors"]
    assert error["message"].startswith("Field 'created_at' doesn't exist on type 'Team'")
    assert error["extensions"]["code"] == "undefinedField"
    new = gql(sandbox, query, **{"API-Version": "2026-10"}).json()
    assert "data" not in new  # valid for monday, not served: said so, never a fake success
    (error,) = new["errors"]
    assert error["extensions"]["code"] == "SANDBOX_NOT_EMULATED"
    assert "does not emulate" in error["message"] and "teams" in error["message"]


def test_a_field_2026_10_removed_is_refused_under_2026_10_and_served_under_2026_07(sandbox: Sandbox) -> None:
    query = "{ users { id is_pending is_view_only kind status } }"
    served = data(sandbox, query)["users"]
    assert served and all(u["is_pending"] is False and u["status"] == "ACTIVE" for u in served)
    refused = gql(sandbox, query, **{"API-Version": "2026-10"}).json()
    messages = [e["message"] for e in refused["errors"]]
    assert "Field 'is_pending' doesn't exist on type 'User'" in messages
    assert "Field 'is_view_only' doesn't exist on type 'User'" in messages
    both = "{ users { id kind status } }"
    assert gql(sandbox, both, **{"API-Version": "2026-10"}).json()["data"]["users"]


def test_an_older_replay_version_is_validated_against_2026_07(sandbox: Sandbox) -> None:
    answer = gql(sandbox, "{ teams { id created_at } }", **{"API-Version": "2025-07"}).json()
    assert answer["errors"][0]["message"].startswith("Field 'created_at' doesn't exist on type 'Team'")
    assert emulator(sandbox).refused()  # what was refused is kept for the tests that collect documents


# -- 8. at most 40 status labels ---------------------------------------------------------------------------

CREATE_STATUS = """
mutation ($b: ID!, $d: JSON) {
  create_column(board_id: $b, title: "Ville", column_type: status, defaults: $d) { id settings }
}"""


def _labels(n: int) -> str:
    return json.dumps({"labels": {str(i if i < 5 else i + 1): f"Ville {i}" for i in range(n)}})


def test_a_status_column_of_41_labels_is_refused_and_40_is_made(sandbox: Sandbox) -> None:
    refused = gql(sandbox, CREATE_STATUS, {"b": board_id(sandbox), "d": _labels(41)}).json()
    assert refused["data"] == {"create_column": None}
    assert refused["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "at most 40 labels" in refused["errors"][0]["message"]
    made = data(sandbox, CREATE_STATUS, {"b": board_id(sandbox), "d": _labels(40)})["create_column"]
    item = data(
        sandbox,
        "query ($b: [ID!]) { boards(ids: $b) { items_page(limit: 1) { items { id } } } }",
        {"b": [board_id(sandbox)]},
    )["boards"][0]["items_page"]["items"][0]["id"]
    write = (
        "mutation ($b: ID!, $i: ID!, $v: JSON!) { change_multiple_column_values(board_id: $b, item_id: $i, "
        "column_values: $v, create_labels_if_missing: true) { id } }"
    )
    forty_first = {"b": board_id(sandbox), "i": item, "v": json.dumps({made["id"]: {"label": "Ville 40"}})}
    answer = gql(sandbox, write, forty_first).json()
    assert answer["data"] == {"change_multiple_column_values": None}
    assert answer["errors"][0]["extensions"]["code"] == "ColumnValueException"
    assert "at most 40 labels" in answer["errors"][0]["message"]
    existing = {**forty_first, "v": json.dumps({made["id"]: {"label": "Ville 39"}})}
    assert data(sandbox, write, existing)["change_multiple_column_values"]["id"] == item


# -- 9. people who cannot be assigned -----------------------------------------------------------------------

CREATE_ITEM = """
mutation ($b: ID!, $v: JSON) { create_item(board_id: $b, item_name: "Brief", column_values: $v) { id } }"""


@pytest.mark.parametrize(
    ("kind", "status", "member"),
    [
        ("member", "PENDING", True),
        ("view_only", "ACTIVE", True),
        ("member", "INACTIVE", True),
        ("guest", "ACTIVE", False),
    ],
)
def test_an_unassignable_person_fails_the_whole_create(
    sandbox: Sandbox, kind: str, status: str, member: bool
) -> None:
    board = board_id(sandbox)
    boards = (board,) if member else ()
    person = emulator(sandbox).add_person("Dana", "dana@example.com", kind=kind, status=status, boards=boards)
    before = len(emulator(sandbox).store.items)
    values = {"responsable": {"personsAndTeams": [{"id": int(person), "kind": "person"}]}, "canal": "SEO"}
    answer = gql(sandbox, CREATE_ITEM, {"b": board, "v": json.dumps(values)}).json()
    assert answer["data"] == {"create_item": None}
    (error,) = answer["errors"]
    assert error["message"] == f"invalid value - unable to assign person with id: {person}"
    assert error["extensions"]["code"] == "ColumnValueException"
    assert error["extensions"]["error_data"] == {
        "column_id": "responsable",
        "column_validation_error_code": "invalidPersonAssignment",
    }
    assert len(emulator(sandbox).store.items) == before  # nothing of the item was made


def test_who_may_be_assigned_depends_on_the_board(sandbox: Sandbox) -> None:
    board = board_id(sandbox)
    guest = emulator(sandbox).add_person("Gil", "gil@example.com", kind="guest", boards=(board,))
    member = emulator(sandbox).add_person("Mo", "mo@example.com")  # not subscribed: a public board takes them
    for person in (guest, member):
        values = {"responsable": {"personsAndTeams": [{"id": int(person), "kind": "person"}]}}
        assert data(sandbox, CREATE_ITEM, {"b": board, "v": json.dumps(values)})["create_item"]["id"]
    private = data(
        sandbox, 'mutation { create_board(board_name: "Privé", board_kind: private, empty: true) { id } }'
    )["create_board"]["id"]
    column = data(
        sandbox,
        'mutation ($b: ID!) { create_column(board_id: $b, title: "Qui", column_type: people) { id } }',
        {"b": private},
    )["create_column"]["id"]
    values = {column: {"personsAndTeams": [{"id": int(member), "kind": "person"}]}}
    refused = gql(sandbox, CREATE_ITEM, {"b": private, "v": json.dumps(values)}).json()
    assert refused["errors"][0]["extensions"]["error_data"]["column_validation_error_code"] == (
        "invalidPersonAssignment"
    )
    read = data(
        sandbox,
        "query ($b: [ID!]) { boards(ids: $b) { board_kind subscribers { id } } users { id kind status } }",
        {"b": [private]},
    )
    assert read["boards"][0]["board_kind"] == "private"
    assert [s["id"] for s in read["boards"][0]["subscribers"]] == [emulator(sandbox).store.me_id]
    assert {"kind": "guest", "status": "ACTIVE", "id": guest} in read["users"]


def test_users_leave_the_deactivated_out_unless_asked(sandbox: Sandbox) -> None:
    gone = emulator(sandbox).add_person("Old", "old@example.com", status="INACTIVE")
    invited = emulator(sandbox).add_person("New", "new@example.com", status="PENDING")
    listed = {u["id"]: u["status"] for u in data(sandbox, "{ users(limit: 1000) { id status } }")["users"]}
    assert gone not in listed and listed[invited] == "PENDING"  # monday's default: [ACTIVE, PENDING]
    inactive = data(sandbox, "{ users(non_active: true) { id } }")["users"]
    assert inactive == [{"id": gone}]


# -- 11. the daily call cap --------------------------------------------------------------------------------

PLATFORM = "{ account { tier plan { tier } } platform_api { daily_limit { base total } daily_analytics { by_day { day usage } } } }"  # noqa: E501


@pytest.mark.parametrize(
    ("tier", "cap"),
    [("free", 200), ("basic", 1_000), ("standard", 1_000), ("pro", 10_000), ("enterprise", 25_000)],
)
def test_the_daily_cap_follows_the_plan(sandbox: Sandbox, tier: str, cap: int) -> None:
    emulator(sandbox).set_plan(tier)
    answer = data(sandbox, PLATFORM)
    assert answer["account"]["plan"]["tier"] == tier
    assert answer["platform_api"]["daily_limit"] == {"base": cap, "total": cap}
    assert answer["platform_api"]["daily_analytics"]["by_day"][0]["usage"] == 1  # this very call


def test_past_the_cap_monday_answers_429_until_midnight_utc(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    evening = datetime(2026, 11, 3, 21, 30, tzinfo=UTC).timestamp()
    monkeypatch.setattr(emulator(sandbox), "wall_clock", lambda: evening)
    emulator(sandbox).set_plan("free", used_today=198)
    assert data(sandbox, "{ me { id } }")["me"]["id"]  # call 199
    assert data(sandbox, PLATFORM)["platform_api"]["daily_analytics"]["by_day"] == [
        {"day": "2026-11-03", "usage": 200}
    ]
    refused = gql(sandbox, "{ me { id } }")
    assert refused.status_code == 429
    assert refused.json() == {
        "errors": [
            {
                "message": "Daily limit exceeded",
                "extensions": {"code": "DAILY_LIMIT_EXCEEDED", "retry_in_seconds": 2 * 3600 + 30 * 60},
            }
        ]
    }
    assert refused.headers["Retry-After"] == str(2 * 3600 + 30 * 60)
    monkeypatch.setattr(emulator(sandbox), "wall_clock", lambda: evening + 2 * 3600 + 30 * 60)
    assert data(sandbox, "{ me { id } }")["me"]["id"]  # a new UTC day, a new count


def test_the_shared_sandbox_enforces_no_cap_it_was_not_given(sandbox: Sandbox) -> None:
    emulator(sandbox).daily.by_day = {datetime.now(UTC).date().isoformat(): 50_000}
    assert data(sandbox, "{ me { id } }")["me"]["id"]
