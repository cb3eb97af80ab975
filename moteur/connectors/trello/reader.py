"""Reading one Trello board in the fewest requests: one ``GET /batch``, then card pages past 1,000.

*Raw board*: the board's JSON pieces as Trello sent them (board, lists, labels, customFields, members,
cards), before any mapping. ``requests`` counts the calls the read took.

The batch holds six inner URLs (Trello allows ten): the board (name, prefs, power-ups), all its lists
(closed ones too, so a card in an archived list still names its list), labels, custom field definitions,
members, and the first 1,000 open cards with their custom field items. Trello returns cards newest first;
when a page is full, the next one asks for cards ``before`` the oldest id seen. A page whose oldest id does
not move would loop forever: it raises instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moteur.connectors.http import HttpClient
from moteur.connectors.trello.transport import AUTH_MESSAGE
from moteur.core.errors import AuthError, NotFound, RemoteError, SkippableError
from moteur.redaction import scrub

PAGE_SIZE = 1000
CARD_FIELDS = (
    "name,desc,closed,dueComplete,due,start,idList,idLabels,idMembers,dateLastActivity,shortLink,url,pos,"
    "idBoard"
)
BOARD_FIELDS = "name,shortLink,url,prefs,powerUps,dateLastActivity"


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


def cards_url(board_id: str, before: str | None = None) -> str:
    url = f"/boards/{board_id}/cards?filter=open&limit={PAGE_SIZE}&customFieldItems=true&fields={CARD_FIELDS}"
    return url + (f"&before={before}" if before else "")


def batch_urls(board_id: str) -> list[str]:
    return [
        f"/boards/{board_id}?fields={BOARD_FIELDS}",
        f"/boards/{board_id}/lists?filter=all&fields=name,closed,pos",
        f"/boards/{board_id}/labels?fields=name,color&limit=1000",
        f"/boards/{board_id}/customFields",
        f"/boards/{board_id}/members",
        cards_url(board_id),
    ]


def resolve_board_id(client: HttpClient, board: str) -> str:
    """The 24-hex id of a board given by id or shortLink (a shortLink costs one request)."""
    if is_object_id(board):
        return board.lower()
    boards = client.request_json(
        "GET", "/members/me/boards", params={"fields": "id,shortLink,name"}, what=f"board {board}"
    )
    for candidate in boards if isinstance(boards, list) else []:
        if isinstance(candidate, dict) and board in (candidate.get("shortLink"), candidate.get("id")):
            return str(candidate["id"])
    raise NotFound(
        f"Trello board {board} not found among the token's boards",
        hint="use the board id or shortLink from its URL: trello.com/b/<shortLink>/…",
    )


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
    """The raw board: one batch call (plus one per further 1,000 cards, plus one to resolve a shortLink)."""
    board_id = resolve_board_id(client, board)
    what = f"board {board}"
    answers = client.request_json("GET", "/batch", params={"urls": ",".join(batch_urls(board_id))}, what=what)
    raw = raw_board(batch_results(answers, 6), 5, what)
    params = {"filter": "open", "limit": str(PAGE_SIZE), "customFieldItems": "true", "fields": CARD_FIELDS}
    raw.cards = more_pages(client, raw.cards, f"/boards/{board_id}/cards", params, f"cards of {what}")
    return raw


def batch_results(answers: object, size: int) -> list[Any]:
    """The ``size`` results of a ``/batch`` answer (a ``RemoteError`` for any other shape)."""
    if not isinstance(answers, list) or len(answers) != size:
        raise RemoteError(
            "Trello's /batch answer has an unexpected shape", hint="retry; report it if it lasts"
        )
    return answers


def raw_board(answers: list[Any], cards_at: int, what: str) -> RawBoard:
    """The ``RawBoard`` of ``/batch`` results whose first five are the board, its lists, labels, custom
    fields and members, and whose result ``cards_at`` is the first page of cards."""
    board_json = _answer(answers[0], what)
    return RawBoard(
        board=board_json if isinstance(board_json, dict) else {},
        lists=_list_of(_answer(answers[1], f"lists of {what}")),
        labels=_list_of(_answer(answers[2], f"labels of {what}")),
        custom_fields=_list_of(_answer(answers[3], f"custom fields of {what}")),
        members=_list_of(_answer(answers[4], f"members of {what}")),
        cards=_list_of(_answer(answers[cards_at], f"cards of {what}"), keep_all=True),
    )


def more_pages(
    client: HttpClient, first: list[Any], path: str, params: dict[str, str], what: str
) -> list[Any]:
    """``first`` plus every further page (``before`` the oldest id seen) while pages come back full."""
    out, page = list(first), first
    while len(page) >= PAGE_SIZE:
        oldest = _oldest(page)
        page = _list_of(
            client.request_json("GET", path, params={**params, "before": oldest}, what=what), keep_all=True
        )
        if page and _oldest(page) >= oldest:
            raise SkippableError(f"Trello paging of {what} did not advance past {oldest}")
        out.extend(page)
    return out


def _oldest(page: list[Any]) -> str:
    return min(str(x.get("id", "")) if isinstance(x, dict) else "~" for x in page)  # "~" sorts after hex ids


def _list_of(value: object, *, keep_all: bool = False) -> list[Any]:
    """A JSON array of objects; other entries are dropped, or kept for cards (the mapper reports them)."""
    if not isinstance(value, list):
        raise RemoteError("Trello answered something other than a list where a list was expected")
    return list(value) if keep_all else [item for item in value if isinstance(item, dict)]
