"""The bad-input catalogue, part three (``test_errors.py`` and ``test_bad_input.py`` hold
the others): file REFs written ``./p.csv``, an unusable state database or directory, malformed tokens,
REFs that are not ids, ``init`` beside a dangling ``.env`` link, ``MOTEUR_BOARDS`` that is half JSON, and
``sandbox serve`` options out of range.

Each case: the documented exit code (README, "Exit codes"), one ``error:`` line and its hint, never
``internal error`` nor a traceback, no secret and no SQL shown; where the input is refused up front, not
one request reaches the sandbox.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

Run = Any
Sandbox = Any  # tests/conftest.py
TODAY = "2026-12-01"
LOG_LINE = re.compile(r"^(DEBUG|INFO|WARNING):")  # --verbose logging, not the command's own lines


def _one_clear_failure(result: Any, code: int, *needles: str, secrets: tuple[str, ...] = ()) -> None:
    """Exit ``code``; stderr is ``error: …`` and at most its hint; every needle said; no secret shown."""
    text = result.out + result.err
    assert result.code == code, text
    assert "Traceback" not in text and "internal error" not in text
    lines = [line for line in result.err.splitlines() if line.strip() and not LOG_LINE.match(line)]
    assert lines and lines[0].startswith("error: "), result.err
    assert len(lines) <= 2, result.err
    flat = " ".join(result.err.split())
    for needle in needles:
        assert needle in flat, result.err
    for secret in secrets:
        assert secret not in text


@pytest.fixture
def sandbox_env(sandbox: Sandbox, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Every tool's sandbox credentials and URL in the environment: any request would be served."""
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    return sandbox


# -- file:./p.csv: the same board as file:p.csv (a KeyError before) -----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "file:./plan.csv"],
        ["sync", "file:./plan.csv", "--dry-run"],
        ["sync", "file:plan.csv", "file:./plan.csv", "--dry-run"],
        ["sync", "file:./plan.csv"],
    ],
    ids=["plan", "dry-run", "both-spellings", "sync"],
)
def test_a_file_ref_written_with_dot_slash_is_the_same_board(
    workdir: Path, run: Run, args: list[str]
) -> None:
    result = run(*args, "--today", TODAY)
    assert result.code == 0, result.err
    assert "Traceback" not in result.out + result.err


def test_a_sync_through_dot_slash_is_remembered_for_the_plain_path(workdir: Path, run: Run) -> None:
    assert run("sync", "file:./plan.csv", "--today", TODAY, "--quiet").code == 0
    again = run("sync", "file:plan.csv", "--today", TODAY, "--dry-run")
    assert again.code == 0, again.err
    assert "No changes." in again.out


# -- the state database and its directory -------------------------------------------------------------------

BOUNDING = "--bounding-set=-dac_override,-dac_read_search,-fowner"


def _bound_by_file_modes(probe: Path) -> list[str]:
    """A command prefix under which file modes apply (root ignores them; without CAP_DAC_OVERRIDE it cannot).

    ``probe`` is a read-only file: the prefix is kept only once a child under it fails to open it for
    writing, so the test proves what it claims or is skipped.
    """
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: file modes do not bind root")
        prefix = [setpriv, BOUNDING]
    write = f"open({str(probe)!r}, 'a')"
    try:
        tried = subprocess.run([*prefix, sys.executable, "-c", write], capture_output=True, timeout=30)
    except OSError:
        pytest.skip("cannot drop CAP_DAC_OVERRIDE here")
    if tried.returncode == 0 or b"PermissionError" not in tried.stderr:
        pytest.skip("file modes do not bind this user here")
    return prefix


def test_a_read_only_state_database_exits_2_without_sql(workdir: Path, run: Run, run_process: Any) -> None:
    assert run("sync", "file:plan.csv", "--today", TODAY, "--quiet").code == 0
    databases = list(workdir.glob("state.db*"))
    for path in databases:
        path.chmod(0o444)
    prefix = _bound_by_file_modes(workdir / "state.db")
    result = run_process("sync", "file:plan.csv", "--today", TODAY, "--verbose", prefix=prefix)
    _one_clear_failure(result, 2, "state database", "readonly")
    for sql in ("SQL", "INSERT", "parameters", "sqlalche.me"):
        assert sql not in result.out + result.err


def test_a_read_only_state_directory_exits_2(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, run_process: Any
) -> None:
    closed = workdir / "closed"
    closed.mkdir()
    (closed / "probe").write_text("", encoding="utf-8")
    (closed / "probe").chmod(0o444)
    closed.chmod(0o555)
    prefix = _bound_by_file_modes(closed / "probe")
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{closed / 'state.db'}")
    result = run_process("sync", "file:plan.csv", "--today", TODAY, prefix=prefix)
    _one_clear_failure(result, 2, "state database", str(closed / "state.db"))


