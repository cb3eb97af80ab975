"""What a monday.com token reaches: its user and the API version answering, the boards, one board's access.

Used by ``moteur boards`` and ``moteur doctor``; nothing here writes, and every document is a query with
variables, like the connector's. Terms:

- *Who am I*: ``me`` and ``version`` in one query — proof the token is accepted, and the API version
  monday actually served for the pinned ``API-Version`` header (``kind``: current, release_candidate,
  maintenance, deprecated…) — and the account's plan with today's API calls (``daily``): which daily cap
  applies.
- *Board access*: the board's ``state`` (only an ``active`` board is written to), its ``board_kind``
  (public / private / share) and its ``permissions`` — who may edit it: ``everyone`` (every member of the
  board), or only ``collaborators``, ``assignee`` or ``owners``. monday exposes no read-only "may I write?"
  for a token, so these are the facts moteur reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moteur.connectors.monday.daily import DAILY_FIELDS, DailyCap, parse_daily
from moteur.connectors.monday.transport import MondayTransport
from moteur.core.errors import NotFound, RemoteError
from moteur.core.model import BoardRef, Tool

BOARDS_PAGE = 100

WHO_AM_I = (
    """
query WhoAmI {
  me { id name email }
  version { value kind }"""
    + DAILY_FIELDS
    + """
}
"""
)

BOARDS = """
query ReachableBoards($limit: Int!, $page: Int!) {
  boards(limit: $limit, page: $page, state: active) { id name board_kind workspace { name } }
}
"""

BOARD_ACCESS = """
query BoardAccess($ids: [ID!]) {
  boards(ids: $ids) { id name state board_kind permissions }
}
"""


@dataclass(frozen=True, slots=True)
class MondayUser:
    id: str
    name: str
    version: str  # the API version that answered
    version_kind: str
    daily: DailyCap | None = None  # the account's daily call cap and today's usage, when monday said


@dataclass(frozen=True, slots=True)
class MondayBoardAccess:
    name: str
    state: str
    kind: str
    permissions: str

    @property
    def can_write(self) -> bool:
        return self.state == "active"


def whoami(transport: MondayTransport) -> MondayUser:
    """The token's user and the served API version; a rejected token raises ``AuthError``."""
    data = transport.send(WHO_AM_I, {}, what="the token's user", idempotent=True).data
    me = data.get("me") if isinstance(data.get("me"), dict) else None
    if me is None:
        raise RemoteError("monday.com answered the `me` query without a user")
    version: dict[str, Any] = data["version"] if isinstance(data.get("version"), dict) else {}
    return MondayUser(
        id=str(me.get("id", "")),
        name=str(me.get("name", "")),
        version=str(version.get("value", "")),
        version_kind=str(version.get("kind", "")),
        daily=parse_daily(data),
    )


def reachable_boards(transport: MondayTransport) -> list[tuple[BoardRef, str]]:
    """Every active board the token's user can see, as ``(monday:<id>, name)``, page by page."""
    found: list[tuple[BoardRef, str]] = []
    seen: set[str] = set()
    page = 1
    while True:
        data = transport.send(
            BOARDS, {"limit": BOARDS_PAGE, "page": page}, what="the token's boards", idempotent=True
        ).data
        boards = [b for b in data.get("boards") or [] if isinstance(b, dict) and b.get("id")]
        fresh = [b for b in boards if str(b["id"]) not in seen]
        for board in fresh:
            seen.add(str(board["id"]))
            found.append((BoardRef(tool=Tool.MONDAY, board=str(board["id"])), str(board.get("name", ""))))
        # A short page is the last; a page of nothing new means the server ignores paging (loop guard).
        if len(boards) < BOARDS_PAGE or not fresh:
            break
        page += 1
    return sorted(found, key=lambda entry: (entry[1].casefold(), entry[0].board))


def board_access(transport: MondayTransport, board_id: str) -> MondayBoardAccess:
    """One query: the board's state, kind and edit permissions; ``NotFound`` when the token cannot see it."""
    what = f"board {board_id}"
    data = transport.send(BOARD_ACCESS, {"ids": [board_id]}, what=what, idempotent=True).data
    boards = [b for b in data.get("boards") or [] if isinstance(b, dict)]
    if not boards:
        raise NotFound(
            f"monday.com: {what} not found",
            hint="use the number in the board's URL (…/boards/<id>) and a token whose user can see it",
        )
    board = boards[0]
    return MondayBoardAccess(
        name=str(board.get("name", "")),
        state=str(board.get("state", "")),
        kind=str(board.get("board_kind", "")),
        permissions=str(board.get("permissions", "")),
    )
