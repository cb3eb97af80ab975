"""Reading one Trello board in the fewest requests: one ``GET /batch``, then card pages past 1,000.

*Raw board*: the board's JSON pieces as Trello sent them (board, lists, labels, customFields, members,
enabled Power-Ups, cards), before any mapping.

The batch holds seven routes (Trello allows ten, ``batch.py`` builds them): the six *board parts* — the board
(name, prefs), all its lists (closed ones too, so a card in an archived list still names its list), labels,
custom field definitions, members and enabled Power-Ups (``power_ups.py``) — and the first 1,000 open cards
with their custom field items. Trello returns cards newest first; when a page is full, the next one asks for
cards ``before`` the oldest id seen. A page whose oldest id does not move would loop forever: it raises
instead.

*Board reference*: a board is given by its 24-hex id or by the shortLink of its URL
(``trello.com/b/<shortLink>/…``). Trello takes a shortLink where it takes the board's id: it answered 200
to ``GET /boards/{shortLink}`` (grantwinney.com/what-is-trello-api), to ``/boards/{shortLink}/cards``,
``/lists``, ``/labels`` and ``/actions``, and to ``/boards/{shortLink}`` and ``/cards/{shortLink}`` as
routes of a ``GET /batch`` (trello-for-wolves' live answers, 2017:
``tests/contract/fixtures/trello-recorded/tfw_*.json``). So a read by shortLink sends its ``/batch`` with the
shortLink in every route (``board_key``) and learns the id from the board route's answer
(``learn_board_id``); everything after (the cards page past 1,000, writes, the snapshot's ``board_id``)
uses the id, kept per client (a board's id never changes). No recording shows a shortLink on the board's
``customFields``, ``members``, ``boardPlugins`` or ``checklists`` routes: they are taken to resolve it as
the recorded routes of the same board do (were one to refuse it, the read would fail with a ``NotFound``
naming the board, never read wrong data). Never ``/members/me/boards``, whose route allows 100 requests
per 900 s. A caller that needs the id before anything else resolves it with one
``GET /boards/{shortLink}?fields=name`` (``resolve_board_id``).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from moteur.connectors.http import HttpClient
from moteur.connectors.paging import Pages
from moteur.connectors.trello.batch import Route, batch_answers, route
from moteur.connectors.trello.power_ups import plugins_route
from moteur.connectors.trello.transport import AUTH_MESSAGE
from moteur.core.errors import AuthError, NotFound, RemoteError
from moteur.redaction import scrub

PAGE_SIZE = 1000
CARD_FIELDS = (
    "name,desc,closed,dueComplete,due,start,idList,idLabels,idMembers,dateLastActivity,shortLink,url,pos,"
    "idBoard"
)
BOARD_FIELDS = "name,shortLink,url,prefs,dateLastActivity"
BOARD_PARTS = 6  # board, lists, labels, custom fields, members, Power-Ups: the first routes of every read
_IDS: weakref.WeakKeyDictionary[HttpClient, dict[str, str]] = weakref.WeakKeyDictionary()


def is_object_id(text: str) -> bool:
    return len(text) == 24 and all(ch in "0123456789abcdefABCDEF" for ch in text)


@dataclass
class RawBoard:
    board: dict[str, Any]
    lists: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    custom_fields: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    cards: list[Any] = field(default_factory=list)  # objects, unless Trello sent something malformed
    plugins: list[dict[str, Any]] = field(default_factory=list)  # GET /boards/{id}/boardPlugins


def cards_route(
    board_id: str, card_filter: str = "open", fields: str = CARD_FIELDS, before: str | None = None
) -> Route:
    """A page of the board's cards with their custom field items, newest first."""
    params = {"filter": card_filter, "limit": str(PAGE_SIZE), "customFieldItems": "true", "fields": fields}
    return (f"/boards/{board_id}/cards", params | ({"before": before} if before else {}))


def board_routes(board_id: str) -> list[Route]:
    """The ``BOARD_PARTS`` routes every read of a board starts its ``/batch`` with."""
    return [
        route(f"/boards/{board_id}", fields=BOARD_FIELDS),
        route(f"/boards/{board_id}/lists", filter="all", fields="name,closed,pos"),
        route(f"/boards/{board_id}/labels", fields="name,color", limit="1000"),
        route(f"/boards/{board_id}/customFields"),
        route(f"/boards/{board_id}/members"),
        plugins_route(board_id),
    ]


def board_key(client: HttpClient, board: str) -> str:
    """What a route names the board by: its id when known (given as one, or learnt by this client), else the
    reference as given (a shortLink), percent-encoded whole so that nothing in it reads as route structure."""
    if is_object_id(board):
        return board.lower()
    return _IDS.get(client, {}).get(board) or quote(board, safe="")


