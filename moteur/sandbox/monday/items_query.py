"""``items_page`` / ``next_items_page``: filtering a board's items with ``query_params`` and paging them.

Terms:

- *Rule*: ``{column_id, compare_value, compare_attribute, operator}``. ``column_id`` is a column of the board
  or one of monday's pseudo-columns ``__last_updated__`` / ``__creation_log__`` (compared on the item's
  update / creation time: ``compare_value`` is ``["EXACT", "<ISO datetime>"]`` or ``["<ISO datetime>"]``).
  Operators served: any_of, not_any_of, is_empty, is_not_empty, greater_than(_or_equals),
  lower_than(_or_equal), between, contains_text, not_contains_text, starts_with, ends_with. For status /
  dropdown, ``any_of`` compares label indexes / option ids (numbers) or label texts; others compare the
  rendered ``text``.
- *Cursor*: an opaque string naming a frozen list of matching item ids and the offset reached. Shaped like
  monday's (base64 of ``1,<board id>,<key>,<total>,<offset>,|<check>``). It expires 60 minutes after the
  ``items_page`` call that made it, as monday's do (then ``CursorExpiredError``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from moteur.sandbox.monday import columns, errors
from moteur.sandbox.monday.store import Board, Item, MondayStore

MAX_LIMIT = 500
CURSOR_TTL_SECONDS = 3600.0
MAX_QUERY_IDS = 100


@dataclass
class Cursor:
    board_id: str
    item_ids: list[str]
    offset: int
    created_at: float  # emulator clock (monotonic)


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise errors.invalid_argument(f"limit must be between 1 and {MAX_LIMIT}", limit=limit)


def matching_items(
    store: MondayStore, board: Board, query_params: dict[str, Any] | None, group_ids: list[str] | None = None
) -> list[str]:
    """Ids of the board's active items matching ``query_params``, in board order (or ``order_by``)."""
    params = query_params or {}
    items = [store.items[i] for i in board.item_ids if store.items[i].state == "active"]
    if group_ids is not None:
        items = [i for i in items if i.group_id in group_ids]
    wanted_ids = params.get("ids")
    if wanted_ids:
        if len(wanted_ids) > MAX_QUERY_IDS:
            raise errors.invalid_argument(f"query_params.ids accepts at most {MAX_QUERY_IDS} ids")
        wanted = {str(i) for i in wanted_ids}
        items = [i for i in items if i.id in wanted]
    items = [i for i in items if _matches_group(store, board, i, params)]
    for order in reversed(params.get("order_by") or []):
        column_id = order["column_id"]
        reverse = order.get("direction", "asc") == "desc"
        items.sort(key=partial(_sort_key, store, board, column_id=column_id), reverse=reverse)
    return [i.id for i in items]


def _matches_group(store: MondayStore, board: Board, item: Item, group: dict[str, Any]) -> bool:
    results = [_matches_rule(store, board, item, rule) for rule in group.get("rules") or []]
    results += [_matches_group(store, board, item, sub) for sub in group.get("groups") or []]
    if not results:
        return True
    return any(results) if group.get("operator", "and") == "or" else all(results)


