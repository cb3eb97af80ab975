"""What the interruption tests share: a ``moteur`` subprocess stopped after N writes landed, the board's
items as the sandbox holds them (its ground truth, not moteur's read), and ``moteur`` run in this process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from moteur.cli import main

Sandbox = Any  # tests/conftest.py
TODAY = "2026-11-30"

# The request that writes items, per tool: what "N writes landed" counts.
ITEM_WRITE: dict[str, Callable[[dict[str, Any]], bool]] = {
    "trello": lambda e: e["method"] == "PUT" and e["path"].startswith("/cards/"),
    "asana": lambda e: e["method"] == "POST" and e["path"] == "/batch" and e["mutating"],
    "monday": lambda e: "change_multiple_column_values" in e["root_fields"],
}

# Timestamps and counters a write bumps and a rollback cannot put back: not what the board *shows*.
_VOLATILE = re.compile(r"(date|_at$|^at$|updated|modified|activity|^pos$|^badges$|changed)", re.IGNORECASE)


def _shown(value: Any) -> Any:
    """``value`` without volatile keys, and with empty values dropped (a field cleared is a field unset)."""
    if isinstance(value, dict):
        kept = {k: _shown(v) for k, v in value.items() if not _VOLATILE.search(k)}
        return {k: v for k, v in kept.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_shown(v) for v in value]
    return value


def board_items(sandbox: Sandbox, tool: str, board: str) -> dict[str, Any]:
    """Every item of ``board`` as the sandbox holds it (``GET /_sandbox/state``), volatile keys aside."""
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=30).json()[tool]
    if tool == "trello":
        return {c["id"]: _shown(c) for c in state["cards"].values() if c["idBoard"] == board}
    if tool == "monday":
        return {i["id"]: _shown(i) for i in state["items"] if i["board_id"] == board}
    tasks = [r for r in state["records"].values() if r.get("resource_type") == "task"]
    return {
        t["gid"]: _shown(t) for t in tasks if board in json.dumps(t.get("memberships") or t.get("projects"))
    }


def item_writes(sandbox: Sandbox, tool: str, since: int) -> int:
    return sum(1 for e in sandbox.app.requests_log()[since:] if e["tool"] == tool and ITEM_WRITE[tool](e))


@dataclass
class Stopped:
    code: int
    out: str
    err: str
    writes_at_signal: int


def sync_stopped(
    sandbox: Sandbox,
    tool: str,
    args: list[str],
    env: dict[str, str],
    cwd: Path,
    *,
    after: int,
    stop: Callable[[subprocess.Popen[str]], None],
    deadline: float = 30.0,
) -> Stopped:
    """Run ``moteur ARGS`` in a subprocess; once ``after`` item writes reached the sandbox, ``stop`` it."""
    since = len(sandbox.app.requests_log())
    with subprocess.Popen(
        [sys.executable, "-m", "moteur", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ignore_file_size_signal,
    ) as process:
        ends = time.monotonic() + deadline
        while (seen := item_writes(sandbox, tool, since)) < after:
            if process.poll() is not None or time.monotonic() > ends:
                process.kill()
                out, err = process.communicate()
                pytest.fail(
                    f"the run ended before {after} writes ({seen}): {process.returncode}\n{err[-2000:]}"
                )
            time.sleep(0.005)
        stop(process)
        out, err = process.communicate(timeout=deadline)
    return Stopped(process.returncode, out, err, seen)


def _ignore_file_size_signal() -> None:
    # The full-disk test lowers the child's file size limit: a write past it must fail (EFBIG, which SQLite
    # reports as a disk error), not kill the process with SIGXFSZ.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def moteur(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``moteur ARGS`` in this process (no interpreter start-up: these steps are checks, not the test)."""
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def pinned(capsys: pytest.CaptureFixture[str], ref: str) -> list[Any]:
    """The items a ``sync --dry-run --json`` reports as pinned by hand."""
    code, out, err = moteur(capsys, "sync", ref, "--dry-run", "--json", "--today", TODAY)
    assert code == 0, err
    return list(json.loads(out)["pinned"])


def last_run(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = moteur(capsys, "runs", "--json", "--all")
    assert code == 0, err
    return dict(json.loads(out)["runs"][0])


def environment(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The sandbox's credentials and a private state database, here and for subprocesses."""
    values = {**sandbox.env, "MOTEUR_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}", "NO_COLOR": "1"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env or moteur.toml
    return {**os.environ, **values}
