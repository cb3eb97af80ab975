"""Counts that add up and runs a person can undo, through the CLI against the sandbox.

- The plan's ``N to create, N actions to update (N field changes)`` and the result's ``Applied N field
  changes to N actions, N created`` count the same things.
- One ``sync`` of several boards is one run; ``moteur rollback RUN`` undoes every board of it.
- A board that cannot be written (monday.com's daily call cap, met before its first write) hides none of the
  other boards' results: its error on stderr, theirs on stdout, the run "failed" and still undoable.
- ``runs`` leaves out the runs that changed nothing unless ``--all``; ``runs --json`` is an object.
- Counts agree with their noun (``1 change``), and an absent value reads ``(none)``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

Run = Any  # tests/cli/conftest.py: run(*args) -> Result(code, out, err)
Sandbox = Any  # tests/conftest.py
TODAY = "--today=2026-12-01"
PLAN = re.compile(
    r"Plan: (?P<create>\d+) to create, (?P<actions>\d+) actions? to update "
    r"\((?P<changes>\d+) field changes?\)"
)
APPLIED = re.compile(
    r"Applied (?P<changes>\d+) field changes? to (?P<actions>\d+) actions?(?:, (?P<create>\d+) created)? "
    r"\((?P<failed>\d+) failed\) in \d+ requests? \(\d+ retried\); run (?P<run>\d+)\."
)


@pytest.fixture
def tokens(sandbox: Sandbox, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    return sandbox


def two_boards(sandbox: Sandbox) -> list[str]:
    return [sandbox.boards["trello"][0], sandbox.boards["monday"][0]]


def runs(run: Run, *flags: str) -> dict[str, Any]:
    result = run("runs", "--json", *flags)
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert isinstance(payload, dict)
    return dict(payload)


def test_the_plan_and_the_result_count_the_same_things(tokens: Sandbox, run: Run) -> None:
    result = run("sync", *two_boards(tokens), TODAY)
    assert result.code == 0, result.err
    plan, applied = PLAN.search(result.out), APPLIED.search(result.out)
    assert plan and applied, result.out[-2000:]
    assert int(applied["changes"]) == int(plan["changes"]) > int(plan["actions"]) > 0
    assert applied["actions"] == plan["actions"] and (applied["create"] or "0") == plan["create"]
    assert applied["failed"] == "0"


def test_one_sync_of_two_boards_is_one_run_that_one_rollback_undoes(tokens: Sandbox, run: Run) -> None:
    boards = two_boards(tokens)
    synced = run("sync", *boards, "--json", TODAY)
    assert synced.code == 0, synced.err
    (run_id,) = json.loads(synced.out)["result"]["runs"]
    (listed,) = [r for r in runs(run)["runs"] if r["id"] == run_id]
    assert listed["boards"] == boards and listed["outcome"] == "ok"

    undone = run("rollback", str(run_id))
    assert undone.code == 0, undone.err
    landed = listed["counts"]["applied"]
    assert f"Rollback of run {run_id}: undid {landed} of {landed} changes." in undone.out
    assert "None" not in undone.out and "-> (none)" in undone.out  # the labels had no sprint before
    assert [r["outcome"] for r in runs(run)["runs"] if r["id"] == run_id] == ["rolled_back"]
    # Both boards are back as they were: the same plan as before the sync, on each.
    again = json.loads(run("sync", *boards, "--dry-run", "--json", TODAY).out)
    assert {c["board"] for c in again["changes"] if c["action"] == "update"} == set(boards)


def test_a_board_that_cannot_be_written_hides_no_other_board(tokens: Sandbox, run: Run) -> None:
    trello, monday = two_boards(tokens)
    # monday's account has a few calls left today: enough to read the board, not to write it.
    tokens.app.emulators["monday"].set_plan("free", used_today=196)
    result = run("sync", trello, monday, "--quiet", TODAY)
    assert result.code == 1, result.err
    (line,) = result.out.splitlines()
    assert line.startswith(f"{trello} ") and ", 0 failed, run " in line
    assert re.search(rf"^error: {monday}: .*of today's 200 are left", result.err, re.MULTILINE), result.err
    run_id = int(line.rsplit(" ", 1)[1])
    (listed,) = [r for r in runs(run)["runs"] if r["id"] == run_id]
    assert listed["outcome"] == "failed" and listed["boards"] == [trello, monday]
    assert monday in (listed["message"] or "")
    undone = run("rollback", str(run_id))
    assert undone.code == 0, undone.err
    assert f"undid {listed['counts']['applied']} of" in undone.out


def test_runs_leaves_out_the_runs_that_changed_nothing_unless_all(tokens: Sandbox, run: Run) -> None:
    ref = tokens.boards["trello"][0]
    assert run("runs").out.strip() == "No runs yet."
    assert run("sync", ref, TODAY).code == 0
    for _ in range(2):
        assert run("sync", ref, TODAY).code == 0  # nothing left to change
    shown = runs(run)
    assert len(shown["runs"]) == 1 and shown["hidden"] == 2
    assert shown["runs"][0]["counts"]["applied"] > 0
    every = runs(run, "--all")
    assert len(every["runs"]) == 3 and every["hidden"] == 0
    text = run("runs").out
    assert "2 runs that changed nothing not shown (moteur runs --all lists them)" in text
    assert "None" not in text


def test_counts_agree_with_their_noun(workdir: Path, run: Run) -> None:
    (workdir / "one.csv").write_text("id;titre;impact;effort\na1;Webinar;8;3\n", encoding="utf-8")
    plan = run("sync", "file:one.csv", "--dry-run", TODAY)
    assert plan.code == 0, plan.err
    assert "Plan: 3 to create, 1 action to update (3 field changes), 0 to remove, 0 conflicts." in plan.out
    synced = run("sync", "file:one.csv", TODAY)
    assert "Applied 3 field changes to 1 action, 3 created (0 failed); run 1." in synced.out
    undone = run("rollback", "1")
    assert "undid 3 of 3 changes." in undone.out
    assert '  ~ "Webinar": quadrant -> (none)' in undone.out
