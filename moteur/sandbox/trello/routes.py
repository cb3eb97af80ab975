"""The Trello route table: (method, path template) → handler, and dispatch of one call.

*Route template*: the spec's path with ``{name}`` placeholders, e.g. ``/boards/{id}/cards/{filter}``; the
contract test checks each template exists in Trello's OpenAPI spec with that method.

*Matching*: as Trello routes: the literal segments case-insensitively and a doubled slash read as one
(recorded: ``GET /1/customfields/{id}/options`` answered 200, ruby-trello 2020; ``GET /1//batch`` and
``GET /1//boards/…`` answered 200, trello-for-wolves 2017; ``tests/contract/fixtures/trello-recorded/``).
A board's or a card's shortLink is taken wherever its id is (``refs``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from moteur.sandbox.trello import custom_fields as cf
from moteur.sandbox.trello import plugins, reads, refs, writes
from moteur.sandbox.trello.store import TrelloStore
from moteur.sandbox.trello.trello_errors import TrelloError, not_found

Handler = Callable[[TrelloStore, dict[str, str], dict[str, Any]], Any]

# (method, template, handler(store, path args, params)); first match wins, so literal segments come first.
ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/members/{id}", lambda s, a, p: reads.me(s) if a["id"] in ("me", s.me) else _member(s, a["id"])),
    ("GET", "/members/{id}/boards", lambda s, a, p: reads.my_boards(s, p)),
    ("POST", "/boards/", lambda s, a, p: writes.create_board(s, p)),
    ("GET", "/boards/{id}", lambda s, a, p: reads.board(s, a["id"], p)),
    (
        "GET",
        "/boards/{id}/cards",
        lambda s, a, p: reads.board_cards(s, a["id"], p.get("filter", "visible"), p),
    ),
    ("GET", "/boards/{id}/cards/{filter}", lambda s, a, p: reads.board_cards(s, a["id"], a["filter"], p)),
    ("GET", "/boards/{id}/lists", lambda s, a, p: reads.board_lists(s, a["id"], p.get("filter", "open"), p)),
    ("POST", "/boards/{id}/lists", lambda s, a, p: writes.create_list(s, p, a["id"])),
    ("GET", "/boards/{id}/lists/{filter}", lambda s, a, p: reads.board_lists(s, a["id"], a["filter"], p)),
    ("GET", "/boards/{id}/labels", lambda s, a, p: reads.board_labels(s, a["id"], p)),
    ("POST", "/boards/{id}/labels", lambda s, a, p: writes.create_label(s, p, a["id"])),
    ("GET", "/boards/{id}/customFields", lambda s, a, p: reads.board_custom_fields(s, a["id"])),
    ("GET", "/boards/{id}/members", lambda s, a, p: reads.board_members(s, a["id"])),
    ("GET", "/boards/{id}/checklists", lambda s, a, p: reads.board_checklists(s, a["id"])),
    ("GET", "/boards/{id}/boardPlugins", lambda s, a, p: plugins.enabled(s, a["id"])),
    ("POST", "/boards/{id}/boardPlugins", lambda s, a, p: plugins.enable(s, a["id"], p)),
    (
        "DELETE",
        "/boards/{id}/boardPlugins/{idPlugin}",
        lambda s, a, p: plugins.disable(s, a["id"], a["idPlugin"]),
    ),
    ("GET", "/boards/{boardId}/actions", lambda s, a, p: reads.actions(s, a["boardId"], None, p)),
    ("POST", "/lists", lambda s, a, p: writes.create_list(s, p)),
    ("GET", "/lists/{id}", lambda s, a, p: reads.pick(writes._get(s.lists, a["id"]), p.get("fields"))),
    ("PUT", "/lists/{id}", lambda s, a, p: writes.update_list(s, a["id"], p)),
    ("GET", "/lists/{id}/cards", lambda s, a, p: _list_cards(s, a["id"], p)),
    ("POST", "/cards", lambda s, a, p: writes.create_card(s, p)),
    ("GET", "/cards/{id}", lambda s, a, p: reads.card(s, a["id"], p)),
    ("PUT", "/cards/{id}", lambda s, a, p: writes.update_card(s, a["id"], p)),
    ("DELETE", "/cards/{id}", lambda s, a, p: writes.delete_card(s, a["id"])),
    ("GET", "/cards/{id}/actions", lambda s, a, p: reads.actions(s, None, a["id"], p)),
    ("POST", "/cards/{id}/actions/comments", lambda s, a, p: cf.comment(s, a["id"], p)),
    (
        "POST",
        "/cards/{id}/idLabels",
        lambda s, a, p: writes.add_card_label(s, a["id"], str(p.get("value", ""))),
    ),
    (
        "DELETE",
        "/cards/{id}/idLabels/{idLabel}",
        lambda s, a, p: writes.remove_card_label(s, a["id"], a["idLabel"]),
    ),
    ("GET", "/cards/{id}/customFieldItems", lambda s, a, p: reads.get_card(s, a["id"])["customFieldItems"]),
    (
        "PUT",
        "/cards/{idCard}/customField/{idCustomField}/item",
        lambda s, a, p: cf.set_item(s, a["idCard"], a["idCustomField"], p),
    ),
    ("PUT", "/cards/{idCard}/customFields", lambda s, a, p: cf.set_items(s, a["idCard"], p)),
    ("GET", "/cards/{id}/checklists", lambda s, a, p: _card_checklists(s, a["id"])),
    ("POST", "/cards/{id}/checklists", lambda s, a, p: cf.create_checklist(s, a["id"], p)),
    (
        "PUT",
        "/cards/{id}/checkItem/{idCheckItem}",
        lambda s, a, p: cf.update_check_item(s, a["id"], a["idCheckItem"], p),
    ),
    ("POST", "/checklists", lambda s, a, p: cf.create_checklist(s, str(p.get("idCard", "")), p)),
    ("GET", "/checklists/{id}", lambda s, a, p: writes._get(s.checklists, a["id"])),
    ("DELETE", "/checklists/{id}", lambda s, a, p: cf.delete_checklist(s, a["id"])),
    ("POST", "/checklists/{id}/checkItems", lambda s, a, p: cf.add_check_item(s, a["id"], p)),
    ("POST", "/labels", lambda s, a, p: writes.create_label(s, p)),
    ("GET", "/labels/{id}", lambda s, a, p: reads.pick(writes._get(s.labels, a["id"]), p.get("fields"))),
    ("PUT", "/labels/{id}", lambda s, a, p: writes.update_label(s, a["id"], p)),
    ("DELETE", "/labels/{id}", lambda s, a, p: writes.delete_label(s, a["id"])),
    ("POST", "/customFields", lambda s, a, p: cf.with_limits(cf.create_custom_field(s, p))),
    ("GET", "/customFields/{id}", lambda s, a, p: cf.with_limits(writes._get(s.custom_fields, a["id"]))),
    (
        "GET",
        "/customFields/{id}/options",
        lambda s, a, p: cf.options_answer(writes._get(s.custom_fields, a["id"])),
    ),
    ("POST", "/customFields/{id}/options", lambda s, a, p: cf.add_option(s, a["id"], p)),
]


def _compile(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$", re.IGNORECASE)


_COMPILED = [(method, template, _compile(template), handler) for method, template, handler in ROUTES]


def _member(store: TrelloStore, member_id: str) -> dict[str, Any]:
    for member in store.members.values():
        if member_id in (member["id"], member["username"]):
            return member
    raise not_found()


def _list_cards(store: TrelloStore, list_id: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    record = writes._get(store.lists, list_id)
    cards = [c for c in store.board_cards(record["idBoard"]) if c["idList"] == list_id and not c["closed"]]
    return [reads.render_card(store, c["id"], params) for c in cards]


def _card_checklists(store: TrelloStore, card_id: str) -> list[dict[str, Any]]:
    card = reads.get_card(store, card_id)
    return [store.checklists[i] for i in card["idChecklists"] if i in store.checklists]


def fold(path: str) -> str:
    """A path as Trello routes it: a doubled slash read as one (see the module docstring)."""
    return re.sub("/{2,}", "/", path)


def match(method: str, path: str) -> tuple[str, Handler, dict[str, str]] | None:
    """The template and handler for a call and its path arguments; ``None`` when no route has this path
    and method."""
    path = fold(path)
    if path.lower() != "/boards/":
        path = path.rstrip("/") or "/"
    for route_method, template, pattern, handler in _COMPILED:
        found = pattern.match(path)
        if found and route_method == method:
            return template, handler, found.groupdict()
    return None


def dispatch(store: TrelloStore, method: str, path: str, params: dict[str, Any]) -> Any:
    """Run one call against the store; raises ``TrelloError`` for the answers Trello gives as errors."""
    matched = match(method, path)
    if matched is None:
        if method == "POST" and fold(path).rstrip("/").lower() == "/boards":
            matched = match("POST", "/boards/")
        if matched is None:
            raise TrelloError(404, f"Cannot {method} /1{path}")
    template, handler, args = matched
    return handler(store, refs.resolved(store, template, args), params)
