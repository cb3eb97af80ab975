"""Resolvers of the read side's root queries, and the context every resolver receives.

Terms:

- *Context* (:class:`MondayContext`): what every resolver receives as ``info.context``: the store, the wall
  time, the request's API version, the cursor book, the caller and the complexity charge of this request.
- Fields without a resolver here or in :mod:`moteur.sandbox.monday.fields` are read by graphql-core's
  default resolver, by attribute name, from the store's dataclasses (or dict keys).

Known differences: ``boards(ids:)`` with an unknown id answers an empty list (a filter, not an error);
subitems boards are listed by ``boards`` only when asked for by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLResolveInfo

from moteur.sandbox.monday import items_query
from moteur.sandbox.monday.complexity import Charge
from moteur.sandbox.monday.daily import DailyCalls
from moteur.sandbox.monday.store import Board, Item, MondayStore, Update, User

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
    daily: DailyCalls | None = None


def context_of(info: Info) -> MondayContext:
    context: MondayContext = info.context
    return context


def page_of(values: list[Any], limit: int | None, page: int | None, default_limit: int = 25) -> list[Any]:
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
    store = context_of(info).store
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
    return page_of(found, limit, page)


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
    store = context_of(info).store
    if ids:
        if len(ids) > items_query.MAX_QUERY_IDS:
            from moteur.sandbox.monday import errors

            raise errors.invalid_argument("items accepts at most 100 ids")
        found = [store.items[str(i)] for i in ids if str(i) in store.items]
    else:
        found = list(reversed(store.items.values()))
    found = [i for i in found if i.state != "deleted" and not (exclude_nonactive and i.state != "active")]
    return found if ids else page_of(found, limit, page)


def me(_: Any, info: Info) -> User:
    ctx = context_of(info)
    return ctx.store.users[ctx.user_id]


def users(
    _: Any,
    info: Info,
    ids: list[str] | None = None,
    emails: list[str] | None = None,
    limit: int | None = None,
    page: int | None = 1,
    status: list[str] | None = None,
    kind: str | None = None,
    non_active: bool | None = None,
    **_other: Any,
) -> list[User]:
    """``users``: by default the ACTIVE and PENDING people ("Defaults to [ACTIVE, PENDING] if not
    provided", SDL ``Query.users(status:)``); ``non_active`` true → only the deactivated, false → only the
    active; ``kind`` all / guests / non_guests / non_pending (``enum UserKind``)."""
    found = list(context_of(info).store.users.values())
    if non_active is not None:
        found = [u for u in found if (u.status == "INACTIVE") is non_active]
    else:
        wanted = set(status or ("ACTIVE", "PENDING"))
        found = [u for u in found if u.status in wanted]
    if kind == "guests":
        found = [u for u in found if u.kind == "guest"]
    elif kind == "non_guests":
        found = [u for u in found if u.kind != "guest"]
    elif kind == "non_pending":
        found = [u for u in found if u.status != "PENDING"]
    if ids:
        found = [u for u in found if u.id in {str(i) for i in ids}]
    if emails:
        found = [u for u in found if u.email in set(emails)]
    return page_of(found, limit, page, default_limit=200)


def account(_: Any, info: Info) -> dict[str, Any]:
    return context_of(info).store.account


def workspaces(
    _: Any,
    info: Info,
    ids: list[str] | None = None,
    limit: int | None = 25,
    page: int | None = 1,
    state: str | None = "active",
    **_other: Any,
) -> list[Any]:
    found = list(context_of(info).store.workspaces.values())
    if ids:
        found = [w for w in found if w.id in {str(i) for i in ids}]
    if state and state != "all":
        found = [w for w in found if w.state == state]
    return page_of(found, limit, page)


def updates(
    _: Any,
    info: Info,
    ids: list[str] | None = None,
    limit: int | None = 25,
    page: int | None = 1,
    **_other: Any,
) -> list[Update]:
    found = list(reversed(context_of(info).store.updates.values()))
    if ids:
        found = [u for u in found if u.id in {str(i) for i in ids}]
    return page_of(found, limit, page)


def complexity(_: Any, info: Info) -> Charge | None:
    return context_of(info).charge


def platform_api(_: Any, info: Info) -> dict[str, Any] | None:
    ctx = context_of(info)
    return None if ctx.daily is None else ctx.daily.platform_api(ctx.store.account, ctx.now)


def version(_: Any, info: Info) -> dict[str, str]:
    value = context_of(info).version
    return {"value": value, "kind": SERVED_VERSIONS.get(value, "deprecated"), "display_name": value}


def versions(_: Any, info: Info) -> list[dict[str, str]]:
    return [{"value": v, "kind": k, "display_name": v} for v, k in sorted(SERVED_VERSIONS.items())]


def next_items_page(_: Any, info: Info, cursor: str, limit: int) -> dict[str, Any]:
    ctx = context_of(info)
    items_query.check_limit(limit)
    _, ids, token = ctx.cursors.follow(cursor, limit, ctx.tick)
    return {"cursor": token, "items": [ctx.store.items[i] for i in ids]}


QUERY_RESOLVERS: dict[str, Any] = {
    "boards": boards,
    "items": items,
    "me": me,
    "users": users,
    "account": account,
    "workspaces": workspaces,
    "updates": updates,
    "complexity": complexity,
    "platform_api": platform_api,
    "version": version,
    "versions": versions,
    "next_items_page": next_items_page,
}
