"""Board keys: one board, one key in the state, however the user named it (``docs/state.md``).

*Board key*: the string every table files a board's rows under (``items``, ``journal``, ``cursors``,
``board_cache``, ``links``, ``locks``, the history tables, ``runs.boards``). It is the board's canonical
reference: ``trello:<24-hex id>`` (never the shortLink), ``file:<absolute path, symlinks resolved>``,
``asana:<gid>``, ``monday:<id>``. An *item key* is ``<board key>:<item id>``.

*Legacy key*: a key an older moteur wrote from the name as typed — ``trello:<shortLink>`` or a relative
``file:plan.csv``. ``adopt_board`` files a legacy key's rows under the canonical key, once, so a user's
remembered writes, links and history carry over and a migration finds its links instead of creating
duplicates. Where both keys hold a row for the same item, the canonical one is kept (it is the newer).

*Alias*: ``trello:<shortLink>`` → ``trello:<id>``, learnt by one request the first time a board is named by
its shortLink and kept in ``meta`` (a shortLink never changes board), so later runs lock the right key
before they read, at no request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import PurePath
from typing import Any

from sqlalchemy import Connection, Table, Text, and_, case, cast, delete, func, literal, select, update

from moteur.engine.state import schema

ALIAS_PREFIX = "board-alias:"
_META_KEY = 64  # ``meta.key``'s width: a longer alias is not remembered (resolved again next time)
_CLEAN = "board-keys"  # meta: "canonical" once no legacy key is left, so later runs skip the scan
_CHUNK = 500


def is_legacy_key(key: str) -> bool:
    """A board key written from a name as typed: a Trello shortLink, a relative file path."""
    tool, _, board = key.partition(":")
    if tool == "trello":
        return not (len(board) == 24 and all(ch in "0123456789abcdef" for ch in board))
    if tool == "file":
        return not PurePath(board).is_absolute()
    return False


def _item_key(column: Any, old: str, new: str) -> Any:
    """``column`` with the prefix ``old:`` made ``new:`` (SQL, the same on SQLite and PostgreSQL)."""
    return case(
        (
            column.startswith(old + ":", autoescape=True),
            literal(new + ":") + func.substr(column, len(old) + 2),
        ),
        else_=column,
    )


def _renamed(key: str, old: str, new: str) -> str:
    if key == old:
        return new
    return new + key[len(old) :] if key.startswith(old + ":") else key


class BoardKeyMethods:
    """Mixed into ``StateStore``, which provides the transaction and ``meta`` / ``keep_meta``."""

    def _transaction(self, *, read_only: bool = False) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # StateStore's

    def meta(self, keys: Sequence[str]) -> dict[str, str]:
        raise NotImplementedError  # StateStore's

    def keep_meta(self, values: Mapping[str, str]) -> dict[str, str]:
        raise NotImplementedError  # StateStore's

    # -- aliases ------------------------------------------------------------------------------------------

    def alias(self, key: str) -> str | None:
        """The canonical key remembered for ``key`` (``trello:<shortLink>``), if any."""
        return self.meta([ALIAS_PREFIX + key]).get(ALIAS_PREFIX + key)

    def remember_alias(self, key: str, canonical: str) -> None:
        if len(ALIAS_PREFIX + key) <= _META_KEY and key != canonical:
            self.keep_meta({ALIAS_PREFIX + key: canonical})

    # -- legacy keys --------------------------------------------------------------------------------------

    def legacy_board_keys(self) -> set[str]:
        """Every legacy board key still filed in the state (none once the state is clean: no scan then)."""
        if self.meta([_CLEAN]).get(_CLEAN) == "canonical":
            return set()
        found: set[str] = set()
        with self._transaction(read_only=True) as conn:
            for column in _board_columns():
                rows = conn.execute(select(column).distinct())
                found.update(key for (key,) in rows if isinstance(key, str) and is_legacy_key(key))
        if not found:
            self.keep_meta({_CLEAN: "canonical"})
        return found

    def adopt_board(self, old: str, new: str) -> None:
        """File every row of legacy key ``old`` under ``new`` (one transaction; see the module docstring)."""
        if old == new:
            return
        with self._transaction() as conn:
            for table in _keyed_tables():
                _move_rows(conn, table, old, new)
            j = schema.journal
            conn.execute(
                update(j)
                .where(j.c.board == old)
                .values(board=new, item_key=_item_key(j.c.item_key, old, new))
            )
            # The cache holds the old key in every ref; the next read is full, which is always right.
            conn.execute(delete(schema.cursors).where(schema.cursors.c.board == old))
            conn.execute(delete(schema.board_cache).where(schema.board_cache.c.board == old))
            _move_links(conn, old, new)
            _move_runs(conn, old, new)


def _board_columns() -> list[Any]:
    """Every column that holds a board key."""
    tables = (*_keyed_tables(), schema.journal, schema.cursors, schema.board_cache)
    return [*(t.c.board for t in tables), schema.links.c.target_board]


def _keyed_tables() -> list[Table]:
    """Tables whose primary key starts with the board (and maybe an item key): moved row by row."""
    return [schema.items, schema.history_days, schema.history_latest, schema.history_boards]


def _move_rows(conn: Connection, table: Table, old: str, new: str) -> None:
    """Rows of ``old`` re-filed under ``new``; a row whose primary key ``new`` already has is dropped."""
    rows = [dict(r) for r in conn.execute(select(table).where(table.c.board == old)).mappings()]
    if not rows:
        return
    keys = [c.name for c in table.primary_key.columns]
    have = {
        tuple(r) for r in conn.execute(select(*(table.c[k] for k in keys)).where(table.c.board == new)).all()
    }
    moved = []
    for row in rows:
        row["board"] = new
        if "item_key" in row and isinstance(row["item_key"], str):
            row["item_key"] = _renamed(row["item_key"], old, new)
        if tuple(row[k] for k in keys) not in have:
            moved.append(row)
    conn.execute(delete(table).where(table.c.board == old))
    for start in range(0, len(moved), _CHUNK):
        conn.execute(table.insert(), moved[start : start + _CHUNK])


def _move_links(conn: Connection, old: str, new: str) -> None:
    """Links into ``old`` (its items as targets) and out of it (its items as sources, and the board itself
    as the source of a ``migrate-target`` memory): keys renamed, a link ``new`` already has kept."""
    t = schema.links
    prefix = old + ":"
    rows = conn.execute(
        select(t).where(
            (t.c.target_board == old)
            | (t.c.source_key == old)
            | t.c.source_key.startswith(prefix, autoescape=True)
            | (t.c.target_key == old)
            | t.c.target_key.startswith(prefix, autoescape=True)
        )
    ).mappings()
    for row in [dict(r) for r in rows]:
        renamed = {
            **row,
            "source_key": _renamed(row["source_key"], old, new),
            "target_board": _renamed(row["target_board"], old, new),
            "target_key": _renamed(row["target_key"], old, new),
        }
        conn.execute(
            delete(t).where(
                and_(t.c.source_key == row["source_key"], t.c.target_board == row["target_board"])
            )
        )
        exists = conn.execute(
            select(t.c.source_key).where(
                and_(t.c.source_key == renamed["source_key"], t.c.target_board == renamed["target_board"])
            )
        ).first()
        if exists is None:
            conn.execute(t.insert().values(**renamed))


def _move_runs(conn: Connection, old: str, new: str) -> None:
    """``runs.boards`` lists (JSON text) naming ``old``: a rollback of an old run then reads the board by
    the key its journal entries now carry."""
    r = schema.runs
    named = cast(r.c.boards, Text).contains(f'"{old}"', autoescape=True)  # JSON text: the quoted key
    rows = conn.execute(select(r.c.id, r.c.boards).where(named))
    for run_id, boards in rows.all():
        if isinstance(boards, list) and old in boards:
            conn.execute(
                update(r).where(r.c.id == run_id).values(boards=[new if b == old else b for b in boards])
            )
