"""The journal half of the state store: what each run did to each item, written ahead of the requests.

Terms defined here:

- *Intent*: a journal entry recorded "pending" before the first request of its board (item, field, old
  value, new value); its *outcome* ("applied" / "failed") replaces that status once the connector knows it.
  An entry still "pending" after its run stopped is *settled* by a later run that reads the item
  (``core/settle.py``); so is a "failed" one once, since a dropped connection can fail a write that landed.
- *Folding* an applied entry: its new value goes into the item's ``written`` (see ``schema``) in the same
  transaction as its status, so the next run knows moteur wrote it even if this run never finishes: a value
  moteur wrote is never read back as a person's edit (a pin).

Commit rules: intents of a board in one transaction; each batch of outcomes (one connector callback) in one
transaction with its folds; each settlement in one transaction with its folds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, or_, select, update

from moteur.core.errors import StateError
from moteur.core.records import ItemState, JournalEntry, OpStatus, Outcome
from moteur.engine.state import schema
from moteur.engine.state.records import journal_entry, new_id

_CHUNK = 500  # keys per IN (...) and rows per executemany: bounded statements on any database

Written = Mapping[str, Mapping[str, str | None]]
"""``{item key: {field: value moteur wrote}}``, folded into the items' ``written``."""


class JournalMethods:
    """Mixed into ``StateStore``, which provides the transaction and the database's name."""

    where: str

    def _transaction(self, *, read_only: bool = False) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # StateStore's

    def record_op(
        self,
        run_id: int,
        *,
        board: str,
        item: str | None,
        title: str | None,
        kind: str,
        field: str | None,
        before: Any,
        after: Any,
        status: OpStatus,
        error: str | None = None,
        now: datetime,
    ) -> int:
        """Journal one op of a run (committed at once) and return the entry's id."""
        j = schema.journal
        row: dict[str, Any] = {
            "board": board,
            "item_key": item,
            "item_title": title,
            "kind": kind,
            "field": field,
        }
        row |= {"before": before, "after": after, "status": status.value, "error": error, "at": now}
        with self._transaction() as conn:
            last = self._last_seq(conn, run_id)
            return new_id(conn.execute(insert(j).values(run_id=run_id, seq=last + 1, **row)))

    def record_ops(self, run_id: int, entries: Sequence[Mapping[str, Any]], now: datetime) -> int:
        """Journal many ops of a run in one transaction; return how many.

        Each entry has the keyword arguments of ``record_op`` (``board``, ``item``, ``title``, ``kind``,
        ``field``, ``before``, ``after``, ``status``, ``error``). One commit instead of one per op: a sync of
        thousands of ops journals in milliseconds, not seconds.
        """
        if not entries:
            return 0
        with self._transaction() as conn:
            last = self._last_seq(conn, run_id)
            conn.execute(insert(schema.journal), _rows(run_id, last, entries, now))
        return len(entries)

    def record_intents(self, run_id: int, entries: Sequence[Mapping[str, Any]], now: datetime) -> list[int]:
        """Journal the ops a run is about to send, all "pending", in one transaction; their ids in order.

        Entries as for ``record_ops`` (their ``status`` is ignored). Called before the first request: if
        this fails, nothing is sent.
        """
        if not entries:
            return []
        j = schema.journal
        pending = [{**e, "status": OpStatus.PENDING} for e in entries]
        with self._transaction() as conn:
            last = self._last_seq(conn, run_id)
            conn.execute(insert(j), _rows(run_id, last, pending, now))
            ids = conn.execute(
                select(j.c.id).where(and_(j.c.run_id == run_id, j.c.seq > last)).order_by(j.c.seq)
            ).scalars()
            return list(ids)

    def record_outcomes(
        self,
        board: str,
        outcomes: Sequence[Outcome],
        *,
        written: Written,
        run_id: int | None,
        now: datetime,
        seen: Mapping[str, ItemState] | None = None,
    ) -> None:
        """Set the status of journalled entries and fold what they wrote, in one transaction.

        ``written`` is folded into the items of ``board`` (``run_id`` noted on them); ``seen`` gives the
        version and content hash to record for an item moteur never wrote before (else both stay empty).
        """
        if not outcomes and not written:
            return
        with self._transaction() as conn:
            _set_statuses(conn, outcomes, settled_at=None)
            _fold(conn, board, written, run_id, now, seen or {})

    def settle(self, board: str, outcomes: Sequence[Outcome], *, written: Written, now: datetime) -> None:
        """Record how entries left "pending" (or "failed") ended, as reading their items showed, and fold
        the ones that landed; one transaction."""
        if not outcomes:
            return
        with self._transaction() as conn:
            _set_statuses(conn, outcomes, settled_at=now)
            _fold(conn, board, written, None, now, {})

    def unsettled(self, board: str, *, running: bool = False) -> list[JournalEntry]:
        """The entries of ``board`` whose outcome a read must decide, oldest first: "pending" ones, and
        "failed" ones not examined yet. Entries of runs still "running" only when ``running`` (a dry-run
        shows what a live run has landed so far; a sync holding the board's lock finds none)."""
        j, r = schema.journal, schema.runs
        query = (
            select(j)
            .join(r, r.c.id == j.c.run_id)
            .where(
                and_(
                    j.c.board == board,
                    or_(
                        j.c.status == OpStatus.PENDING.value,
                        and_(j.c.status == OpStatus.FAILED.value, j.c.settled_at.is_(None)),
                    ),
                )
            )
            .order_by(j.c.run_id, j.c.seq)
        )
        if not running:
            query = query.where(r.c.outcome != "running")
        with self._transaction(read_only=True) as conn:
            return [journal_entry(row) for row in conn.execute(query).all()]

    def journal(self, run_id: int) -> list[JournalEntry]:
        """A run's ops in the order they were recorded."""
        j = schema.journal
        with self._transaction(read_only=True) as conn:
            rows = conn.execute(select(j).where(j.c.run_id == run_id).order_by(j.c.seq)).all()
        return [journal_entry(r) for r in rows]

    def journal_counts(self, run_id: int) -> dict[str, int]:
        """How many of a run's item ops ended each way: ``{status: count}``."""
        with self._transaction(read_only=True) as conn:
            return status_counts(conn, run_id)

    def mark_undone(self, entry_ids: Iterable[int]) -> int:
        """Mark journal entries "undone" (their change was reverted); return how many were marked."""
        ids = list(entry_ids)
        if not ids:
            return 0
        with self._transaction() as conn:
            result = conn.execute(
                update(schema.journal)
                .where(schema.journal.c.id.in_(ids))
                .values(status=OpStatus.UNDONE.value)
            )
        return result.rowcount

    def _last_seq(self, conn: Connection, run_id: int) -> int:
        # A no-op UPDATE of the run's row takes its write lock first (a row lock on PostgreSQL, the database
        # write lock on SQLite), so concurrent writers of one run read max(seq) in turn.
        runs, j = schema.runs, schema.journal
        touched = conn.execute(update(runs).where(runs.c.id == run_id).values(command=runs.c.command))
        if touched.rowcount != 1:
            raise StateError(f"cannot journal ops for run {run_id}: no such run in {self.where}")
        last = conn.execute(select(func.max(j.c.seq)).where(j.c.run_id == run_id)).scalar()
        return int(last or 0)


