"""The Asana connector over the sandbox: the shared contract, request counts, batching, sections in quadrant
order, the free tier's tag fallback, a task deleted between read and apply, a real recorded task, and the
CLI end to end."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sandbox_connectors import connector_for

from connectors.contract import ConnectorContract, mutating, plan_for
from moteur.connectors.asana import AsanaConnector
from moteur.connectors.asana.mapping import to_snapshot
from moteur.connectors.asana.reader import RawProject, read_requests
from moteur.connectors.asana.write_pacing import BATCH_SIZE
from moteur.core.labels import quadrant_from_name
from moteur.core.model import BoardRef, Tool
from moteur.core.ops import Placement
from moteur.core.sync import memory_of, remembered
from moteur.mappings.loader import load_mapping
from moteur.sandbox.serve import start_sandbox

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO / "tests" / "contract" / "fixtures")) / "asana"
REAL_TASK = FIXTURES / "asana2scoro_task_raw_get_response.json"
Sandbox = Any  # tests/conftest.py


class TestAsanaContract(ConnectorContract):
    tool = Tool.ASANA
    bulk_seed, bulk_size = "bulk:250", 250

    def make_connector(self, sandbox: Sandbox, env: dict[str, str]) -> AsanaConnector:
        return connector_for(Tool.ASANA, env)

    def missing_board(self) -> BoardRef:
        return BoardRef(tool=Tool.ASANA, board="1209999999999999")


def _ref(sandbox: Sandbox) -> BoardRef:
    return BoardRef(tool=Tool.ASANA, board=sandbox.boards["asana"][0].split(":", 1)[1])


def _log(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [e for e in sandbox.requests() if e["tool"] == "asana"]


def _sync(connector: AsanaConnector, ref: BoardRef) -> tuple[Any, list[Any]]:
    snapshot = connector.read(ref)
    board = plan_for(snapshot, connector).boards[0]
    results = connector.apply(snapshot, board.plan.schema_ops, board.plan.item_ops)
    return board, results


# -- reading ----------------------------------------------------------------------------------------------


def test_reading_the_demo_project_takes_two_plus_one_request_per_100_tasks(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.ASANA, sandbox.env)
    snapshot = connector.read(_ref(sandbox))
    n = len(snapshot.actions)
    assert connector.request_count() == read_requests(n) == 2 + math.ceil(n / 100)
    assert [e["method"] for e in _log(sandbox)] == ["GET"] * connector.request_count()
    assert snapshot.name == "Plan marketing (démo)"
    assert {"Impact", "Effort", "Confidence", "Objective", "Channel"} <= set(snapshot.fields)
    scored = [a for a in snapshot.actions if a.impact is not None]
    assert scored and any(a.objective for a in scored) and any(a.channel for a in scored)
    assert any(a.assignees and "@" in a.assignees[0] for a in snapshot.actions)
    assert any(a.status.is_closed for a in snapshot.actions)


@pytest.mark.perf  # a 2,000-task project
def test_two_thousand_tasks_read_in_twenty_two_requests(sandbox: Sandbox) -> None:
    sandbox.reset("bulk:2000")
    connector = connector_for(Tool.ASANA, sandbox.env)
    snapshot = connector.read(_ref(sandbox))
    assert len(snapshot.actions) == 2000
    assert connector.request_count() == 2 + 2000 // 100


def test_a_real_recorded_task_parses_into_an_action() -> None:
    if not REAL_TASK.exists():
        pytest.skip(f"Asana fixture not found at {REAL_TASK} (set MOTEUR_FIXTURES_DIR)")
    task = json.loads(REAL_TASK.read_text(encoding="utf-8"))["data"]
    project = task["memberships"][0]["project"]["gid"]
    raw = RawProject({"gid": project, "name": "Clients", "workspace": task["workspace"]}, [], [task])
    ref = BoardRef(tool=Tool.ASANA, board=project)
    snapshot = to_snapshot(raw, ref, load_mapping(Tool.ASANA))
    assert not snapshot.warnings
    (action,) = snapshot.actions
    assert action.ref.item == task["gid"] and action.title == task["name"]
    assert action.status.is_closed and action.bucket == "Google Ads"
    assert str(action.due) == "2025-08-06" and action.due_day is not None
    assert action.version == task["modified_at"] and action.ref.url == task["permalink_url"]
    assert action.extra["field:Category"] == "Google Ads" and action.extra["field:Estimated time"] == 90
    assert action.assignees == ("Elizabeth Wasserman",)  # no email in this answer: the name stands in


# -- writing ----------------------------------------------------------------------------------------------


def test_sync_puts_every_field_of_a_task_in_one_put_and_packs_ten_writes_per_batch(sandbox: Sandbox) -> None:
    """The default on a paid workspace: the quadrant in the custom field "Quadrant", in the same PUT as Sprint
    and ICE; no section is created or used (the in-place layout: test_asana_sections.py)."""
    connector = connector_for(Tool.ASANA, sandbox.env)
    ref = _ref(sandbox)
    board, results = _sync(connector, ref)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    wb = board.writeback
    assert wb.targets == {"quadrant": Placement.FIELD, "sprint": Placement.FIELD, "ice": Placement.FIELD}
    log = mutating(_log(sandbox), "asana")
    batches = [e for e in log if e["path"] == "/batch"]
    inner = [a for e in batches for a in e["root_fields"]]
    assert all(len(e["root_fields"]) <= BATCH_SIZE for e in batches)
    assert len(batches) == math.ceil(len(inner) / BATCH_SIZE)
    # One PUT per task carries its Quadrant, Sprint and ICE values; nothing else is written to a task.
    puts = [a for a in inner if a.startswith("PUT ")]
    assert len(puts) == len(set(puts)) == len({op.item.item for op in board.plan.item_ops}) == len(inner)
    assert not [e for e in log if "/sections" in e["path"]]

    after = connector.read(ref)
    assert all(a.bucket == b.bucket for a, b in zip(after.actions, board.snapshot.actions, strict=True))
    quadrants = {a.annotations.quadrant for a in after.actions if a.annotations.quadrant}
    assert len(quadrants) >= 3 and all(quadrant_from_name(q) is not None for q in quadrants)
    assert any(a.annotations.sprint for a in after.actions)
    assert any(a.annotations.ice for a in after.actions)

    second = plan_for(after, connector, memory_of_results(board, results))
    assert second.empty
    before = len(mutating(_log(sandbox), "asana"))
    again = connector.apply(after, (), ())
    assert again == [] and len(mutating(_log(sandbox), "asana")) == before


def memory_of_results(board: Any, results: list[Any]) -> dict[str, Any]:
    return memory_of({s.key: s for s in remembered(board, results)})


def test_a_task_deleted_between_read_and_apply_fails_alone(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.ASANA, sandbox.env)
    snapshot = connector.read(_ref(sandbox))
    plan = plan_for(snapshot, connector).boards[0].plan
    victim = plan.item_ops[0].item.item
    answer = requests.delete(
        f"{sandbox.env['MOTEUR_ASANA_URL']}/tasks/{victim}",
        headers={"Authorization": f"Bearer {sandbox.env['MOTEUR_ASANA_TOKEN']}"},
        timeout=10,
    )
    assert answer.status_code == 200
    results = connector.apply(snapshot, plan.schema_ops, plan.item_ops)
    failed = [r for r in results if not r.ok]
    assert failed and all(r.op.item.item == victim for r in failed)
    assert all("deleted" in (r.error or "") for r in failed)
    assert sum(r.ok for r in results) == len(results) - len(failed)


def test_a_commit_then_drop_on_a_section_create_makes_no_duplicate(sandbox: Sandbox) -> None:
    from moteur.core.ops import EnsureBucket

    connector = connector_for(Tool.ASANA, sandbox.env)
    snapshot = connector.read(_ref(sandbox))
    sandbox.set_faults(rate=1.0, seed=3, kinds=["commit_then_drop"])
    results = connector.apply(snapshot, [EnsureBucket("Quick win", 0)], [])
    sandbox.set_faults(0.0)
    assert results[0].ok, results[0].error
    assert any(e["fault"] == "commit_then_drop" for e in sandbox.requests())
    names = [b.name for b in connector.read(_ref(sandbox)).buckets]
    assert names.count("Quick win") == 1 and names[0] == "Quick win"


def test_estimate_counts_the_batches(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.ASANA, sandbox.env)
    snapshot = connector.read(_ref(sandbox))
    plan = plan_for(snapshot, connector).boards[0].plan
    text = connector.estimate(plan.schema_ops, plan.item_ops)
    before = connector.request_count()
    connector.apply(snapshot, plan.schema_ops, plan.item_ops)
    assert text.startswith(f"≈ {connector.request_count() - before} requests")


# -- the free tier ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def free_sandbox() -> Iterator[Any]:
    with start_sandbox(seed="demo", rate_limits=False, asana_tier="free") as handle:
        yield handle


def test_free_tier_writes_sprint_tags_skips_ice_with_one_warning(free_sandbox: Any) -> None:
    free_sandbox.app.reset("demo")
    connector = connector_for(Tool.ASANA, free_sandbox.env, tier="free")
    ref = BoardRef(tool=Tool.ASANA, board=free_sandbox.boards["asana"][0].split(":", 1)[1])
    snapshot = connector.read(ref)
    assert sum("free tier" in w for w in snapshot.warnings) == 1
    board, results = _sync(connector, ref)
    assert board.writeback.targets["sprint"] is Placement.TAG and board.writeback.skip == frozenset({"ice"})
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    log = free_sandbox.app.requests_log()
    assert not any(e["status"] == 402 for e in log)
    after = connector.read(ref)
    assert any(t.startswith("Sprint ") for t in after.tags)
    assert any(a.annotations.sprint for a in after.actions)
    assert plan_for(after, connector, memory_of_results(board, results)).empty


def test_a_402_met_while_writing_falls_back_to_tags_and_is_remembered(free_sandbox: Any) -> None:
    free_sandbox.app.reset("demo")
    connector = connector_for(Tool.ASANA, free_sandbox.env, tier="paid")  # the settings do not know the tier
    ref = BoardRef(tool=Tool.ASANA, board=free_sandbox.boards["asana"][0].split(":", 1)[1])
    _, results = _sync(connector, ref)
    failed = [r for r in results if not r.ok]
    assert failed and all("premium" in (r.error or "") for r in failed)
    names = {getattr(r.op, "field", getattr(r.op, "name", None)) for r in failed}
    assert names <= {"ice", "Sprint", "ICE", "Quadrant"}
    assert any(r.ok and getattr(r.op, "field", "") == "sprint" for r in results)
    # The quadrant falls back to the companion project, as the sprint falls back to tags.
    assert all(r.ok for r in results if getattr(r.op, "field", "") == "quadrant")
    assert sum(1 for e in free_sandbox.app.requests_log() if e["status"] == 402) <= 2
    snapshot = connector.read(ref)
    assert sum("free tier" in w for w in snapshot.warnings) == 1
    assert connector.writeback(snapshot).targets["sprint"] is Placement.TAG


# -- the CLI ----------------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.chdir(tmp_path)  # no stray .env or moteur.toml
    return f"asana:{_ref(sandbox).board}"


def test_cli_wrong_token_exits_3_naming_the_variable(
    sandbox: Sandbox, cli_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from moteur.cli import main

    wrong = sandbox.env["MOTEUR_ASANA_TOKEN"][:-4] + "beef"
    monkeypatch.setenv("MOTEUR_ASANA_TOKEN", wrong)
    assert main(["sync", cli_env, "--dry-run", "--today", "2026-12-01"]) == 3
    captured = capsys.readouterr()
    assert "MOTEUR_ASANA_TOKEN" in captured.err
    assert wrong not in captured.err + captured.out


def test_progress_counts_every_item_op_once(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.ASANA, sandbox.env)
    snapshot = connector.read(_ref(sandbox))
    plan = plan_for(snapshot, connector).boards[0].plan
    reported: list[int] = []
    connector.apply(snapshot, plan.schema_ops, plan.item_ops, reported.append)
    # A count per call, or the ops that landed (the journal's progress): each item op once either way.
    counts = [len(r) if isinstance(r, list) else r for r in reported]
    assert sum(counts) == len(plan.item_ops) and len(reported) > 1


def test_paging_stops_when_an_offset_comes_back() -> None:
    """Regression guard: an API handing back the same offset would otherwise page forever."""
    from moteur.connectors.asana.reader import next_offset
    from moteur.connectors.paging import Pages
    from moteur.core.errors import RemoteError

    pages = Pages("Asana", "tasks of project 1", token_name="offset")
    pages.advance(next_offset({"next_page": {"offset": "abc"}}))
    assert pages.token == "abc" and not pages.done
    with pytest.raises(RemoteError, match="same offset came back twice"):
        pages.advance(next_offset({"next_page": {"offset": "abc"}}))
    pages.advance(next_offset({"next_page": None}))
    assert pages.done


# -- moteur doctor: the tier and its budget -----------------------------------------------------------------


def _checks(out: str) -> list[dict[str, Any]]:
    """The checks of ``doctor --json``: the list itself, or the ``checks`` of the object it prints now."""
    payload = json.loads(out)
    return payload["checks"] if isinstance(payload, dict) else payload  # type: ignore[no-any-return]


def _doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    from moteur.cli import main

    code = main(["doctor", *args])
    return code, capsys.readouterr().out


def test_doctor_says_the_paid_budget_applies(
    sandbox: Sandbox, cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("moteur.toml").write_text(f'boards = ["{cli_env}"]\n', encoding="utf-8")
    code, out = _doctor(capsys)
    assert code == 0, out
    assert "✓ Asana: rate limit — paid workspace (custom fields available): 1,500 a minute" in out
    code, out = _doctor(capsys, "--json")
    (rate,) = [c for c in _checks(out) if c["check"] == "Asana: rate limit"]
    assert rate["ok"] and "1,500 a minute" in rate["detail"] and rate["fix"] == ""


def test_doctor_on_a_free_workspace_says_150_and_how_to_start_there(
    free_sandbox: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    free_sandbox.app.reset("demo")
    for name, value in free_sandbox.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.chdir(tmp_path)
    board = free_sandbox.boards["asana"][0]
    Path("moteur.toml").write_text(f'boards = ["{board}"]\n', encoding="utf-8")
    _, out = _doctor(capsys, "--json")
    (rate,) = [c for c in _checks(out) if c["check"] == "Asana: rate limit"]
    assert (
        rate["warning"] and not rate["ok"] and "150 a minute" in rate["detail"] and '"Démo"' in rate["detail"]
    )
    assert 'asana_tier = "free"' in rate["fix"]
    Path("moteur.toml").write_text(f'boards = ["{board}"]\nasana_tier = "free"\n', encoding="utf-8")
    code, out = _doctor(capsys)
    assert code == 0, out
    assert '✓ Asana: rate limit — free workspace "Démo" (custom fields answer 402): 150 a minute' in out
    assert not [e for e in free_sandbox.app.requests_log() if e["mutating"]]
