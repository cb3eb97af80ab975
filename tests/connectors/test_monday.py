"""The monday.com connector over the sandbox: the shared contract, request counts against the minimum
(⌈N/500⌉ reads, ⌈items/20⌉ writes), columns created once, a partial failure, budget waits, and the CLI end
to end."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from sandbox_connectors import connector_for

from connectors.contract import ConnectorContract, mutating, plan_for
from moteur.connectors.http import HttpClient
from moteur.connectors.monday import MondayConnector
from moteur.connectors.monday.reader import read_board
from moteur.connectors.monday.transport import ComplexityPacer, MondayTransport, monday_options
from moteur.core.diff import Memory
from moteur.core.errors import NotFound, UsageError
from moteur.core.model import BoardRef, Tool
from moteur.core.sync import remembered
from moteur.runtime import Runtime
from moteur.settings import Settings

Sandbox = Any  # tests/conftest.py


def settings_for(env: dict[str, str]) -> Settings:
    return Settings(monday_token=env["MOTEUR_MONDAY_TOKEN"], monday_url=env["MOTEUR_MONDAY_URL"])


class TestMondayContract(ConnectorContract):
    tool = Tool.MONDAY
    bulk_seed, bulk_size = "bulk:1200", 1200

    def make_connector(self, sandbox: Sandbox, env: dict[str, str]) -> MondayConnector:
        return connector_for(Tool.MONDAY, env)

    def missing_board(self) -> BoardRef:
        return BoardRef(tool=Tool.MONDAY, board="9999999999")


def _ref(sandbox: Sandbox) -> BoardRef:
    return BoardRef(tool=Tool.MONDAY, board=sandbox.boards["monday"][0].split(":", 1)[1])


def _monday_log(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [e for e in sandbox.requests() if e["tool"] == "monday"]


def _sync(connector: MondayConnector, ref: BoardRef) -> tuple[int, dict[str, Memory]]:
    """Read, plan and apply once; the number of items written and the memory a state store would keep."""
    snapshot = connector.read(ref)
    board = plan_for(snapshot, connector).boards[0]
    results = connector.apply(snapshot, board.plan.schema_ops, board.plan.item_ops)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    memory = {s.key: Memory(dict(s.written), s.version, s.content_hash) for s in remembered(board, results)}
    return board.plan.items_changed(), memory


def test_reading_the_demo_board_takes_one_query(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.MONDAY, sandbox.env)
    snapshot = connector.read(_ref(sandbox))
    assert connector.request_count() == 1
    # One query: the board, the complexity budget, and the account's plan and daily calls (``daily``).
    assert [(e["operation"], e["root_fields"]) for e in _monday_log(sandbox)] == [
        ("query", ["complexity", "account", "platform_api", "boards"])
    ]
    daily = connector.transport.daily
    assert daily is not None and (daily.tier, daily.cap, daily.used) == ("pro", 10_000, 1)
    assert {"Statut", "Impact", "Échéance"} <= set(snapshot.fields)
    assert snapshot.buckets and all(a.bucket for a in snapshot.actions)
    scored = [a for a in snapshot.actions if a.impact is not None]
    assert scored and all(a.version for a in snapshot.actions)
    assert any(a.status.value == "done" for a in snapshot.actions)
    dated = [a for a in snapshot.actions if a.due is not None]
    assert dated and all(type(a.due).__name__ == "date" for a in dated)  # a date-only due stays a date


def test_a_1200_item_board_reads_in_three_queries(sandbox: Sandbox) -> None:
    sandbox.reset("bulk:1200")
    connector = connector_for(Tool.MONDAY, sandbox.env)
    snapshot = connector.read(_ref(sandbox))
    assert len(snapshot.actions) == 1200
    assert connector.request_count() == math.ceil(1200 / 500)
    roots = [e["root_fields"][-1] for e in _monday_log(sandbox)]
    assert roots == ["boards", "next_items_page", "next_items_page"]


def test_sync_writes_few_aliased_mutations_and_columns_once(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.MONDAY, sandbox.env)
    ref = _ref(sandbox)
    items, memory = _sync(connector, ref)
    writes = mutating(_monday_log(sandbox), "monday")
    creates = [e for e in writes if e["root_fields"] == ["create_column"]]
    value_writes = [e for e in writes if "change_multiple_column_values" in e["root_fields"]]
    assert len(creates) == 3  # Quadrant, Sprint, ICE
    assert sum(len(e["root_fields"]) for e in value_writes) == items  # one mutation per item
    assert len(value_writes) <= math.ceil(items / 20)
    assert connector.estimate((), ()).startswith("≈ 0 requests")

    after = connector.read(ref)
    assert [f.casefold() for f in after.fields].count("quadrant") == 1
    again = plan_for(after, connector, memory)
    assert again.empty, again.boards[0].plan.item_ops[:3]
    count = len(writes)
    results = connector.apply(after, again.boards[0].plan.schema_ops, again.boards[0].plan.item_ops)
    assert results == [] and len(mutating(_monday_log(sandbox), "monday")) == count


def test_quadrant_column_has_the_quadrant_labels_with_colours(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.MONDAY, sandbox.env)
    _sync(connector, _ref(sandbox))
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()["monday"]
    board = next(b for b in state["boards"] if b["id"] == _ref(sandbox).board)
    quadrant = next(c for c in board["columns"] if c["title"] == "Quadrant")
    labels = quadrant["settings"]["labels"]
    assert quadrant["type"] == "status"
    assert labels["1"] == "Quick win" and labels["2"] == "Time sink" and labels["3"] == "Big project"
    assert quadrant["settings"]["labels_colors"]["1"]["color"] == "#00c875"  # green: the quick wins' colour
    sprint = next(c for c in board["columns"] if c["title"] == "Sprint")
    assert sprint["type"] == "dropdown" and sprint["settings"]["labels"]


def _graphql(sandbox: Sandbox, query: str, variables: dict[str, Any]) -> Any:
    answer = requests.post(
        sandbox.env["MOTEUR_MONDAY_URL"],
        json={"query": query, "variables": variables},
        headers={"Authorization": sandbox.env["MOTEUR_MONDAY_TOKEN"], "API-Version": "2026-10"},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()


def test_an_item_deleted_between_read_and_apply_fails_alone(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.MONDAY, sandbox.env)
    snapshot = connector.read(_ref(sandbox))
    plan = plan_for(snapshot, connector).boards[0].plan
    victim = plan.item_ops[0].item.item
    deleted = _graphql(sandbox, "mutation ($id: ID!) { delete_item(item_id: $id) { id } }", {"id": victim})
    assert deleted["data"]["delete_item"]["id"] == victim
    results = connector.apply(snapshot, plan.schema_ops, plan.item_ops)
    outcomes = list(zip(plan.item_ops, results[len(plan.schema_ops) :], strict=True))
    assert all(r.ok for r in results[: len(plan.schema_ops)])
    failed = [(op, r) for op, r in outcomes if not r.ok]
    assert failed and {op.item.item for op, _ in failed} == {victim}
    assert all("InvalidItemIdException" in (r.error or "") for _, r in failed)
    reread = {a.ref.item: a for a in connector.read(_ref(sandbox)).actions}
    applied = {op.item.item for op, r in outcomes if r.ok}
    assert applied and all(reread[i].annotations.quadrant for i in applied)


@pytest.mark.perf  # a 2,000-item board
def test_two_thousand_items_read_and_sync_near_the_minimum(sandbox: Sandbox) -> None:
    sandbox.reset("bulk:2000")
    connector = connector_for(Tool.MONDAY, sandbox.env)
    ref = _ref(sandbox)
    connector.read(ref)
    assert connector.request_count() == math.ceil(2000 / 500)
    items, _ = _sync(connector, ref)
    log = _monday_log(sandbox)
    writes = [e for e in mutating(log, "monday") if "change_multiple_column_values" in e["root_fields"]]
    assert len(writes) <= math.ceil(items / 20)
    probes = [e for e in log if e["root_fields"] == ["complexity"]]  # the pacer asking the real budget
    assert len(probes) <= 2
    reads = 2 * math.ceil(2000 / 500)  # the read above, and the one inside _sync
    assert connector.request_count() == len(log) == reads + 3 + len(writes) + len(probes)


# -- the complexity budget, with monday's recorded refusal shapes (no sandbox needed) ---------------------

URL = "https://api.monday.test/v2"


def _transport(slept: list[float], clock: list[float]) -> MondayTransport:
    options = monday_options("t0ken", "2026-10", runtime=Runtime(sleep=slept.append, jitter=lambda: 0.0))
    http = HttpClient("https://api.monday.test", _auth(), options)
    return MondayTransport(http, "v2", ComplexityPacer(clock=lambda: clock[0], sleep=slept.append))


def _auth() -> Any:
    from moteur.connectors.http import HeaderAuth

    return HeaderAuth({"Authorization": "t0ken"}, ("t0ken",))


@responses.activate
def test_budget_refusals_wait_what_monday_says_then_resend() -> None:
    exhausted = {
        "errors": [
            {
                "message": "Complexity budget exhausted",
                "extensions": {"code": "COMPLEXITY_BUDGET_EXHAUSTED", "retry_in_seconds": 7},
            }
        ]
    }
    legacy = {
        "error_code": "ComplexityException",
        "status_code": 429,
        "error_message": "Complexity budget exhausted, query cost 30001 budget remaining 2 out of "
        "1000000 reset in 3 seconds",
    }
    ok = {"data": {"complexity": {"before": 10, "after": 9, "query": 1, "reset_in_x_seconds": 40}}}
    responses.post(URL, json=exhausted, status=429, headers={"Retry-After": "7"})
    responses.post(URL, json=legacy)
    responses.post(URL, json=ok)
    slept: list[float] = []
    transport = _transport(slept, [0.0])
    answer = transport.send("query { complexity { after } }", {}, what="x", idempotent=True)
    assert answer.data == ok["data"] and slept == [7.0, 3.0]
    assert responses.calls[0].request.headers["API-Version"] == "2026-10"
    assert responses.calls[0].request.headers["Authorization"] == "t0ken"


@responses.activate
def test_a_write_that_would_not_fit_asks_the_budget_then_waits_the_reset() -> None:
    budget = {"data": {"complexity": {"before": 100, "after": 99, "query": 1, "reset_in_x_seconds": 12}}}
    responses.post(URL, json=budget)
    responses.post(URL, json={"data": {"u0": {"id": "1", "updated_at": "2026-12-01T00:00:00Z"}}})
    slept: list[float] = []
    clock = [100.0]
    transport = _transport(slept, clock)
    transport.pacer.observe({"after": 5, "reset_in_x_seconds": 30})  # as a read left it
    transport.send("mutation { x }", {}, what="w", idempotent=True, cost=10_000)
    assert slept == [12.0] and len(responses.calls) == 2


@responses.activate
def test_a_read_is_paced_on_what_the_same_document_cost_last_time() -> None:
    """A read's cost is unknown before it runs; monday reports it after. The same document sent again with
    less budget left than it cost waits for the reset instead of meeting a budget refusal."""
    read = "query { complexity { before after query reset_in_x_seconds } boards { id } }"
    first = {"data": {"complexity": {"before": 9_000_000, "after": 6_000_000, "query": 3_000_000,
                                     "reset_in_x_seconds": 50}, "boards": []}}  # fmt: skip
    budget = {
        "data": {"complexity": {"before": 1_000_000, "after": 999_999, "query": 1, "reset_in_x_seconds": 20}}
    }
    again = {"data": {"complexity": {"before": 10_000_000, "after": 7_000_000, "query": 3_000_000,
                                     "reset_in_x_seconds": 60}, "boards": []}}  # fmt: skip
    for body in (first, budget, again):
        responses.post(URL, json=body)
    slept: list[float] = []
    transport = _transport(slept, [0.0])
    transport.send(read, {}, what="a read", idempotent=True)
    transport.pacer.spend(5_500_000)  # writes of another connector on the same token, since
    transport.send(read, {}, what="the same read", idempotent=True)
    assert slept == [20.0] and len(responses.calls) == 3  # read, budget probe, the read after the reset


@responses.activate
def test_unknown_board_and_bad_document_are_named() -> None:
    invalid = {
        "message": "The board does not exist",
        "path": ["boards"],
        "extensions": {"code": "InvalidBoardIdException", "error_data": {"board_id": 1}},
    }
    undefined = {"message": "Field 'x' doesn't exist", "extensions": {"code": "undefinedField"}}
    responses.post(URL, json={"data": {"boards": None}, "errors": [invalid]})
    responses.post(URL, json={"errors": [undefined]})
    transport = _transport([], [0.0])
    with pytest.raises(NotFound, match="board 123"):
        read_board(transport, "123")
    with pytest.raises(UsageError, match="undefinedField"):
        transport.send("query { boards { x } }", {}, what="board 123", idempotent=True)


# -- CLI end to end ---------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.chdir(tmp_path)  # no stray .env or moteur.toml
    return f"monday:{_ref(sandbox).board}"


def test_cli_wrong_token_exits_3_naming_the_variable(
    sandbox: Sandbox, cli_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from moteur.cli import main

    wrong = sandbox.env["MOTEUR_MONDAY_TOKEN"][:-4] + "beef"
    monkeypatch.setenv("MOTEUR_MONDAY_TOKEN", wrong)
    assert main(["sync", cli_env, "--dry-run", "--today", "2026-12-01"]) == 3
    err = capsys.readouterr().err
    assert "MOTEUR_MONDAY_TOKEN" in err
    assert wrong not in err


@responses.activate
def test_a_partial_answer_resends_the_retriable_alias_alone_and_reports_the_others() -> None:
    from moteur.connectors.monday.writer import MondayWriter
    from moteur.core.diff import WriteBack
    from moteur.core.model import Snapshot

    def failure(alias: str, code: str) -> dict[str, Any]:
        return {"message": code, "path": [alias], "extensions": {"code": code}}

    ok = {"id": "1", "updated_at": "2026-12-01T00:00:00Z"}
    first = {
        "data": {"u0": ok, "u1": None, "u2": None},
        "errors": [failure("u1", "INTERNAL_SERVER_ERROR"), failure("u2", "InvalidItemIdException")],
    }
    responses.post(URL, json=first)
    responses.post(URL, json={"data": {"u0": ok}})
    ref = BoardRef(tool=Tool.MONDAY, board="42")
    snapshot = Snapshot(board=ref, name="b", native={"board_id": "42", "columns": []})
    writer = MondayWriter(_transport([], [0.0]), snapshot, WriteBack(targets={}), {})
    failed = writer.write([("1", "a", "{}"), ("2", "b", "{}"), ("3", "c", "{}")])
    assert set(failed) == {"3"} and "InvalidItemIdException" in failed["3"]
    resent = responses.calls[1].request.body
    assert resent is not None and b'"i0": "2"' in resent and b"u1" not in resent


# -- statuses as a person names them, a 1–5 score column, the team's own sprint values -----------------------

STATUS_LABELS = {"0": "À faire", "1": "Done 🎉", "2": "En cours…", "3": "✅ Fait", "4": "À revoir ?"}
_COLUMN = (
    "mutation ($b: ID!, $t: String!, $c: ColumnType!, $d: JSON) "
    "{ create_column(board_id: $b, title: $t, column_type: $c, defaults: $d) { id } }"
)
_ITEM = (
    "mutation ($b: ID!, $g: String, $n: String!, $v: JSON) "
    "{ create_item(board_id: $b, group_id: $g, item_name: $n, column_values: $v) { id } }"
)


def _call(sandbox: Sandbox, query: str, **variables: Any) -> dict[str, Any]:
    answer = _graphql(sandbox, query, variables)
    assert not answer.get("errors"), answer
    return answer["data"]  # type: ignore[no-any-return]


def _new_board(sandbox: Sandbox, columns: dict[str, tuple[str, str, Any]]) -> tuple[str, str, dict[str, str]]:
    """An empty board with a "Backlog" group and ``columns`` (role → title, type, defaults)."""
    board = _call(
        sandbox, 'mutation { create_board(board_kind: public, board_name: "Plan", empty: true) { id } }'
    )
    board_id = board["create_board"]["id"]
    ids = {
        role: _call(sandbox, _COLUMN, b=board_id, t=title, c=kind, d=defaults)["create_column"]["id"]
        for role, (title, kind, defaults) in columns.items()
    }
    group = _call(
        sandbox, 'mutation ($b: ID!) { create_group(board_id: $b, group_name: "Backlog") { id } }', b=board_id
    )
    return board_id, group["create_group"]["id"], ids


def test_status_labels_scores_and_team_sprints_as_a_person_reads_them(sandbox: Sandbox) -> None:
    """A board as a team keeps one: status labels with emoji and punctuation, an Impact status column whose
    labels are 1–5, an Effort numbers column, a Sprint dropdown holding the team's own history."""
    board, group, ids = _new_board(
        sandbox,
        {
            "status": ("Statut", "status", {"labels": STATUS_LABELS}),
            "impact": ("Impact", "status", {"labels": {str(n): str(n + 1) for n in range(5)}}),
            "effort": ("Effort", "numbers", None),
            "sprint": ("Sprint", "dropdown", {"labels": ["Sprint 2", "Sprint 3"]}),
        },
    )
    items = [
        ("Webinar SEO", "À faire", "5", 2, "Sprint 2"),
        ("Newsletter", "Done 🎉", "4", 3, "Sprint 3"),
        ("Étude de cas", "✅ Fait", "3", 2, None),
        ("Podcast", "En cours…", "2", 3, "Sprint 2"),
        ("Salon", "À revoir ?", "1", 9, None),
    ]
    for name, status, impact, effort, sprint in items:
        values: dict[str, Any] = {ids["status"]: {"label": status}, ids["impact"]: {"label": impact}}
        values[ids["effort"]] = str(effort)
        if sprint:
            values[ids["sprint"]] = {"labels": [sprint]}
        _call(sandbox, _ITEM, b=board, g=group, n=name, v=json.dumps(values))
    connector = connector_for(Tool.MONDAY, sandbox.env)
    snapshot = connector.read(BoardRef(tool=Tool.MONDAY, board=board))
    actions = {a.title: a for a in snapshot.actions}
    assert {t: a.status.value for t, a in actions.items()} == {
        "Webinar SEO": "todo",
        "Newsletter": "done",
        "Étude de cas": "done",
        "Podcast": "doing",
        "Salon": "todo",  # "À revoir ?" means no status the mapping knows: to do
    }
    # The Impact labels are 1–5: its scale is known (no warning), brought to 1–10.
    assert [actions[t].impact for t in ("Webinar SEO", "Newsletter", "Podcast")] == [10, 8, 4]
    assert actions["Webinar SEO"].scales == {"impact": 5}
    assert not [w for w in snapshot.warnings if "read on" in w]
    # The team's "Sprint 2" in the Sprint column is its history, not a pin; done items are left alone.
    sync = plan_for(snapshot, connector)
    assert sync.boards[0].plan.pinned == ()
    touched = {op.title for op in sync.boards[0].plan.item_ops}
    assert "Newsletter" not in touched and "Étude de cas" not in touched
    sprints = {op.title: op.after for op in sync.boards[0].plan.item_ops if op.field == "sprint"}
    assert sprints["Webinar SEO"] is not None and sprints["Webinar SEO"].startswith("Sprint 1 · ")


def test_a_board_whose_status_labels_mean_nothing_says_so_once(sandbox: Sandbox) -> None:
    labels = {"0": "Idée", "1": "Semaine 1", "2": "Semaine 2"}
    board, group, ids = _new_board(sandbox, {"status": ("État", "status", {"labels": labels})})
    for n, label in enumerate(["Idée", "Semaine 1", "Semaine 2", "Idée"]):
        _call(
            sandbox, _ITEM, b=board, g=group, n=f"Action {n}", v=json.dumps({ids["status"]: {"label": label}})
        )
    snapshot = connector_for(Tool.MONDAY, sandbox.env).read(BoardRef(tool=Tool.MONDAY, board=board))
    said = [w for w in snapshot.warnings if "means a status" in w]
    assert len(said) == 1 and '"Idée", "Semaine 1", "Semaine 2"' in said[0]
    assert {a.status.value for a in snapshot.actions} == {"todo"}
