"""Issue 17's "done when": a sync stopped part-way on each tool — SIGINT, SIGTERM, kill -9 — leaves a journal
that tells the truth. Each test runs the real CLI in a subprocess against the sandbox (with latency, so the
writes take a while), stops it after some item writes landed, then checks over the sandbox's own state:

- the exit code (130 / 143) and the one line ``interrupted: X of Y changes written; moteur rollback R undoes
  them``, with 0 < X < Y (it stopped part-way);
- ``moteur runs --json`` shows the run "interrupted" (a killed one too: its lock holder is gone);
- the next ``sync --dry-run`` reports no item pinned by hand (moteur's own writes are remembered as its own);
- ``moteur rollback R`` puts every item back as it was before the run, and the dry-run after still pins none.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from journal.support import (
    TODAY,
    Sandbox,
    board_items,
    environment,
    last_run,
    moteur,
    pinned,
    sync_stopped,
)

# Per tool: the seed (monday writes 50 items per request: a 300-item board has enough that a stop after
# the first lands before the last, now that nothing paces the writes), the latency that makes the writes last
# about a second or two, and how many item-write requests land before the stop.
SETUP = {
    "trello": ("demo", 25, 4),
    "asana": ("demo", 200, 1),
    "monday": ("bulk:300", 250, 1),
}
LINE = re.compile(r"interrupted: (\d+) of (\d+) changes written; moteur rollback (\d+) undoes them")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["int", "term", "kill"])
@pytest.mark.parametrize("tool", ["trello", "asana", "monday"])
def test_a_sync_stopped_part_way_can_be_rolled_back_and_pins_nothing(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tool: str,
    stop: signal.Signals,
) -> None:
    seed, latency, after = SETUP[tool]
    boards = sandbox.reset(seed) if seed != "demo" else sandbox.boards
    ref = boards[tool][0]
    env = environment(sandbox, tmp_path, monkeypatch)
    before = board_items(sandbox, tool, ref.split(":", 1)[1])

    sandbox.app.latency_ms = latency
    try:
        stopped = sync_stopped(
            sandbox,
            tool,
            ["sync", ref, "--today", TODAY, "--quiet"],
            env,
            tmp_path,
            after=after,
            stop=lambda process: process.send_signal(stop),
        )
    finally:
        sandbox.app.latency_ms = 0
    run = last_run(capsys)
    assert run["outcome"] == "interrupted", run
    if stop is signal.SIGKILL:
        assert stopped.code == -signal.SIGKILL
    else:
        assert stopped.code == 128 + stop, stopped.err
        found = LINE.search(stopped.err)
        assert found is not None, stopped.err
        written, planned, run_id = map(int, found.groups())
        assert 0 < written < planned, stopped.err  # it stopped part-way, after what it had sent
        assert run_id == run["id"] and run["counts"]["applied"] == written
    assert pinned(capsys, ref) == []  # what moteur wrote before the stop is its own, not a person's

    code, out, err = moteur(capsys, "rollback", str(run["id"]))
    assert code == 0, out + err
    undone = re.search(r"undid (\d+) of (\d+) changes?", out)
    assert undone is not None and undone[1] == undone[2] and int(undone[1]) > 0, out
    assert board_items(sandbox, tool, ref.split(":", 1)[1]) == before
    assert pinned(capsys, ref) == []
    assert last_run(capsys)["command"] == f"rollback {run['id']}"


def test_an_apply_stopped_by_sigterm_is_journalled_and_rolled_back(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = sandbox.boards["trello"][0]
    env = environment(sandbox, tmp_path, monkeypatch)
    before = board_items(sandbox, "trello", ref.split(":", 1)[1])
    code, _, err = moteur(capsys, "sync", ref, "--dry-run", "--plan-out", "plan.json", "--today", TODAY)
    assert code == 0, err
    sandbox.app.latency_ms = 25
    try:
        stopped = sync_stopped(
            sandbox, "trello", ["apply", "plan.json"], env, tmp_path, after=4, stop=lambda p: p.terminate()
        )
    finally:
        sandbox.app.latency_ms = 0
    assert stopped.code == 143 and LINE.search(stopped.err), stopped.err
    run = last_run(capsys)
    assert (run["command"], run["outcome"]) == ("apply", "interrupted")
    assert moteur(capsys, "rollback", str(run["id"]))[0] == 0
    assert board_items(sandbox, "trello", ref.split(":", 1)[1]) == before


def test_a_state_database_that_fails_mid_run_stops_the_writes(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The disk holding the state database fills up after a few writes (the run's file size limit is
    lowered to what its write-ahead log holds then): moteur stops sending, since it cannot journal."""
    resource = pytest.importorskip("resource")
    if not hasattr(resource, "prlimit"):
        pytest.skip("prlimit is Linux-only")
    ref = sandbox.boards["trello"][0]
    env = environment(sandbox, tmp_path, monkeypatch)
    before = board_items(sandbox, "trello", ref.split(":", 1)[1])
    wal = tmp_path / "state.db-wal"

    def disk_full(process: subprocess.Popen[str]) -> None:
        size = wal.stat().st_size
        resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (size, size))

    sandbox.app.latency_ms = 25
    since = len(sandbox.app.requests_log())
    try:
        stopped = sync_stopped(
            sandbox,
            "trello",
            ["sync", ref, "--today", TODAY, "--quiet"],
            env,
            tmp_path,
            after=4,
            stop=disk_full,
        )
    finally:
        sandbox.app.latency_ms = 0
    assert stopped.code == 2 and "state database" in stopped.err, stopped.err
    sent = [e for e in sandbox.app.requests_log()[since:] if e["tool"] == "trello" and e["method"] == "PUT"]
    # The card being written when the disk filled may land (its outcome is then unknown: "pending"); nothing
    # after it is sent. Without the journal's stop, all 32 cards would have been written.
    assert len(sent) <= stopped.writes_at_signal + 3, len(sent)
    run = last_run(capsys)
    assert run["outcome"] == "interrupted" and run["counts"]["pending"] > 0, run
    assert pinned(capsys, ref) == []
    code, out, err = moteur(capsys, "rollback", str(run["id"]))
    assert code == 0, out + err
    assert board_items(sandbox, "trello", ref.split(":", 1)[1]) == before


