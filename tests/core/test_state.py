"""The state store against a real database: a SQLite file per test, and PostgreSQL when one is offered.

Set ``MOTEUR_TEST_POSTGRES_URL`` (e.g. ``postgresql+psycopg://moteur@localhost/moteur_test``) to run every
test against PostgreSQL too; the tests drop moteur's tables in that database first, so give them a scratch
one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, inspect, select, text, update
from virtual_clock import WallClock

from moteur.core.errors import LockHeld, NotFound, StateError
from moteur.engine.state import (
    SCHEMA_VERSION,
    ItemState,
    OpStatus,
    RunOutcome,
    StateStore,
    default_state_url,
    schema,
)
from moteur.engine.state.connection import open_database
from moteur.engine.state.upgrades import prepare_schema, read_schema_version

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
BOARD = "trello:5f1a2b3c4d5e6f7a8b9c0d1e"


def _set_stored_version(url: str, version: int) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            update(schema.meta).where(schema.meta.c.key == "schema_version").values(value=str(version))
        )
    engine.dispose()


# -- opening, versions, where the file lives -----------------------------------------------------------


def test_a_new_database_is_created_with_the_schema_version_and_reopens(state_url: str) -> None:
    with StateStore(state_url) as first:
        first.link("asana:1/2", "monday:9", "77", None, T0)
    with StateStore(state_url) as again:
        assert again.links("monday:9") == {"asana:1/2": "77"}
    engine = create_engine(state_url)
    with engine.connect() as conn:
        stored = conn.execute(
            select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        ).scalar()
    engine.dispose()
    assert stored == str(SCHEMA_VERSION)


def test_runs_starting_together_on_a_new_database_all_open_it(state_url: str) -> None:
    # Two cron entries firing in the same second on a fresh install: the loser of the schema creation must
    # wait for the winner's schema, not report a half-made database.
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def open_it() -> None:
        start.wait()
        try:
            StateStore(state_url).close()
            outcomes.append("ok")
        except StateError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == ["ok"] * 4


def test_a_database_from_a_newer_moteur_is_refused_with_the_fix(state_url: str) -> None:
    StateStore(state_url).close()
    _set_stored_version(state_url, SCHEMA_VERSION + 41)
    with pytest.raises(StateError) as refused:
        StateStore(state_url)
    assert (
        f"was written by a newer moteur (schema {SCHEMA_VERSION + 41}, this one knows {SCHEMA_VERSION}); "
        "upgrade moteur or point MOTEUR_STATE_URL elsewhere"
    ) in str(refused.value)
    assert refused.value.exit_code == 2


def test_an_older_schema_without_an_upgrade_step_is_refused(state_url: str) -> None:
    StateStore(state_url).close()
    _set_stored_version(state_url, 0)
    with pytest.raises(StateError, match=f"no upgrade path from it to schema {SCHEMA_VERSION}"):
        StateStore(state_url)


def test_upgrade_steps_run_in_order_in_the_opening_transaction(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 's.db'}")
    applied: list[int] = []
    steps = {1: lambda conn: applied.append(1), 2: lambda conn: applied.append(2)}
    with engine.begin() as conn:
        assert prepare_schema(conn, "s.db", target=1) == 0
    with engine.begin() as conn:
        assert prepare_schema(conn, "s.db", target=3, steps=steps) == 1
    with engine.begin() as conn:
        assert prepare_schema(conn, "s.db", target=3, steps={}) == 3  # already there: no step needed
        version = conn.execute(select(schema.meta.c.value)).scalar()
    engine.dispose()
    assert applied == [1, 2]
    assert version == "3"


def test_an_upgrade_step_that_fails_half_way_leaves_the_database_as_it_was(state_url: str) -> None:
    engine, where = open_database(state_url)

    def half_done(conn: Connection) -> None:
        conn.execute(text("CREATE TABLE sprint_pins (board VARCHAR(512) PRIMARY KEY)"))
        raise RuntimeError("step N -> N+1 failed after its first statement")

    with pytest.raises(RuntimeError), engine.begin() as conn:
        prepare_schema(conn, where, target=SCHEMA_VERSION + 1, steps={SCHEMA_VERSION: half_done})
    with engine.connect() as conn:
        assert read_schema_version(conn, where) == SCHEMA_VERSION
        assert not inspect(conn).has_table("sprint_pins")  # SQLite too: its DDL runs inside our transaction
    engine.dispose()


def test_a_corrupt_file_is_refused_naming_the_path_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    with pytest.raises(StateError) as refused:
        StateStore(f"sqlite:///{path}")
    assert str(path) in str(refused.value)
    assert "move the file aside" in str(refused.value)


def test_an_unusable_url_or_a_missing_directory_is_a_state_error(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="MOTEUR_STATE_URL"):
        StateStore("not a url at all")
    with pytest.raises(StateError, match=r"no-such-dir.*cannot be opened.*directory exists"):
        StateStore(f"sqlite:///{tmp_path / 'no-such-dir' / 'state.db'}")


def test_a_server_url_is_named_without_its_password(tmp_path: Path) -> None:
    # Without psycopg installed this is the "driver not installed" message; with it, "connection refused".
    with pytest.raises(StateError) as refused:
        StateStore("postgresql+psycopg://moteur:s3cret@127.0.0.1:9/moteur")
    assert "s3cret" not in str(refused.value)
    assert "psycopg" in str(refused.value) or "moteur:***@127.0.0.1:9" in str(refused.value)


def test_naive_times_are_refused_as_the_caller_bug_they_are(store: StateStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.start_run("sync", [BOARD], False, datetime(2025, 3, 3, 9, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        store.lock(BOARD, "naive", 60, lambda: datetime(2025, 3, 3, 9, 0)).acquire()
    run = store.start_run("sync", [BOARD], False, T0)
    with pytest.raises(TypeError, match="not JSON serializable"):
        store.record_op(
            run, board=BOARD, item="c1", title=None, kind="update_fields", field="due", before=None,
            after=object(), status=OpStatus.APPLIED, now=T0,
        )  # fmt: skip
    assert store.journal(run) == []


def test_tables_moteur_did_not_create_are_not_written_into(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    engine = create_engine(url)
    schema.items.create(engine)
    engine.dispose()
    with pytest.raises(StateError, match=r"tables moteur did not create \(items\)"):
        StateStore(url)


def test_default_state_url_follows_the_environment(tmp_path: Path) -> None:
    assert default_state_url({"MOTEUR_STATE_URL": "postgresql+psycopg://db/m"}) == "postgresql+psycopg://db/m"
    xdg = tmp_path / "xdg"
    assert default_state_url({"XDG_STATE_HOME": str(xdg)}) == f"sqlite:///{xdg}/moteur/state.db"
    assert (xdg / "moteur").is_dir()
    # A relative XDG_STATE_HOME is invalid per the XDG spec and falls back to ~/.local/state.
    home = tmp_path / "home"
    expected = f"sqlite:///{home}/.local/state/moteur/state.db"
    assert default_state_url({"XDG_STATE_HOME": "rel/dir", "HOME": str(home)}) == expected
    assert default_state_url({"HOME": str(home), "MOTEUR_STATE_URL": "  "}) == expected


# -- items, cursors, runs ---------------------------------------------------------------------------------


def test_item_states_round_trip_and_later_runs_update_only_what_they_saw(store: StateStore) -> None:
    first = store.start_run("sync", [BOARD], False, T0)
    states = [
        ItemState(
            "c1", "2025-03-01T10:00:00Z", "h1", {"quadrant": "Quick win", "sprint": "Sprint 3", "ice": "512"}
        ),
        ItemState("c2", None, None, {"quadrant": "Gouffre de temps", "sprint": None}),
    ]
    store.finish_run(
        first, outcome=RunOutcome.OK, counts={"updated": 2}, item_states=states, board=BOARD, now=T0
    )
    assert store.item_states(BOARD) == {s.key: s for s in states}
    assert store.item_states("trello:other") == {}

    second = store.start_run("sync", [BOARD], False, T0 + timedelta(hours=1))
    moved = ItemState("c1", "2025-03-03T10:00:00Z", "h1b", {"quadrant": "Quick win", "sprint": "Sprint 4"})
    store.finish_run(second, outcome=RunOutcome.OK, counts={}, item_states=[moved], board=BOARD, now=T0)
    assert store.item_states(BOARD) == {"c1": moved, "c2": states[1]}


def test_items_gone_from_the_board_can_be_forgotten_with_the_run(store: StateStore) -> None:
    run = store.start_run("sync", [BOARD], False, T0)
    states = [ItemState(f"c{i}", "v", "h", {}) for i in range(3)]
    store.finish_run(run, outcome=RunOutcome.OK, counts={}, item_states=states, board=BOARD, now=T0)
    other = store.start_run("sync", ["asana:1"], False, T0)
    store.finish_run(other, outcome=RunOutcome.OK, counts={}, item_states=states[:1], board="asana:1", now=T0)
    run = store.start_run("sync", [BOARD], False, T0)
    store.finish_run(
        run,
        outcome=RunOutcome.OK,
        counts={},
        item_states=[],
        board=BOARD,
        forgotten=["c0", "c2", "nope"],
        now=T0,
    )
    assert list(store.item_states(BOARD)) == ["c1"]
    assert list(store.item_states("asana:1")) == ["c0"]  # the same key on another board is another item


def test_cursors_advance_with_the_run(store: StateStore) -> None:
    assert store.cursor(BOARD, "actions_since") is None
    run = store.start_run("sync", [BOARD], False, T0)
    cursors = {"actions_since": "2025-03-03T08:59:00Z", "sync_token": "abc"}
    store.finish_run(
        run, outcome=RunOutcome.OK, counts={}, item_states=[], board=BOARD, cursors=cursors, now=T0
    )
    run = store.start_run("sync", [BOARD], False, T0)
    newer = {"actions_since": "2025-03-04T08:59:00Z"}
    store.finish_run(
        run, outcome=RunOutcome.OK, counts={}, item_states=[], board=BOARD, cursors=newer, now=T0
    )
    assert store.cursor(BOARD, "actions_since") == "2025-03-04T08:59:00Z"
    assert store.cursor(BOARD, "sync_token") == "abc"
    assert store.cursor("asana:1", "sync_token") is None


def test_a_run_goes_from_running_to_its_outcome(store: StateStore) -> None:
    run = store.start_run("sync", [BOARD, "asana:42"], True, T0)
    (started,) = store.runs()
    assert (started.id, started.command, started.boards, started.dry_run) == (
        run,
        "sync",
        (BOARD, "asana:42"),
        True,
    )
    assert (started.outcome, started.finished_at, started.counts) == (RunOutcome.RUNNING, None, {})

    done_at = T0 + timedelta(minutes=3)
    counts = {"updated": 12, "failed": 1}
    store.finish_run(
        run,
        outcome=RunOutcome.FAILED,
        counts=counts,
        item_states=[],
        board=BOARD,
        now=done_at,
        message="1 failed",
    )
    finished = store.run(run)
    assert (finished.outcome, finished.finished_at, finished.counts) == (RunOutcome.FAILED, done_at, counts)
    assert finished.message == "1 failed"

    store.set_run_outcome(run, RunOutcome.ROLLED_BACK, now=done_at, message="undone by run 2")
    assert store.run(run).outcome is RunOutcome.ROLLED_BACK
    with pytest.raises(NotFound, match="no run 999"):
        store.run(999)


def test_runs_are_listed_newest_first_up_to_the_limit(store: StateStore) -> None:
    ids = [store.start_run("sync", [f"trello:b{i}"], False, T0 + timedelta(minutes=i)) for i in range(5)]
    assert [r.id for r in store.runs(limit=3)] == ids[::-1][:3]


def test_a_crashed_run_is_marked_interrupted_once_its_lock_lapsed(store: StateStore) -> None:
    clock = WallClock(T0)
    crashed_lock = store.lock(BOARD, "host-a:111", 60, clock).acquire()  # never released: the process dies
    crashed = store.start_run("sync", [BOARD], False, clock())
    clock.advance(30)
    other = store.start_run("sync", ["asana:7"], False, clock())  # another board, lease still live
    assert store.run(crashed).outcome is RunOutcome.RUNNING

    clock.advance(60)
    with store.lock(BOARD, "host-b:222", 60, clock):  # the lease lapsed: taken over
        store.start_run("sync", [BOARD], False, clock())
    interrupted = store.run(crashed)
    assert interrupted.outcome is RunOutcome.INTERRUPTED
    assert "journal shows how far it got" in (interrupted.message or "")
    # "other" took no lock at all (like a dry-run), so it is presumed dead too once another run starts.
    assert store.run(other).outcome is RunOutcome.INTERRUPTED
    assert crashed_lock.held  # the dead process's object still thinks so; the database knows better


# -- the journal ------------------------------------------------------------------------------------------


def test_the_journal_keeps_ops_in_order_with_before_and_after(store: StateStore) -> None:
    run = store.start_run("sync", [BOARD], False, T0)
    ops = [
        ("c1", "Webinar SEO", "set_tags", "quadrant", ["Fill-in"], ["Quick win"], OpStatus.APPLIED, None),
        ("c2", "Article « été »", "update_fields", "ice", None, 512, OpStatus.APPLIED, None),
        (
            "c3",
            "Newsletter",
            "move_item",
            "bucket",
            {"list": "Doing"},
            {"list": "Done"},
            OpStatus.FAILED,
            "404",
        ),
    ]
    ids = [
        store.record_op(
            run, board=BOARD, item=item, title=title, kind=kind, field=fld, before=before, after=after,
            status=status, error=error, now=T0 + timedelta(seconds=n),
        )
        for n, (item, title, kind, fld, before, after, status, error) in enumerate(ops)
    ]  # fmt: skip
    entries = store.journal(run)
    assert [e.id for e in entries] == ids
    assert [e.seq for e in entries] == [1, 2, 3]
    assert [
        (e.item_key, e.item_title, e.kind, e.field, e.before, e.after, e.status, e.error) for e in entries
    ] == ops
    assert entries[2].at == T0 + timedelta(seconds=2)

    assert store.mark_undone(ids[:2]) == 2
    assert [e.status for e in store.journal(run)] == [OpStatus.UNDONE, OpStatus.UNDONE, OpStatus.FAILED]
    assert store.mark_undone([]) == 0
    with pytest.raises(StateError, match="no such run"):
        store.record_op(
            run + 1, board=BOARD, item="c1", title=None, kind="k", field=None, before=None, after=None,
            status=OpStatus.APPLIED, now=T0,
        )  # fmt: skip


def test_threads_journaling_one_run_get_distinct_sequence_numbers(store: StateStore) -> None:
    run = store.start_run("sync", [BOARD], False, T0)

    def write(worker: int) -> None:
        for n in range(8):
            store.record_op(
                run, board=BOARD, item=f"w{worker}-{n}", title=None, kind="update_fields", field="ice",
                before=None, after=n, status=OpStatus.APPLIED, now=T0,
            )  # fmt: skip

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [e.seq for e in store.journal(run)] == list(range(1, 33))


# -- finish_run is one transaction -------------------------------------------------------------------------


def test_a_failure_inside_finish_run_commits_none_of_it(store: StateStore) -> None:
    earlier = store.start_run("sync", [BOARD], False, T0)
    kept = ItemState("c1", "v1", "h1", {"sprint": "Sprint 1"})
    store.finish_run(
        earlier,
        outcome=RunOutcome.OK,
        counts={},
        item_states=[kept],
        board=BOARD,
        cursors={"since": "1"},
        now=T0,
    )
    run = store.start_run("sync", [BOARD], False, T0)

    def states_then_crash() -> Iterator[ItemState]:
        yield ItemState("c1", "v2", "h2", {"sprint": "Sprint 2"})
        yield ItemState("c9", "v1", "h9", {})
        raise KeyboardInterrupt  # the operator pressed Ctrl-C while the state was being written

    with pytest.raises(KeyboardInterrupt):
        store.finish_run(
            run, outcome=RunOutcome.OK, counts={"updated": 2}, item_states=states_then_crash(), board=BOARD,
            cursors={"since": "2"}, now=T0 + timedelta(minutes=1),
        )  # fmt: skip
    assert store.item_states(BOARD) == {"c1": kept}
    assert store.cursor(BOARD, "since") == "1"
    unfinished = store.run(run)
    assert (unfinished.outcome, unfinished.counts, unfinished.finished_at) == (RunOutcome.RUNNING, {}, None)


def test_finish_run_on_an_unknown_run_saves_nothing(store: StateStore) -> None:
    with pytest.raises(StateError, match="no run 5"):
        store.finish_run(
            5,
            outcome=RunOutcome.OK,
            counts={},
            item_states=[ItemState("c1", None, None)],
            board=BOARD,
            now=T0,
        )
    assert store.item_states(BOARD) == {}


def test_many_items_are_saved_in_batches(store: StateStore) -> None:
    run = store.start_run("sync", [BOARD], False, T0)
    states = [ItemState(f"c{i}", str(i), f"h{i}", {"ice": str(i)}) for i in range(1234)]
    store.finish_run(run, outcome=RunOutcome.OK, counts={}, item_states=iter(states), board=BOARD, now=T0)
    assert store.item_states(BOARD) == {s.key: s for s in states}


# -- locks ------------------------------------------------------------------------------------------------


def test_a_held_lock_refuses_a_second_run_until_released(store: StateStore) -> None:
    clock = WallClock(T0)
    with store.lock(BOARD, "cron@host-a pid 4242", 300, clock) as held:
        assert held.expires_at == T0 + timedelta(seconds=300)
        clock.advance(10)
        with pytest.raises(LockHeld) as refused:
            store.lock(BOARD, "laptop pid 7", 300, clock).acquire()
        assert str(refused.value) == (
            f"board {BOARD} is being synced by cron@host-a pid 4242 since 2025-03-03 09:00:00 UTC "
            "(lock expires 2025-03-03 09:05:00 UTC); wait for it or, if that run died, "
            "retry after the lease expires"
        )
        with store.lock("asana:42", "laptop pid 7", 300, clock):
            pass  # other boards are free
    with store.lock(BOARD, "laptop pid 7", 300, clock) as mine:
        assert mine.held
    assert not mine.held


def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_free_it(store: StateStore) -> None:
    clock = WallClock(T0)
    old = store.lock(BOARD, "dead run", 60, clock).acquire()
    clock.advance(59)
    assert old.renew() == T0 + timedelta(seconds=119)  # renewing keeps it: at 61 s it is still held
    clock.advance(2)
    with pytest.raises(LockHeld, match="dead run"):
        store.lock(BOARD, "new run", 60, clock).acquire()

    clock.advance(60)
    new = store.lock(BOARD, "new run", 60, clock).acquire()
    with pytest.raises(LockHeld, match="was lost"):
        old.renew()
    old.release()  # a no-op now: the lock belongs to the new run
    clock.advance(1)
    with pytest.raises(LockHeld, match="new run"):
        store.lock(BOARD, "third run", 60, clock).acquire()
    new.release()
    store.lock(BOARD, "third run", 60, clock).acquire().release()


def test_lock_times_in_other_zones_compare_as_instants(store: StateStore) -> None:
    paris = timezone(timedelta(hours=1))
    at = [T0.astimezone(paris)]
    held = store.lock(BOARD, "paris", 60, lambda: at[0]).acquire()
    at[0] = T0 + timedelta(
        seconds=30
    )  # 30 s later, written in UTC: the Paris lease (10:01+01:00) still holds
    with pytest.raises(LockHeld):
        store.lock(BOARD, "utc", 60, lambda: at[0]).acquire()
    held.release()


def _race(contenders: int, attempt: Callable[[int], None]) -> tuple[list[int], list[int]]:
    start = threading.Barrier(contenders)
    won: list[int] = []
    refused: list[int] = []

    def run(n: int) -> None:
        start.wait()
        try:
            attempt(n)
            won.append(n)
        except LockHeld:
            refused.append(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(contenders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return won, refused


def test_threads_racing_for_a_free_lock_exactly_one_wins(store: StateStore) -> None:
    def take(n: int) -> None:
        store.lock(BOARD, f"worker {n}", 60, WallClock(T0)).acquire()

    won, refused = _race(6, take)
    assert len(won) == 1
    assert len(refused) == 5


def test_threads_racing_to_take_over_an_expired_lease_exactly_one_wins(store: StateStore) -> None:
    store.lock(BOARD, "dead run", 60, WallClock(T0)).acquire()
    later = WallClock(T0 + timedelta(minutes=5))

    def take_over(n: int) -> None:
        store.lock(BOARD, f"worker {n}", 60, later).acquire()

    won, refused = _race(6, take_over)
    assert len(won) == 1
    assert len(refused) == 5


# -- links (the migration ID map) -------------------------------------------------------------------------


def test_links_are_unique_per_source_and_target_board(store: StateStore) -> None:
    store.link("trello:b/c1", "asana:p", "1201", None, T0)
    store.link("trello:b/c1", "asana:p", "1201", None, T0)  # a re-run records the same link: no-op
    store.link("trello:b/c1", "monday:9", "555", None, T0)  # the same card copied to another board
    with pytest.raises(StateError, match="already linked to 1201 on asana:p, not 1300"):
        store.link("trello:b/c1", "asana:p", "1300", None, T0)
    assert store.links("asana:p") == {"trello:b/c1": "1201"}
    store.link("trello:b/c1", "asana:p", "1300", None, T0, replace=True)
    assert store.links("asana:p") == {"trello:b/c1": "1300"}
    assert store.links("monday:9") == {"trello:b/c1": "555"}


# -- properties -------------------------------------------------------------------------------------------

_text = st.text(min_size=1, max_size=40)
_states = st.lists(
    st.builds(
        ItemState,
        key=_text,
        version=st.none() | _text,
        content_hash=st.none() | st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
        written=st.dictionaries(_text, st.none() | st.text(max_size=60), max_size=4),
    ),
    max_size=8,
    unique_by=lambda s: s.key,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(states=_states, board=_text)
def test_any_item_states_come_back_exactly(tmp_path: Path, states: list[ItemState], board: str) -> None:
    with StateStore(f"sqlite:///{tmp_path / 'prop.db'}") as store:
        run = store.start_run("sync", [board], False, T0)
        store.finish_run(run, outcome=RunOutcome.OK, counts={}, item_states=states, board=board, now=T0)
        assert {k: v for k, v in store.item_states(board).items() if k in {s.key for s in states}} == {
            s.key: s for s in states
        }
