"""No secret leaks: every command, at ``--verbose``, with recognisable tokens (the sandbox's own, and wrong
ones for the 401 path), and none of them appears in stdout, stderr, any log record (DEBUG included, urllib3's
too) or the bytes of the state database. Also: a group/world-readable ``.env`` gets a warning."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from moteur.cli import main

Sandbox = Any  # tests/conftest.py
TOKEN_VARS = ("MOTEUR_TRELLO_API_KEY", "MOTEUR_TRELLO_TOKEN", "MOTEUR_ASANA_TOKEN", "MOTEUR_MONDAY_TOKEN")
WRONG = {
    "MOTEUR_TRELLO_TOKEN": "ATTAwrongtrello" + "7e57" * 12,
    "MOTEUR_ASANA_TOKEN": "2/1200000000000002/9999:wrongasana" + "d00d" * 6,
    "MOTEUR_MONDAY_TOKEN": "eyJhbGciOiJIUzI1NiJ9.wrongmonday" + "f00d" * 6,
}
TODAY = "2026-12-01"


class Transcript:
    """Everything a run showed or logged, to search for secrets afterwards."""

    def __init__(self, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
        self.capsys, self.caplog = capsys, caplog
        self.text: list[str] = []
        self.codes: list[tuple[tuple[str, ...], int]] = []

    def run(self, *args: str) -> int:
        code = main(list(args))
        captured = self.capsys.readouterr()
        self.text += [captured.out, captured.err]
        self.codes.append((args, code))
        return code

    def leaks(self, secrets: list[str]) -> list[str]:
        logged = [r.getMessage() for r in self.caplog.records]
        logged += [str(r.args) for r in self.caplog.records if r.args]
        logged += [r.exc_text or "" for r in self.caplog.records]
        haystack = "\n".join(self.text + logged)
        return [s for s in secrets if s in haystack]


@pytest.fixture
def transcript(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> Transcript:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.DEBUG)
    return Transcript(capsys, caplog)


def _secrets(sandbox: Sandbox) -> list[str]:
    return [sandbox.env[name] for name in TOKEN_VARS if name in sandbox.env] + list(WRONG.values())


def _boards(sandbox: Sandbox) -> list[str]:
    return [
        refs[0] for tool, refs in sandbox.boards.items() if refs and tool in ("trello", "asana", "monday")
    ]


def test_every_command_at_verbose_shows_and_stores_no_token(
    sandbox: Sandbox, transcript: Transcript, tmp_path: Path
) -> None:
    boards = _boards(sandbox)
    assert boards, "the sandbox seeded no board"
    for ref in boards:
        assert transcript.run("plan", ref, "--today", TODAY, "-v") == 0
        assert transcript.run("plan", ref, "--today", TODAY, "--json", "-v") == 0
        assert transcript.run("sync", ref, "--today", TODAY, "--dry-run", "-v") == 0
        assert transcript.run("sync", ref, "--today", TODAY, "--dry-run", "--json", "-v") == 0
        assert transcript.run("sync", ref, "--today", TODAY, "-v") == 0
    assert transcript.run("sync", *boards, "--today", TODAY, "--dry-run", "-v") == 0
    assert transcript.run("runs", "-v") == 0
    assert transcript.run("runs", "--json", "-v") == 0
    assert transcript.run("rollback", "1", "--dry-run", "-v") == 0
    assert transcript.leaks(_secrets(sandbox)) == []
    assert transcript.caplog.records, "nothing was logged at DEBUG: the log check would prove nothing"
    stored = (tmp_path / "state.db").read_bytes()
    assert [s for s in _secrets(sandbox) if s.encode() in stored] == []


@pytest.mark.parametrize("variable", sorted(WRONG))
def test_a_wrong_token_is_named_by_its_variable_never_shown(
    sandbox: Sandbox, transcript: Transcript, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str
) -> None:
    tool = variable.split("_")[1].lower()
    if not sandbox.boards.get(tool):
        pytest.skip(f"the sandbox has no {tool} board")
    monkeypatch.setenv(variable, WRONG[variable])
    ref = sandbox.boards[tool][0]
    assert transcript.run("sync", ref, "--today", TODAY, "-v") == 3
    assert transcript.run("plan", ref, "--today", TODAY, "--json", "-v") == 3
    assert variable in transcript.text[1]
    assert transcript.leaks(_secrets(sandbox)) == []
    db = tmp_path / "state.db"
    assert not db.exists() or WRONG[variable].encode() not in db.read_bytes()


def test_tokens_from_a_readable_dotenv_work_warn_and_stay_hidden(
    sandbox: Sandbox, transcript: Transcript, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    lines = []
    for name in ("MOTEUR_TRELLO_API_KEY", "MOTEUR_TRELLO_TOKEN"):
        lines.append(f"{name}={sandbox.env[name]}")
        monkeypatch.delenv(name)
    dotenv = tmp_path / ".env"
    dotenv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dotenv.chmod(0o644)
    ref = sandbox.boards["trello"][0]
    assert transcript.run("plan", ref, "--today", TODAY, "-v") == 0
    assert "warning: .env is readable by other users; run: chmod 600 .env" in transcript.text[1]
    dotenv.chmod(0o600)
    assert transcript.run("plan", ref, "--today", TODAY, "-v") == 0
    assert "readable by other users" not in transcript.text[3]
    assert transcript.leaks(_secrets(sandbox)) == []
