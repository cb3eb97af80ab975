"""When each item went to done, from the board's activity log: the history's back-fill for monday.com.

An item is done when its status column's label means done (the mapping's status words). It is done *now*, so
the newest change of its status column is the change that made it done: its day is the done day, without
decoding the label (the log's value shape differs between API versions).

*Cost*: ``boards { activity_logs(column_ids: [status], limit: 1000, page: N) }`` newest first, at most
``PAGES`` requests (25 complexity points each, of the minute's 5,000,000). From API 2027-01 the log reaches
back 90 days at most: what is older is not back-filled, and ``DoneDays.since`` says from when it is.
Requested once per board: on its first recorded run (``docs/history.md``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from moteur.connectors.monday.native import MondayNative
from moteur.connectors.monday.transport import MondayTransport
from moteur.core.history import DoneDays
from moteur.core.model import BoardRef, Snapshot, Status
from moteur.mappings.schema import BoardMapping

PAGES = 2
PAGE_SIZE = 1000
SOURCE = "monday activity log"

STATUS_CHANGES = """
query StatusChanges($board: ID!, $column: String!, $limit: Int!, $page: Int!) {
  boards(ids: [$board]) {
    id
    activity_logs(column_ids: [$column], limit: $limit, page: $page) { id event data created_at }
  }
}
"""


def _day(created_at: object) -> date | None:
    """monday's ``created_at`` is a count of 100-nanosecond steps since 1970 (17 digits), as text."""
    try:
        return datetime.fromtimestamp(int(str(created_at)) / 10_000_000, tz=UTC).date()
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _item_of(entry: dict[str, Any]) -> str:
    try:
        data = json.loads(str(entry.get("data") or "{}"))
    except ValueError:
        return ""
    return str(data.get("pulse_id") or "") if isinstance(data, dict) else ""


def status_column(snapshot: Snapshot, mapping: BoardMapping) -> str | None:
    """The id of the column the mapping reads the status from, when the board has one."""
    state = MondayNative.of_read(snapshot)
    columns = state.columns if state is not None else ()
    title = mapping.column_for([c.title for c in columns]).get("status")
    return next((c.id for c in columns if title is not None and c.title == title), None)


def done_days(
    transport: MondayTransport, board: BoardRef, snapshot: Snapshot, mapping: BoardMapping
) -> DoneDays:
    """The done day of each item done now, from at most ``PAGES`` pages of its status column's changes."""
    column = status_column(snapshot, mapping)
    wanted = {a.ref.item: a.key for a in snapshot.actions if a.status is Status.DONE}
    if column is None or not wanted:
        return DoneDays({}, SOURCE, 0, None)
    state = MondayNative.of_read(snapshot)
    board_id = state.board_id if state is not None and state.board_id else board.board
    found: dict[str, date] = {}
    oldest: date | None = None
    requests = 0
    complete = False
    for page in range(1, PAGES + 1):
        answer = transport.send(
            STATUS_CHANGES,
            {"board": board_id, "column": column, "limit": PAGE_SIZE, "page": page},
            what=f"status changes of board {board}",
            idempotent=True,
        )
        requests += 1
        boards = answer.data.get("boards") or [{}]
        logs = [e for e in (boards[0] or {}).get("activity_logs") or [] if isinstance(e, dict)]
        for entry in logs:  # newest first: an item's first entry is the change that made it done
            day = _day(entry.get("created_at"))
            if day is None:
                continue
            oldest = day if oldest is None else min(oldest, day)
            key = wanted.get(_item_of(entry))
            if key is not None and key not in found:
                found[key] = day
        if len(logs) < PAGE_SIZE:
            complete = True
            break
    return DoneDays(found, SOURCE, requests, None if complete else oldest)
