"""The history half of the state store: action days written by each run, read back as a ``History``.

Three tables (``schema``): ``history_days`` one row per (board, action, day); ``history_latest`` the last
row per action, so a run reads one row per action of its board to carry "first seen" and "done on"
forward, whatever the length of the history; ``history_boards`` each board's first day and back-fill.

Commit rules: one run's days, its latest rows and the board's row in one transaction (a crash leaves the
day as the previous run of that day left it). Rows are written in chunks of ``_CHUNK``: bounded statements.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, and_, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from moteur.core.history import ActionDay, BoardHistory, History, Seen
from moteur.core.model import Quadrant, Status
from moteur.engine.state import schema

_CHUNK = 500


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _day_row(row: ActionDay) -> dict[str, Any]:
    return {
        "board": row.board,
        "item_key": row.key,
        "day": row.day.isoformat(),
        "title": row.title,
        "status": row.status.value,
        "sprint": row.sprint,
        "quadrant": row.quadrant.value,
        "impact": row.impact,
        "effort": row.effort,
        "assignees": "\n".join(row.assignees),
        "objective": row.objective,
        "channel": row.channel,
        "due": _iso(row.due),
        "done_on": _iso(row.done_on),
        "first_seen": row.first_seen.isoformat(),
        "sprint_start": _iso(row.sprint_start),
        "kpi": row.kpi,
        "target": row.target,
        "actual": row.actual,
    }


def _latest_row(row: ActionDay) -> dict[str, Any]:
    return {
        "board": row.board,
        "item_key": row.key,
        "day": row.day.isoformat(),
        "status": row.status.value,
        "first_seen": row.first_seen.isoformat(),
        "done_on": _iso(row.done_on),
        "sprint": row.sprint,
        "sprint_start": _iso(row.sprint_start),
    }


class _Decoder:
    """Rows back to ``ActionDay``s. A history repeats the same few days, statuses and teams on every row:
    each distinct text is parsed once (a year of a 2,000-action board is 730,000 rows)."""

    def __init__(self) -> None:
        self._days: dict[str, date] = {}
        self._people: dict[str, tuple[str, ...]] = {"": ()}
        self._statuses = {s.value: s for s in Status}
        self._quadrants = {q.value: q for q in Quadrant}

    def day(self, text: str | None) -> date | None:
        if text is None:
            return None
        found = self._days.get(text)
        if found is None:
            found = self._days[text] = date.fromisoformat(text)
        return found

    def people(self, text: str | None) -> tuple[str, ...]:
        key = text or ""
        found = self._people.get(key)
        if found is None:
            found = self._people[key] = tuple(key.split("\n"))
        return found

    def action_day(self, r: Any) -> ActionDay:
        day = self.day
        return ActionDay(
            board=r[0],
            key=r[1],
            day=day(r[2]),  # type: ignore[arg-type]  # NOT NULL columns
            title=r[3],
            status=self._statuses[r[4]],
            sprint=r[5],
            quadrant=self._quadrants[r[6]],
            impact=r[7],
            effort=r[8],
            assignees=self.people(r[9]),
            objective=r[10],
            channel=r[11],
            due=day(r[12]),
            done_on=day(r[13]),
            first_seen=day(r[14]),  # type: ignore[arg-type]
            sprint_start=day(r[15]),
            kpi=r[16],
            target=r[17],
            actual=r[18],
        )


# The order ``_Decoder.action_day`` reads a row's columns in.
_DAY_COLUMNS = (
    "board",
    "item_key",
    "day",
    "title",
    "status",
    "sprint",
    "quadrant",
    "impact",
    "effort",
    "assignees",
    "objective",
    "channel",
    "due",
    "done_on",
    "first_seen",
    "sprint_start",
    "kpi",
    "target",
    "actual",
)


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while chunk := list(islice(it, _CHUNK)):
        yield chunk


def _upsert(conn: Connection, table: Table, rows: list[dict[str, Any]], *, newer_only: bool) -> None:
    """Insert or overwrite by primary key; with ``newer_only`` an existing row with a later ``day`` stays
    (a run with an earlier ``--today`` than the last one must not move "latest" back in time)."""
    keys = [c.name for c in table.primary_key.columns]
    others = [c.name for c in table.columns if c.name not in keys]
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        stmt = sqlite.insert(table) if dialect == "sqlite" else postgresql.insert(table)
        where = table.c.day <= stmt.excluded.day if newer_only else None
        upsert = stmt.on_conflict_do_update(
            index_elements=keys, set_={c: stmt.excluded[c] for c in others}, where=where
        )
        if dialect == "postgresql":
            conn.execute(upsert, rows)  # SQLAlchemy sends it as one multi-row INSERT per batch: fastest
            return
        # SQLite: compiled once and sent as the driver's own executemany. The columns are plain text and
        # numbers (no type to process), and SQLAlchemy's per-row parameter handling was half the cost.
        compiled = upsert.compile(dialect=conn.dialect, column_keys=[c.name for c in table.columns])
        order = compiled.positiontup or []
        conn.exec_driver_sql(compiled.string, [tuple(row[k] for k in order) for row in rows])
        return
    for row in rows:  # any other database: correct inside the transaction, only slower
        match = and_(*(table.c[k] == row[k] for k in keys))
        found = conn.execute(select(table.c.day).where(match)).scalar()
        if found is None:
            conn.execute(insert(table).values(row))
        elif not newer_only or found <= row["day"]:
            conn.execute(update(table).where(match).values({c: row[c] for c in others}))


class HistoryMethods:
    """Mixed into ``StateStore``, which provides the transaction."""

    def _transaction(self, *, read_only: bool = False) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # StateStore's

    def record_history(
        self,
        board: str,
        day: date,
        actions: Sequence[ActionDay],
        *,
        backfill: str | None = None,
        done_since: date | None = None,
    ) -> None:
        """Save one run's action days of ``board`` on ``day`` (``core.history.observe`` makes them).

        The board's first recorded day becomes its ``since``; ``backfill`` and ``done_since`` are kept from
        the run that first recorded the board (the one that back-filled), later values are ignored.
        """
        days = [_day_row(row) for row in actions]
        latest = [_latest_row(row) for row in actions]
        b = schema.history_boards
        with self._transaction() as conn:
            for chunk in _chunks(days):
                _upsert(conn, schema.history_days, chunk, newer_only=False)
            for chunk in _chunks(latest):
                _upsert(conn, schema.history_latest, chunk, newer_only=True)
            since = conn.execute(select(b.c.since).where(b.c.board == board)).scalar()
            if since is None:
                conn.execute(
                    insert(b).values(
                        board=board, since=day.isoformat(), backfill=backfill, done_since=_iso(done_since)
                    )
                )
            elif day.isoformat() < since:
                conn.execute(update(b).where(b.c.board == board).values(since=day.isoformat()))

    def history_seen(self, board: str) -> dict[str, Seen]:
        """What the last recorded day said of each action of ``board``, by key (empty before any run)."""
        t = schema.history_latest
        with self._transaction(read_only=True) as conn:
            rows = conn.execute(select(t).where(t.c.board == board)).all()
        return {
            r.item_key: Seen(
                day=date.fromisoformat(r.day),
                status=Status(r.status),
                first_seen=date.fromisoformat(r.first_seen),
                done_on=_day(r.done_on),
                sprint=r.sprint,
                sprint_start=_day(r.sprint_start),
            )
            for r in rows
        }

    def history_bounds(self, boards: Sequence[str]) -> list[BoardHistory]:
        """The recorded boards among ``boards``: first day, back-fill and done-since of each."""
        b = schema.history_boards
        with self._transaction(read_only=True) as conn:
            rows = conn.execute(select(b).where(b.c.board.in_(list(boards)))).all()
        return [
            BoardHistory(r.board, date.fromisoformat(r.since), r.backfill, _day(r.done_since))
            for r in sorted(rows, key=lambda r: list(boards).index(r.board))
        ]

    def velocity_history(self, boards: Sequence[str], sprints: Sequence[tuple[date, date]]) -> History:
        """Just what ``core.velocity`` reads of ``sprints`` (first and last day of each): every action's last
        recorded day, and the rows of the day each sprint's plan is read from (the last recorded day on or
        before its first day, else its first recorded day). A few rows per action, whatever the history's
        length: ``plan`` with ``capacity = "velocity"`` stays as fast on a year of history as on a month."""
        t, latest = schema.history_days, schema.history_latest
        names = list(boards)
        decoder = _Decoder()
        columns = [t.c[name] for name in _DAY_COLUMNS]
        with self._transaction(read_only=True) as conn:
            plan_days: set[str] = set()
            for start, end in sprints:
                on_board = t.c.board.in_(names)
                found = conn.execute(select(func.max(t.c.day)).where(on_board, t.c.day <= start.isoformat()))
                day = (
                    found.scalar()
                    or conn.execute(
                        select(func.min(t.c.day)).where(
                            on_board, t.c.day >= start.isoformat(), t.c.day <= end.isoformat()
                        )
                    ).scalar()
                )
                if day is not None:
                    plan_days.add(day)
            last = select(*columns).join(
                latest,
                and_(t.c.board == latest.c.board, t.c.item_key == latest.c.item_key, t.c.day == latest.c.day),
            )
            rows = list(conn.execute(last.where(t.c.board.in_(names))))
            if plan_days:
                on_days = select(*columns).where(t.c.board.in_(names), t.c.day.in_(sorted(plan_days)))
                rows += list(conn.execute(on_days))
        unique = {(r[0], r[1], r[2]): r for r in rows}  # a last day that is also a plan day comes twice
        ordered = sorted(unique.values(), key=lambda r: (r[2], r[0], r[1]))
        bounds = self.history_bounds(boards)
        first = min((b.since for b in bounds), default=None)
        return History(since=first, days=tuple(decoder.action_day(r) for r in ordered), boards=tuple(bounds))

    def history(self, boards: Sequence[str], since: date | None = None) -> History:
        """The action days of ``boards`` from ``since`` (all when None), ordered by day, board, key."""
        t = schema.history_days
        query = select(*(t.c[name] for name in _DAY_COLUMNS)).where(t.c.board.in_(list(boards)))
        if since is not None:
            query = query.where(t.c.day >= since.isoformat())
        query = query.order_by(t.c.day, t.c.board, t.c.item_key)
        decoder = _Decoder()
        with self._transaction(read_only=True) as conn:
            days = tuple(decoder.action_day(r) for r in conn.execute(query))
        bounds = self.history_bounds(boards)
        first = min((b.since for b in bounds), default=None)
        return History(since=first, days=days, boards=tuple(bounds))
