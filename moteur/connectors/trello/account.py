"""What a Trello key and token reach: who they belong to, which boards, and what they may do on one.

Used by ``moteur boards`` and ``moteur doctor``; nothing here writes. Terms:

- *Member*: the Trello user the token belongs to (``GET /members/me``), the cheapest call that proves the
  key and token are accepted.
- *Board access*: what one board allows that member: whether it is open, the member's *member type* on it
  (``admin`` / ``normal`` may write; ``observer`` may only read), and whether the Custom Fields Power-Up is
  on (without it moteur skips the ICE number field): the board's ``boardPlugins`` list it (``power_ups``).
  Trello reports the member type in the board's ``memberships``; where an answer carries no memberships,
  being in the board's ``members`` is taken as ``normal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moteur.connectors.http import HttpClient
from moteur.connectors.trello.batch import batch_answers, route
from moteur.connectors.trello.power_ups import custom_fields_on, plugins_route
from moteur.connectors.trello.reader import _answer, board_key, learn_board_id
from moteur.core.errors import RemoteError
from moteur.core.model import BoardRef, Tool

WRITING_TYPES = frozenset({"admin", "normal"})


@dataclass(frozen=True, slots=True)
class TrelloMember:
    id: str
    username: str
    full_name: str


@dataclass(frozen=True, slots=True)
class TrelloBoardAccess:
    name: str
    closed: bool
    member_type: str | None  # admin | normal | observer; None: not a member of the board
    custom_fields: bool

    @property
    def can_write(self) -> bool:
        return not self.closed and self.member_type in WRITING_TYPES


def _dict(answer: Any, what: str) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise RemoteError(f"Trello answered {what} with something other than an object")
    return answer


def whoami(client: HttpClient) -> TrelloMember:
    """The member the token belongs to; a rejected key or token raises ``AuthError`` naming the variables."""
    answer = _dict(
        client.request_json(
            "GET", "/members/me", params={"fields": "id,username,fullName"}, what="the token's member"
        ),
        "the token's member",
    )
    return TrelloMember(
        id=str(answer.get("id", "")),
        username=str(answer.get("username", "")),
        full_name=str(answer.get("fullName", "")),
    )


def reachable_boards(client: HttpClient) -> list[tuple[BoardRef, str]]:
    """The open boards the token's member belongs to, as ``(trello:<id>, name)``, sorted by name."""
    answer = client.request_json(
        "GET",
        "/members/me/boards",
        params={"filter": "open", "fields": "id,name,closed"},
        what="the token's boards",
    )
    if not isinstance(answer, list):
        raise RemoteError("Trello answered the list of boards with something other than a list")
    boards = [
        (BoardRef(tool=Tool.TRELLO, board=str(b["id"])), str(b.get("name", "")))
        for b in answer
        if isinstance(b, dict) and b.get("id") and not b.get("closed")
    ]
    return sorted(boards, key=lambda entry: (entry[1].casefold(), entry[0].board))


def board_access(client: HttpClient, board: str, member_id: str) -> TrelloBoardAccess:
    """One request (a ``/batch`` of the board with its members and memberships, and its enabled Power-Ups;
    by id or by shortLink alike, see ``reader``): ``NotFound`` if unreachable."""
    key = board_key(client, board)
    what = f"board {board}"
    routes = [
        route(f"/boards/{key}", fields="name,closed,prefs", members="all", memberships="all"),
        plugins_route(key),
    ]
    answers = batch_answers(client, routes, what)
    answer = _dict(_answer(answers[0], what), what)
    learn_board_id(client, board, answer)
    return TrelloBoardAccess(
        name=str(answer.get("name", "")),
        closed=bool(answer.get("closed")),
        member_type=_member_type(answer, member_id),
        custom_fields=custom_fields_on(_answer(answers[1], f"the Power-Ups of {what}")),
    )


def _member_type(board: dict[str, Any], member_id: str) -> str | None:
    memberships = board.get("memberships")
    if isinstance(memberships, list) and memberships:
        for membership in memberships:
            if isinstance(membership, dict) and membership.get("idMember") == member_id:
                return str(membership.get("memberType") or "normal")
        return None
    members = board.get("members")
    if isinstance(members, list) and any(isinstance(m, dict) and m.get("id") == member_id for m in members):
        return "normal"
    return None
