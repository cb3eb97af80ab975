"""One PostgreSQL state database shared by several processes (several machines' cron jobs, Kubernetes
CronJobs): runs on different boards proceed side by side; two runs on one board never both write (the board
lock). Skipped without ``MOTEUR_TEST_POSTGRES_URL`` (``.ci/run`` sets it when it can start a PostgreSQL).

Each test works in a PostgreSQL schema of its own (``search_path``), so it never meets the tables other tests
drop and create in the same database at the same time.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from moteur.sandbox.serve import SandboxHandle
from soak import duplicates, ref_of, reset, set_faults

REPO = Path(__file__).resolve().parents[2]
TODAY = "2026-12-01"
POSTGRES_URL = os.environ.get("MOTEUR_TEST_POSTGRES_URL")

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="MOTEUR_TEST_POSTGRES_URL is not set: no PostgreSQL to share a state database on"
)


@pytest.fixture
def state_url() -> Iterator[str]:
    """A URL into a fresh schema of the test database, dropped afterwards."""
    pytest.importorskip("psycopg", reason="the psycopg driver is not installed (pip install '.[postgres]')")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    assert POSTGRES_URL is not None
    name = f"moteur_soak_{uuid.uuid4().hex[:12]}"
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        engine.dispose()


@pytest.fixture
def slow_sandbox(soak_sandbox: SandboxHandle) -> Iterator[SandboxHandle]:
    """The soak sandbox with 10 ms per request: a sync lasts long enough for two to overlap."""
    set_faults(soak_sandbox.url, 0.0)
    soak_sandbox.app.latency_ms = 10
    try:
        yield soak_sandbox
    finally:
        soak_sandbox.app.latency_ms = 0


def _pythonpath() -> str:
    # This repository first; then whatever the caller had (a driver installed beside the virtualenv, say).
    return os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)


def _env(sandbox: SandboxHandle, state_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTEUR_")}
    env.update(sandbox.env)
    env.update({"MOTEUR_STATE_URL": state_url, "NO_COLOR": "1", "PYTHONPATH": _pythonpath()})
    return env


def _together(commands: list[list[str]], env: dict[str, str], cwd: Path) -> list[tuple[int, str, str]]:
    """Start every command at once; wait for all."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "moteur.cli", *args],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append((process.returncode, out, err))
    return results


def _runs(env: dict[str, str], cwd: Path) -> list[dict[str, object]]:
    ((code, out, err),) = _together([["runs", "--json", "--all"]], env, cwd)
    assert code == 0, err
    return json.loads(out)["runs"]  # type: ignore[no-any-return]


def test_two_processes_on_different_boards_share_the_database(
    slow_sandbox: SandboxHandle, state_url: str, tmp_path: Path
) -> None:
    boards = reset(slow_sandbox.url)["trello"][:2]
    assert len(boards) == 2, "the demo seed has two Trello boards"
    env = _env(slow_sandbox, state_url)
    results = _together([["sync", ref, "--today", TODAY, "-q"] for ref in boards], env, tmp_path)
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    runs = _runs(env, tmp_path)
    assert sorted(b for r in runs for b in r["boards"]) == sorted(boards)  # type: ignore[attr-defined]
    assert {r["outcome"] for r in runs} == {"ok"}
    again = _together([["sync", ref, "--today", TODAY, "--dry-run"] for ref in boards], env, tmp_path)
    assert all(code == 0 and "No changes." in out for code, out, _ in again), again


def test_two_processes_on_one_board_never_both_write(
    slow_sandbox: SandboxHandle, state_url: str, tmp_path: Path
) -> None:
    ref = ref_of(reset(slow_sandbox.url), "trello")
    before = duplicates(slow_sandbox.url, "trello", ref.board)
    env = _env(slow_sandbox, state_url)
    args = ["sync", f"trello:{ref.board}", "--today", TODAY, "-q"]
    results = _together([args, args, args], env, tmp_path)
    codes = sorted(code for code, _, _ in results)
    if not (codes[0] == 0 and set(codes) <= {0, 1}):
        pytest.fail("unexpected outcomes:\n" + "\n".join(f"exit {c}: {err}" for c, _, err in results))
    for code, _, err in results:
        if code == 1:
            assert "is being synced by" in err and "Traceback" not in err, err
    print(f"\nthree syncs of one board at once: exit codes {codes}")

    runs = [r for r in _runs(env, tmp_path) if r["outcome"] in ("ok", "failed")]
    spans = sorted(
        (datetime.fromisoformat(str(r["started_at"])), datetime.fromisoformat(str(r["finished_at"])))
        for r in runs
    )
    for (_, first_end), (second_start, _) in itertools.pairwise(spans):
        assert first_end <= second_start, f"two runs wrote the board at once: {spans}"
    assert duplicates(slow_sandbox.url, "trello", ref.board) == before
    ((code, out, err),) = _together([[*args[:-1], "--dry-run"]], env, tmp_path)
    assert code == 0 and "No changes." in out, err
