"""Schema versions: create the tables when the database is new, upgrade them step by step when old, refuse
them when newer. (Connecting, and what a failure to connect means, is ``connection.py``.)

An *upgrade step* turns schema ``N`` into ``N + 1`` on an open connection, inside the opening transaction,
so an upgrade that fails half-way leaves the file as it was. ``UPGRADES`` maps ``N`` to that step; a gap in
the chain is an explicit "no upgrade path" error rather than a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection, inspect, select

from moteur.core.errors import StateError
from moteur.engine.state import schema

UpgradeStep = Callable[[Connection], None]


def _add_board_cache(conn: Connection) -> None:
    """1 → 2: the ``board_cache`` table of incremental reads (nothing else changed)."""
    schema.board_cache.create(conn)


def _add_journal_settling(conn: Connection) -> None:
    """2 → 3: the journal's ``settled_at`` column and ``(board, status)`` index (the write-ahead journal).

    Plain ``ALTER TABLE … ADD COLUMN`` of a nullable column: the same SQL on SQLite and PostgreSQL, and old
    rows read as never settled, which is right (they are "applied", "failed" or "undone": only a failed one
    is examined once more, by the next run of its board). Each part is skipped when already there, so a
    database whose tables were made from newer metadata upgrades too.
    """
    found = inspect(conn)
    if "settled_at" not in {c["name"] for c in found.get_columns(schema.journal.name)}:
        kind = schema.journal.c.settled_at.type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE {schema.journal.name} ADD COLUMN settled_at {kind}")
    index = next(i for i in schema.journal.indexes if i.name == "ix_journal_board_status")
    if index.name not in {i["name"] for i in found.get_indexes(schema.journal.name)}:
        index.create(conn)


def _add_history(conn: Connection) -> None:
    """3 → 4: the history tables (``docs/history.md``); new tables only, so old rows are untouched.

    A table already there (made from newer metadata) is kept, like the columns of the step before.
    """
    for table in (schema.history_days, schema.history_latest, schema.history_boards):
        table.create(conn, checkfirst=True)


UPGRADES: dict[int, UpgradeStep] = {1: _add_board_cache, 2: _add_journal_settling, 3: _add_history}
"""``{from_version: step}``."""

_VERSION_KEY = "schema_version"
_FRESH_START = (
    "move the file aside (moteur starts a fresh one, forgetting what it wrote) "
    "or point MOTEUR_STATE_URL elsewhere"
)


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
