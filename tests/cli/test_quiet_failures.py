"""``sync --quiet`` when something goes wrong: what cron mails is what a person must know.

- One write the tool refuses: the failure on stderr (``failed: "title": …``), the board's line on stdout
  counting it, exit 1 (README, *Exit codes*). The refusal is the one fault injected with ``responses``; every
  other request goes to the sandbox.
- A value the read cannot use (an impact that is not a score) is still a warning on stderr.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import responses

Run = Any  # tests/cli/conftest.py: run(*args) -> Result(code, out, err)
Sandbox = Any  # tests/conftest.py
TODAY = "--today=2026-12-01"


@pytest.fixture
def tokens(sandbox: Sandbox, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    return sandbox


def test_a_single_refused_write_is_on_stderr_and_exits_1(tokens: Sandbox, run: Run) -> None:
    ref = tokens.boards["trello"][0]
    plan = json.loads(run("sync", ref, "--dry-run", "--json", TODAY).out)
    card = next(c for c in plan["changes"] if c["field"] == "quadrant")
    with responses.RequestsMock(assert_all_requests_are_fired=True) as faults:
        faults.add_passthru(tokens.url)
        # Trello's answer to a card it will not update: 400 with a plain-text reason.
        faults.add(
            responses.PUT,
            re.compile(rf".*/1/cards/{card['item']}(\?.*)?$"),
            body="invalid value for idLabels",
            status=400,
        )
        result = run("sync", ref, "--quiet", TODAY)
    assert result.code == 1, result.err
    (line,) = result.out.splitlines()
    failed = re.fullmatch(rf"{re.escape(ref)} .+: \d+ created, \d+ updated, (\d+) failed, run 1", line)
    assert failed and int(failed[1]) >= 1, line
    assert f'failed: "{card["title"]}": ' in result.err and "invalid value for idLabels" in result.err
    assert "Traceback" not in result.err


def test_read_warnings_are_still_on_stderr_under_quiet(workdir: Path, run: Run) -> None:
    (workdir / "w.csv").write_text("id;titre;impact;effort\na1;Webinar;beaucoup;3\na2;Post;8;2\n", "utf-8")
    result = run("sync", "file:w.csv", "--quiet", TODAY)
    assert result.code == 0, result.err
    assert re.fullmatch(r"file:\S+ w\.csv: 3 created, 2 updated, 0 failed, run 1\n", result.out), result.out
    assert "warning: file:" in result.err and 'impact "beaucoup" is not a score' in result.err
    again = run("sync", "file:w.csv", "--quiet", TODAY)
    assert again.out == "" and 'impact "beaucoup" is not a score' in again.err