def test_sprints_moteur_wrote_before_a_kill_are_never_taken_for_pins(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The regression the issue names: a run killed while it moves sprints. Four weeks after a first sync,
    the next one relabels ~20 cards' sprints; killed part-way, the labels it had written differ from what the
    first run remembered — without the write-ahead journal the next sync pinned them, for ever."""
    ref = sandbox.boards["trello"][0]
    env = environment(sandbox, tmp_path, monkeypatch)
    first = subprocess.run(
        [sys.executable, "-m", "moteur", "sync", ref, "--today", TODAY, "--quiet"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    synced = board_items(sandbox, "trello", ref.split(":", 1)[1])
    later = "2026-12-28"
    sandbox.app.latency_ms = 25
    try:
        killed = sync_stopped(
            sandbox, "trello", ["sync", ref, "--today", later, "--quiet"], env, tmp_path, after=4, stop=_kill
        )
    finally:
        sandbox.app.latency_ms = 0
    assert killed.code == -signal.SIGKILL
    assert board_items(sandbox, "trello", ref.split(":", 1)[1]) != synced  # some sprints were relabelled
    code, out, err = moteur(capsys, "sync", ref, "--dry-run", "--json", "--today", later)
    assert code == 0, err
    assert json.loads(out)["pinned"] == []
    run = last_run(capsys)
    assert moteur(capsys, "rollback", str(run["id"]))[0] == 0
    assert board_items(sandbox, "trello", ref.split(":", 1)[1]) == synced


def _kill(process: subprocess.Popen[str]) -> None:
    process.kill()