def learn_board_id(client: HttpClient, board: str, answer: object) -> str:
    """The board's id from the answer of its board route (Trello always sends the ``id``), kept for
    ``client``; ``NotFound`` if the answer has none."""
    board_id = str(answer.get("id") or "") if isinstance(answer, dict) else ""
    if not is_object_id(board_id):
        raise NotFound(
            f"Trello board {board} not found",
            hint="use the board id or shortLink from its URL: trello.com/b/<shortLink>/…",
        )
    if not is_object_id(board):
        _IDS.setdefault(client, {})[board] = board_id.lower()
    return board_id.lower()


def resolve_board_id(client: HttpClient, board: str) -> str:
    """The 24-hex id of a board given by id or shortLink, for a caller that needs it before any read (a
    shortLink not yet learnt costs one request)."""
    key = board_key(client, board)
    if is_object_id(key):
        return key
    # ``name`` is the cheapest field the spec lists for ``fields``; Trello always sends the ``id``.
    answer = client.request_json("GET", f"/boards/{key}", params={"fields": "name"}, what=f"board {board}")
    return learn_board_id(client, board, answer)


def _answer(entry: object, what: str) -> Any:
    """One batch answer: ``{"200": body}`` or ``{"404": "text"}``; non-200 is raised as Trello would."""
    if not isinstance(entry, dict) or len(entry) != 1:
        raise RemoteError(
            "Trello's /batch answer has an unexpected shape", hint="retry; report it if it lasts"
        )
    status_text, body = next(iter(entry.items()))
    if status_text == "200":
        return body
    status = int(status_text) if str(status_text).isdigit() else 0
    text = scrub(str(body)[:200])
    if status in (400, 404):
        raise NotFound(f"Trello: {what} not found ({text})", hint="check the board id and its sharing")
    if status == 401:
        raise AuthError(AUTH_MESSAGE)
    raise RemoteError(f"Trello answered {status} for {what} inside /batch: {text}", retriable=status >= 500)


def read_board(client: HttpClient, board: str) -> RawBoard:
    """The raw board: one batch call (plus one per further 1,000 cards), by id or by shortLink alike."""
    key = board_key(client, board)
    what = f"board {board}"
    answers = batch_answers(client, [*board_routes(key), cards_route(key)], what)
    raw = board_parts(answers, what)
    board_id = learn_board_id(client, board, raw.board)
    raw.cards = _list_of(_answer(answers[BOARD_PARTS], f"cards of {what}"), keep_all=True)
    raw.cards = more_pages(client, raw.cards, cards_route(board_id), f"cards of {what}")
    return raw


def board_parts(answers: list[Any], what: str) -> RawBoard:
    """The ``RawBoard`` (without cards) of ``/batch`` results that start with ``board_routes``' answers."""
    board_json = _answer(answers[0], what)
    return RawBoard(
        board=board_json if isinstance(board_json, dict) else {},
        lists=_list_of(_answer(answers[1], f"lists of {what}")),
        labels=_list_of(_answer(answers[2], f"labels of {what}")),
        custom_fields=_list_of(_answer(answers[3], f"custom fields of {what}")),
        members=_list_of(_answer(answers[4], f"members of {what}")),
        plugins=_list_of(_answer(answers[5], f"Power-Ups of {what}")),
    )


def more_pages(client: HttpClient, first: list[Any], page_route: Route, what: str) -> list[Any]:
    """``first`` plus every further page of ``page_route`` (``before`` the oldest id seen) while pages come
    back full."""
    path, params = page_route
    out, page = list(first), first
    # The oldest id of each page is the token of the next (``before``): one seen twice raises (``Pages``).
    pages = Pages("Trello", what, token_name="oldest id")
    while len(page) >= PAGE_SIZE and pages.advance(_oldest(page)):
        answer = client.request_json("GET", path, params={**params, "before": pages.token}, what=what)
        page = _list_of(answer, keep_all=True)
        out.extend(page)
    return out


def _oldest(page: list[Any]) -> str:
    return min(str(x.get("id", "")) if isinstance(x, dict) else "~" for x in page)  # "~" sorts after hex ids


def _list_of(value: object, *, keep_all: bool = False) -> list[Any]:
    """A JSON array of objects; other entries are dropped, or kept for cards (the mapper reports them)."""
    if not isinstance(value, list):
        raise RemoteError("Trello answered something other than a list where a list was expected")
    return list(value) if keep_all else [item for item in value if isinstance(item, dict)]
