"""Resolvers of the write side: the item mutations (and the rules every mutation follows).

Each mutation applies in full or not at all (column values are all checked before any is stored), and
raises :class:`moteur.sandbox.monday.errors.MondayError` to refuse. graphql-core runs the root fields of a
mutation one after the other, so in a document with several aliased mutations each applies or fails on its
own: the failed one answers ``null`` with an ``errors[]`` entry carrying its ``path`` (partial data).

Every write stamps the item's ``updated_at`` and appends an activity-log entry (``boards{activity_logs}``).
Board, group and column mutations are in :mod:`moteur.sandbox.monday.board_mutations`.
"""

from __future__ import annotations

import json
from typing import Any

from moteur.sandbox.monday import columns, errors
from moteur.sandbox.monday.resolvers import Info, MondayContext, context_of
from moteur.sandbox.monday.store import Board, Group, Item, MondayStore, Update


def json_arg(raw: Any) -> Any:
    """A ``JSON`` argument: monday expects a JSON-encoded string; a literal object is taken as is."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        raise errors.json_parse(raw) from None


def _item_on_board(store: MondayStore, board_id: Any, item_id: Any) -> tuple[Board, Item]:
    board = store.board(board_id)
    if item_id is None:
        raise errors.invalid_argument("item_id is required", item_id=None)
    item = store.item(item_id)
    if item.board_id != board.id:
        raise errors.invalid_item(item_id)
    return board, item


def _prepare(
    ctx: MondayContext, board: Board, raw_values: Any, create_labels: bool, simple: bool = False
) -> dict[str, Any]:
    """Check every column value first (all or nothing), then return column id → stored value."""
    values = json_arg(raw_values) if not simple else raw_values
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise errors.json_parse(json.dumps(values))
    prepared: dict[str, Any] = {}
    for column_id, raw in values.items():
        column = board.column(column_id)
        if column.type == "name":
            if not isinstance(raw, str) or not raw.strip():
                raise errors.column_value(
                    "invalid value - the item name must be a non-empty string", "name", "name"
                )
            prepared["name"] = raw
            continue
        prepared[column_id] = columns.write_value(
            column,
            raw,
            simple=simple,
            create_labels=create_labels,
            store=ctx.store,
            now=ctx.now,
            board=board,
        )
    return prepared


def _apply(ctx: MondayContext, board: Board, item: Item, prepared: dict[str, Any]) -> Item:
    for column_id, stored in prepared.items():
        if column_id == "name":
            previous: Any = item.name
            item.name = stored
        else:
            previous = item.values.get(column_id)
            if stored is None:
                item.values.pop(column_id, None)
            else:
                item.values[column_id] = stored
        ctx.store.log(
            board,
            "update_column_value" if column_id != "name" else "update_name",
            {
                "board_id": int(board.id),
                "pulse_id": int(item.id),
                "column_id": column_id,
                "previous_value": previous,
                "value": stored,
            },
            ctx.user_id,
            ctx.now,
            item,
            column_id,
        )
    item.updated_at = board.updated_at = ctx.now
    return item


# -- items ----------------------------------------------------------------------------------------------


def create_item(
    _: Any,
    info: Info,
    board_id: str,
    item_name: str,
    group_id: str | None = None,
    column_values: Any = None,
    create_labels_if_missing: bool | None = False,
    position_relative_method: str | None = None,
    relative_to: str | None = None,
    **_other: Any,
) -> Item:
    ctx = context_of(info)
    board = ctx.store.board(board_id)
    if board.is_subitems_board:
        raise errors.MondayError(
            "InvalidBoardIdException",
            "Can't create an item on subitems board. Please use create_subitem mutation.",
            {"board_id": int(board.id)},
        )
    group = board.group(group_id) if group_id else _top_group(ctx.store, board)
    prepared = _prepare(ctx, board, column_values, bool(create_labels_if_missing))
    item = ctx.store.add_item(board, item_name, group, ctx.user_id, ctx.now)
    if relative_to is not None:
        anchor = ctx.store.item(relative_to)
        board.item_ids.remove(item.id)
        index = board.item_ids.index(anchor.id) + (1 if position_relative_method == "after_at" else 0)
        board.item_ids.insert(index, item.id)
        item.group_id = anchor.group_id
    ctx.store.log(
        board,
        "create_pulse",
        {"pulse_id": int(item.id), "pulse_name": item_name, "group_id": item.group_id},
        ctx.user_id,
        ctx.now,
        item,
    )
    return _apply(ctx, board, item, prepared)


def _top_group(store: MondayStore, board: Board) -> Group:
    live = [g for g in board.groups if not g.deleted and not g.archived]
    return live[0] if live else store.add_group(board, "Group Title", "#579bfc", "topics")


def create_subitem(
    _: Any,
    info: Info,
    parent_item_id: str,
    item_name: str,
    column_values: Any = None,
    create_labels_if_missing: bool | None = False,
    **_other: Any,
) -> Item:
    ctx = context_of(info)
    parent = ctx.store.item(parent_item_id)
    parent_board = ctx.store.boards[parent.board_id]
    if parent_board.subitems_board_id is None:
        sub_board = ctx.store.add_board(
            f"Subitems of {parent_board.name}", parent_board.kind, parent_board.workspace_id, ctx.now
        )
        sub_board.is_subitems_board = True
        # Who may be assigned on subitems is who may be on their parents' board.
        sub_board.subscriber_ids = list(parent_board.subscriber_ids)
        sub_board.owner_ids = list(parent_board.owner_ids)
        ctx.store.add_group(sub_board, "Subitems", "#579bfc", "topics")
        parent_board.subitems_board_id = sub_board.id
    board = ctx.store.boards[parent_board.subitems_board_id]
    prepared = _prepare(ctx, board, column_values, bool(create_labels_if_missing))
    item = ctx.store.add_item(board, item_name, board.groups[0], ctx.user_id, ctx.now, parent_id=parent.id)
    parent.subitem_ids.append(item.id)
    parent.updated_at = ctx.now
    ctx.store.log(
        parent_board,
        "create_subitem",
        {"pulse_id": int(item.id), "parent_id": int(parent.id)},
        ctx.user_id,
        ctx.now,
        parent,
    )
    return _apply(ctx, board, item, prepared)


def change_column_value(
    _: Any,
    info: Info,
    board_id: str,
    column_id: str,
    value: Any,
    item_id: str | None = None,
    create_labels_if_missing: bool | None = False,
) -> Item:
    ctx = context_of(info)
    board, item = _item_on_board(ctx.store, board_id, item_id)
    prepared = _prepare(ctx, board, {column_id: json_arg(value)}, bool(create_labels_if_missing), simple=True)
    return _apply(ctx, board, item, prepared)


def change_simple_column_value(
    _: Any,
    info: Info,
    board_id: str,
    column_id: str,
    value: str | None = None,
    item_id: str | None = None,
    create_labels_if_missing: bool | None = False,
) -> Item:
    ctx = context_of(info)
    board, item = _item_on_board(ctx.store, board_id, item_id)
    prepared = _prepare(ctx, board, {column_id: value}, bool(create_labels_if_missing), simple=True)
    return _apply(ctx, board, item, prepared)


def change_multiple_column_values(
    _: Any,
    info: Info,
    board_id: str,
    column_values: Any,
    item_id: str | None = None,
    create_labels_if_missing: bool | None = False,
) -> Item:
    ctx = context_of(info)
    board, item = _item_on_board(ctx.store, board_id, item_id)
    prepared = _prepare(ctx, board, column_values, bool(create_labels_if_missing))
    return _apply(ctx, board, item, prepared)


def move_item_to_group(_: Any, info: Info, group_id: str, item_id: str | None = None) -> Item:
    ctx = context_of(info)
    item = ctx.store.item(item_id)
    board = ctx.store.boards[item.board_id]
    group = board.group(group_id)
    previous, item.group_id = item.group_id, group.id
    item.updated_at = board.updated_at = ctx.now
    ctx.store.log(
        board,
        "move_pulse_into_group",
        {"pulse_id": int(item.id), "source_group_id": previous, "dest_group_id": group.id},
        ctx.user_id,
        ctx.now,
        item,
    )
    return item


def create_update(
    _: Any,
    info: Info,
    body: str,
    item_id: str | None = None,
    parent_id: str | None = None,
    **_other: Any,
) -> Update:
    ctx = context_of(info)
    if item_id is None and parent_id is not None:
        item_id = ctx.store.updates[str(parent_id)].item_id if str(parent_id) in ctx.store.updates else None
    item = ctx.store.item(item_id)
    update = Update(ctx.store.next_id(), item.id, body, ctx.user_id, ctx.now)
    ctx.store.updates[update.id] = update
    ctx.store.log(
        ctx.store.boards[item.board_id],
        "create_update",
        {"pulse_id": int(item.id), "update_id": int(update.id)},
        ctx.user_id,
        ctx.now,
        item,
    )
    return update


def _set_state(info: Info, item_id: str | None, state: str, event: str) -> Item:
    ctx = context_of(info)
    item = ctx.store.item(item_id)
    board = ctx.store.boards[item.board_id]
    item.state = state
    item.updated_at = board.updated_at = ctx.now
    ctx.store.log(board, event, {"pulse_id": int(item.id)}, ctx.user_id, ctx.now, item)
    return item


def archive_item(_: Any, info: Info, item_id: str | None = None) -> Item:
    return _set_state(info, item_id, "archived", "archive_pulse")


def delete_item(_: Any, info: Info, item_id: str | None = None) -> Item:
    return _set_state(info, item_id, "deleted", "delete_pulse")


ITEM_MUTATIONS: dict[str, Any] = {
    "create_item": create_item,
    "create_subitem": create_subitem,
    "change_column_value": change_column_value,
    "change_simple_column_value": change_simple_column_value,
    "change_multiple_column_values": change_multiple_column_values,
    "move_item_to_group": move_item_to_group,
    "create_update": create_update,
    "archive_item": archive_item,
    "delete_item": delete_item,
}
