"""How a Trello path names a board or a card: by its 24-hex id or by its shortLink, on every route.

*ShortLink*: the 8 characters of a board's or card's URL (``trello.com/b/<shortLink>/…``,
``trello.com/c/<shortLink>/…``). The object definitions say it "can be used as id"
(developer.atlassian.com/cloud/trello/guides/rest-api/object-definitions, Board.shortLink, Card.shortLink),
and real Trello answered 200 with a shortLink in place of the id on ``GET /boards/{shortLink}``
(grantwinney.com/what-is-trello-api), on the board's sub-routes ``/cards``, ``/lists``, ``/labels`` and
``/actions``, on ``GET /cards/{shortLink}``, and on both inside a ``GET /batch`` (trello-for-wolves' live
answers, 2017: ``tests/contract/fixtures/trello-recorded/tfw_*.json``). So the emulator resolves a shortLink
wherever a board's or a card's id is a path argument; the handlers then only ever see ids.

A path argument that is neither a 24-hex id nor 8 letters and digits is refused with Trello's 400
``invalid id``; a well-formed one that names nothing is a 404 (``reads.get_board`` / ``reads.get_card``).
Ids in a body (``idBoard``, ``idCard``, ``idList``) stay ids: no recording shows a shortLink there.
"""

from __future__ import annotations

import re
from typing import Any

from moteur.sandbox.trello.store import TrelloStore, is_object_id
from moteur.sandbox.trello.trello_errors import TrelloError, not_found

SHORT_LINK = re.compile(r"[A-Za-z0-9]{8}")
# The path arguments that name a board or a card, by the first segment of the route template.
BOARD_ARGS = ("id", "boardId")
CARD_ARGS = ("id", "idCard")


def _resolve(records: dict[str, dict[str, Any]], ref: str) -> str:
    if is_object_id(ref):
        return ref  # an unknown id is the handler's 404, as before
    if not SHORT_LINK.fullmatch(ref):
        raise TrelloError(400, "invalid id")
    found = next((r["id"] for r in records.values() if r.get("shortLink") == ref), None)
    if found is None:
        raise not_found()
    return str(found)


def board_id(store: TrelloStore, ref: str) -> str:
    """The id of the board ``ref`` names (its id or its shortLink)."""
    return _resolve(store.boards, ref)


def card_id(store: TrelloStore, ref: str) -> str:
    """The id of the card ``ref`` names (its id or its shortLink)."""
    return _resolve(store.cards, ref)


def resolved(store: TrelloStore, template: str, args: dict[str, str]) -> dict[str, str]:
    """``args`` of a route matched on ``template`` with a board's or card's shortLink replaced by its id."""
    head = template.split("/", 2)[1]
    if head == "boards":
        return {k: board_id(store, v) if k in BOARD_ARGS else v for k, v in args.items()}
    if head == "cards":
        return {k: card_id(store, v) if k in CARD_ARGS else v for k, v in args.items()}
    return args
