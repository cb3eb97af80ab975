"""A sync keeps its board locks alive while it writes, and stops writing a board whose lock it lost.

The sync's clock here is a test clock moved forward as writes land, so that a write "lasts" longer than the
lease (a big board paced under a tool's limit, a 429 waited out) without the test waiting. A second owner
tries to take the board at each landing: while the run renews, it cannot; once the lease ran out unrenewed
(the clock jumped past it in one landing) it can, and the run then sends not one more write.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sandbox_connectors import connector_for
from virtual_clock import WallClock

from moteur.core.errors import LockHeld
from moteur.core.model import BoardRef, Tool
from moteur.core.policy import PlanningPolicy
from moteur.core.records import RunOutcome
from moteur.core.sync import SyncPlan, memory_of, prepare
from moteur.engine.leases import LeaseLost, Leases
from moteur.engine.state import StateStore
from moteur.engine.sync_run import apply_sync

Sandbox = Any  # tests/conftest.py
LEASE = 60.0
POLICY = PlanningPolicy(first_sprint=datetime(2026, 11, 30).date(), capacity_per_sprint=12, horizon=4)


START = datetime(2026, 12, 1, 9, tzinfo=UTC)  # the runs' wall clock starts here (a virtual one)


def _plan(sandbox: Sandbox, store: StateStore) -> tuple[BoardRef, Any, SyncPlan]:
    ref = BoardRef(tool=Tool.TRELLO, board=sandbox.boards["trello"][0].split(":", 1)[1])
    connector = connector_for(Tool.TRELLO, sandbox.env)
    snapshot = connector.read(ref)
    memory = {ref: memory_of(store.item_states(str(ref)))}
    plan = prepare(
        [snapshot], {ref: connector.writeback(snapshot)}, memory, [("t", [ref])], POLICY, POLICY.first_sprint
    )
    assert len(plan.boards[0].plan.item_ops) >= 3, "the demo board needs several writes for this test"
    return ref, connector, plan


def _card_writes(sandbox: Sandbox) -> int:
    return sum(1 for e in sandbox.app.requests_log() if e["tool"] == "trello" and e["method"] == "PUT")


def _stealer(store: StateStore, board: str, clock: WallClock, taken: list[bool]) -> Callable[[], None]:
    def steal() -> None:
        try:
            store.lock(board, "another run", LEASE, clock).acquire()
        except LockHeld:
            taken.append(False)
        else:
            taken.append(True)

    return steal


def test_a_write_longer_than_the_lease_keeps_the_board(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = WallClock(START)
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    ref, connector, plan = _plan(sandbox, store)
    lock = store.lock(str(ref), "this run", LEASE, clock).acquire()
    taken: list[bool] = []
    steal = _stealer(store, str(ref), clock, taken)

    def landed(_: int) -> None:
        clock.advance(LEASE / 2)  # each write "takes" half a lease: the whole sync, several leases
        steal()

    outcome = apply_sync(
        plan, {ref: connector}, store, command="sync", now=clock, owner="this run",
        leases=Leases([lock], clock), progress=landed,
    )  # fmt: skip
    assert outcome.ok and outcome.written == len(plan.boards[0].plan.item_ops)
    assert len(taken) >= 3 and not any(taken), "no other run could take the board while this one wrote"
    assert lock.expires_at is not None and lock.expires_at > clock(), "renewed up to the last write"
    assert store.runs()[0].outcome is RunOutcome.OK


def test_a_lost_lock_stops_the_writes_at_once(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = WallClock(START)
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    ref, connector, plan = _plan(sandbox, store)
    lock = store.lock(str(ref), "this run", LEASE, clock).acquire()
    taken: list[bool] = []
    steal = _stealer(store, str(ref), clock, taken)
    writes: list[int] = []

    def landed(_: int) -> None:
        writes.append(_card_writes(sandbox))
        if len(writes) == 1:
            clock.advance(LEASE * 2)  # one write outlasts the lease: another run takes the board
            steal()

    before = _card_writes(sandbox)
    outcome = apply_sync(
        plan, {ref: connector}, store, command="sync", now=clock, owner="this run",
        leases=Leases([lock], clock), progress=landed,
    )  # fmt: skip
    assert taken == [True]
    (board_error,) = outcome.board_errors
    assert board_error[0] == ref and isinstance(board_error[1], LockHeld)
    assert "was lost" in board_error[1].message
    assert _card_writes(sandbox) == writes[0], "not one write after the lock was lost"
    assert outcome.written == writes[0] - before < len(plan.boards[0].plan.item_ops)
    (run,) = store.runs()
    assert run.outcome is RunOutcome.INTERRUPTED
    assert sum(1 for e in store.journal(run.id) if e.status.value == "applied") == outcome.written


def test_a_lease_lost_during_the_read_writes_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = WallClock(START)
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    ref, connector, plan = _plan(sandbox, store)
    lock = store.lock(str(ref), "this run", LEASE, clock).acquire()
    clock.advance(LEASE * 2)  # the read outlasted the lease
    store.lock(str(ref), "another run", LEASE, clock).acquire()
    before = _card_writes(sandbox)
    outcome = apply_sync(
        plan,
        {ref: connector},
        store,
        command="sync",
        now=clock,
        owner="this run",
        leases=Leases([lock], clock),
    )
    assert [type(e) for _, e in outcome.board_errors] == [LockHeld]
    assert _card_writes(sandbox) == before and outcome.written == 0


def test_leases_renew_each_lock_once_a_quarter_lease_is_spent(tmp_path: Path) -> None:
    clock = WallClock(START)
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    a = store.lock("file:/a.csv", "me", LEASE, clock).acquire()
    b = store.lock("file:/b.csv", "me", LEASE, clock).acquire()
    leases = Leases([a, b], clock)
    first = a.expires_at
    clock.advance(LEASE / 4 - 1)
    leases.keep("file:/a.csv")
    assert a.expires_at == first, "not yet due: no UPDATE"
    clock.advance(1)
    leases.keep("file:/a.csv")
    assert a.expires_at == b.expires_at == clock() + timedelta(seconds=LEASE), "every held lock, not only a"
    # b lapses and is taken: writing a goes on, writing b stops.
    clock.advance(LEASE * 2)
    store.lock("file:/b.csv", "you", LEASE, clock).acquire()
    leases.keep("file:/a.csv")
    with pytest.raises(LeaseLost) as lost:
        leases.keep("file:/b.csv")
    assert lost.value.board == "file:/b.csv"
