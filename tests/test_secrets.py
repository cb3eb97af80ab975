"""No secret leaks: every command, at ``--verbose``, with recognisable tokens (the sandbox's own, and wrong
ones for the 401 path), and none of them appears in stdout, stderr, any log record (DEBUG included, urllib3's
too) or the bytes of the state database. Also: a group/world-readable ``.env`` gets a warning, and no
``user:password`` of a configured URL or line of a mapping file shows in any message."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from moteur.cli import main
from moteur.redaction import register_url, scrub

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


# -- secrets in URLs ----------------------------------------------------------------------------------------

USERINFO = "admin:SECRETPW999"


def test_scrub_hides_the_user_information_of_any_url() -> None:
    text = "GET https://bob:hunter2@example.org/1/boards?x=a@b, git+ssh://deploy@host/r, mail a@b.fr"
    assert scrub(text) == "GET https://***@example.org/1/boards?x=a@b, git+ssh://***@host/r, mail a@b.fr"


def test_a_registered_url_hides_its_user_information_even_without_the_scheme() -> None:
    register_url("http://u:p@proxy.internal:3128/1")  # short: hidden only with its "@"
    register_url(f"http://{USERINFO}@127.0.0.1:1/1")
    assert scrub(f"cannot reach {USERINFO}@127.0.0.1:1") == "cannot reach ***@127.0.0.1:1"
    assert scrub("cannot reach u:p@proxy.internal:3128 (menu:pizza)") == (
        "cannot reach ***@proxy.internal:3128 (menu:pizza)"
    )
    assert scrub("the password SECRETPW999 alone") == "the password *** alone"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_url_with_user_and_password_never_shows_them(
    sandbox: Sandbox, transcript: Transcript, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _closed_port()
    monkeypatch.setenv("MOTEUR_TRELLO_URL", f"http://{USERINFO}@127.0.0.1:{port}/1")
    assert transcript.run("plan", sandbox.boards["trello"][0], "--today", TODAY, "-v") == 1
    # The client drops a base URL's userinfo (it would replace the tool's own auth): the host is all there is.
    assert f"cannot reach 127.0.0.1:{port}" in transcript.text[1]
    assert transcript.leaks([USERINFO, "SECRETPW999"]) == []


def test_a_url_with_user_and_password_never_shows_them_in_the_verbose_log(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The real CLI at ``--verbose``: every log line (urllib3's at DEBUG too) as written on stderr."""
    url = sandbox.urls["trello"].replace("http://", f"http://{USERINFO}@")
    env = {**os.environ, **sandbox.env, "MOTEUR_TRELLO_URL": url, "NO_COLOR": "1"}
    env["MOTEUR_STATE_URL"] = f"sqlite:///{tmp_path / 'state.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "moteur.cli", "plan", sandbox.boards["trello"][0], "-v"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "DEBUG" in done.stderr, "nothing logged: the check would prove nothing"
    assert "SECRETPW999" not in done.stdout + done.stderr
    assert USERINFO not in done.stdout + done.stderr


@pytest.mark.parametrize(
    "mapping",
    [
        "tool: file\nfields: [ SECRETLINE {\n",  # not YAML
        "tool: file\nfields:\n  title: [SECRETLINE, {a: b}]\n",  # a value of the wrong type
        "tool: file\nSECRETLINE: x\n",  # an unknown key
    ],
    ids=["bad-yaml", "bad-value", "unknown-key"],
)
def test_an_error_about_a_mapping_file_never_quotes_its_lines(
    transcript: Transcript, tmp_path: Path, mapping: str
) -> None:
    (tmp_path / "plan.csv").write_text("id;titre;impact;effort\na1;Salon;5;3\n", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(mapping, encoding="utf-8")
    (tmp_path / "moteur.toml").write_text('mappings = {file = "bad.yaml"}\n', encoding="utf-8")
    assert transcript.run("plan", "file:plan.csv", "--today", TODAY, "-v") == 2
    assert "bad.yaml" in transcript.text[1]
    shown = "\n".join(transcript.text)
    assert "SECRETLINE {" not in shown and "[SECRETLINE" not in shown and "SECRETLINE: x" not in shown


def test_a_base_url_with_userinfo_still_sends_the_tools_own_auth(sandbox: Sandbox) -> None:
    """requests turns a URL's user:password into a Basic header that would replace Trello's OAuth one (a 401):
    the client drops the userinfo from its base URL, and the request is answered."""
    from moteur.connectors.http import HttpClient
    from moteur.connectors.trello.transport import trello_auth, trello_options

    key, token = sandbox.env["MOTEUR_TRELLO_API_KEY"], sandbox.env["MOTEUR_TRELLO_TOKEN"]
    url = sandbox.urls["trello"].replace("http://", "http://admin:SECRETPW999@")
    client = HttpClient(url, trello_auth(key, token), trello_options(key, token))
    try:
        assert "SECRETPW999" not in client.base_url
        assert client.request_json("GET", "/members/me", params={"fields": "id"}, what="me")["id"]
    finally:
        client.close()
