"""The state store: what moteur remembers between runs, in one SQL database.

Terms defined here:

- *Item state*: per item on a board, the tool's version stamp and content hash when moteur last saw it and the
  ``{field: value}`` it last wrote (see ``schema``); ``plan.diff`` compares a fresh read against it.
- *Run*: one ``sync`` / ``migrate`` / ``rollback`` invocation; its row says when, on which boards and how it
  ended.
- *Journal entry*: one op of a run with the field's value before and after, recorded "pending" before its
  request and given its outcome after (``journal``), so a run can be undone exactly and a run that stopped
  shows how far it got.
- *Cursor*: a named bookmark for incremental reads (``modified_since``, a sync token…) per board.
- *Board cache*: the JSON of a board's last complete Snapshot (see ``schema``), which incremental reads
  update; it is only worth as much as its cursors, so both are always saved in one transaction.

Commit rules, because they are what makes a crash safe: ``start_run``, the journal's writes (see ``journal``)
and ``link`` commit at once (they describe what is about to happen, or already happened, remotely);
``finish_run`` commits the items, the cursors and the run row in one transaction, so a crash leaves the
previous state intact. Every time is timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError

from moteur.core.errors import NotFound, StateError
from moteur.core.records import ItemState, JournalEntry, OpStatus, RunOutcome, RunRecord
from moteur.engine.state import schema
from moteur.engine.state.board_keys import BoardKeyMethods
from moteur.engine.state.connection import READ_ONLY, open_database
from moteur.engine.state.history import HistoryMethods
from moteur.engine.state.journal import JournalMethods, status_counts
from moteur.engine.state.lock import BoardLock
from moteur.engine.state.records import new_id, run_record

Dead = Callable[[str], bool]
"""``dead(owner)``: True when a lock's holder is certainly gone (a process of this host that ended)."""

_CHUNK = 500  # rows per executemany in finish_run: bounded memory for 100 000 items


