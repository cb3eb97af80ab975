"""Reading one monday.com board in the fewest requests: one query, then ``next_items_page`` until done.

*Raw board*: the board's JSON as monday sent it (board, columns, groups, items), before any mapping.

The first query (``documents.READ_BOARD``) asks the board's name, columns, groups and first
``items_page(limit: 500)``; each further page is one ``next_items_page(cursor, limit: 500)``, until the cursor
is null: ⌈N/500⌉ requests for N items. A cursor seen twice would loop forever: it raises instead (the
*loop guard*). A board monday does not know (``InvalidBoardIdException``, or an empty ``boards`` list, which
is how monday answers an id it cannot show you) is ``NotFound`` naming the board.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moteur.connectors.monday import documents
from moteur.connectors.monday.errors import Problem, first_fatal
from moteur.connectors.monday.transport import Answer, MondayTransport
from moteur.core.errors import NotFound, RemoteError

READ_COST_GUESS = 0  # the first read's cost is unknown; later pages reuse the first page's measured cost


@dataclass
class RawBoard:
    board: dict[str, Any]
    columns: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)  # objects, unless monday sent something malformed
    pages: int = 0
    warnings: list[str] = field(default_factory=list)  # field-level problems monday reported


class PageCursor:
    """The cursor of ``items_page`` / ``next_items_page``; ``advance`` refuses a cursor seen before."""

    def __init__(self) -> None:
        self.current: str | None = None
        self._seen: set[str] = set()

    def advance(self, cursor: object, what: str) -> bool:
        """Take the next cursor; False when there are no more pages."""
        if cursor is None or cursor == "":
            self.current = None
            return False
        if not isinstance(cursor, str):
            raise RemoteError(f"monday.com sent a malformed cursor for {what}", retriable=False)
        if cursor in self._seen:
            raise RemoteError(
                f"monday.com paging of {what} did not advance (a cursor came back twice)",
                hint="retry; report it if it lasts",
            )
        self._seen.add(cursor)
        self.current = cursor
        return True


def page_of(container: object, what: str) -> tuple[list[Any], object]:
    if not isinstance(container, dict) or not isinstance(container.get("items"), list):
        raise RemoteError(f"monday.com's items page for {what} has an unexpected shape", retriable=True)
    return list(container["items"]), container.get("cursor")


def _objects(value: object) -> list[dict[str, Any]]:
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def board_of(answer: Answer, board_id: str) -> dict[str, Any]:
    """The board of a ``ReadBoard`` answer, or ``NotFound`` naming it."""
    boards = answer.data.get("boards")
    found = _objects(boards)
    if not found and answer.problems:
        raise first_fatal(answer.problems, f"board {board_id}")
    if not found:
        raise NotFound(
            f"monday.com: board {board_id} not found (or not shared with the token's user)",
            hint="use the number in the board's URL: …/boards/<id>",
        )
    return found[0]


def read_board(transport: MondayTransport, board_id: str, page_limit: int = documents.PAGE_LIMIT) -> RawBoard:
    """The raw board in ⌈N/page_limit⌉ requests (one when the board holds at most one page)."""
    what = f"board {board_id}"
    if not board_id.isdigit():
        raise NotFound(
            f"monday.com: board {board_id} not found (a board id is a number)",
            hint="use the number in the board's URL: …/boards/<id>",
        )
    types = list(documents.READ_TYPES)
    answer = transport.send(
        documents.READ_BOARD,
        {"board": board_id, "limit": page_limit, "types": types},
        what=what,
        idempotent=True,
        cost=READ_COST_GUESS,
    )
    board = board_of(answer, board_id)
    items, cursor = page_of(board.get("items_page"), what)
    raw = RawBoard(
        board={k: v for k, v in board.items() if k not in ("columns", "groups", "items_page")},
        columns=_objects(board.get("columns")),
        groups=_objects(board.get("groups")),
        items=items,
        pages=1,
        warnings=field_problems(answer.problems),
    )
    page_cost = _measured(answer)
    pages = PageCursor()
    while pages.advance(cursor, what):
        answer = transport.send(
            documents.NEXT_ITEMS,
            {"cursor": pages.current, "limit": page_limit, "types": types},
            what=f"items of {what}",
            idempotent=True,
            cost=page_cost,
        )
        items, cursor = page_of(answer.data.get("next_items_page"), what)
        raw.items.extend(items)
        raw.pages += 1
        raw.warnings.extend(field_problems(answer.problems))
    return raw


def _measured(answer: Answer) -> int:
    complexity = answer.data.get("complexity")
    cost = complexity.get("query") if isinstance(complexity, dict) else None
    return cost if isinstance(cost, int) else 0


def field_problems(problems: list[Problem]) -> list[str]:
    """Field-level problems of a read (a column value monday could not render), as warnings."""
    return [f"monday.com: {p.code} at {'.'.join(p.path)}: {p.message[:120]}" for p in problems]
