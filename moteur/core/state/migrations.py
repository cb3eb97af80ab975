"""Opening a state database: create it when new, upgrade it step by step when old, refuse it when newer.

``open_database(url)`` is the one entry point; every way opening can fail becomes a ``StateError`` that names
the database (a file path, or the URL with its password hidden) and the fix.

An *upgrade step* turns schema ``N`` into ``N + 1`` on an open connection, inside the opening transaction,
so an upgrade that fails half-way leaves the file as it was. ``UPGRADES`` maps ``N`` to that step; a gap in
the chain is an explicit "no upgrade path" error rather than a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from moteur.core.errors import StateError
from moteur.core.state import schema

UpgradeStep = Callable[[Connection], None]

UPGRADES: dict[int, UpgradeStep] = {}
"""``{from_version: step}``; empty while the schema is at version 1."""

_VERSION_KEY = "schema_version"
_FRESH_START = (
    "move the file aside (moteur starts a fresh one, forgetting what it wrote) "
    "or point MOTEUR_STATE_URL elsewhere"
)


def open_database(url: str) -> tuple[Engine, str]:
    """An engine on the state database at ``url``, its schema ready; and how messages name it."""
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
        event.listen(engine, "connect", _sqlite_write_ahead_log)
    where = (
        (parsed.database or "(in-memory SQLite)") if is_file else parsed.render_as_string(hide_password=True)
    )
    try:
        with engine.begin() as conn:
            prepare_schema(conn, where)
    except DBAPIError as exc:
        engine.dispose()
        raise _unusable(where, is_file, exc) from exc
    except StateError:
        engine.dispose()
        raise
    return engine, where


def _sqlite_write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
    # WAL: one fsync per commit instead of about three (the journal commits once per op, ~1.7 ms instead of
    # ~8 ms), and `moteur runs` can read while a sync writes. synchronous=FULL keeps every commit durable.
    # WAL needs a local file system; a state file on NFS should be a PostgreSQL URL instead.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


def _unusable(where: str, is_file: bool, exc: DBAPIError) -> StateError:
    reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
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


def read_schema_version(conn: Connection, where: str) -> int | None:
    """The stored schema version, or None for a database moteur has never written to."""
    if not inspect(conn).has_table(schema.meta.name):
        return None
    raw = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == _VERSION_KEY)).scalar()
    try:
        return int(raw) if raw is not None else _no_version(where)
    except ValueError:
        raise StateError(
            f"state database {where} has an unreadable schema version {raw!r}",
            hint=_FRESH_START,
        ) from None


def _no_version(where: str) -> int:
    raise StateError(
        f"state database {where} has a meta table but no schema version",
        hint=_FRESH_START,
    )


def prepare_schema(
    conn: Connection,
    where: str,
    *,
    target: int = schema.SCHEMA_VERSION,
    steps: Mapping[int, UpgradeStep] = UPGRADES,
) -> int:
    """Make the database at ``where`` hold schema ``target``; return the version it held before (0 if new).

    ``where`` names the database in messages (a path or a URL without its password).
    """
    found = read_schema_version(conn, where)
    if found is None:
        _create(conn, where, target)
        return 0
    if found > target:
        raise StateError(
            f"state database {where} was written by a newer moteur "
            f"(schema {found}, this one knows {target}); upgrade moteur or point MOTEUR_STATE_URL elsewhere"
        )
    if found < target:
        upgrade_schema(conn, where, found, target=target, steps=steps)
    return found


def upgrade_schema(
    conn: Connection,
    where: str,
    from_version: int,
    *,
    target: int = schema.SCHEMA_VERSION,
    steps: Mapping[int, UpgradeStep] = UPGRADES,
) -> None:
    """Apply the numbered steps from ``from_version`` up to ``target``, then record ``target``."""
    version = from_version
    while version < target:
        step = steps.get(version)
        if step is None:
            raise StateError(
                f"state database {where} has schema {version} and this moteur has no upgrade path from it "
                f"to schema {target}",
                hint="move the file aside (moteur starts a fresh one) or use the moteur that wrote it",
            )
        step(conn)
        version += 1
    _write_version(conn, target)


def _create(conn: Connection, where: str, version: int) -> None:
    # A database with our table names but no meta row was not made by moteur (or was half-deleted by hand):
    # writing into someone else's "items" table would be worse than refusing.
    present = [t.name for t in schema.metadata.sorted_tables if inspect(conn).has_table(t.name)]
    if present:
        raise StateError(
            f"state database {where} already has tables moteur did not create ({', '.join(present)})",
            hint="point MOTEUR_STATE_URL at an empty database or a new file",
        )
    schema.metadata.create_all(conn)
    conn.execute(schema.meta.insert().values(key=_VERSION_KEY, value=str(version)))


def _write_version(conn: Connection, version: int) -> None:
    conn.execute(schema.meta.update().where(schema.meta.c.key == _VERSION_KEY).values(value=str(version)))
