"""What a new user meets: ``moteur init``, ``moteur doctor``, ``moteur boards`` and ``sync --chart``.

Doctor and boards run over real HTTP against the sandbox (``tests/conftest.py``); init runs in a fresh
directory with its answers piped on stdin, as a person would type them.
"""

from __future__ import annotations

import io
import json
import os
import stat
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from moteur.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
SPECS_DIR = Path(os.environ.get("MOTEUR_SPECS_DIR", REPO / "moteur" / "sandbox" / "contracts"))
Run = Callable[..., Any]  # tests/cli/conftest.py: run(*args) -> Result(code, out, err)
Sandbox = Any  # tests/conftest.py: the sandbox fixture's handle

CREDENTIAL_VARS = (
    "MOTEUR_TRELLO_API_KEY",
    "MOTEUR_TRELLO_TOKEN",
    "MOTEUR_ASANA_TOKEN",
    "MOTEUR_MONDAY_TOKEN",
)


@pytest.fixture
def connected(workdir: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The working directory pointed at the sandbox, with every demo board listed in moteur.toml."""
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    refs = [ref for tool in ("trello", "asana", "monday") for ref in sandbox.boards[tool]]
    (workdir / "moteur.toml").write_text(f"boards = {json.dumps(refs)}\n", encoding="utf-8")
    return sandbox


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)


# -- doctor -----------------------------------------------------------------------------------------


def test_doctor_is_green_on_the_sandbox_and_writes_nothing(connected: Sandbox, run: Run) -> None:
    before = len(connected.requests())
    result = run("doctor")
    assert result.code == 0, result.out + result.err
    assert "✗" not in result.out
    for tool in ("trello", "asana", "monday"):
        for ref in connected.boards[tool]:
            assert f"✓ {ref} reachable" in result.out
            assert f"✓ {ref} writable" in result.out
    assert "✓ monday.com: API version — 2026-10 answered" in result.out
    assert "✓ state database" in result.out
    # The demo's "Content calendar" has the Custom Fields Power-Up off: a warning, not a failure.
    assert result.out.count("! ") == 1 and "Power-Up off" in result.out
    sent = connected.requests()[before:]
    assert sent and not any(r["mutating"] for r in sent)
    assert {r["method"] for r in sent if r["tool"] != "monday"} == {"GET"}


def test_doctor_json_is_an_object_with_its_checks(connected: Sandbox, run: Run) -> None:
    result = run("doctor", "--json")
    assert result.code == 0
    payload = json.loads(result.out)
    assert (payload["ok"], payload["exit_code"]) == (True, 0)
    checks = payload["checks"]
    assert all(set(c) >= {"check", "ok", "detail", "fix"} for c in checks)
    assert all(c["ok"] or c["warning"] for c in checks)
    assert any(c["check"] == "Asana: credentials accepted" and c["ok"] for c in checks)


def test_doctor_names_the_rejected_token_variable_and_never_prints_the_token(
    connected: Sandbox, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "wrong-monday-token-0123456789"
    monkeypatch.setenv("MOTEUR_MONDAY_TOKEN", wrong)
    result = run("doctor")
    assert result.code == 3  # a token refused: the exit code of every command
    line = next(x for x in result.out.splitlines() if "monday.com: credentials accepted" in x)
    assert line.startswith("✗") and "MOTEUR_MONDAY_TOKEN" in line
    assert "fix:" in result.out and "1 check failed." in result.out
    assert wrong not in result.out + result.err
    # The other tools are still checked.
    assert "✓ Trello: credentials accepted" in result.out


def test_doctor_missing_credentials_and_unknown_board(
    workdir: Path, sandbox: Sandbox, run: Run, monkeypatch: pytest.MonkeyPatch, no_credentials: None
) -> None:
    monkeypatch.setenv("MOTEUR_ASANA_URL", sandbox.env["MOTEUR_ASANA_URL"])
    monkeypatch.setenv("MOTEUR_ASANA_TOKEN", sandbox.env["MOTEUR_ASANA_TOKEN"])
    (workdir / "moteur.toml").write_text(
        'boards = ["trello:AbCdEf12", "asana:1299999999999999", "file:missing.csv"]\n', encoding="utf-8"
    )
    result = run("doctor")
    assert result.code == 3  # a token missing: the exit code of every command
    assert (
        "✗ Trello: credentials present — MOTEUR_TRELLO_API_KEY and MOTEUR_TRELLO_TOKEN not set" in result.out
    )
    assert "✗ asana:1299999999999999 reachable" in result.out
    assert "✗ file:missing.csv readable" in result.out


def test_doctor_bad_config_exits_2(workdir: Path, run: Run) -> None:
    (workdir / "moteur.toml").write_text("boards = [\n", encoding="utf-8")
    assert run("doctor").code == 2


def test_doctor_flags_a_dotenv_readable_by_others(workdir: Path, run: Run, no_credentials: None) -> None:
    (workdir / "moteur.toml").write_text('boards = ["file:plan.csv"]\n', encoding="utf-8")
    env_file = workdir / ".env"
    env_file.write_text("# nothing yet\n", encoding="utf-8")
    env_file.chmod(0o644)
    result = run("doctor")
    assert result.code == 1
    assert "✗ .env permissions" in result.out and "chmod 600 .env" in result.out
    env_file.chmod(0o600)
    assert run("doctor").code == 0


# -- boards -----------------------------------------------------------------------------------------


def test_boards_lists_every_demo_board_as_a_ref(connected: Sandbox, run: Run) -> None:
    result = run("boards")
    assert result.code == 0, result.err
    for tool in ("trello", "asana", "monday"):
        for ref in connected.boards[tool]:
            assert any(line.strip().startswith(f"{ref}  ") for line in result.out.splitlines())
    assert "Plan marketing (démo)" in result.out
    listed = json.loads(run("boards", "trello", "--json").out)
    assert sorted(b["ref"] for b in listed["boards"]) == sorted(connected.boards["trello"])


def test_boards_reports_a_failing_tool_and_lists_the_others(
    connected: Sandbox, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTEUR_ASANA_TOKEN", "0/wrong-asana-token-000")
    result = run("boards")
    assert result.code == 3
    assert "MOTEUR_ASANA_TOKEN" in result.err and "wrong-asana-token" not in result.out + result.err
    assert connected.boards["monday"][0] in result.out


def test_boards_without_credentials_says_what_to_set(workdir: Path, run: Run, no_credentials: None) -> None:
    result = run("boards")
    assert result.code == 3 and "MOTEUR_ASANA_TOKEN" in result.err
    assert run("boards", "jira").code == 2


# -- init -------------------------------------------------------------------------------------------


def test_init_non_interactive_writes_defaults_and_refuses_to_overwrite(workdir: Path, run: Run) -> None:
    result = run("init", "--non-interactive")
    assert result.code == 0, result.err
    config, env_file = workdir / "moteur.toml", workdir / ".env"
    settings = load_settings(config, env={})
    assert settings.planning.first_sprint is not None and settings.planning.first_sprint.weekday() == 0
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    names = [line.split("=")[0] for line in env_file.read_text().splitlines() if not line.startswith("#")]
    assert names == list(CREDENTIAL_VARS)
    assert all(line.endswith("=") for line in env_file.read_text().splitlines() if not line.startswith("#"))

    config.write_text("# mine\n", encoding="utf-8")
    refused = run("init", "--non-interactive")
    assert refused.code == 2 and "--force" in refused.err
    assert config.read_text() == "# mine\n"

    env_file.write_text("MOTEUR_TRELLO_TOKEN=a-real-secret\n", encoding="utf-8")
    assert run("init", "--non-interactive", "--force").code == 0
    assert config.read_text() != "# mine\n"
    assert env_file.read_text() == "MOTEUR_TRELLO_TOKEN=a-real-secret\n"  # a .env is never overwritten


def test_init_interactive_asks_again_after_a_wrong_answer(
    workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [
        "trello, jira",  # unknown tool: asked again
        "trello, file",
        "AbCdEf12, trello:5f1c0000000000000000abcd",
        "plan.csv",
        "fr",
        "3",
        "2026-12-01",  # a Tuesday: asked again
        "2026-11-30",
        "25",
        "FR",
        "57",
        "2026-12-24..2027-01-01, 2027-08-02..2027-08-20",
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(answers) + "\n"))
    result = run("init")
    assert result.code == 0, result.err
    assert "is a Tuesday" in result.err and "write some of" in result.err
    data = tomllib.loads((workdir / "moteur.toml").read_text(encoding="utf-8"))
    assert data["boards"] == ["trello:AbCdEf12", "trello:5f1c0000000000000000abcd", "file:plan.csv"]
    settings = load_settings(workdir / "moteur.toml", env={})
    policy = settings.planning
    assert (policy.sprint_weeks, policy.first_sprint, policy.capacity_per_sprint) == (
        3,
        date(2026, 11, 30),
        25,
    )
    assert (policy.country, policy.subdivision, settings.language.value) == ("FR", "57", "fr")
    assert len(policy.closures) == 2
    env_names = [x for x in (workdir / ".env").read_text().splitlines() if x and not x.startswith("#")]
    assert env_names == ["MOTEUR_TRELLO_API_KEY=", "MOTEUR_TRELLO_TOKEN="]


def test_init_stops_cleanly_when_stdin_ends(workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("trello\n"))
    result = run("init")
    assert result.code == 2 and "moteur init --non-interactive" in result.err
    assert "Aborted" not in result.err
    assert not (workdir / "moteur.toml").exists()


# -- sync --chart and the documents the account checks send -----------------------------------------


def test_sync_dry_run_chart_draws_the_planned_matrix(workdir: Path, run: Run) -> None:
    pytest.importorskip("matplotlib")
    result = run("sync", "file:plan.csv", "--dry-run", "--chart", "matrix.svg", "--today", "2026-12-01")
    assert result.code == 0, result.err
    assert (workdir / "matrix.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert "quadrant" not in (workdir / "plan.csv").read_text(encoding="utf-8")  # a dry-run wrote nothing


@pytest.mark.parametrize("version", ["2026-07", "2026-10"])
def test_monday_account_documents_validate_against_the_official_sdl(version: str) -> None:
    from graphql import build_schema, parse, validate

    from moteur.connectors.monday import account

    sdl = SPECS_DIR / f"monday_schema_{version}.graphql"
    if not sdl.is_file():
        pytest.skip(f"{sdl} absent (set MOTEUR_SPECS_DIR to the vendors' specs)")
    schema = build_schema(sdl.read_text(encoding="utf-8"))
    for document in (account.WHO_AM_I, account.BOARDS, account.BOARD_ACCESS):
        assert validate(schema, parse(document)) == []