def status_counts(conn: Connection, run_id: int) -> dict[str, int]:
    """``{status: count}`` of a run's item ops (schema ops left out: they are not changes to an item)."""
    j = schema.journal
    rows = conn.execute(
        select(j.c.status, func.count())
        .where(and_(j.c.run_id == run_id, j.c.item_key.is_not(None)))
        .group_by(j.c.status)
    ).all()
    return {str(status): int(n) for status, n in rows}


def _rows(
    run_id: int, last: int, entries: Sequence[Mapping[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run_id,
            "seq": last + n,
            "board": e["board"],
            "item_key": e.get("item"),
            "item_title": e.get("title"),
            "kind": e["kind"],
            "field": e.get("field"),
            "before": e.get("before"),
            "after": e.get("after"),
            "status": OpStatus(e["status"]).value,
            "error": e.get("error"),
            "at": now,
            "settled_at": None,
        }
        for n, e in enumerate(entries, start=1)
    ]


def _set_statuses(conn: Connection, outcomes: Sequence[Outcome], settled_at: datetime | None) -> None:
    if not outcomes:
        return
    j = schema.journal
    statement = (
        update(j)
        .where(j.c.id == bindparam("entry_id"))
        .values(status=bindparam("new_status"), error=bindparam("new_error"))
    )
    if settled_at is not None:
        statement = statement.values(settled_at=settled_at)
    rows = [{"entry_id": o.entry, "new_status": o.status.value, "new_error": o.error} for o in outcomes]
    for start in range(0, len(rows), _CHUNK):
        conn.execute(statement, rows[start : start + _CHUNK])


def _fold(
    conn: Connection,
    board: str,
    written: Written,
    run_id: int | None,
    now: datetime,
    seen: Mapping[str, ItemState],
) -> None:
    """``written`` merged into the items' stored ``written`` (a row is made for an item seen first)."""
    t = schema.items
    keys = iter(list(written))
    while chunk := list(islice(keys, _CHUNK)):
        stored = {
            r.item_key: r
            for r in conn.execute(select(t).where(and_(t.c.board == board, t.c.item_key.in_(chunk)))).all()
        }
        rows = []
        for key in chunk:
            row = stored.get(key)
            first = seen.get(key)
            rows.append(
                {
                    "board": board,
                    "item_key": key,
                    "version": row.version if row is not None else (first.version if first else None),
                    "content_hash": (
                        row.content_hash if row is not None else (first.content_hash if first else None)
                    ),
                    "written": {**(dict(row.written) if row is not None else {}), **written[key]},
                    "updated_at": now,
                    "run_id": run_id if run_id is not None else (row.run_id if row is not None else None),
                }
            )
        schema.upsert(conn, t, rows)
