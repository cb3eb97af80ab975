"""The state database's tables, as SQLAlchemy Core metadata, and the two column types they share.

Terms defined here:

- *Schema version*: the integer in ``meta`` under ``schema_version``; it names the shape of these tables.
  ``SCHEMA_VERSION`` is the shape this moteur writes; ``migrations.py`` brings older files up to it.
- *Item key*: the tool's id of one item on one board (a Trello card id, an Asana task gid, a monday item id).
- *Written*: the ``{field: value}`` moteur last wrote on an item (``{"quadrant": "Quick win", "sprint":
  "Sprint 3", "ice": "512"}``). A tool value that differs from it was set by a person: a pin.
- *Board cache*: the last complete Snapshot of a board as JSON (``Snapshot.model_dump(mode="json")``); an
  incremental read merges what changed into it, since planning needs every action of the board.
- *Lease*: a lock row's ``expires_at``; a run that dies stops renewing it, and after it the lock can be taken.

Nothing here is SQLite-only: times are UTC ISO text (so they sort and compare as text on every database) and
JSON is stored as text, so the same tables work on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    insert,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import TypeDecorator

SCHEMA_VERSION = 4
"""The schema this moteur writes. Bump it together with a new step in ``migrations.UPGRADES``.

Version 2 added ``board_cache`` (incremental reads); version 3 the journal's ``settled_at`` and its
``(board, status)`` index (the write-ahead journal: ``engine/write_ahead.py``, ``core/settle.py``); version 4
the history tables ``history_days``, ``history_latest`` and ``history_boards`` (``docs/history.md``)."""

# Wide enough for "trello:<24 hex>", "file:<long path>" and Asana's 19-digit gids with room to spare.
KEY = 512


class UtcTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as fixed-width UTC ISO text (``2025-03-03T09:00:00.000000+00:00``).

    Fixed width and one offset make text order equal time order, so ``expires_at < :now`` is right on any
    database. A naive datetime is refused: a time without a zone is a bug upstream, not something to guess.
    """

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"state times must be timezone-aware, got naive {value.isoformat()}")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value: str | None, dialect: Dialect) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)


