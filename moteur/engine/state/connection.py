"""Connecting to the state database: the engine, SQLite's transactions, and what a failure to open means.

``open_database(url)`` is the one entry point. Every way opening can fail becomes a ``StateError`` naming the
database (a file path, or the URL with its password hidden) and the fix.

SQLite needs two settings to keep the store's promises:

- *Real transactions.* pysqlite begins a transaction only before INSERT/UPDATE/DELETE, so schema creation
  and upgrade steps would run outside one. We switch that off and issue BEGIN ourselves: ``BEGIN IMMEDIATE``
  for writers, which waits for the write lock up front (a deferred transaction that reads then writes fails
  at once with "database is locked" when another writer went first), and a plain deferred ``BEGIN`` for
  reads (connections with the ``READ_ONLY`` execution option), which never block a writer.
- *Write-ahead log.* One fsync per commit instead of about three (the journal commits once per op: ~2 ms
  instead of ~8 ms), and ``moteur runs`` reads while a sync writes. ``synchronous=FULL`` keeps every commit
  durable. WAL needs a local file system; a state database shared over the network should be PostgreSQL.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
)

from moteur.core.errors import StateError
from moteur.engine.state.upgrades import prepare_schema

READ_ONLY = "moteur_read_only"
"""Execution option marking a connection whose transactions only read."""

_BUSY_TIMEOUT_MS = 30_000  # a cron run may wait this long for another run's commit before giving up
# Two processes creating a new PostgreSQL schema at once: the loser's CREATE fails once the winner commits.
# Opening again then finds the finished schema.
_OPEN_ATTEMPTS = 4
_OPEN_PAUSE_S = 0.25
# PostgreSQL: processes opening a new database at once take this transaction-scoped advisory lock before
# they look at or create the schema, so one creates it and the others then find it (concurrent CREATE TABLEs
# can otherwise fail with duplicates or a deadlock, seen with two cron runs starting together).
_SCHEMA_LOCK_KEY = 0x6D6F74657572  # "moteur"
_FRESH_START = (
    "move the file aside (moteur starts a fresh one, forgetting what it wrote) "
    "or point MOTEUR_STATE_URL elsewhere"
)


def open_database(url: str) -> tuple[Engine, str]:
    """An engine on the state database at ``url`` with its schema ready, and how messages name it."""
    try:
        parsed = make_url(url)
        engine = create_engine(parsed)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StateError(
            f"the state database URL cannot be used: {exc}",
            hint="set MOTEUR_STATE_URL to e.g. sqlite:////path/to/state.db or postgresql+psycopg://user@host/db",
        ) from exc
    except ModuleNotFoundError as exc:
        raise StateError(
            f"the driver for {parsed.drivername} databases is not installed (no module {exc.name!r})",
            hint="install it (pip install 'psycopg[binary]' for postgresql+psycopg) or use a sqlite:/// URL",
        ) from exc
    is_file = parsed.get_backend_name() == "sqlite"
    if is_file:
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    where = (
        (parsed.database or "(in-memory SQLite)") if is_file else parsed.render_as_string(hide_password=True)
    )
    for attempt in range(1, _OPEN_ATTEMPTS + 1):
        try:
            with engine.begin() as conn:
                if parsed.get_backend_name() == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK_KEY})")
                prepare_schema(conn, where)
            return engine, where
        except (IntegrityError, ProgrammingError) as exc:
            if is_file or attempt == _OPEN_ATTEMPTS:
                engine.dispose()
                raise _unusable(where, is_file, exc) from exc
            time.sleep(_OPEN_PAUSE_S * attempt)
        except DBAPIError as exc:
            # Several cron runs opening a new SQLite file at once: switching it to WAL can meet a lock that
            # SQLite reports at once instead of waiting on its busy timeout. A short pause, then again.
            if is_file and "locked" in str(exc.orig) and attempt < _OPEN_ATTEMPTS:
                engine.dispose()
                time.sleep(_OPEN_PAUSE_S * attempt)
                continue
            engine.dispose()
            raise _unusable(where, is_file, exc) from exc
        except StateError:
            engine.dispose()
            raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # pysqlite's own BEGIN off: _sqlite_begin issues ours
    cursor = dbapi_connection.cursor()
    try:
        # The timeout first: switching to WAL takes a lock, and without a timeout a second process opening
        # the same new file at that moment fails at once with "database is locked" (seen under load).
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def _unusable(where: str, is_file: bool, exc: DBAPIError) -> StateError:
    text = str(exc.orig).strip()
    reason = text.splitlines()[0] if text else type(exc.orig).__name__
    if not is_file:
        return StateError(
            f"state database {where} cannot be used ({reason})",
            hint="check the URL, that the server is running and that this user may create tables there",
        )
    if isinstance(exc, OperationalError):  # SQLite could not open the file at all
        return StateError(
            f"state database {where} cannot be opened ({reason})",
            hint="check that its directory exists and is writable, or point MOTEUR_STATE_URL elsewhere",
        )
    return StateError(f"state database {where} is not a readable SQLite file ({reason})", hint=_FRESH_START)