class StateStore(JournalMethods, HistoryMethods, BoardKeyMethods):
    """The state database at ``url`` (any SQLAlchemy URL), created or upgraded on open.

    Raises ``StateError`` if the URL is unusable, the file unreadable or its schema newer than this moteur.
    """

    def __init__(self, url: str) -> None:
        self._engine, self.where = open_database(url)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self, *, read_only: bool = False) -> Iterator[Connection]:
        """One committed transaction; database failures become ``StateError`` naming the database.

        ``read_only`` transactions never block a writer (see ``connection``); the others wait their turn.
        """
        try:
            with self._engine.connect() as conn:
                if read_only:
                    conn.execution_options(**{READ_ONLY: True})
                with conn.begin():
                    yield conn
        except IntegrityError:
            raise  # callers that expect one handle it; elsewhere it is a bug worth its own traceback
        except DBAPIError as exc:
            raise StateError(
                f"state database {self.where} failed: {exc.orig}",
                hint="check that it is reachable and writable, then run again",
            ) from exc
        except StatementError as exc:
            # A value our column types refused (a naive time, a before/after that is not JSON): a caller's
            # bug, shown as the ValueError/TypeError it is rather than wrapped in SQL.
            if isinstance(exc.orig, ValueError | TypeError):
                raise exc.orig from exc
            raise

    # -- items and cursors --------------------------------------------------------------------------------

    def item_states(self, board: str) -> dict[str, ItemState]:
        """What moteur knew of each item on ``board`` after its last finished run, by item key."""
        t = schema.items
        with self._transaction(read_only=True) as conn:
            rows = conn.execute(select(t).where(t.c.board == board)).all()
        return {r.item_key: ItemState(r.item_key, r.version, r.content_hash, dict(r.written)) for r in rows}

    def cursor(self, board: str, name: str) -> str | None:
        t = schema.cursors
        with self._transaction(read_only=True) as conn:
            value: str | None = conn.execute(
                select(t.c.value).where(and_(t.c.board == board, t.c.name == name))
            ).scalar()
        return value

    def cursors(self, board: str) -> dict[str, str]:
        """Every cursor of ``board``, by name."""
        t = schema.cursors
        with self._transaction(read_only=True) as conn:
            rows = conn.execute(select(t.c.name, t.c.value).where(t.c.board == board)).all()
        return {r.name: r.value for r in rows}

    def board_cache(self, board: str) -> Any:
        """The cached Snapshot JSON of ``board`` (None if there is none)."""
        t = schema.board_cache
        with self._transaction(read_only=True) as conn:
            return conn.execute(select(t.c.payload).where(t.c.board == board)).scalar()

    def save_read(self, board: str, *, cache: Any, cursors: Mapping[str, str], now: datetime) -> None:
        """Save ``board``'s cache and cursors together (one transaction): a cursor never outruns its cache."""
        with self._transaction() as conn:
            _save_read(conn, board, cache, cursors, now)

    # -- runs ---------------------------------------------------------------------------------------------

    def start_run(self, command: str, boards: Sequence[str], dry_run: bool, now: datetime) -> int:
        """Record a run as "running" and return its id; first mark runs that died as "interrupted"."""
        with self._transaction() as conn:
            _mark_interrupted(conn, now)
            result = conn.execute(
                insert(schema.runs).values(
                    command=command,
                    boards=list(boards),
                    dry_run=dry_run,
                    started_at=now,
                    outcome=RunOutcome.RUNNING.value,
                    counts={},
                )
            )
            run_id = new_id(result)
        return run_id

    def mark_interrupted(self, now: datetime, dead: Dead | None = None) -> list[int]:
        """Mark "running" runs whose process died as "interrupted"; return their ids (see ``start_run``).

        ``dead(owner)`` recognises a lock whose holder is gone before its lease runs out (a run killed with
        SIGKILL on this host): ``moteur runs`` shows it interrupted at once.
        """
        with self._transaction() as conn:
            return _mark_interrupted(conn, now, dead)

    def finish_run(
        self,
        run_id: int,
        *,
        outcome: RunOutcome,
        counts: Mapping[str, int],
        item_states: Iterable[ItemState],
        board: str,
        cursors: Mapping[str, str] | None = None,
        cache: Any = None,
        forgotten: Iterable[str] = (),
        now: datetime,
        message: str | None = None,
    ) -> None:
        """Close the run and save ``board``'s item states, cursors and cache, all in one transaction.

        Items not in ``item_states`` keep their previous state, except the ``forgotten`` keys (items gone from
        the board), whose state is dropped. ``cache`` (a board cache's JSON) replaces the stored one when
        given. If anything fails, nothing of it is saved.
        """
        with self._transaction() as conn:
            _set_outcome(conn, run_id, outcome, now, message, counts)
            gone = list(forgotten)
            for start in range(0, len(gone), _CHUNK):
                t = schema.items
                conn.execute(
                    delete(t).where(and_(t.c.board == board, t.c.item_key.in_(gone[start : start + _CHUNK])))
                )
            _save_read(conn, board, cache, cursors or {}, now)
            rows = (
                {
                    "board": board,
                    "item_key": s.key,
                    "version": s.version,
                    "content_hash": s.content_hash,
                    "written": s.written,
                    "updated_at": now,
                    "run_id": run_id,
                }
                for s in item_states
            )
            while chunk := list(islice(rows, _CHUNK)):
                schema.upsert(conn, schema.items, chunk)

    def set_run_outcome(
        self, run_id: int, outcome: RunOutcome, *, now: datetime, message: str | None = None
    ) -> None:
        """Change how a run ended (e.g. "rolled_back" after ``moteur rollback``); items are untouched."""
        with self._transaction() as conn:
            _set_outcome(conn, run_id, outcome, now, message, None)

    def runs(self, limit: int = 50, *, before: int | None = None) -> list[RunRecord]:
        """The latest runs, newest first; with ``before``, the ones older than that run id (a next page)."""
        r = schema.runs
        query = select(r).order_by(r.c.id.desc()).limit(limit)
        if before is not None:
            query = query.where(r.c.id < before)
        with self._transaction(read_only=True) as conn:
            rows = conn.execute(query).all()
        return [run_record(row) for row in rows]

    def run(self, run_id: int) -> RunRecord:
        with self._transaction(read_only=True) as conn:
            row = conn.execute(select(schema.runs).where(schema.runs.c.id == run_id)).first()
        if row is None:
            raise NotFound(f"no run {run_id} in state database {self.where}", hint="`moteur runs` lists them")
        return run_record(row)

    # -- meta: values moteur chose once and keeps (the sprint anchor) --------------------------------------

    def meta(self, keys: Sequence[str]) -> dict[str, str]:
        """The stored values of ``keys`` (a key never stored is absent)."""
        t = schema.meta
        with self._transaction(read_only=True) as conn:
            rows = conn.execute(select(t.c.key, t.c.value).where(t.c.key.in_(list(keys)))).all()
        return {r.key: r.value for r in rows}

    def keep_meta(self, values: Mapping[str, str]) -> dict[str, str]:
        """Store ``values`` unless their first key is stored already; return what is stored for those keys.

        All in one transaction, so two first runs racing agree: the second one's INSERT hits the primary key
        and it reads back the first one's values instead of replacing them.
        """
        keys = list(values)
        try:
            with self._transaction() as conn:
                t = schema.meta
                if conn.execute(select(t.c.key).where(t.c.key == keys[0])).first() is None:
                    conn.execute(insert(t), [{"key": k, "value": v} for k, v in values.items()])
        except IntegrityError:
            pass  # another run stored them first: theirs are kept
        return self.meta(keys)

    # -- links (the migration ID map) ---------------------------------------------------------------------

    def link(
        self,
        source_key: str,
        target_board: str,
        target_key: str,
        run_id: int | None,
        now: datetime,
        *,
        replace: bool = False,
    ) -> None:
        """Remember that ``source_key`` was copied to ``target_key`` on ``target_board`` (committed at once).

        Linking again to the same target is a no-op; to a different one is a ``StateError`` unless
        ``replace`` (the old target was deleted and the item recreated).
        """
        t = schema.links
        where = and_(t.c.source_key == source_key, t.c.target_board == target_board)
        try:
            with self._transaction() as conn:
                existing = conn.execute(select(t.c.target_key).where(where)).scalar()
                if existing is None:
                    conn.execute(
                        insert(t).values(
                            source_key=source_key,
                            target_board=target_board,
                            target_key=target_key,
                            run_id=run_id,
                            created_at=now,
                        )
                    )
                elif existing != target_key:
                    if not replace:
                        raise _link_conflict(source_key, target_board, existing, target_key)
                    conn.execute(
                        update(t).where(where).values(target_key=target_key, run_id=run_id, created_at=now)
                    )
        except IntegrityError:
            # Another writer linked the same source between our read and our insert; agree or refuse.
            current = self.links(target_board).get(source_key)
            if current != target_key and not replace:
                raise _link_conflict(source_key, target_board, current, target_key) from None
            if current != target_key:
                self.link(source_key, target_board, target_key, run_id, now, replace=True)

    def links(self, target_board: str) -> dict[str, str]:
        """``{source_key: target_key}`` for every item already copied to ``target_board``."""
        t = schema.links
        with self._transaction(read_only=True) as conn:
            rows = conn.execute(
                select(t.c.source_key, t.c.target_key).where(t.c.target_board == target_board)
            )
            return {r.source_key: r.target_key for r in rows}

    # -- locks --------------------------------------------------------------------------------------------

    def lock(
        self,
        board: str,
        owner: str,
        lease_seconds: float,
        now: Callable[[], datetime],
        dead: Callable[[str], bool] | None = None,
    ) -> BoardLock:
        """The board's lock, taken on ``with`` (or ``acquire()``): ``LockHeld`` if a live run holds it.

        ``dead(owner)`` may say a holder is certainly gone; its lock is then taken over at once.
        """
        return BoardLock(self._engine, board, owner, lease_seconds, now, dead)


