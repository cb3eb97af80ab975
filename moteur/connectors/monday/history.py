"""``read_full``: a monday.com board read for a migration, with each item's subitems and comments.

One query (``migration_documents.READ_FULL``) asks the board, its columns and groups and the first 500 items
with, nested in the same ``items_page``, their subitems and their first ``UPDATES_LIMIT`` updates; each
further 500 items is one ``next_items_page``; the assignees' e-mails are one ``users(ids:)`` query. An item
that filled its first page of updates gets the next pages with ``MORE_UPDATES`` (100 items per request).
So a board of N items with people assigned reads in ⌈N/500⌉ + 1 requests when no item has more than 100
comments. The price is complexity: a page asks up to 500 × (10 subitems + 100 updates), about 1.1M points
by the sandbox's estimate (the sync read: 0.24M), under the 5M per query; ten such reads a minute exhaust a
personal token's 10M, and the transport's pacer then waits for the budget to reset.

Terms:

- *Checklist*: an item's subitems, in order, each done when its status label means done (the mapping's
  ``statuses``) or monday marks the label as a done label (``is_done``).
- *Comments*: an item's updates, oldest first, with the creator's name (else e-mail) and the creation time;
  the text is ``text_body`` (monday's plain-text rendering of the HTML ``body``).
- *Archived items*: ``items_page`` only lists active items. With ``include_archived``, the board's activity
  log names the items archived (``archive_pulse`` events) and ``items(ids:)``, which answers items whatever
  their state, reads them: 1 + ⌈log entries/1000⌉ + ⌈archived/100⌉ more requests. Without it, items in
  archived groups are left out too ("open items in open lists").
- *Custom fields*: the columns no role reads (``custom_fields``), with their kinds in
  ``Snapshot.custom_fields`` and their values in ``extra["field:<title>"]`` in canonical form. The full read
  asks the values of every type a person fills in (``FULL_TYPES``), so a column without a counterpart
  (checkbox, link, multi-select…) is counted as a loss; the sync read asks only the types it maps.
- *Identity*: the Description column's last line ``moteur-source: <key>`` (``core/identity.py``) is stripped
  from ``description`` and its key kept in ``extra["moteur_source"]``.

Why the Description is a long-text column and not the first update: a column is a field of the item, read in
the same query as every other value, rewritten in place by ``change_multiple_column_values`` when the source
changes (an update can only be added, and editing one is another mutation per item), searchable by
``items_page`` rules (the identity lookup after an ambiguous create is one filtered query), and it never
mixes with the comments, which are updates too. Long text keeps line breaks and up to 2,000 characters
shown; the whole text is stored.

*Native state* (``native.py``): a full read adds the columns' settings, the groups and each item's children
(its subitems and updates), so that a migration into this board can tell a child already there from one to
create.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from moteur.connectors.monday import custom_fields as custom
from moteur.connectors.monday import documents
from moteur.connectors.monday import migration_documents as docs
from moteur.connectors.monday.label_colours import colours_of
from moteur.connectors.monday.mapping import to_snapshot
from moteur.connectors.monday.migration_columns import role_columns
from moteur.connectors.monday.native import (
    MondayChildren,
    MondayColumn,
    MondayGroup,
    MondayNative,
    MondaySubitem,
    MondayUpdate,
)
from moteur.connectors.monday.reader import RawBoard, board_of, field_problems, item_pages, page_of
from moteur.connectors.monday.transport import Answer, MondayTransport
from moteur.core.errors import NotFound
from moteur.core.identity import split_identity
from moteur.core.model import Action, BoardRef, ChecklistItem, Comment, Snapshot, Status
from moteur.mappings.schema import BoardMapping

SUBITEM_TYPES = ["status"]
# The column types whose values a full read asks: the sync read's, and every other type a person fills in, so
# a custom column without a counterpart counts as a loss. Computed columns (formula, mirror, board_relation,
# dependency, progress, auto_number, creation_log, last_updated…) are left out: they cost complexity (a
# mirror or relation most), their ``text`` is empty or derived, and no target could hold them anyway.
FULL_TYPES: tuple[str, ...] = (
    *documents.READ_TYPES,
    "checkbox", "color_picker", "country", "email", "file", "hour", "link", "location", "phone", "tags",
    "timeline", "time_tracking", "vote", "week", "world_clock",
)  # fmt: skip
ACTIVITY_PAGE = 1000
ITEMS_PER_QUERY = 100
USERS_PER_QUERY = 1000
ARCHIVE_EVENTS = frozenset({"archive_pulse"})


def _variables(limit: int) -> dict[str, Any]:
    return {
        "limit": limit,
        "types": list(FULL_TYPES),
        "subtypes": SUBITEM_TYPES,
        "updates": docs.UPDATES_LIMIT,
    }


def read_raw(
    transport: MondayTransport, board_id: str, *, include_archived: bool = False, page_limit: int = 500
) -> RawBoard:
    """The raw board with subitems and updates nested in each item (see the module docstring)."""
    what = f"board {board_id}"
    if not board_id.isdigit():
        raise NotFound(f"monday.com: board {board_id} not found (a board id is a number)")
    answer = transport.send(
        docs.READ_FULL, {"board": board_id, **_variables(page_limit)}, what=what, idempotent=True
    )
    board = board_of(answer, board_id)
    items, cursor = page_of(board.get("items_page"), what)
    raw = RawBoard(
        board={k: v for k, v in board.items() if k not in ("columns", "groups", "items_page")},
        columns=[c for c in board.get("columns") or [] if isinstance(c, dict)],
        groups=[g for g in board.get("groups") or [] if isinstance(g, dict)],
        items=items,
        pages=1,
        warnings=field_problems(answer.problems),
    )
    pages = item_pages(what)
    page_cost = _cost_of(answer)  # each next page costs what the first did: the pacer waits if need be
    while pages.advance(cursor):
        answer = transport.send(
            docs.NEXT_FULL,
            {"cursor": pages.token, **_variables(page_limit)},
            what=what,
            idempotent=True,
            cost=page_cost,
        )
        items, cursor = page_of(answer.data.get("next_items_page"), what)
        raw.items.extend(items)
        raw.pages += 1
    if include_archived:
        raw.items.extend(_archived_items(transport, board_id, {i.get("id") for i in raw.items}))
    else:
        closed = {str(g.get("id")) for g in raw.groups if g.get("archived")}
        raw.items = [i for i in raw.items if str((i.get("group") or {}).get("id")) not in closed]
    _more_updates(transport, raw.items)
    return raw


def _cost_of(answer: Answer) -> int:
    complexity = answer.data.get("complexity")
    cost = complexity.get("query") if isinstance(complexity, dict) else None
    return cost if isinstance(cost, int) else 0


def _archived_items(transport: MondayTransport, board_id: str, seen: set[object]) -> list[dict[str, Any]]:
    archived: list[str] = []
    page = 1
    while True:
        answer = transport.send(
            docs.ACTIVITY,
            {"board": board_id, "limit": ACTIVITY_PAGE, "page": page},
            what=f"activity of board {board_id}",
            idempotent=True,
        )
        boards = answer.data.get("boards") or [{}]
        logs = [e for e in boards[0].get("activity_logs") or [] if isinstance(e, dict)]
        for entry in logs:
            if entry.get("event") in ARCHIVE_EVENTS:
                pulse = str(json.loads(entry.get("data") or "{}").get("pulse_id", ""))
                if pulse and pulse not in seen and pulse not in archived:
                    archived.append(pulse)
        if len(logs) < ACTIVITY_PAGE:
            break
        page += 1
    found: list[dict[str, Any]] = []
    for start in range(0, len(archived), ITEMS_PER_QUERY):
        ids = archived[start : start + ITEMS_PER_QUERY]
        answer = transport.send(
            docs.ITEMS_FULL, {"ids": ids, **_variables(len(ids))}, what="archived items", idempotent=True
        )
        for item in answer.data.get("items") or []:
            # Still archived (not restored, not deleted) and still on this board.
            if (
                isinstance(item, dict)
                and item.get("state") == "archived"
                and str((item.get("board") or {}).get("id")) == board_id
            ):
                found.append(item)
    return list(reversed(found))  # the log is newest first


def _more_updates(transport: MondayTransport, items: list[Any]) -> None:
    full = [i for i in items if isinstance(i, dict) and len(i.get("updates") or []) >= docs.UPDATES_LIMIT]
    page = 2
    while full:
        by_id = {str(i["id"]): i for i in full}
        still: list[dict[str, Any]] = []
        for start in range(0, len(full), ITEMS_PER_QUERY):
            ids = [str(i["id"]) for i in full[start : start + ITEMS_PER_QUERY]]
            answer = transport.send(
                docs.MORE_UPDATES,
                {"ids": ids, "limit": docs.UPDATES_LIMIT, "page": page},
                what="comments",
                idempotent=True,
            )
            for entry in answer.data.get("items") or []:
                more = entry.get("updates") or []
                item = by_id.get(str(entry.get("id")))
                if item is not None and more:
                    item["updates"] = list(item["updates"]) + list(more)
                    if len(more) >= docs.UPDATES_LIMIT:
                        still.append(item)
        full, page = still, page + 1


def _subitem_done(subitem: dict[str, Any], mapping: BoardMapping) -> bool:
    for cell in subitem.get("column_values") or []:
        if cell.get("type") != "status":
            continue
        label = cell.get("label") or cell.get("text") or ""
        if cell.get("is_done") or mapping.status_of(str(label)) is Status.DONE:
            return True
    return False


def _status_column(subitem: dict[str, Any]) -> str | None:
    """The id of the subitem's status column (the subitems board's, where its done state is written)."""
    return next(
        (str(c.get("id")) for c in subitem.get("column_values") or [] if c.get("type") == "status"), None
    )


def _comment(update: dict[str, Any]) -> Comment:
    creator = update.get("creator") if isinstance(update.get("creator"), dict) else {}
    stamp = update.get("created_at")
    return Comment(
        author=(creator or {}).get("name") or (creator or {}).get("email") or None,
        date=datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        if isinstance(stamp, str) and stamp
        else None,
        text=str(update.get("text_body") or update.get("body") or ""),
    )


def people_of(raw: RawBoard, mapping: BoardMapping) -> dict[str, list[str]]:
    """item id -> the ids of the people in its assignees column, in order."""
    titles = mapping.column_for([str(c.get("title", "")) for c in raw.columns])
    column = next((str(c.get("id")) for c in raw.columns if c.get("title") == titles.get("assignees")), None)
    found: dict[str, list[str]] = {}
    for item in raw.items:
        for cell in item.get("column_values") or [] if isinstance(item, dict) else []:
            if str(cell.get("id")) == column:
                people = [
                    p for p in cell.get("persons_and_teams") or [] if p.get("kind", "person") == "person"
                ]
                found[str(item.get("id"))] = [str(p.get("id")) for p in people]
    return found


def emails_of(transport: MondayTransport, ids: set[str]) -> dict[str, str]:
    """user id -> e-mail, one request per 1,000 users assigned."""
    emails: dict[str, str] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), USERS_PER_QUERY):
        chunk = wanted[start : start + USERS_PER_QUERY]
        answer = transport.send(
            docs.USERS, {"ids": chunk, "limit": len(chunk)}, what="users", idempotent=True
        )
        for user in answer.data.get("users") or []:
            if isinstance(user, dict) and user.get("email"):
                emails[str(user.get("id"))] = str(user["email"])
    return emails


def with_history(
    snapshot: Snapshot, raw: RawBoard, mapping: BoardMapping, emails: dict[str, str] | None = None
) -> Snapshot:
    """``snapshot`` (the sync mapping of ``raw``) with checklists, comments, e-mails and identities added.

    ``emails``: user id -> e-mail; an assignee with an e-mail is named by it (a migration matches people
    by e-mail), one without keeps the name monday shows.
    """
    by_id = {str(i.get("id")): i for i in raw.items if isinstance(i, dict)}
    people = people_of(raw, mapping) if emails else {}
    children: dict[str, MondayChildren] = {}
    custom_columns = custom.custom_columns(mapping, raw.columns)
    actions: list[Action] = []
    for action in snapshot.actions:
        item = by_id.get(action.ref.item, {})
        subitems = [s for s in item.get("subitems") or [] if isinstance(s, dict)]
        checklist = tuple(
            ChecklistItem(text=str(s.get("name", "")), done=_subitem_done(s, mapping), id=str(s.get("id")))
            for s in subitems
        )
        updates = [u for u in reversed(item.get("updates") or []) if isinstance(u, dict)]  # oldest first
        comments = tuple(_comment(u) for u in updates)
        children[action.ref.item] = MondayChildren(
            subitems=tuple(
                MondaySubitem(id=str(s.get("id")), name=c.text, done=c.done, status=_status_column(s))
                for s, c in zip(subitems, checklist, strict=True)
            ),
            updates=tuple(
                MondayUpdate(id=str(u.get("id")), text=c.text) for u, c in zip(updates, comments, strict=True)
            ),
        )
        description, key = split_identity(action.description)
        # A column no role reads is a custom field to the migration ("field:<title>", canonical values);
        # the sync mapping's "column:<title>" texts are replaced by them.
        extra = {k: v for k, v in action.extra.items() if not k.startswith("column:")}
        extra.update(custom.custom_values(item, custom_columns))
        if key:
            extra["moteur_source"] = key
        assignees = action.assignees
        ids = people.get(action.ref.item, [])
        if emails and len(ids) == len(assignees):
            assignees = tuple(emails.get(i, name) for i, name in zip(ids, assignees, strict=True))
        actions.append(
            action.model_copy(
                update={
                    "assignees": assignees,
                    "description": description,
                    "checklist": checklist,
                    "comments": comments,
                    "extra": extra,
                }
            )
        )
    state = MondayNative.of(snapshot).model_copy(
        update={
            "columns": tuple(
                MondayColumn(
                    id=str(c.get("id")),
                    title=str(c.get("title", "")),
                    type=str(c.get("type", "")),
                    settings=c.get("settings"),
                )
                for c in raw.columns
            ),
            "groups": tuple(
                MondayGroup(id=str(g.get("id")), title=str(g.get("title", ""))) for g in raw.groups
            ),
            "children": children,
        }
    )
    fields = custom.custom_fields(mapping, raw.columns)
    update = {"actions": tuple(actions), "native": state.dump(), "custom_fields": fields}
    return snapshot.model_copy(update=update)


def read_full(
    transport: MondayTransport, board: BoardRef, mapping: BoardMapping, *, include_archived: bool = False
) -> Snapshot:
    raw = read_raw(transport, board.board, include_archived=include_archived)
    people = {i for ids in people_of(raw, mapping).values() for i in ids}
    emails = emails_of(transport, people) if people else {}
    snapshot = with_history(to_snapshot(raw, board, mapping), raw, mapping, emails)
    tags = role_columns(mapping, raw.columns).get("tags")
    colours = colours_of(str(tags.get("description") or "")) if tags is not None else {}
    return snapshot.model_copy(update={"tag_colours": colours})
