"""``moteur sync --quiet`` for cron, through the real CLI against the sandbox.

Nothing at all on a run with no change; one summary line per board that had changes
(``trello:… Plan marketing: 12 updated, 0 failed, run 41``); failures and errors still on stderr.
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
LINE = re.compile(
    r"^(?P<ref>\S+) (?P<name>.+): (?:(?P<created>\d+) created, )?(?P<updated>\d+) updated, "
    r"(?P<failed>\d+) failed, run (?P<run>\d+)$"
)


@pytest.fixture
def tokens(sandbox: Sandbox, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    return sandbox


def test_quiet_prints_one_line_per_changed_board_then_nothing(tokens: Sandbox, run: Run) -> None:
    refs = [tokens.boards["trello"][0], tokens.boards["monday"][0]]
    first = run("sync", *refs, "--quiet", TODAY)
    assert (first.code, first.err) == (0, "")
    lines = first.out.splitlines()
    assert len(lines) == len(refs), first.out
    matches = [LINE.match(line) for line in lines]
    assert all(matches), first.out
    assert [m["ref"] for m in matches if m] == refs
    assert all(int(m["updated"]) > 0 and m["failed"] == "0" for m in matches if m)
    assert len({m["run"] for m in matches if m}) == 1  # one sync, one run: `moteur rollback RUN` undoes both
    assert "Plan marketing" in lines[0]

    again = run("sync", *refs, "--quiet", TODAY)
    assert (again.code, again.out, again.err) == (0, "", "")


def test_without_quiet_sync_still_shows_the_plan_and_the_total(tokens: Sandbox, run: Run) -> None:
    result = run("sync", tokens.boards["trello"][0], TODAY)
    assert result.code == 0, result.err
    assert "Applied " in result.out and not LINE.match(result.out.splitlines()[-1])


def test_quiet_leaves_json_alone(tokens: Sandbox, run: Run) -> None:
    result = run("sync", tokens.boards["trello"][0], "--quiet", "--json", TODAY)
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert isinstance(payload, dict) and payload["result"]["runs"] and payload["result"]["applied"] > 0
    again = json.loads(run("sync", tokens.boards["trello"][0], "--quiet", "--json", TODAY).out)
    assert again["result"]["applied"] == 0 and again["changes"] == []


def test_quiet_still_reports_an_error_on_stderr(tokens: Sandbox, run: Run) -> None:
    result = run("sync", "trello:0123456789abcdef01234567", "--quiet", TODAY)
    assert result.code != 0 and result.out == ""
    assert "error:" in result.err and "trello:0123456789abcdef01234567" in result.err
