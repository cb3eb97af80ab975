"""Reading one monday.com board in the fewest requests: one query, then ``next_items_page`` until done.

*Raw board*: the board's JSON as monday sent it (board, columns, groups, items), before any mapping.

The first query (``documents.READ_BOARD``) asks the board's name, columns, groups and first
``items_page(limit: 500)``; each further page is one ``next_items_page(cursor, limit: 500)``, until the cursor
is null: ⌈N/500⌉ requests for N items. A cursor seen twice would loop forever: it raises instead (the
loop guard of ``connectors/paging.py``). A board monday does not know (``InvalidBoardIdException``, or an
empty ``boards`` list, which is how monday answers an id it cannot show you) is ``NotFound`` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moteur.connectors.monday import documents
from moteur.connectors.monday.errors import Problem, first_fatal
from moteur.connectors.monday.transport import Answer, MondayTransport
from moteur.connectors.paging import Pages
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


def item_pages(what: str) -> Pages:
    """The cursors of one ``items_page`` / ``next_items_page`` read, with the loop guard."""
    return Pages("monday.com", what, token_name="cursor")


def page_of(container: object, what: str) -> tuple[list[Any], str | None]:
    """An items page's items and the cursor of the next page (None after the last)."""
    if not isinstance(container, dict) or not isinstance(container.get("items"), list):
        raise RemoteError(f"monday.com's items page for {what} has an unexpected shape", retriable=True)
    cursor = container.get("cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise RemoteError(f"monday.com sent a malformed cursor for {what}", retriable=False)
    return list(container["items"]), cursor or None


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
    pages = item_pages(what)
    while pages.advance(cursor):
        answer = transport.send(
            documents.NEXT_ITEMS,
            {"cursor": pages.token, "limit": page_limit, "types": types},
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
