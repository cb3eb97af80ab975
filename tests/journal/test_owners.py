"""Board locks whose holder is gone: a PID reused by another live process is recognised
from the process start time recorded beside it, and its lock is taken over at once, not after the lease."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from moteur.commands.owners import owner_gone, owner_name, process_start
from moteur.core.errors import LockHeld
from moteur.engine.state import StateStore

HOST = socket.gethostname()
BOARD = "trello:5f1a2b3c4d5e6f7a8b9c0d1e"
linux = pytest.mark.skipif(process_start(os.getpid()) is None, reason="no /proc: PID-only, as documented")


def _now() -> datetime:
    return datetime.now(UTC)


@linux
def test_the_owner_names_host_pid_and_start_time() -> None:
    assert owner_name() == f"{HOST}:{os.getpid()}@{process_start(os.getpid())}"


@linux
def test_a_live_pid_with_another_start_time_is_a_gone_holder() -> None:
    parent = os.getppid()  # alive for the whole test
    started = process_start(parent)
    assert started is not None
    assert not owner_gone(f"{HOST}:{parent}@{started}")  # the holder itself: alive
    assert owner_gone(f"{HOST}:{parent}@{int(started) + 1}")  # its PID, now another process's
    assert not owner_gone(f"{HOST}:{parent}")  # an owner from before start times: PID only, alive
    assert not owner_gone(f"another-host:{parent}@{int(started) + 1}")  # other hosts: only the lease
    mine = process_start(os.getpid())
    assert not owner_gone(f"{HOST}:{os.getpid()}@{mine}")  # this process's own lock
    assert owner_gone(f"{HOST}:{os.getpid()}@{int(mine or 0) + 1}")  # an earlier process with our PID


def test_a_pid_that_no_longer_exists_is_a_gone_holder() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: the PID is free (reuse within the test is vanishingly unlikely)
    assert owner_gone(f"{HOST}:{child.pid}")


@linux
def test_a_lock_held_under_a_reused_pid_is_taken_over_at_once(tmp_path: Path) -> None:
    parent = os.getppid()
    with StateStore(f"sqlite:///{tmp_path}/state.db") as store:
        live = f"{HOST}:{parent}@{process_start(parent)}"
        store.lock(BOARD, live, 600, _now).acquire()
        with pytest.raises(LockHeld, match="is being synced by"):
            store.lock(BOARD, owner_name(), 600, _now, owner_gone).acquire()
    with StateStore(f"sqlite:///{tmp_path}/other.db") as store:
        reused = f"{HOST}:{parent}@{int(process_start(parent) or 0) + 1}"  # died; its PID went to another
        store.lock(BOARD, reused, 600, _now).acquire()
        taken = store.lock(BOARD, owner_name(), 600, _now, owner_gone).acquire()
        assert taken.held
        taken.release()
