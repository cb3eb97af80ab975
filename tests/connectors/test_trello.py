"""The Trello connector over the sandbox: the shared contract, request counts, label ownership, the power-up,
real exports, commit-then-drop, and the CLI end to end."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
from sandbox_connectors import connector_for

from connectors.contract import ConnectorContract, mutating, plan_for
from moteur.connectors.files.trello_export import read_trello_export
from moteur.connectors.trello import TrelloConnector
from moteur.connectors.trello.mapping import is_managed
from moteur.core.model import BoardRef, Tool
from moteur.core.ops import EnsureTag
from moteur.mappings.loader import load_mapping

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO / "tests" / "contract" / "fixtures")) / "trello"
EXPORTS = sorted(FIXTURES.glob("*.json")) if FIXTURES.is_dir() else []
MAPPING = load_mapping("trello")
Sandbox = Any  # tests/conftest.py


class TestTrelloContract(ConnectorContract):
    tool = Tool.TRELLO
    bulk_seed, bulk_size = "bulk:1200", 1200

    def make_connector(self, sandbox: Sandbox, env: dict[str, str]) -> TrelloConnector:
        return connector_for(Tool.TRELLO, env)

    def missing_board(self) -> BoardRef:
        return BoardRef(tool=Tool.TRELLO, board="5f" + "0" * 21 + "9")


def _ref(sandbox: Sandbox, index: int = 0) -> BoardRef:
    return BoardRef(tool=Tool.TRELLO, board=sandbox.boards["trello"][index].split(":", 1)[1])


def _trello_log(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [e for e in sandbox.requests() if e["tool"] == "trello"]


def _user_labels(sandbox: Sandbox) -> dict[str, set[str]]:
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()["trello"]
    names = {i: lb["name"] for i, lb in state["labels"].items()}
    return {
        cid: {names[i] for i in card["idLabels"] if not is_managed(names.get(i, ""))}
        for cid, card in state["cards"].items()
    }


def test_reading_the_demo_board_takes_one_request(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.TRELLO, sandbox.env)
    snapshot = connector.read(_ref(sandbox))
    assert connector.request_count() == 1
    assert [e["path"] for e in _trello_log(sandbox)] == ["/batch"]
    assert snapshot.native["custom_fields_on"] and "Impact" in snapshot.fields
    first = next(a for a in snapshot.actions if a.title == "Refonte des CTA du blog")
    assert (first.impact, first.effort, first.objective, first.bucket) == (7, 2, "leads", "Fait")


def test_sync_writes_one_put_per_changed_card_and_keeps_user_labels(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.TRELLO, sandbox.env)
    ref = _ref(sandbox)
    before = _user_labels(sandbox)
    snapshot = connector.read(ref)
    plan = plan_for(snapshot, connector).boards[0].plan
    results = connector.apply(snapshot, plan.schema_ops, plan.item_ops)
    assert all(r.ok for r in results)
    writes = Counter(
        (
            e["method"],
            "fields"
            if e["path"].startswith("/cards/") and e["path"].endswith("/customFields")
            else e["path"].split("/")[1],
        )
        for e in mutating(_trello_log(sandbox), "trello")
    )
    tag_cards = {op.item.item for op in plan.item_ops if op.kind == "set_tags"}
    field_cards = {op.item.item for op in plan.item_ops if op.kind == "update_fields"}
    assert writes[("PUT", "cards")] == len(tag_cards)
    assert writes[("PUT", "fields")] == len(field_cards)
    assert writes[("POST", "labels")] + writes[("POST", "customFields")] == len(plan.schema_ops)
    assert connector.estimate(plan.schema_ops, plan.item_ops).startswith(f"≈ {sum(writes.values())} requests")
    after = _user_labels(sandbox)
    assert all(before[c] <= after[c] for c in before)


def test_power_up_off_writes_labels_and_skips_ice_with_one_warning(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.TRELLO, sandbox.env)
    ref = _ref(sandbox, 1)  # "Content calendar": scores in labels, Custom Fields power-up off
    snapshot = connector.read(ref)
    assert sum("power-up" in w for w in snapshot.warnings) == 1
    wb = connector.writeback(snapshot)
    assert wb.skip == frozenset({"ice"})
    plan = plan_for(snapshot, connector).boards[0].plan
    assert plan.item_ops and all(op.field != "ice" for op in plan.item_ops)
    assert all(r.ok for r in connector.apply(snapshot, plan.schema_ops, plan.item_ops))
    reread = connector.read(ref)
    assert all(a.annotations.quadrant for a in reread.actions if not a.status.is_closed)


@pytest.mark.perf  # a 2,000-card board
def test_two_thousand_cards_read_in_three_requests(sandbox: Sandbox) -> None:
    sandbox.reset("bulk:2000")
    connector = connector_for(Tool.TRELLO, sandbox.env)
    ref = _ref(sandbox)
    snapshot = connector.read(ref)
    assert len(snapshot.actions) == 2000
    # ⌈2000 / 1000⌉ card pages (the first inside the batch), plus one empty page: a full page cannot tell
    # whether more cards follow.
    assert connector.request_count() == 3


def test_commit_then_drop_on_a_label_create_makes_no_duplicate(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.TRELLO, sandbox.env)
    snapshot = connector.read(_ref(sandbox))
    sandbox.set_faults(rate=1.0, seed=3, kinds=["commit_then_drop"])
    results = connector.apply(snapshot, [EnsureTag("Quick win", "green")], [])
    sandbox.set_faults(0.0)
    assert results[0].ok, results[0].error
    assert any(e["fault"] == "commit_then_drop" for e in sandbox.requests())
    reread = connector.read(_ref(sandbox))
    assert [t.casefold() for t in reread.tags].count("quick win") == 1


@pytest.mark.skipif(not EXPORTS, reason=f"Trello fixtures not found in {FIXTURES} (set MOTEUR_FIXTURES_DIR)")
@pytest.mark.parametrize("export_path", EXPORTS[:3], ids=lambda p: p.stem)
def test_a_real_export_plans_and_syncs_keeping_user_labels(sandbox: Sandbox, export_path: Path) -> None:
    export = json.loads(export_path.read_text(encoding="utf-8"))
    answer = requests.post(f"{sandbox.url}/_sandbox/import/trello", json=export, timeout=30)
    assert answer.status_code == 200, answer.text
    ref = BoardRef(tool=Tool.TRELLO, board=answer.json()["id"])
    connector = connector_for(Tool.TRELLO, sandbox.env)
    before = _user_labels(sandbox)
    snapshot = connector.read(ref)
    plan = plan_for(snapshot, connector).boards[0].plan
    results = connector.apply(snapshot, plan.schema_ops, plan.item_ops)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    after = _user_labels(sandbox)
    assert all(before[c] <= after[c] for c in before)


@pytest.mark.skipif(not EXPORTS, reason=f"Trello fixtures not found in {FIXTURES} (set MOTEUR_FIXTURES_DIR)")
def test_a_card_in_an_archived_list_is_archived_over_the_api_and_from_the_export(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The Europe-trip export has 8 archived lists still holding open cards: archived for every reader."""
    path = next(p for p in EXPORTS if p.stem.startswith("zh_"))
    export = json.loads(path.read_text(encoding="utf-8"))
    answer = requests.post(f"{sandbox.url}/_sandbox/import/trello", json=export, timeout=30)
    ref = BoardRef(tool=Tool.TRELLO, board=answer.json()["id"])
    closed = {x["id"] for x in export["lists"] if x.get("closed")}
    in_closed = {c["id"] for c in export["cards"] if c["idList"] in closed and not c.get("closed")}
    assert len(closed) == 8 and in_closed
    connector = connector_for(Tool.TRELLO, sandbox.env)
    read = {a.ref.item: a.status.value for a in connector.read(ref).actions}
    full = {a.ref.item: a.status.value for a in connector.read_full(ref).actions}
    exported = {
        a.ref.item: a.status.value for a in read_trello_export(tmp_path / "x.json", export, MAPPING).actions
    }
    assert (
        {read[c] for c in in_closed}
        == {full[c] for c in in_closed}
        == {exported[c] for c in in_closed}
        == {"archived"}
    )
    assert read == {card: full[card] for card in read} == {card: exported[card] for card in read}
    assert full == exported  # archived cards too: the full read holds what the export holds


# -- CLI end to end ---------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.chdir(tmp_path)  # no stray .env or moteur.toml
    return f"trello:{_ref(sandbox).board}"


def test_cli_wrong_token_exits_3_naming_the_variables(
    sandbox: Sandbox, cli_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from moteur.cli import main

    wrong = sandbox.env["MOTEUR_TRELLO_TOKEN"][:-4] + "beef"
    monkeypatch.setenv("MOTEUR_TRELLO_TOKEN", wrong)
    assert main(["sync", cli_env, "--dry-run"]) == 3
    err = capsys.readouterr().err
    assert "MOTEUR_TRELLO_API_KEY / MOTEUR_TRELLO_TOKEN" in " ".join(err.split())
    assert wrong not in err
