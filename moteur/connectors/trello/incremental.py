"""Incremental reads of a Trello board: the board's actions since the last one seen (``since``).

The *cursor* is the id of the newest board action seen. Object ids start with their creation time, so an
action id orders actions, and a board's own id stands for "everything since the board was made".

One ``GET /batch`` reads the board parts (board, lists, labels, custom fields, members, Power-Ups: the sync
read's routes but its cards) and the actions ``since`` the cursor; each card those actions name is then
fetched again, ten to a further ``/batch``. A no-op run costs one request. A card that is gone
(``deleteCard``, a 404, ``closed``, or now on another board) leaves the snapshot. More actions than one page
(1,000) refuse the cursor: reading them all would cost about as much as a full read, which also catches
anything missed.

*Cost*: a read of changes naming C cards costs 1 + ⌈C/10⌉ requests; a full read costs its fresh cursor, one
``/batch`` and a page per further 1,000 cards (``full_cost``). ``feed_worth_reading`` weighs moteur's own
writes since the cursor against that before the feed is even asked for.
"""

from __future__ import annotations

from typing import Any

from moteur.connectors.http import HttpClient
from moteur.connectors.trello import reader
from moteur.connectors.trello.batch import batch_answers, route
from moteur.connectors.trello.mapping import to_snapshot
from moteur.connectors.trello.native import TrelloNative
from moteur.connectors.trello.transport import MAX_BATCH_URLS
from moteur.core.errors import RemoteError
from moteur.core.model import BoardRef, Snapshot
from moteur.core.ports import ChangeSet, Connector
from moteur.mappings.schema import BoardMapping

ACTIONS_PAGE = 1000
BATCH_URLS = MAX_BATCH_URLS
# Every action type that can change what moteur reads of a card or of the board, plus the ones that take a
# card off the board or bring one in.
ACTION_TYPES = ",".join(
    (
        "createCard",
        "copyCard",
        "convertToCardFromCheckItem",
        "moveCardToBoard",
        "moveCardFromBoard",
        "updateCard",
        "deleteCard",
        "addLabelToCard",
        "removeLabelFromCard",
        "updateCustomFieldItem",
        "addMemberToCard",
        "removeMemberFromCard",
        "createList",
        "updateList",
    )
)
_GONE = ("deleteCard", "moveCardFromBoard")


def cursor_of(client: HttpClient, board: BoardRef) -> str:
    """The newest action id of the board (or the board's id when it has none): one request, by id or by
    shortLink alike (recorded: ``GET /boards/{shortLink}/actions`` answered 200,
    tfw_board_actions_filter_limit, trello-for-wolves 2017). Only a board given by a shortLink not yet
    learnt and without any such action costs one more, for its id."""
    answer = client.request_json(
        "GET",
        f"/boards/{reader.board_key(client, board.board)}/actions",
        params={"limit": "1", "fields": "id", "filter": ACTION_TYPES},
        what=f"actions of board {board}",
    )
    newest = (
        answer[0].get("id") if isinstance(answer, list) and answer and isinstance(answer[0], dict) else None
    )
    return str(newest) if newest else reader.resolve_board_id(client, board.board)


def read_changes(
    port: Connector,
    client: HttpClient,
    board: BoardRef,
    cached: Snapshot,
    cursor: str,
    mapping: BoardMapping,
) -> ChangeSet | None:
    """The board updated by the actions since ``cursor`` (merged by ``port``), or None when the cursor must
    be refused."""
    before = client.stats().requests
    cached_state = TrelloNative.of(cached)
    known = cached_state.board_id  # the cached read's; else learnt from this batch
    key = known or reader.board_key(client, board.board)
    what = f"board {board}"
    actions_route = route(
        f"/boards/{key}/actions",
        since=cursor,
        limit=str(ACTIONS_PAGE),
        filter=ACTION_TYPES,
        fields="id,type,data",
    )
    answers = batch_answers(client, [*reader.board_routes(key), actions_route], what)
    fresh_board = reader.board_parts(answers, what)
    board_id = known or reader.learn_board_id(client, board.board, fresh_board.board)
    try:
        actions = reader._list_of(reader._answer(answers[reader.BOARD_PARTS], f"actions of {what}"))
    except RemoteError:
        return None  # actions unavailable: read in full
    if len(actions) >= ACTIONS_PAGE:
        return None
    gone: set[str] = set()
    touched: dict[str, None] = {}
    for action in reversed(actions):  # oldest first, so the last word on a card wins
        card = (action.get("data") or {}).get("card") or {}
        card_id = str(card.get("id") or "")
        if not card_id:
            continue
        if action.get("type") in _GONE:
            gone.add(card_id)
            touched.pop(card_id, None)
        else:
            gone.discard(card_id)
            touched[card_id] = None
    if _ceil(len(touched), BATCH_URLS) > full_cost(len(cached.actions)):
        # Re-reading them ten to a batch would cost more than a full read: e.g. just after a sync that wrote
        # most cards, when the journal could not say so beforehand.
        return None
    fresh_board.cards = _cards(client, list(touched), board_id, what)
    # The cached read's guessed scales: a few cards re-read must not shrink them (``mapping``).
    fresh = to_snapshot(fresh_board, board, mapping, cached_state.scales)
    if not port.board_kept(cached, fresh):
        return None  # a list, label, field or option was renamed or removed
    snapshot = port.merge(cached, fresh, changed=touched, removed=gone)
    newest = str(actions[0].get("id") or cursor) if actions else cursor
    return ChangeSet(snapshot, newest, client.stats().requests - before)


def full_cost(cards: int) -> int:
    """What reading a board of ``cards`` cards in full costs: a fresh cursor taken first, then one ``/batch``
    and one more page per 1,000 cards (the reader asks again after every full page)."""
    return 2 + cards // reader.PAGE_SIZE


def changes_cost(changed: int) -> int:
    """The fewest requests a read of changes costs when ``changed`` cards changed (each raised at least one
    action): the ``/batch`` with the actions, then the cards ten to a batch."""
    return 1 + _ceil(changed, BATCH_URLS)


def feed_worth_reading(cards: int, written: int) -> bool:
    """True unless the ``written`` cards moteur changed since the cursor make the feed cost at least a full
    read, or fill more than the one page of actions a read of changes takes (it would be refused)."""
    return written < ACTIONS_PAGE and changes_cost(written) < full_cost(cards)


def _ceil(n: int, size: int) -> int:
    return -(-n // size)


def _cards(client: HttpClient, ids: list[str], board_id: str, what: str) -> list[dict[str, Any]]:
    """The open cards of this board among ``ids``, ten to a ``/batch``; the others are gone from it."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(ids), BATCH_URLS):
        chunk = ids[start : start + BATCH_URLS]
        routes = [route(f"/cards/{i}", fields=reader.CARD_FIELDS, customFieldItems="true") for i in chunk]
        for entry in batch_answers(client, routes, f"cards of {what}"):
            if isinstance(entry, dict) and set(entry) & {"400", "404"}:
                continue  # deleted since the action: it leaves the snapshot
            body = reader._answer(entry, f"cards of {what}")
            # A card archived or moved to another board leaves the snapshot too.
            if isinstance(body, dict) and not body.get("closed") and str(body.get("idBoard")) == board_id:
                found.append(body)
    return found
