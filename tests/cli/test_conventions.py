"""Conventions people expect, through the real CLI.

``--version``; ``init`` without a terminal says to use ``--non-interactive``; ``init`` lists the boards when
tokens are already set; ``doctor --json`` is an object like every other ``--json``; a missing token exits 3
in every command; ``--detailed-exitcode`` without ``--dry-run`` is refused; ``--plan-out`` confirms the
file; the token pages are the same in the README, the errors, ``doctor`` and ``init``'s ``.env``.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from moteur import __version__

REPO = Path(__file__).resolve().parents[2]
Run = Any  # tests/cli/conftest.py: run(*args) -> Result(code, out, err)
Sandbox = Any  # tests/conftest.py
TODAY = "--today=2026-12-01"
CREDENTIALS = ("MOTEUR_TRELLO_API_KEY", "MOTEUR_TRELLO_TOKEN", "MOTEUR_ASANA_TOKEN", "MOTEUR_MONDAY_TOKEN")


@pytest.fixture
def no_credentials(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No token anywhere; the URLs point at a port nobody listens on, so no request could leave anyway."""
    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    for tool in ("TRELLO", "ASANA", "MONDAY"):
        monkeypatch.setenv(f"MOTEUR_{tool}_URL", f"http://127.0.0.1:9/{tool.lower()}")


@pytest.fixture
def tokens(sandbox: Sandbox, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    return sandbox


def test_version(run: Run) -> None:
    result = run("--version")
    assert (result.code, result.out.strip()) == (0, f"moteur {__version__}")


# -- init -------------------------------------------------------------------------------------------


def test_init_without_a_terminal_says_to_use_non_interactive(workdir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "moteur.cli", "init"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "moteur init --non-interactive" in done.stderr and "no terminal" in done.stderr
    assert "Aborted" not in done.stderr + done.stdout
    assert not (workdir / "moteur.toml").exists() and not (workdir / ".env").exists()


def test_init_lists_the_boards_the_tokens_reach(tokens: Sandbox, workdir: Path, run: Run) -> None:
    result = run("init", "--non-interactive")
    assert result.code == 0, result.err
    refs = [ref for tool in ("trello", "asana", "monday") for ref in tokens.boards[tool]]
    config = (workdir / "moteur.toml").read_text(encoding="utf-8")
    for ref in refs:
        assert re.search(rf"^\s+\d+\. {re.escape(ref)}\s+\S", result.out, re.M), result.out
        assert f'#   "{ref}",  # ' in config  # ready to copy into boards
    assert "Plan marketing (démo)" in result.out
    assert tomllib.loads(config)["boards"] == []  # listed, not chosen: non-interactive picks nothing


def test_init_takes_board_numbers_from_the_list(
    tokens: Sandbox, workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = ["trello, asana", "2", "1", "en", "2", "2026-11-30", "20", "FR", "", ""]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(answers) + "\n"))
    result = run("init")
    assert result.code == 0, result.err
    assert "Your token reaches:" in result.err and "or numbers from the list" in result.err
    listed = re.findall(r"^\s+\d+\. (trello:\w+)", result.err, re.M)
    boards = tomllib.loads((workdir / "moteur.toml").read_text(encoding="utf-8"))["boards"]
    assert boards == [listed[1], tokens.boards["asana"][0]]


# -- --json is an object -----------------------------------------------------------------------------


def test_doctor_json_is_an_object_like_every_other_json(tokens: Sandbox, workdir: Path, run: Run) -> None:
    refs = [ref for tool in ("trello", "asana", "monday") for ref in tokens.boards[tool]]
    (workdir / "moteur.toml").write_text(f"boards = {json.dumps(refs)}\n", encoding="utf-8")
    doctor = json.loads(run("doctor", "--json").out)
    assert isinstance(doctor, dict) and {"ok", "exit_code", "checks", "settings"} <= set(doctor)
    assert all({"check", "ok", "detail", "fix", "warning"} <= set(c) for c in doctor["checks"])
    assert not any(secret in json.dumps(doctor) for secret in (tokens.env[name] for name in CREDENTIALS))
    for args in (
        ["boards", "--json"],
        ["plan", "file:plan.csv", TODAY, "--json"],
        ["sync", "file:plan.csv", "--dry-run", TODAY, "--json"],
    ):
        assert isinstance(json.loads(run(*args).out), dict), args


# -- a missing token: exit 3 everywhere ---------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "trello:AbCdEf12", TODAY],
        ["sync", "asana:1200000000000007", "--dry-run", TODAY],
        ["sync", "monday:9100000137", TODAY],
        ["migrate", "trello:AbCdEf12", "file:copy.csv", "--dry-run"],
        ["boards"],
        ["boards", "trello"],
        ["doctor"],
    ],
)
def test_a_missing_token_exits_3_in_every_command(
    workdir: Path, run: Run, no_credentials: None, args: list[str]
) -> None:
    (workdir / "moteur.toml").write_text('boards = ["trello:AbCdEf12"]\n', encoding="utf-8")
    result = run(*args)
    assert result.code == 3, result.out + result.err
    assert "MOTEUR_" in result.out + result.err and "Traceback" not in result.err


