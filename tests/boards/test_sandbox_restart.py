"""A restarted sandbox reuses its board ids (same seed, same port): what moteur remembered of the earlier
one's boards must not meet the new ones. ``sandbox serve`` announces a state database of its own, new on each
start and removed when it stops (``docs/state.md``). The real CLI runs as a child process."""

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
from sqlalchemy.engine import make_url

from moteur.cli import main
from moteur.engine.state import StateStore

TODAY = "--today=2026-12-01"


@contextmanager
def serving(port: int) -> Iterator[dict[str, Any]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "moteur.cli", "sandbox", "serve", "--port", str(port), "--seed", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert process.stdout is not None
        assert select.select([process.stdout], [], [], 60)[0], "no announcement within 60 s"
        yield json.loads(process.stdout.readline())
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)
    assert process.returncode == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _use(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_a_restarted_sandbox_does_not_meet_the_earlier_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    port = _free_port()
    with serving(port) as first:
        board = first["boards"]["trello"][0]
        state = first["env"]["MOTEUR_STATE_URL"]
        _use(first["env"], monkeypatch)
        assert main(["sync", board, TODAY]) == 0
        with StateStore(state) as store:
            assert store.item_states(board)
    assert not Path(str(make_url(state).database)).exists()  # removed with the sandbox
    with serving(port) as second:
        assert second["boards"]["trello"][0] == board  # the same id on the same URL
        assert second["env"]["MOTEUR_TRELLO_URL"] == first["env"]["MOTEUR_TRELLO_URL"]
        assert second["env"]["MOTEUR_STATE_URL"] != state
        _use(second["env"], monkeypatch)
        capsys.readouterr()
        assert main(["sync", board, TODAY, "--dry-run", "--json"]) == 0
        planned = json.loads(capsys.readouterr().out)
        assert planned["pinned"] == [] and planned["changes"]  # a fresh board, planned afresh
        with StateStore(second["env"]["MOTEUR_STATE_URL"]) as store:
            assert not store.item_states(board)