def _save_read(conn: Connection, board: str, cache: Any, cursors: Mapping[str, str], now: datetime) -> None:
    if cursors:
        schema.upsert(
            conn,
            schema.cursors,
            [{"board": board, "name": n, "value": v, "updated_at": now} for n, v in cursors.items()],
        )
    if cache is not None:
        schema.upsert(conn, schema.board_cache, [{"board": board, "payload": cache, "updated_at": now}])


def _link_conflict(source_key: str, target_board: str, existing: str | None, wanted: str) -> StateError:
    return StateError(
        f"{source_key} is already linked to {existing} on {target_board}, not {wanted}",
        hint="if that copy was deleted on purpose, relink with replace",
    )


def _mark_interrupted(conn: Connection, now: datetime, gone: Dead | None = None) -> list[int]:
    # A run is alive while one of its boards has an unexpired lock taken no later than the run started (a lock
    # taken after it - by the caller about to start - belongs to someone else) whose holder is not known to
    # be gone. A run that took no lock (a dry-run) therefore counts as dead once another run starts; it wrote
    # nothing, so nothing is lost.
    r, lk = schema.runs, schema.locks
    running = conn.execute(
        select(r.c.id, r.c.boards, r.c.started_at).where(r.c.outcome == RunOutcome.RUNNING.value)
    )
    dead: list[int] = []
    for run in running.all():
        holders = conn.execute(
            select(lk.c.owner).where(
                and_(
                    lk.c.board.in_(list(run.boards)),
                    lk.c.expires_at >= now,
                    lk.c.acquired_at <= run.started_at,
                )
            )
        ).scalars()
        if not any(gone is None or not gone(owner) for owner in holders):
            dead.append(run.id)
    for run_id in dead:
        # What its journal says it did: "pending" ops are the ones whose answer it never saw.
        by_status = status_counts(conn, run_id)
        counts = {"planned": sum(by_status.values())} | {
            s: by_status.get(s, 0) for s in ("applied", "failed", "pending")
        }
        conn.execute(
            update(r)
            .where(and_(r.c.id == run_id, r.c.outcome == RunOutcome.RUNNING.value))
            .values(
                outcome=RunOutcome.INTERRUPTED.value,
                counts=counts,
                message=f"stopped before finishing (found at {now.isoformat(timespec='seconds')}); "
                "its journal shows how far it got",
            )
        )
    return dead


def _set_outcome(
    conn: Connection,
    run_id: int,
    outcome: RunOutcome,
    now: datetime,
    message: str | None,
    counts: Mapping[str, int] | None,
) -> None:
    values: dict[str, Any] = {"outcome": outcome.value}
    if outcome is not RunOutcome.RUNNING:
        values["finished_at"] = now
    if message is not None:
        values["message"] = message
    if counts is not None:
        values["counts"] = dict(counts)
    if conn.execute(update(schema.runs).where(schema.runs.c.id == run_id).values(**values)).rowcount != 1:
        raise StateError(f"no run {run_id} in the state database to close")


__all__ = ["ItemState", "JournalEntry", "OpStatus", "RunOutcome", "RunRecord", "StateStore"]
