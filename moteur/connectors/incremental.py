"""Incremental reads: what a connector offers so a cron run reads only what changed since the last run.

Terms defined here:

- *Cursor*: an opaque text a connector hands back after each read and takes again on the next one: the
  newest Trello board action id, an Asana events sync token, monday's newest ``updated_at``. Where it comes
  from is the connector's business; the caller only stores it (``StateStore.save_read``/``finish_run``).
- *Cached snapshot*: the board as the previous run read it (``board_cache`` in the state database).
  Planning needs every action of a board, so an incremental read returns the cached snapshot with the
  changed items replaced, the new ones added and the deleted ones removed: a *full* snapshot, built cheaply.
- *ChangeSet*: that updated snapshot, the next cursor, and the requests the incremental read took.
- *Refused cursor*: one the tool no longer honours (Asana's 412 on an expired sync token, a deletion monday
  cannot name, Trello actions past one page, a renamed list or field), or one whose changes would cost more
  requests to re-read than a full read (just after a sync that wrote most items): ``read_changes`` answers
  ``None`` and the caller reads in full.
- *Own writes*: the items moteur itself wrote on the board since its cursor was taken (the journal of the
  runs since). Each is in the change feed at least once, so they put a floor under what reading the feed
  costs; ``feed_worth_reading`` compares that floor with a full read *before* paging through the feed.

A connector that offers incremental reads has two more methods (structural, like ``base.Connector``):
``cursor_of(board)`` — the cursor to keep, taken *before* a full read so that nothing written during the
read is missed — and ``read_changes(board, cached, cursor)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from moteur.core.model import Action, BoardRef, Snapshot, Tool


@dataclass(frozen=True)
class ChangeSet:
    snapshot: Snapshot
    cursor: str
    requests: int


@runtime_checkable
class IncrementalReader(Protocol):
    def cursor_of(self, board: BoardRef) -> str | None: ...

    def read_changes(self, board: BoardRef, cached: Snapshot, cursor: str) -> ChangeSet | None: ...


def feed_worth_reading(tool: Tool, items: int, written: int) -> bool:
    """False when reading the change feed of a board of ``items`` items, ``written`` of which moteur wrote
    since the cursor, surely costs at least as many requests as a full read and its fresh cursor.

    Just after a first sync that wrote most of a big board, the feed holds little but moteur's own writes:
    paging through it only to give way to a full read wastes the pages. The estimate only chooses between
    two correct reads, so a wrong ``written`` (clock skew between hosts, a journal cut short) costs requests,
    never a missed change. Each tool's costs live beside its reader; a tool without a rule reads the feed.
    """
    if written <= 0:
        return True
    if tool is Tool.ASANA:
        from moteur.connectors.asana import incremental as asana

        return asana.feed_worth_reading(items, written)
    if tool is Tool.TRELLO:
        from moteur.connectors.trello import incremental as trello

        return trello.feed_worth_reading(items, written)
    if tool is Tool.MONDAY:
        from moteur.connectors.monday import incremental as monday

        return monday.feed_worth_reading(items, written)
    return True


def merged(
    cached: Snapshot,
    fresh: Snapshot,
    *,
    changed: Iterable[str],
    removed: Iterable[str] = (),
    per_item: Iterable[str] = (),
    seen: Iterable[str] = (),
) -> Snapshot:
    """``cached`` with the ``changed`` item ids' actions taken from ``fresh`` and the ``removed`` dropped.

    ``fresh`` is a snapshot mapped from the board-level parts just read plus the changed items only, so its
    board-level parts (name, buckets, fields, native) are the current ones and replace the cached. An item
    id in ``changed`` that ``fresh`` lacks is gone (deleted, archived, moved off the board). Cached order is
    kept; new items come after, in ``fresh``'s order.

    ``per_item`` names ``native`` entries keyed by item id (Trello's ``card_labels``): merged like the
    actions. ``seen`` names ``native`` dicts gathered from the items (Asana's ``tags``): their union, and
    ``Snapshot.tags`` then is the union of both snapshots' tags.
    """
    changed = set(changed)
    dropped = changed | set(removed)
    by_item = {a.ref.item: a for a in fresh.actions}
    actions: list[Action] = []
    for action in cached.actions:
        if action.ref.item in by_item:
            actions.append(by_item.pop(action.ref.item))
        elif action.ref.item not in dropped:
            actions.append(action)
    actions.extend(by_item.values())
    native = dict(fresh.native)
    for key in per_item:
        entries = {k: v for k, v in dict(cached.native.get(key) or {}).items() if k not in dropped}
        native[key] = entries | dict(fresh.native.get(key) or {})
    tags = fresh.tags
    for key in seen:
        native[key] = dict(cached.native.get(key) or {}) | dict(fresh.native.get(key) or {})
        tags = tuple(dict.fromkeys((*cached.tags, *fresh.tags)))
    return fresh.model_copy(update={"actions": tuple(actions), "native": native, "tags": tags})


def board_kept(cached: Snapshot, fresh: Snapshot, *, skip: Iterable[str] = ()) -> bool:
    """True when every board-level part the cache knew is still there, unchanged, in ``fresh``.

    The cached actions were mapped through the board's lists/sections/groups, labels, fields and options
    as they were then: a renamed or removed one changes what unchanged items map to, and no change feed
    names those items. So a changed part refuses the cursor (a full read follows). An *added* part cannot
    change an item that does not mention it — an item that starts to is itself in the feed — so additions
    (moteur creating its labels, sections or columns on a first sync) keep the incremental read.
    ``skip`` names ``native`` entries gathered from items (see ``merged``), which are not board-level.
    """
    if not _contains(cached.buckets, fresh.buckets) or not set(cached.fields) <= set(fresh.fields):
        return False
    ignored = set(skip) | {"pages"}  # monday's page count is how the board was read, not what it holds
    for key, value in cached.native.items():
        if key in ignored:
            continue
        now = fresh.native.get(key)
        if isinstance(value, list):
            if not isinstance(now, list) or not _contains(value, now):
                return False
        elif value is not None and value != now:
            return False
    return True


def _contains(old: Iterable[object], new: Iterable[object]) -> bool:
    def text(entry: object) -> str:
        dump = getattr(entry, "model_dump", None)
        return json.dumps(dump(mode="json") if callable(dump) else entry, sort_keys=True, default=str)

    return {text(e) for e in old} <= {text(e) for e in new}


def cached_snapshot(payload: object) -> Snapshot | None:
    """The Snapshot a board cache's JSON holds, or None when there is none or it no longer validates
    (a cache written by an older moteur whose model changed: a full read rebuilds it)."""
    if payload is None:
        return None
    try:
        return Snapshot.model_validate(payload)
    except ValueError:
        return None
