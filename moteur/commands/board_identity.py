"""Which board a REF names, before anything is locked or read: its canonical reference (``docs/state.md``).

A file's is its absolute path, symlinks resolved (``context.canonical_file``). A Trello board's is its
24-hex id: a shortLink is looked up in the aliases the state remembers, and only the first time a shortLink
is used costs one request (``GET /boards/{shortLink}?fields=name``), whose answer is then remembered. A
board named by id, an Asana project and a monday.com board cost nothing.

Then the state's rows still filed under a legacy key of one of these boards (a shortLink, a relative path,
written by an older moteur) are filed under the canonical key (``StateStore.adopt_board``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from moteur.commands.context import canonical_file
from moteur.connectors.base import Connector
from moteur.connectors.trello.reader import is_object_id
from moteur.core.model import BoardRef, Snapshot, Tool
from moteur.engine.state import StateStore


def canonical_ref(ref: BoardRef, connector: Connector, store: StateStore | None) -> BoardRef:
    """``ref`` as its canonical reference (see the module docstring)."""
    if ref.tool is not Tool.TRELLO:
        return canonical_file(ref)
    if is_object_id(ref.board):
        return BoardRef(tool=Tool.TRELLO, board=ref.board.lower())
    known = store.alias(str(ref)) if store is not None else None
    if known is not None:
        return BoardRef(tool=Tool.TRELLO, board=known.partition(":")[2])
    canonical = connector.canonical_board(ref)
    if store is not None:
        store.remember_alias(str(ref), str(canonical))
    return canonical


def identified(
    refs: Sequence[BoardRef], connectors: Mapping[BoardRef, Connector], store: StateStore | None
) -> tuple[list[BoardRef], dict[BoardRef, Connector], dict[str, BoardRef]]:
    """The canonical refs, their connectors, and each REF as named (``str``) → its canonical ref.

    A board named twice (by id and by shortLink) is one board: its second connector is closed. The legacy
    state of these boards is adopted (``adopt_legacy``).
    """
    canonical: list[BoardRef] = []
    opened: dict[BoardRef, Connector] = {}
    named: dict[str, BoardRef] = {}
    for ref in refs:
        connector = connectors[ref]
        board = canonical_ref(ref, connector, store)
        named[str(ref)] = board
        if board in opened:
            connector.close()
            continue
        canonical.append(board)
        opened[board] = connector
    if store is not None:
        adopt_legacy(store, canonical)
    return canonical, opened, named


def adopt_legacy(store: StateStore, refs: Sequence[BoardRef]) -> None:
    """File the rows of any legacy key naming one of ``refs`` under the ref's canonical key."""
    wanted = {str(ref) for ref in refs}
    for key in sorted(store.legacy_board_keys()):
        tool, _, board = key.partition(":")
        if tool == Tool.FILE.value:
            target: str | None = f"file:{Path(board).resolve()}"  # relative to where moteur runs, as it was
        else:
            target = store.alias(key)
        if target is not None and target in wanted:
            # Another run adopting them at the same moment: they are filed already.
            with suppress(IntegrityError):
                store.adopt_board(key, target)


def remember_boards(store: StateStore, snapshots: Sequence[Snapshot]) -> None:
    """After reads: the other names each board read says it has (a Trello shortLink) remembered as aliases
    of its id (so state an older moteur filed under one is found even when the board is now named by id,
    and a later run by shortLink costs no request), and the legacy state of the boards read adopted."""
    for snapshot in snapshots:
        for alias in snapshot.aliases:
            store.remember_alias(f"{snapshot.board.tool.value}:{alias}", str(snapshot.board))
    adopt_legacy(store, [snapshot.board for snapshot in snapshots])
