"""Incremental reads of a monday.com board: its items updated since the cursor (``updated_at``).

The *cursor* is the newest item ``updated_at`` seen (ISO text, monday's own clock, so no clock skew). A read
of changes is one query — the board's name, columns, groups and ``items_count``, plus ``items_page`` filtered
on the pseudo-column ``__last_updated__`` ≥ the cursor — then ``next_items_page`` per further 500 changed
items. The rule includes the cursor's own second (monday stamps to the second): the items stamped then are
read again, and the merge by id drops the duplicates.

*Deletions*: a filtered ``items_page`` never shows a deleted or archived item, and the activity log that
would costs a query of its own. So the cheap check is a count: if the board's ``items_count`` differs from
the merged snapshot's, an item left (or one the mapper skipped), and the cursor is refused — a full read
follows. A deletion hidden by a creation in the same interval is caught by the periodic full reconciliation
(``full_every``).

*Cost*: the changed items come back 500 to a page, as a full read's do, in the query that also reads the
board-level parts, and no fresh cursor has to be taken first; so even right after a sync that wrote every
item, reading the changes costs no more than reading in full (``feed_worth_reading``).
"""

from __future__ import annotations

from typing import Any

from moteur.connectors.monday import documents
from moteur.connectors.monday.mapping import to_snapshot
from moteur.connectors.monday.native import MondayNative
from moteur.connectors.monday.reader import RawBoard, board_of, field_problems, item_pages, page_of
from moteur.connectors.monday.transport import MondayTransport
from moteur.core.model import BoardRef, Snapshot
from moteur.core.ports import ChangeSet, Connector
from moteur.mappings.schema import BoardMapping

READ_CHANGES = (
    """
query ReadChanges($board: ID!, $limit: Int!, $types: [ColumnType!], $rules: [ItemsQueryRule!]) {
  """
    + documents.COMPLEXITY
    + """
  boards(ids: [$board]) {
    id
    name
    state
    updated_at
    items_count
    columns { id title type settings }
    groups { id title archived }
    items_page(limit: $limit, query_params: { rules: $rules }) { cursor items { ...ItemFields } }
  }
}
"""
    + documents.ITEM_FIELDS
)
"""The board-level parts and the first page of the items updated since the cursor."""

NEWEST_UPDATE = """
query NewestUpdate($board: ID!) {
  boards(ids: [$board]) {
    id
    items_page(limit: 1, query_params: { order_by: [{ column_id: "__last_updated__", direction: desc }] }) {
      items { id updated_at }
    }
  }
}
"""
"""The board's most recently updated item: its ``updated_at`` is the first cursor."""

EPOCH = "1970-01-01T00:00:00Z"  # the cursor of a board without items: everything is newer


def rules_since(cursor: str) -> list[dict[str, Any]]:
    return [
        {
            "column_id": "__last_updated__",
            "compare_attribute": "UPDATED_AT",
            "operator": "greater_than_or_equals",
            "compare_value": ["EXACT", cursor],
        }
    ]


def feed_worth_reading(items: int, written: int) -> bool:
    """Always: the changes of ``written`` items cost ⌈written/500⌉ ≤ ⌈items/500⌉ pages, less than a full
    read and the cursor it takes first."""
    return True


def cursor_of(transport: MondayTransport, board: BoardRef) -> str | None:
    answer = transport.send(NEWEST_UPDATE, {"board": board.board}, what=f"board {board}", idempotent=True)
    found = board_of(answer, board.board)
    items, _ = page_of(found.get("items_page"), f"board {board}")
    stamp = items[0].get("updated_at") if items and isinstance(items[0], dict) else None
    return str(stamp) if stamp else EPOCH


def read_changes(
    port: Connector,
    transport: MondayTransport,
    board: BoardRef,
    cached: Snapshot,
    cursor: str,
    mapping: BoardMapping,
) -> ChangeSet | None:
    """The board updated by the items changed since ``cursor``, or None when an item may have left it."""
    requests = 0
    what = f"board {board}"
    types = list(documents.READ_TYPES)
    answer = transport.send(
        READ_CHANGES,
        {"board": board.board, "limit": documents.PAGE_LIMIT, "types": types, "rules": rules_since(cursor)},
        what=what,
        idempotent=True,
    )
    requests += 1
    found = board_of(answer, board.board)
    items, page = page_of(found.get("items_page"), what)
    raw = RawBoard(
        board={k: v for k, v in found.items() if k not in ("columns", "groups", "items_page", "items_count")},
        columns=[c for c in found.get("columns") or [] if isinstance(c, dict)],
        groups=[g for g in found.get("groups") or [] if isinstance(g, dict)],
        items=items,
        pages=1,
        warnings=field_problems(answer.problems),
    )
    pages = item_pages(what)
    while pages.advance(page):
        answer = transport.send(
            documents.NEXT_ITEMS,
            {"cursor": pages.token, "limit": documents.PAGE_LIMIT, "types": types},
            what=f"items of {what}",
            idempotent=True,
        )
        requests += 1
        more, page = page_of(answer.data.get("next_items_page"), what)
        raw.items.extend(more)
        raw.warnings.extend(field_problems(answer.problems))
    changed = [str(i.get("id")) for i in raw.items if isinstance(i, dict)]
    # The cached read's guessed scales: a few items re-read must not shrink them (``mapping``).
    cached_state = MondayNative.of(cached)
    fresh = to_snapshot(raw, board, mapping, cached_state.scales)
    # An item updated to a non-active state (archived, deleted) is gone from the board.
    gone = {
        str(i.get("id")) for i in raw.items if isinstance(i, dict) and i.get("state") not in (None, "active")
    }
    if not port.board_kept(cached, fresh):
        return None  # a list, label, field or option was renamed or removed
    snapshot = port.merge(cached, fresh, changed=changed, removed=gone)
    state = MondayNative.of(snapshot).model_copy(update={"pages": cached_state.pages})
    snapshot = snapshot.model_copy(update={"native": state.dump()})
    count = found.get("items_count")
    if isinstance(count, int) and count != len(snapshot.actions):
        return None
    stamps = [str(i.get("updated_at")) for i in raw.items if isinstance(i, dict) and i.get("updated_at")]
    return ChangeSet(snapshot, max([cursor, *stamps]), requests)