def _timestamp(value: Any) -> float:
    text = str(value).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise errors.invalid_argument(f"invalid date in compare_value: {value}") from None
    if parsed.tzinfo is None:  # monday reads zone-less datetimes as UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _matches_rule(store: MondayStore, board: Board, item: Item, rule: dict[str, Any]) -> bool:
    column_id = str(rule["column_id"])
    operator = rule.get("operator", "any_of")
    raw_compare = rule.get("compare_value")
    compare = raw_compare if isinstance(raw_compare, list) else [raw_compare]
    if column_id in ("__last_updated__", "__creation_log__"):
        # ["EXACT", "<datetime>"]: the leading keyword names the kind of comparison, not a value.
        stamps = [_timestamp(v) for v in compare if v not in ("EXACT", "TODAY", "PAST_DATETIME")]
        actual = item.updated_at if column_id == "__last_updated__" else item.created_at
        return _compare_numbers(operator, actual, stamps)
    if column_id == "name":
        text, keys = item.name, {item.name}
    else:
        column = board.column(column_id)
        stored = item.values.get(column_id)
        text = columns.text_of(column, stored, store) or ""
        keys = {text}
        if column.type == "status" and stored is not None:
            keys.add(str(stored["index"]))
        elif column.type == "dropdown" and stored is not None:
            keys |= {str(i) for i in stored["ids"]} | {t.strip() for t in text.split(",")}
        elif column.type == "people" and stored is not None:
            keys |= {str(p["id"]) for p in stored["personsAndTeams"]}
        if column.type == "numbers" and operator.startswith(("greater", "lower", "between")):
            return stored is not None and _compare_numbers(
                operator, float(stored), [float(str(v)) for v in compare]
            )
    wanted = {str(v) for v in compare if v is not None}
    if operator == "any_of":
        return bool(keys & wanted) or ("" in wanted and not text)
    if operator == "not_any_of":
        return not (keys & wanted)
    if operator == "is_empty":
        return not text
    if operator == "is_not_empty":
        return bool(text)
    needle = str(compare[0]) if compare else ""
    if operator == "contains_text":
        return needle.lower() in text.lower()
    if operator == "not_contains_text":
        return needle.lower() not in text.lower()
    if operator == "starts_with":
        return text.lower().startswith(needle.lower())
    if operator == "ends_with":
        return text.lower().endswith(needle.lower())
    raise errors.invalid_argument(
        f"operator {operator} is not supported on column {column_id} by the sandbox"
    )


def _compare_numbers(operator: str, actual: float, values: list[float]) -> bool:
    if not values:
        raise errors.invalid_argument("compare_value needs a value")
    if operator == "greater_than":
        return actual > values[0]
    if operator == "greater_than_or_equals":
        return actual >= values[0]
    if operator == "lower_than":
        return actual < values[0]
    if operator == "lower_than_or_equal":
        return actual <= values[0]
    if operator == "between" and len(values) >= 2:
        return values[0] <= actual <= values[1]
    if operator == "any_of":
        return actual in values
    raise errors.invalid_argument(f"operator {operator} is not supported for this comparison")


def _sort_key(store: MondayStore, board: Board, item: Item, *, column_id: str) -> tuple[int, Any]:
    if column_id in ("__last_updated__", "__creation_log__"):
        return (0, item.updated_at if column_id == "__last_updated__" else item.created_at)
    if column_id == "name":
        return (0, item.name)
    column = board.column(column_id)
    stored = item.values.get(column_id)
    if stored is None:
        return (1, "")
    if column.type == "numbers":
        return (0, float(stored))
    return (0, columns.text_of(column, stored, store) or "")


class CursorBook:
    """The live cursors (keyed by their opaque string)."""

    def __init__(self) -> None:
        self._cursors: dict[str, Cursor] = {}
        self._counter = 0

    def reset(self) -> None:
        self._cursors.clear()
        self._counter = 0

    def page(
        self,
        board_id: str,
        item_ids: list[str],
        offset: int,
        limit: int,
        now: float,
        created_at: float | None = None,
    ) -> tuple[list[str], str | None]:
        """The ids of one page and the cursor of the next one (``None`` on the last page)."""
        page = item_ids[offset : offset + limit]
        end = offset + len(page)
        if end >= len(item_ids):
            return page, None
        self._counter += 1
        key = base64.urlsafe_b64encode(f"sandbox{self._counter:013d}".encode()).decode()[:21]
        check = (self._counter * 7_919 + end) % 99_999_989
        raw = f"1,{board_id},{key},{len(item_ids)},{end},|{check}"
        token = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
        self._cursors[token] = Cursor(board_id, item_ids, end, now if created_at is None else created_at)
        return page, token

    def follow(self, token: str, limit: int, now: float) -> tuple[Cursor, list[str], str | None]:
        cursor = self._cursors.get(token)
        if cursor is None:
            raise errors.MondayError("CursorException", "The cursor is invalid", {"cursor": token[:80]})
        if now - cursor.created_at > CURSOR_TTL_SECONDS:
            raise errors.cursor_expired()
        page, next_token = self.page(
            cursor.board_id, cursor.item_ids, cursor.offset, limit, now, cursor.created_at
        )
        return cursor, page, next_token
