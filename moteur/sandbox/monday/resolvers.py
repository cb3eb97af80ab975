"""Resolvers of the read side: root queries and the computed fields of Board, Item, Group, Update, User.

Terms:

- *Context* (:class:`MondayContext`): what every resolver receives as ``info.context``: the store, the wall
  time, the request's API version, the cursor book, the caller and the complexity charge of this request.
- Fields not listed in :data:`FIELD_RESOLVERS` are read by graphql-core's default resolver, by attribute
  name, from the store's dataclasses (or dict keys).

Known differences: ``boards(ids:)`` with an unknown id answers an empty list (a filter, not an error);
subitems boards are listed by ``boards`` only when asked for by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphql import GraphQLResolveInfo

from moteur.sandbox.monday import columns, items_query
from moteur.sandbox.monday.complexity import Charge
from moteur.sandbox.monday.store import ActivityLog, Board, Group, Item, MondayStore, Update, User, iso

Info = GraphQLResolveInfo[Any]
"""What graphql-core passes every resolver (its ``context`` is a :class:`MondayContext`)."""

SERVED_VERSIONS: dict[str, str] = {
    "2026-07": "current",
    "2026-10": "release_candidate",
    "2026-04": "maintenance",
}


@dataclass
class MondayContext:
    store: MondayStore
    now: float  # wall-clock seconds (timestamps written by this request)
    tick: float  # emulator clock (cursor expiry)
    version: str
    cursors: items_query.CursorBook
    user_id: str
    charge: Charge | None = None


def _ctx(info: Info) -> MondayContext:
    context: MondayContext = info.context
    return context


def _page(values: list[Any], limit: int | None, page: int | None, default_limit: int = 25) -> list[Any]:
    size = limit if limit and limit > 0 else default_limit
    start = (max(page or 1, 1) - 1) * size
    return values[start : start + size]


# -- root queries -------------------------------------------------------------------------------------


def boards(
    _: Any,
    info: Info,
    ids: list[str] | None = None,
    limit: int | None = 25,
    page: int | None = 1,
    state: str = "active",
    workspace_ids: list[str | None] | None = None,
    board_kind: str | None = None,
    **_other: Any,
) -> list[Board]:
    store = _ctx(info).store
    wanted = [store.boards[str(i)] for i in ids or [] if str(i) in store.boards]
    # Newest first, as the recorded board listing shows.
    found = wanted if ids else [b for b in reversed(store.boards.values()) if not b.is_subitems_board]
    if state != "all":
        found = [b for b in found if b.state == state]
    else:
        found = [b for b in found if b.state != "deleted"]
    if workspace_ids:
        found = [b for b in found if b.workspace_id in {str(w) for w in workspace_ids}]
    if board_kind:
        found = [b for b in found if b.kind == board_kind]
    return _page(found, limit, page)


def items(
    _: Any,
    info: Info,
    ids: list[str] | None = None,
    limit: int | None = 25,
    page: int | None = 1,
    newest_first: bool | None = None,
    exclude_nonactive: bool | None = None,
    **_other: Any,
) -> list[Item]:
    store = _ctx(info).store
    if ids:
        if len(ids) > items_query.MAX_QUERY_IDS:
            from moteur.sandbox.monday import errors

            raise errors.invalid_argument("items accepts at most 100 ids")
        found = [store.items[str(i)] for i in ids if str(i) in store.items]
    else:
        found = list(reversed(store.items.values()))
    found = [i for i in found if i.state != "deleted" and not (exclude_nonactive and i.state != "active")]
    return found if ids else _page(found, limit, page)


def me(_: Any, info: Info) -> User:
    ctx = _ctx(info)
    return ctx.store.users[ctx.user_id]


def users(
    _: Any,
    info: Info,
    ids: list[str] | None = None,
    emails: list[str] | None = None,
    limit: int | None = None,
    page: int | None = 1,
    **_other: Any,
) -> list[User]:
    found = list(_ctx(info).store.users.values())
    if ids:
        found = [u for u in found if u.id in {str(i) for i in ids}]
    if emails:
        found = [u for u in found if u.email in set(emails)]
    return _page(found, limit, page, default_limit=1000)


def account(_: Any, info: Info) -> dict[str, Any]:
    return _ctx(info).store.account


def workspaces(
    _: Any,
    info: Info,
    ids: list[str] | None = None,
    limit: int | None = 25,
    page: int | None = 1,
    state: str | None = "active",
    **_other: Any,
) -> list[Any]:
    found = list(_ctx(info).store.workspaces.values())
    if ids:
        found = [w for w in found if w.id in {str(i) for i in ids}]
    if state and state != "all":
        found = [w for w in found if w.state == state]
    return _page(found, limit, page)


def updates(
    _: Any,
    info: Info,
    ids: list[str] | None = None,
    limit: int | None = 25,
    page: int | None = 1,
    **_other: Any,
) -> list[Update]:
    found = list(reversed(_ctx(info).store.updates.values()))
    if ids:
        found = [u for u in found if u.id in {str(i) for i in ids}]
    return _page(found, limit, page)


def complexity(_: Any, info: Info) -> Charge | None:
    return _ctx(info).charge


def version(_: Any, info: Info) -> dict[str, str]:
    value = _ctx(info).version
    return {"value": value, "kind": SERVED_VERSIONS.get(value, "deprecated"), "display_name": value}


def versions(_: Any, info: Info) -> list[dict[str, str]]:
    return [{"value": v, "kind": k, "display_name": v} for v, k in sorted(SERVED_VERSIONS.items())]


def next_items_page(_: Any, info: Info, cursor: str, limit: int) -> dict[str, Any]:
    ctx = _ctx(info)
    items_query.check_limit(limit)
    _, ids, token = ctx.cursors.follow(cursor, limit, ctx.tick)
    return {"cursor": token, "items": [ctx.store.items[i] for i in ids]}


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
    store = _ctx(info).store
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
    ctx = _ctx(info)
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
    ctx = _ctx(info)
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
        for e in _page(wanted, limit, page)
    ]


def _stamp(value: Any) -> float | None:
    if value is None:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def board_items_count(board: Board, info: Info) -> int:
    store = _ctx(info).store
    return sum(1 for i in board.item_ids if store.items[i].state == "active")


def board_updates(
    board: Board, info: Info, limit: int | None = 25, page: int | None = 1, **_other: Any
) -> list[Update]:
    store = _ctx(info).store
    found = [u for u in reversed(store.updates.values()) if store.items[u.item_id].board_id == board.id]
    return _page(found, limit, page)


def board_workspace(board: Board, info: Info) -> Any:
    return _ctx(info).store.workspaces.get(board.workspace_id or "")


# -- Item ---------------------------------------------------------------------------------------------


def item_column_values(
    item: Item,
    info: Info,
    ids: list[str] | None = None,
    types: list[str] | None = None,
    **_other: Any,
) -> list[dict[str, Any]]:
    store = _ctx(info).store
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
    board = _ctx(info).store.boards[item.board_id]
    return next((g for g in board.groups if g.id == item.group_id), None)


def item_subitems(item: Item, info: Info) -> list[Item]:
    store = _ctx(info).store
    return [store.items[i] for i in item.subitem_ids if store.items[i].state != "deleted"]


def item_updates(
    item: Item, info: Info, limit: int | None = 25, page: int | None = 1, **_other: Any
) -> list[Update]:
    found = [u for u in reversed(_ctx(info).store.updates.values()) if u.item_id == item.id]
    return _page(found, limit, page)


FIELD_RESOLVERS: dict[str, dict[str, Any]] = {
    "Query": {
        "boards": boards,
        "items": items,
        "me": me,
        "users": users,
        "account": account,
        "workspaces": workspaces,
        "updates": updates,
        "complexity": complexity,
        "version": version,
        "versions": versions,
        "next_items_page": next_items_page,
    },
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
    },
    "Column": {"settings": lambda c, _: c.settings},
    "Group": {"items_page": group_items_page},
    "Item": {
        "column_values": item_column_values,
        "group": item_group,
        "subitems": item_subitems,
        "updates": item_updates,
        "board": lambda i, info: _ctx(info).store.boards[i.board_id],
        "parent_item": lambda i, info: _ctx(info).store.items.get(i.parent_id or ""),
        "created_at": lambda i, _: iso(i.created_at),
        "updated_at": lambda i, _: iso(i.updated_at),
        "url": lambda i, _: f"https://moteur-sandbox.monday.com/boards/{i.board_id}/pulses/{i.id}",
        "relative_link": lambda i, _: f"/boards/{i.board_id}/pulses/{i.id}",
    },
    "Update": {
        "created_at": lambda u, _: iso(u.created_at),
        "updated_at": lambda u, _: iso(u.created_at),
        "text_body": lambda u, _: u.body,
        "creator": lambda u, info: _ctx(info).store.users.get(u.creator_id),
    },
    "User": {"account": lambda _u, info: _ctx(info).store.account},
}
