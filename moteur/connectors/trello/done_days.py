"""When each card went to done, from the board's own actions: the history's back-fill for Trello.

A card is done when it sits in a list whose name means done (``Fait``, ``Done 🎉``: the mapping's status
words) or when its due date is marked complete (``dueComplete``). Trello records both as an ``updateCard``
board action: ``data.listAfter`` for a move, ``data.card.dueComplete`` with ``data.old.dueComplete`` for the
checkbox. The day a card went to done is the date of the newest such action that made it done.

*Cost*: ``GET /boards/{id}/actions?filter=updateCard`` newest first, 1,000 a page, at most ``PAGES`` pages
(paged with ``before``, like the full read's comments). A board with more updates than that gets the done days
of the recent ones, and says from when (``DoneDays.since``). Requested once per board: on its first recorded
run (``docs/history.md``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from moteur.connectors.http import HttpClient
from moteur.connectors.trello.reader import PAGE_SIZE, _list_of, board_key
from moteur.core.history import DoneDays
from moteur.core.model import BoardRef, Snapshot, Status
from moteur.core.phrase import Phrase
from moteur.mappings.schema import BoardMapping

PAGES = 3
SOURCE = Phrase("trello board actions")  # kept in the state as written; said in the reader's language


def _day(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _made_done(action: dict[str, Any], done_lists: set[str]) -> bool:
    data = action.get("data") or {}
    after = data.get("listAfter") or {}
    if isinstance(after, dict) and str(after.get("id") or "") in done_lists:
        return True
    card, old = data.get("card") or {}, data.get("old") or {}
    return bool(card.get("dueComplete")) and old.get("dueComplete") is False


def done_days(client: HttpClient, board: BoardRef, snapshot: Snapshot, mapping: BoardMapping) -> DoneDays:
    """The done day of each card done now, from at most ``PAGES`` pages of the board's card updates."""
    before = client.stats().requests
    done_lists = {b.id for b in snapshot.buckets if mapping.status_of(b.name) is Status.DONE}
    wanted = {a.ref.item: a.key for a in snapshot.actions if a.status is Status.DONE}
    path = f"/boards/{board_key(client, board.board)}/actions"
    params = {"filter": "updateCard", "fields": "id,type,date,data", "limit": str(PAGE_SIZE)}
    found: dict[str, date] = {}
    oldest: date | None = None
    complete = False
    for _ in range(PAGES):
        page = _list_of(
            client.request_json("GET", path, params=params, what=f"card updates of board {board}")
        )
        for action in page:  # newest first: the first that made a card done is its last time
            card_id = str(((action.get("data") or {}).get("card") or {}).get("id") or "")
            day = _day(action.get("date"))
            if day is not None:
                oldest = day if oldest is None else min(oldest, day)
            key = wanted.get(card_id)
            if key is not None and key not in found and day is not None and _made_done(action, done_lists):
                found[key] = day
        if len(page) < PAGE_SIZE:
            complete = True
            break
        params = {**params, "before": min(str(a.get("id", "")) for a in page)}
    requests = client.stats().requests - before
    return DoneDays(found, SOURCE, requests, None if complete else oldest)
