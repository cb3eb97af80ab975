"""The write-ahead journal in the state store (``engine/state/journal.py``): intents before any request,
outcomes folded into what moteur remembers writing, settlement once, and the 2 → 3 schema upgrade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, inspect

from moteur.core.records import Outcome
from moteur.engine.state import SCHEMA_VERSION, ItemState, OpStatus, RunOutcome, StateStore, schema

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
BOARD = "trello:5f1a2b3c4d5e6f7a8b9c0d1e"


def _intent(item: str | None, name: str, before: str | None, after: str | None) -> dict[str, object]:
    kind = "set_tags" if item is not None else "ensure_tag"
    return {"board": BOARD, "item": item, "kind": kind, "field": name, "before": before, "after": after}


def test_intents_are_pending_until_their_outcome_and_what_landed_is_remembered(store: StateStore) -> None:
    store.finish_run(
        store.start_run("sync", [BOARD], False, T0),
        outcome=RunOutcome.OK,
        counts={},
        item_states=[ItemState("c1", "v1", "h1", {"quadrant": "Fill-in", "ice": "40"})],
        board=BOARD,
        now=T0,
    )
    run = store.start_run("sync", [BOARD], False, T0 + timedelta(minutes=1))
    ids = store.record_intents(
        run,
        [
            _intent(None, "tag", None, "Quick win"),
            _intent("c1", "quadrant", "Fill-in", "Quick win"),
            _intent("c2", "sprint", None, "Sprint 1"),
            _intent("c3", "sprint", None, "Sprint 2"),
        ],
        T0,
    )
    assert [e.status for e in store.journal(run)] == [OpStatus.PENDING] * 4
    assert [e.id for e in store.journal(run)] == ids
    # One connector callback: two ops landed, one failed; c2 is an item moteur never wrote before.
    store.record_outcomes(
        BOARD,
        [
            Outcome(ids[1], OpStatus.APPLIED),
            Outcome(ids[2], OpStatus.APPLIED),
            Outcome(ids[3], OpStatus.FAILED, "404"),
        ],
        written={"c1": {"quadrant": "Quick win"}, "c2": {"sprint": "Sprint 1"}},
        run_id=run,
        now=T0,
        seen={"c2": ItemState("c2", "v7", "h7")},
    )
    assert [(e.status, e.error) for e in store.journal(run)] == [
        (OpStatus.PENDING, None),
        (OpStatus.APPLIED, None),
        (OpStatus.APPLIED, None),
        (OpStatus.FAILED, "404"),
    ]
    # Remembered at once, as if the run had finished: its own writes are never read back as a person's.
    states = store.item_states(BOARD)
    assert states["c1"] == ItemState("c1", "v1", "h1", {"quadrant": "Quick win", "ice": "40"})
    assert states["c2"] == ItemState("c2", "v7", "h7", {"sprint": "Sprint 1"})
    assert "c3" not in states


def test_unsettled_entries_are_those_of_runs_that_stopped_and_each_is_settled_once(store: StateStore) -> None:
    stopped = store.start_run("sync", [BOARD], False, T0)
    ids = store.record_intents(
        stopped, [_intent("c1", "sprint", None, "S1"), _intent("c2", "sprint", None, "S2")], T0
    )
    store.record_outcomes(
        BOARD, [Outcome(ids[1], OpStatus.FAILED, "reset")], written={}, run_id=stopped, now=T0
    )
    # While the run is "running", only a dry-run (which takes no lock) looks at its entries.
    assert store.unsettled(BOARD) == []
    assert [e.id for e in store.unsettled(BOARD, running=True)] == ids
    store.set_run_outcome(stopped, RunOutcome.INTERRUPTED, now=T0)
    assert [e.id for e in store.unsettled(BOARD)] == ids
    assert store.unsettled("asana:1") == []
    store.settle(
        BOARD,
        [Outcome(ids[0], OpStatus.APPLIED), Outcome(ids[1], OpStatus.FAILED, "reset")],
        written={"c1": {"sprint": "S1"}},
        now=T0,
    )
    assert store.unsettled(BOARD) == []  # the failed one was examined: it is not read again
    assert store.item_states(BOARD)["c1"].written == {"sprint": "S1"}
    assert store.journal_counts(stopped) == {"applied": 1, "failed": 1}


def test_a_run_whose_lock_holder_is_gone_is_interrupted_at_once_with_its_counts(store: StateStore) -> None:
    store.lock(BOARD, "host:1@1", 600, lambda: T0).acquire()  # killed -9: never released
    run = store.start_run("sync", [BOARD], False, T0 + timedelta(seconds=1))
    ids = store.record_intents(run, [_intent(f"c{n}", "sprint", None, "S1") for n in range(3)], T0)
    store.record_outcomes(BOARD, [Outcome(ids[0], OpStatus.APPLIED)], written={}, run_id=run, now=T0)
    later = T0 + timedelta(seconds=5)
    assert store.mark_interrupted(later) == []  # the lease still runs: alive, as far as a lease can tell
    assert store.mark_interrupted(later, dead=lambda owner: owner == "host:1@1") == [run]
    stopped = store.run(run)
    assert stopped.outcome is RunOutcome.INTERRUPTED
    assert stopped.counts == {"planned": 3, "applied": 1, "failed": 0, "pending": 2}


def test_a_schema_2_database_gains_the_journal_settling_with_its_rows_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v2.db'}"
    with StateStore(url) as store:
        run = store.start_run("sync", [BOARD], False, T0)
        store.record_ops(run, [{**_intent("c1", "sprint", None, "S1"), "status": OpStatus.APPLIED}], T0)
    engine = create_engine(url)
    with engine.begin() as conn:  # back to what moteur with schema 2 wrote
        conn.exec_driver_sql("DROP INDEX ix_journal_board_status")
        conn.exec_driver_sql("ALTER TABLE journal DROP COLUMN settled_at")
        conn.execute(schema.meta.update().values(value="2"))
    engine.dispose()
    with StateStore(url) as store:
        (kept,) = store.journal(run)
        assert (kept.item_key, kept.after, kept.status) == ("c1", "S1", OpStatus.APPLIED)
        assert store.unsettled(BOARD) == []  # applied entries of old runs are never settled again
    engine = create_engine(url)
    with engine.connect() as conn:
        found = inspect(conn)
        assert "settled_at" in {c["name"] for c in found.get_columns("journal")}
        assert "ix_journal_board_status" in {i["name"] for i in found.get_indexes("journal")}
        assert conn.execute(schema.meta.select()).one().value == str(SCHEMA_VERSION) == "4"
    engine.dispose()