def test_a_state_database_under_a_file_exits_2(
    workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A path no one can create (its "directory" is a file): unwritable, for root too.
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{workdir / 'plan.csv' / 'state.db'}")
    result = run("sync", "file:plan.csv", "--today", TODAY)
    _one_clear_failure(result, 2, "state database", "cannot be opened")


def test_a_state_directory_that_cannot_be_made_exits_2(
    workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOTEUR_STATE_URL")
    monkeypatch.setenv("XDG_STATE_HOME", str(workdir / "plan.csv"))  # $XDG_STATE_HOME/moteur under a file
    result = run("sync", "file:plan.csv", "--today", TODAY)
    _one_clear_failure(result, 2, str(workdir / "plan.csv" / "moteur"), "check that the path exists")


# -- tokens -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "damage", "problem"),
    [
        ("MOTEUR_TRELLO_TOKEN", lambda t: t + "\n", "begins or ends with a space or a line break"),
        ("MOTEUR_TRELLO_API_KEY", lambda t: t[:8] + "\u20ac" + t[8:], "character 9 of"),  # € is not latin-1
        ("MOTEUR_ASANA_TOKEN", lambda t: t[:5] + " " + t[5:], "a space or a control character"),
        ("MOTEUR_MONDAY_TOKEN", lambda t: t + "\r\n", "begins or ends with a space or a line break"),
    ],
    ids=["trailing-newline", "non-latin-1", "inner-space", "crlf"],
)
def test_a_malformed_token_exits_2_naming_it_never_showing_it(
    sandbox_env: Sandbox, run: Run, monkeypatch: pytest.MonkeyPatch, variable: str, damage: Any, problem: str
) -> None:
    token = sandbox_env.env[variable]
    monkeypatch.setenv(variable, damage(token))
    result = run("plan", sandbox_env.boards["trello"][0], "--today", TODAY)
    _one_clear_failure(result, 2, f"{variable} is malformed", problem, secrets=(token, token[:12]))
    assert sandbox_env.requests() == []


# -- REFs that are not ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "noun"),
    [
        ("asana:abc", "an Asana project"),
        ("asana:123/../../users/me", "an Asana project"),
        ("asana:1200000000000007?opt_fields=email", "an Asana project"),
        ("monday:12/../me", "a monday.com board"),
        ("trello:../members/me", "a Trello board"),
    ],
    ids=["asana-letters", "asana-path", "asana-query", "monday-path", "trello-path"],
)
@pytest.mark.parametrize("command", ["plan", "sync"])
def test_a_ref_that_is_not_an_id_exits_2_before_any_request(
    sandbox_env: Sandbox, run: Run, ref: str, noun: str, command: str
) -> None:
    result = run(command, ref, "--today", TODAY)
    _one_clear_failure(result, 2, f"does not name {noun}")
    assert sandbox_env.requests() == []


def test_a_bad_ref_in_the_config_boards_exits_2(sandbox_env: Sandbox, workdir: Path, run: Run) -> None:
    (workdir / "moteur.toml").write_text('boards = ["asana:123/../../users/me"]\n', encoding="utf-8")
    result = run("sync", "--dry-run", "--today", TODAY)
    _one_clear_failure(result, 2, "does not name an Asana project")
    assert sandbox_env.requests() == []


# -- init, MOTEUR_BOARDS ------------------------------------------------------------------------------------


def test_init_beside_a_dangling_env_link_exits_2_and_writes_nothing(workdir: Path, run: Run) -> None:
    (workdir / ".env").symlink_to(workdir / "gone" / "tokens.env")
    result = run("init", "--non-interactive")
    _one_clear_failure(result, 2, ".env is a symbolic link to", "which does not exist")
    assert not (workdir / "moteur.toml").exists()
    assert (workdir / ".env").is_symlink() and not (workdir / "gone").exists()


@pytest.mark.parametrize("where", ["environment", ".env"])
def test_moteur_boards_half_json_exits_2_naming_the_variable_its_place_and_both_forms(
    workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    value = "[file:plan.csv"
    if where == "environment":
        monkeypatch.setenv("MOTEUR_BOARDS", value)
    else:
        (workdir / ".env").write_text(f"MOTEUR_BOARDS={value}\n", encoding="utf-8")
        (workdir / ".env").chmod(0o600)
    result = run("sync", "--dry-run", "--today", TODAY)
    place = "in the environment" if where == "environment" else "in .env"
    _one_clear_failure(result, 2, f"MOTEUR_BOARDS {place}", "trello:5f1c…,file:plan.csv", '["trello:5f1c…"')


@pytest.mark.parametrize("value", ["file:plan.csv", " file:plan.csv , file:plan.csv ", '["file:plan.csv"]'])
def test_moteur_boards_takes_a_comma_list_or_json(
    workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("MOTEUR_BOARDS", value)
    result = run("sync", "--dry-run", "--today", TODAY)
    assert result.code == 0, result.err
    assert result.out.count('# file plan.csv row "Webinar SEO"') == 1


# -- sandbox serve ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        (["--fault-rate", "2"], "--fault-rate 2 is not a share of requests"),
        (["--fault-rate", "nan"], "--fault-rate nan is not a share of requests"),
        (["--port", "-1"], "--port -1 is not a port"),
        (["--port", "99999"], "--port 99999 is not a port"),  # would wrap silently to 34463
        (["--latency-ms", "-5"], "--latency-ms -5 is negative"),
        (["--seed", "bulk:abc"], "bulk seed needs a count"),
        (["--seed", "bulk:99999999999"], "is too large: at most bulk:100000"),
        (["--seed", "bulk:" + "9" * 5000], "is too large: at most bulk:100000"),
        (["--host", "0.0.0.0"], "--host 0.0.0.0 is not a loopback address"),
        (["--host", "::"], "--host :: is not a loopback address"),
    ],
    ids=[
        "fault-rate-2",
        "fault-rate-nan",
        "port-negative",
        "port-too-big",
        "latency-negative",
        "bulk-not-a-number",
        "bulk-huge",
        "bulk-5000-digits",
        "host-any-ipv4",
        "host-any-ipv6",
    ],
)
def test_sandbox_serve_refuses_an_option_out_of_range(
    workdir: Path, run_process: Any, options: list[str], needle: str
) -> None:
    # A child process with a memory cap and a timeout: a regression serves forever or seeds until the
    # memory is gone (bulk:99999999999 took 11 GB in seconds); here it fails instead.
    result = run_process("sandbox", "serve", *options, timeout=60, memory_mb=1024)
    _one_clear_failure(result, 2, needle)
    assert result.out == ""  # no announcement: nothing was served
