"""``moteur sandbox serve`` stays a test tool: loopback unless ``--host`` names another
address *and* ``--allow-remote`` is given, which it then says on stderr; an IPv6 host is announced as a
bracketed URL that works. (The refused options, with their exit codes, are in the bad-input catalogue.)

The real CLI runs as a child process: it serves until SIGTERM.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

Run = Any


@contextmanager
def serving(*options: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Start ``moteur sandbox serve OPTIONS``; yield its announcement and what it said on stderr first."""
    process = subprocess.Popen(
        [sys.executable, "-m", "moteur.cli", "sandbox", "serve", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "no announcement within 60 s"
        line = process.stdout.readline()
        assert line, process.stderr.read()
        said = ""
        if select.select([process.stderr], [], [], 0.5)[0]:
            said = process.stderr.readline()
        yield json.loads(line), said
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=15)  # waits, and closes the pipes
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
    assert process.returncode == 0


def _ipv6_loopback() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def test_an_ipv6_host_is_announced_as_a_bracketed_url_that_answers(workdir: Path) -> None:
    if not _ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    with serving("--host", "::1", "--seed", "empty") as (announced, said):
        assert announced["url"].startswith("http://[::1]:")
        assert announced["trello"] == announced["url"] + "/trello/1"
        assert announced["env"]["MOTEUR_TRELLO_URL"] == announced["trello"]
        assert said == ""  # loopback: nothing to warn about
        state = requests.get(f"{announced['url']}/_sandbox/state", timeout=10)
        assert state.status_code == 200


def test_a_bracketed_ipv6_host_is_taken_as_written_in_a_url(workdir: Path) -> None:
    if not _ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    with serving("--host", "[::1]", "--seed", "empty") as (announced, _):
        assert announced["url"].startswith("http://[::1]:")


def test_the_default_host_is_loopback_and_says_nothing(workdir: Path) -> None:
    with serving("--seed", "empty") as (announced, said):
        assert announced["url"].startswith("http://127.0.0.1:")
        assert said == ""


def test_another_address_needs_allow_remote_and_is_announced_on_stderr(workdir: Path) -> None:
    with serving("--host", "0.0.0.0", "--allow-remote", "--seed", "empty") as (announced, said):
        assert announced["url"].startswith("http://0.0.0.0:")
        assert said.startswith(f"warning: the sandbox listens on {announced['url']}")
        assert "other machines may reach" in said and "tokens are public" in said


def test_a_port_in_use_exits_2_naming_it(workdir: Path, run_process: Any) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_process("sandbox", "serve", "--port", str(port), "--seed", "empty", timeout=60)
    assert result.code == 2, result.err
    assert result.err.startswith(f"error: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in result.err and result.out == ""


def test_the_admin_api_refuses_a_bulk_seed_that_would_exhaust_memory(sandbox: Any) -> None:
    answer = requests.post(f"{sandbox.url}/_sandbox/reset", json={"seed": "bulk:99999999999"}, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error"] == "bulk seed 'bulk:99999999999' is too large: at most bulk:100000"
    assert sandbox.boards["trello"], "the refused reset left the sandbox as it was"