# -- sync's options -----------------------------------------------------------------------------------


def test_detailed_exitcode_without_dry_run_is_refused_before_anything_is_written(
    workdir: Path, run: Run
) -> None:
    before = (workdir / "plan.csv").read_bytes()
    result = run("sync", "file:plan.csv", "--detailed-exitcode", TODAY)
    assert result.code == 2
    assert "--detailed-exitcode needs --dry-run" in result.err
    assert (workdir / "plan.csv").read_bytes() == before
    assert run("sync", "file:plan.csv", "--dry-run", "--detailed-exitcode", TODAY).code == 4


def test_plan_out_confirms_the_file(workdir: Path, run: Run) -> None:
    result = run("sync", "file:plan.csv", "--dry-run", "--plan-out", "saved.json", TODAY)
    assert result.code == 0, result.err
    assert "plan saved to saved.json" in result.err and "moteur apply saved.json" in result.err
    assert json.loads((workdir / "saved.json").read_text(encoding="utf-8"))["kind"] == "moteur-plan"


def test_applying_the_same_plan_twice_says_already_applied(workdir: Path, run: Run) -> None:
    assert run("sync", "file:plan.csv", "--dry-run", "--plan-out", "saved.json", TODAY).code == 0
    assert run("apply", "saved.json").code == 0
    after = (workdir / "plan.csv").read_bytes()
    again = run("apply", "saved.json")
    assert again.code == 0
    assert "already applied" in again.out + again.err and "skipped" not in again.err
    assert (workdir / "plan.csv").read_bytes() == after


# -- one page per token -------------------------------------------------------------------------------


def test_the_token_pages_are_the_same_in_the_readme_the_errors_doctor_and_init(
    workdir: Path, run: Run, no_credentials: None
) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| tool | variables | where to get them |") :].split("\n\n")[0]
    trello = re.search(r"<(https://trello\.com/[^>]+)>", table)
    asana = re.search(r"<(https://app\.asana\.com/[^>]+)>", table)
    assert trello and asana, table
    (workdir / "moteur.toml").write_text('boards = ["trello:AbCdEf12", "asana:12345"]\n', encoding="utf-8")
    assert trello[1] in run("plan", "trello:AbCdEf12", TODAY).err
    assert asana[1] in run("plan", "asana:12345", TODAY).err
    doctor = run("doctor").out
    assert trello[1] in doctor and asana[1] in doctor
    (workdir / "moteur.toml").unlink()
    assert run("init", "--non-interactive").code == 0
    env_file = (workdir / ".env").read_text(encoding="utf-8")
    assert trello[1] in env_file and asana[1] in env_file
    assert "app-key" not in readme + doctor + env_file