class JsonText(TypeDecorator[Any]):
    """Any JSON value stored as text with sorted keys (so equal values store equal text)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

items = Table(
    "items",
    metadata,
    Column("board", String(KEY), primary_key=True),
    Column("item_key", String(KEY), primary_key=True),
    Column("version", Text, nullable=True),
    Column("content_hash", String(128), nullable=True),
    Column("written", JsonText, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
    Column("run_id", Integer, nullable=True),
)

links = Table(
    "links",
    metadata,
    Column("source_key", String(KEY), primary_key=True),
    Column("target_board", String(KEY), primary_key=True),
    Column("target_key", String(KEY), nullable=False),
    Column("run_id", Integer, nullable=True),
    Column("created_at", UtcTime, nullable=False),
)

cursors = Table(
    "cursors",
    metadata,
    Column("board", String(KEY), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("command", String(255), nullable=False),
    Column("boards", JsonText, nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("started_at", UtcTime, nullable=False),
    Column("finished_at", UtcTime, nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("counts", JsonText, nullable=False),
    Column("message", Text, nullable=True),
)

journal = Table(
    "journal",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("board", String(KEY), nullable=False),
    Column("item_key", String(KEY), nullable=True),
    Column("item_title", Text, nullable=True),
    Column("kind", String(64), nullable=False),
    Column("field", String(255), nullable=True),
    Column("before", JsonText, nullable=True),
    Column("after", JsonText, nullable=True),
    Column("status", String(16), nullable=False),
    Column("error", Text, nullable=True),
    Column("at", UtcTime, nullable=False),
    # When a later run read the item of an entry left "pending" or "failed" and decided how it ended (see
    # ``core/settle.py``); NULL until then. An entry is examined once: after that its status is the answer.
    Column("settled_at", UtcTime, nullable=True),
    # seq is the op's place in its run; the constraint makes two writers racing for one seq fail loudly.
    UniqueConstraint("run_id", "seq", name="uq_journal_run_seq"),
    # The next run of a board looks for its entries still to settle: few rows, found without a scan.
    Index("ix_journal_board_status", "board", "status"),
)

board_cache = Table(
    "board_cache",
    metadata,
    Column("board", String(KEY), primary_key=True),
    # One row per board, not per item: 2,000 items are ~2 MB of JSON, read and written once per run; the
    # measured cost (tests/incremental) is a few ms either way, and one row keeps the upgrade trivial.
    Column("payload", JsonText, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
)

locks = Table(
    "locks",
    metadata,
    # The primary key is the lock: of two INSERTs racing for a free board, the database lets exactly one in.
    Column("board", String(KEY), primary_key=True),
    Column("owner", String(255), nullable=False),
    Column("acquired_at", UtcTime, nullable=False),
    Column("expires_at", UtcTime, nullable=False),
)

# History (docs/history.md). Days are ISO ``YYYY-MM-DD`` text: it sorts as dates on every database and is
# the board's calendar day as the run saw it (``--today``), not a UTC instant.
DAY = 10

history_days = Table(
    "history_days",
    metadata,
    # One row per action per day a run saw it; a second run the same day overwrites the row (upsert), so
    # running every hour costs no more space than running daily.
    Column("board", String(KEY), primary_key=True),
    Column("item_key", String(KEY), primary_key=True),
    Column("day", String(DAY), primary_key=True),
    Column("title", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("sprint", Integer, nullable=True),
    Column("quadrant", String(16), nullable=False),
    Column("impact", Integer, nullable=True),
    Column("effort", Integer, nullable=True),
    # Names joined by a newline rather than JSON: shorter, and a name never holds a newline once cleaned.
    Column("assignees", Text, nullable=False),
    Column("objective", Text, nullable=True),
    Column("channel", Text, nullable=True),
    Column("due", String(DAY), nullable=True),
    Column("done_on", String(DAY), nullable=True),
    Column("first_seen", String(DAY), nullable=False),
    Column("sprint_start", String(DAY), nullable=True),
    Column("kpi", Text, nullable=True),
    Column("target", Float, nullable=True),
    Column("actual", Float, nullable=True),
    # Reading a board's history "since" a day scans this index, not the whole table.
    Index("ix_history_days_board_day", "board", "day"),
)

history_latest = Table(
    "history_latest",
    metadata,
    # The last row written per action, so a run compares against one row per action (cost O(board), not
    # O(history)) to know since when the status holds and when the action went to done.
    Column("board", String(KEY), primary_key=True),
    Column("item_key", String(KEY), primary_key=True),
    Column("day", String(DAY), nullable=False),
    Column("status", String(16), nullable=False),
    Column("first_seen", String(DAY), nullable=False),
    Column("done_on", String(DAY), nullable=True),
    Column("sprint", Integer, nullable=True),
    Column("sprint_start", String(DAY), nullable=True),
)

history_boards = Table(
    "history_boards",
    metadata,
    # The first day moteur recorded the board (what it knows before that is only back-filled done days),
    # and what the first run back-filled from the tool, if anything (e.g. "asana completed_at").
    Column("board", String(KEY), primary_key=True),
    Column("since", String(DAY), nullable=False),
    Column("backfill", Text, nullable=True),
    Column("done_since", String(DAY), nullable=True),
)


def upsert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` or update the ones whose primary key exists, in the caller's transaction.

    SQLite and PostgreSQL get their native ``ON CONFLICT DO UPDATE`` (one statement per batch); any other
    database gets update-then-insert per row, which is correct inside one transaction, only slower.
    """
    keys = [c.name for c in table.primary_key.columns]
    others = [c.name for c in table.columns if c.name not in keys]
    dialect = conn.dialect.name
    if dialect == "sqlite":
        lite = sqlite.insert(table)
        conn.execute(
            lite.on_conflict_do_update(index_elements=keys, set_={c: lite.excluded[c] for c in others}), rows
        )
    elif dialect == "postgresql":
        pg = postgresql.insert(table)
        conn.execute(
            pg.on_conflict_do_update(index_elements=keys, set_={c: pg.excluded[c] for c in others}), rows
        )
    else:
        for row in rows:
            match = and_(*(table.c[k] == row[k] for k in keys))
            if conn.execute(update(table).where(match).values({c: row[c] for c in others})).rowcount == 0:
                conn.execute(insert(table).values(row))
