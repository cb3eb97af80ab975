"""Resolvers of the computed fields of Board, Group, Item, Update and User (the root queries are in
:mod:`moteur.sandbox.monday.resolvers`).

Fields not listed in :data:`FIELD_RESOLVERS` are read by graphql-core's default resolver, by attribute name,
from the store's dataclasses (or dict keys).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from moteur.sandbox.monday import columns, items_query
from moteur.sandbox.monday.resolvers import Info, context_of, page_of
from moteur.sandbox.monday.store import ActivityLog, Board, Group, Item, Update, iso

# -- Board, Group ---------------------------------------------------------------------------------------


def board_items_page(
    board: Board,
    info: Info,
    limit: int = 25,
    cursor: str | None = None,
    query_params: dict[str, Any] | None = None,
    **_other: Any,
) -> dict[str, Any]:
    return _items_page(board, None, info, limit, cursor, query_params)


def group_items_page(
    group: Group,
    info: Info,
    limit: int = 25,
    cursor: str | None = None,
    query_params: dict[str, Any] | None = None,
    **_other: Any,
) -> dict[str, Any]:
    store = context_of(info).store
    board = next(b for b in store.boards.values() if any(g is group for g in b.groups))
    return _items_page(board, [group.id], info, limit, cursor, query_params)


def _items_page(
    board: Board,
    group_ids: list[str] | None,
    info: Info,
    limit: int,
    cursor: str | None,
    query_params: dict[str, Any] | None,
) -> dict[str, Any]:
    ctx = context_of(info)
    items_query.check_limit(limit)
    if cursor:  # with a cursor, monday ignores query_params: the cursor carries the query
        _, ids, token = ctx.cursors.follow(cursor, limit, ctx.tick)
    else:
        matching = items_query.matching_items(ctx.store, board, query_params, group_ids)
        ids, token = ctx.cursors.page(board.id, matching, 0, limit, ctx.tick)
    return {"cursor": token, "items": [ctx.store.items[i] for i in ids]}


def board_columns(
    board: Board,
    _: Info,
    ids: list[str] | None = None,
    types: list[str] | None = None,
    **_other: Any,
) -> list[Any]:
    return [c for c in board.columns if (not ids or c.id in ids) and (not types or c.type in types)]


def board_groups(board: Board, _: Info, ids: list[str] | None = None) -> list[Group]:
    return [g for g in board.groups if not g.deleted and not g.archived and (not ids or g.id in ids)]


def board_activity_logs(
    board: Board, info: Info, limit: int | None = 25, page: int | None = 1, **filters: Any
) -> list[dict[str, Any]]:
    ctx = context_of(info)
    start = _stamp(filters.get("from"))
    end = _stamp(filters.get("to"))
    wanted: list[ActivityLog] = []
    for entry in reversed(ctx.store.logs):  # newest first
        if entry.board_id != board.id or (start is not None and entry.created_at < start):
            continue
        if end is not None and entry.created_at > end:
            continue
        if filters.get("item_ids") and entry.item_id not in {str(i) for i in filters["item_ids"]}:
            continue
        if filters.get("column_ids") and entry.column_id not in filters["column_ids"]:
            continue
        if filters.get("group_ids") and entry.group_id not in filters["group_ids"]:
            continue
        if filters.get("user_ids") and entry.user_id not in {str(i) for i in filters["user_ids"]}:
            continue
        wanted.append(entry)
    return [
        {
            "id": e.id,
            "event": e.event,
            "entity": e.entity,
            "data": e.data,
            "user_id": e.user_id,
            "account_id": ctx.store.account["id"],
            "created_at": str(int(e.created_at * 10_000_000)),
        }
        for e in page_of(wanted, limit, page)
    ]


def _stamp(value: Any) -> float | None:
    if value is None:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def board_items_count(board: Board, info: Info) -> int:
    store = context_of(info).store
    return sum(1 for i in board.item_ids if store.items[i].state == "active")


def board_updates(
    board: Board, info: Info, limit: int | None = 25, page: int | None = 1, **_other: Any
) -> list[Update]:
    store = context_of(info).store
    found = [u for u in reversed(store.updates.values()) if store.items[u.item_id].board_id == board.id]
    return page_of(found, limit, page)


def board_workspace(board: Board, info: Info) -> Any:
    return context_of(info).store.workspaces.get(board.workspace_id or "")


def board_people(attribute: str) -> Any:
    """``Board.subscribers`` / ``Board.owners``: the board's members (owners among them), as users."""

    def resolve(board: Board, info: Info) -> list[Any]:
        users = context_of(info).store.users
        return [users[i] for i in getattr(board, attribute) if i in users]

    return resolve


