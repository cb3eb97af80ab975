"""Resolvers of the board, group and column mutations (items: :mod:`moteur.sandbox.monday.mutations`).

``create_board`` without ``empty: true`` makes a group "Group Title" (id ``topics``) holding one item
"Task 1", as the recorded exchanges show monday doing. ``create_column`` makes ids like monday's current
ones (``color_mk…``, ``numeric_mk…``) unless an ``id`` is given (1–20 of ``[a-z0-9_]``, unique on the board).
"""

from __future__ import annotations

import re
from typing import Any

from moteur.sandbox.monday import columns, errors
from moteur.sandbox.monday.mutations import ITEM_MUTATIONS, json_arg
from moteur.sandbox.monday.resolvers import Info, context_of
from moteur.sandbox.monday.store import Board, Column, Group

_COLUMN_ID = re.compile(r"^[a-z0-9_]{1,20}$")
COLUMN_ID_PREFIX = {
    "status": "color",
    "numbers": "numeric",
    "people": "multiple_person",
    "dropdown": "dropdown",
    "text": "text",
    "long_text": "long_text",
    "date": "date",
    "checkbox": "boolean",
}


# -- boards, groups, columns ----------------------------------------------------------------------------


def create_board(
    _: Any,
    info: Info,
    board_name: str,
    board_kind: str,
    workspace_id: str | None = None,
    description: str | None = None,
    empty: bool | None = False,
    board_owner_ids: list[str] | None = None,
    board_subscriber_ids: list[str] | None = None,
    **_other: Any,
) -> Board:
    ctx = context_of(info)
    if workspace_id is not None and str(workspace_id) not in ctx.store.workspaces:
        raise errors.MondayError(
            "InvalidWorkspaceIdException", "The workspace does not exist", {"workspace_id": workspace_id}
        )
    board = ctx.store.add_board(
        board_name, board_kind, str(workspace_id) if workspace_id else None, ctx.now, description
    )
    for user_id in [str(u) for u in board_owner_ids or []]:
        board.owner_ids.append(user_id)
    for user_id in [str(u) for u in [*(board_owner_ids or []), *(board_subscriber_ids or [])]]:
        if user_id not in board.subscriber_ids:
            board.subscriber_ids.append(user_id)
    if not empty:
        group = ctx.store.add_group(board, "Group Title", "#579bfc", "topics")
        ctx.store.add_item(board, "Task 1", group, ctx.user_id, ctx.now)
    ctx.store.log(
        board, "create_board", {"board_id": int(board.id), "name": board_name}, ctx.user_id, ctx.now
    )
    return board


def delete_board(_: Any, info: Info, board_id: str) -> Board:
    board = context_of(info).store.board(board_id)
    board.state = "deleted"
    return board


def create_group(
    _: Any,
    info: Info,
    board_id: str,
    group_name: str,
    group_color: str | None = None,
    relative_to: str | None = None,
    position_relative_method: str | None = None,
    **_other: Any,
) -> Group:
    ctx = context_of(info)
    board = ctx.store.board(board_id)
    group = ctx.store.add_group(board, group_name, group_color)
    board.groups.remove(group)
    if relative_to is not None:
        index = board.groups.index(board.group(relative_to))
        board.groups.insert(index + (1 if position_relative_method == "after_at" else 0), group)
    else:
        board.groups.insert(0, group)  # monday puts a new group on top
    ctx.store.log(board, "create_group", {"group_id": group.id, "title": group_name}, ctx.user_id, ctx.now)
    board.updated_at = ctx.now
    return group


def create_column(
    _: Any,
    info: Info,
    board_id: str,
    title: str,
    column_type: str,
    id: str | None = None,
    description: str | None = None,
    after_column_id: str | None = None,
    defaults: Any = None,
    **_other: Any,
) -> Column:
    ctx = context_of(info)
    board = ctx.store.board(board_id)
    if column_type not in columns.SUPPORTED_TYPES:
        raise errors.invalid_argument(
            f"the sandbox does not support {column_type} columns", column_type=column_type
        )
    if id is not None and (not _COLUMN_ID.match(id) or any(c.id == id for c in board.columns)):
        raise errors.invalid_argument("Column id is invalid or already exists on the board", column_id=id)
    column_id = id or f"{COLUMN_ID_PREFIX[column_type]}_mk{ctx.store.short_suffix()}"
    parsed_defaults = json_arg(defaults) if defaults is not None else None
    settings = columns.default_settings(column_type, parsed_defaults)
    labels: dict[str, str] = settings.get("labels") or {} if column_type == "status" else {}
    if columns.status_label_count(labels) > columns.MAX_STATUS_LABELS:
        # Conservative shape (see ``columns``): monday publishes the limit, not this refusal's words.
        raise errors.MondayError(
            "INVALID_INPUT",
            f"A status column can have at most {columns.MAX_STATUS_LABELS} labels, "
            f"{columns.status_label_count(labels)} were given",
            {"column_type": "status", "labels": columns.status_label_count(labels)},
        )
    column = Column(column_id, title, column_type, settings, description)
    if after_column_id is not None:
        board.columns.insert(board.columns.index(board.column(after_column_id)) + 1, column)
    else:
        board.columns.append(column)
    ctx.store.log(
        board,
        "create_column",
        {"column_id": column_id, "title": title, "type": column_type},
        ctx.user_id,
        ctx.now,
    )
    board.updated_at = ctx.now
    return column


def change_column_metadata(
    _: Any,
    info: Info,
    board_id: str,
    column_id: str,
    column_property: str | None = None,
    value: str | None = None,
) -> Column:
    """A column's ``title`` or ``description`` (the SDL's ``ColumnProperty``) set to ``value``."""
    ctx = context_of(info)
    board = ctx.store.board(board_id)
    column = board.column(column_id)
    if column_property == "title":
        if not value:
            raise errors.invalid_argument("A column title cannot be empty", column_id=column_id)
        column.title = value
    elif column_property == "description":
        column.description = value
    else:
        raise errors.invalid_argument("column_property must be title or description", column_id=column_id)
    board.updated_at = ctx.now
    return column


MUTATION_RESOLVERS: dict[str, Any] = {
    "create_board": create_board,
    "delete_board": delete_board,
    "create_group": create_group,
    "create_column": create_column,
    "change_column_metadata": change_column_metadata,
    **ITEM_MUTATIONS,
}