# -- Item ---------------------------------------------------------------------------------------------


def item_column_values(
    item: Item,
    info: Info,
    ids: list[str] | None = None,
    types: list[str] | None = None,
    **_other: Any,
) -> list[dict[str, Any]]:
    store = context_of(info).store
    board = store.boards[item.board_id]
    out = []
    for column in board.columns:
        if column.type == "name" or (ids and column.id not in ids) or (types and column.type not in types):
            continue
        stored = item.values.get(column.id)
        out.append(
            {
                "__typename": columns.GRAPHQL_TYPE.get(column.type, "TextValue"),
                "id": column.id,
                "type": column.type,
                "column": column,
                "text": columns.text_of(column, stored, store),
                "value": columns.value_json(stored),
                **columns.typed_fields(column, stored, store),
            }
        )
    return out


def item_group(item: Item, info: Info) -> Group | None:
    board = context_of(info).store.boards[item.board_id]
    return next((g for g in board.groups if g.id == item.group_id), None)


def item_subitems(item: Item, info: Info) -> list[Item]:
    store = context_of(info).store
    return [store.items[i] for i in item.subitem_ids if store.items[i].state != "deleted"]


def item_updates(
    item: Item, info: Info, limit: int | None = 25, page: int | None = 1, **_other: Any
) -> list[Update]:
    found = [u for u in reversed(context_of(info).store.updates.values()) if u.item_id == item.id]
    return page_of(found, limit, page)


FIELD_RESOLVERS: dict[str, dict[str, Any]] = {
    "Board": {
        "board_kind": lambda b, _: b.kind,
        "items_page": board_items_page,
        "columns": board_columns,
        "groups": board_groups,
        "activity_logs": board_activity_logs,
        "items_count": board_items_count,
        "updates": board_updates,
        "workspace": board_workspace,
        "created_at": lambda b, _: iso(b.created_at),
        "updated_at": lambda b, _: iso(b.updated_at),
        "url": lambda b, _: f"https://moteur-sandbox.monday.com/boards/{b.id}",
        "permissions": lambda b, _: "everyone",
        "subscribers": board_people("subscriber_ids"),
        "owners": board_people("owner_ids"),
    },
    "Column": {"settings": lambda c, _: c.settings},
    "Group": {"items_page": group_items_page},
    "Item": {
        "column_values": item_column_values,
        "group": item_group,
        "subitems": item_subitems,
        "updates": item_updates,
        "board": lambda i, info: context_of(info).store.boards[i.board_id],
        "parent_item": lambda i, info: context_of(info).store.items.get(i.parent_id or ""),
        "created_at": lambda i, _: iso(i.created_at),
        "updated_at": lambda i, _: iso(i.updated_at),
        "url": lambda i, _: f"https://moteur-sandbox.monday.com/boards/{i.board_id}/pulses/{i.id}",
        "relative_link": lambda i, _: f"/boards/{i.board_id}/pulses/{i.id}",
    },
    "Update": {
        "created_at": lambda u, _: iso(u.created_at),
        "updated_at": lambda u, _: iso(u.created_at),
        "text_body": lambda u, _: u.body,
        "creator": lambda u, info: context_of(info).store.users.get(u.creator_id),
    },
    "User": {"account": lambda _u, info: context_of(info).store.account},
}
