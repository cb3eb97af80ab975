"""Trello write routes. Each applies its change to the store and records the board action Trello would.

*Params*: query parameters merged with the form or JSON body (Trello accepts either), body winning. Values
that Trello sends as nested JSON (custom field ``value``) stay as decoded JSON.

As recorded (ruby-trello cassettes, 2020, ``tests/contract/fixtures/trello-recorded/``):

- ``POST /cards`` with empty-valued form keys (``desc&idMembers&idLabels&pos&idCardSource``) answered 200:
  on a create, an empty value means "not given" (can_success_create_a_card_when_due_is_*). On an update an
  empty ``due``, ``idLabels``… still clears the field.
- ``due`` given as ``2020-12-22T01:59:00+00:00`` or as ``2020-12-22 01:59:00 +0000`` was stored and answered
  as ``2020-12-22T01:59:00.000Z``: a date-time with an offset is kept in UTC with milliseconds.
- The answer to a create carries what Trello's did: a card its ``stickers`` (``[]``), a label ``limits {}``
  (can_success_create_a_card_when_due_is_*, can_success_create_a_label).
- A ``createCard`` action's ``data`` carries ``card {id, name, idShort, shortLink}`` and ``list {id,
  name}``; an ``updateCard``'s the card's ``list`` as well (can_get_actions_of_board).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from moteur.sandbox.trello.plugins import custom_fields_on
from moteur.sandbox.trello.reads import get_board, get_card
from moteur.sandbox.trello.store import TrelloStore, is_object_id, iso
from moteur.sandbox.trello.trello_errors import TrelloError, not_found

# A label's colour: the spec's ``Color`` enum (these ten) and, since Trello's 2023 palette, a ``_light`` and a
# ``_dark`` variant of each, which real boards carry and Trello takes on writes (TrelloDotNet
# ``Model/LabelColor.cs``); anything else is a 400.
_BASE_COLORS = ("yellow", "purple", "blue", "red", "green", "orange", "black", "sky", "pink", "lime")
LABEL_COLORS = {f"{base}{shade}" for base in _BASE_COLORS for shade in ("", "_light", "_dark")}
FIELD_TYPES = ("checkbox", "date", "list", "number", "text")
VALUE_KEYS = {"number": "number", "text": "text", "date": "date", "checkbox": "checked"}
# A date-time with an offset, ``T`` or a space between date and time, a space before the offset or not.
_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) ?(Z|[+-]\d{2}:?\d{2})")

Params = dict[str, Any]


def _bool(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _get(records: dict[str, dict[str, Any]], object_id: str) -> dict[str, Any]:
    if not is_object_id(object_id):
        raise TrelloError(400, "invalid id")
    if object_id not in records:
        raise not_found()
    return records[object_id]


def _pos(store: TrelloStore, value: Any, siblings: list[dict[str, Any]]) -> float:
    """Trello's ``pos``: ``top``, ``bottom`` or a positive number."""
    positions = [s["pos"] for s in siblings]
    if value == "top":
        return min(positions, default=16384) / 2
    if value == "bottom":
        return max(positions, default=0) + 16384
    try:
        pos = float(value)
    except (TypeError, ValueError):
        raise TrelloError(400, "invalid value for pos") from None
    if pos < 0:
        raise TrelloError(400, "invalid value for pos")
    return int(pos) if pos.is_integer() else pos


def _moment(value: str) -> str:
    """A due or start as Trello stores it: a date-time with an offset in UTC with milliseconds; anything
    else as given (no recording shows what Trello makes of it)."""
    found = _DATE_TIME.fullmatch(value.strip())
    if found is None:
        return value
    date, time, offset = found.groups()
    offset = "+00:00" if offset == "Z" else offset
    moment = datetime.fromisoformat(f"{date}T{time}{offset[:3]}:{offset[-2:]}")
    return iso(moment.astimezone(UTC))


def card_ref(card: dict[str, Any]) -> dict[str, Any]:
    """How an action's ``data`` names a card."""
    return {
        "id": card["id"],
        "name": card["name"],
        "idShort": card["idShort"],
        "shortLink": card["shortLink"],
    }


def list_ref(store: TrelloStore, list_id: str) -> dict[str, Any]:
    """How an action's ``data`` names a list."""
    return {"id": list_id, "name": store.lists[list_id]["name"]}


def record_created_card(store: TrelloStore, card: dict[str, Any]) -> None:
    """The ``createCard`` action of a new card (seeds and imports make theirs so too)."""
    data = {"card": card_ref(card), "list": list_ref(store, card["idList"])}
    store.record_action("createCard", card["idBoard"], data)


def _check_powerup(store: TrelloStore, board_id: str) -> None:
    # Board without the Custom Fields power-up: Trello refuses custom field writes (text body, 403).
    if not custom_fields_on(store, board_id):
        raise TrelloError(403, "Custom Fields are not enabled on this board")


def create_board(store: TrelloStore, params: Params) -> dict[str, Any]:
    name = str(params.get("name", ""))
    if not 1 <= len(name) <= 16384:
        raise TrelloError(400, "invalid value for name")
    # A new board has no Power-Up: Custom Fields is enabled through ``POST /boards/{id}/boardPlugins``.
    board = store.add_board(name, str(params.get("desc", "")))
    if params.get("idOrganization"):
        board["idOrganization"] = str(params["idOrganization"])
    if _bool(params.get("defaultLists", True)):
        for list_name in ("To Do", "Doing", "Done"):
            store.add_list(board["id"], list_name)
    if _bool(params.get("defaultLabels", True)):
        for color in ("green", "yellow", "orange", "red", "purple", "blue"):
            store.add_label(board["id"], "", color)
    store.record_action("createBoard", board["id"], {})
    return board


def create_list(store: TrelloStore, params: Params, board_id: str | None = None) -> dict[str, Any]:
    board_id = board_id or str(params.get("idBoard", ""))
    get_board(store, board_id)
    if not params.get("name"):
        raise TrelloError(400, "invalid value for name")
    pos = _pos(store, params["pos"], store.board_lists(board_id)) if "pos" in params else None
    record = store.add_list(board_id, str(params["name"]), pos)
    store.record_action("createList", board_id, {"list": {"id": record["id"], "name": record["name"]}})
    return record


def update_list(store: TrelloStore, list_id: str, params: Params) -> dict[str, Any]:
    record = _get(store.lists, list_id)
    old = {k: record[k] for k in ("name", "closed", "pos")}
    if "name" in params:
        record["name"] = str(params["name"])
    if "closed" in params:
        record["closed"] = _bool(params["closed"])
    if "pos" in params:
        record["pos"] = _pos(store, params["pos"], store.board_lists(record["idBoard"]))
    data = {
        "list": {"id": list_id, "name": record["name"]},
        "old": {k: v for k, v in old.items() if record[k] != v},
    }
    store.record_action("updateList", record["idBoard"], data)
    return record


def create_card(store: TrelloStore, params: Params) -> dict[str, Any]:
    params = {k: v for k, v in params.items() if v != ""}  # empty means "not given" (module docstring)
    list_id = str(params.get("idList", ""))
    if not is_object_id(list_id):
        raise TrelloError(400, "invalid value for idList")
    if list_id not in store.lists:
        raise TrelloError(404, "could not find the list")
    siblings = [c for c in store.cards.values() if c["idList"] == list_id]
    fields: dict[str, Any] = {"desc": str(params.get("desc", ""))}
    if "pos" in params:
        fields["pos"] = _pos(store, params["pos"], siblings)
    card = store.add_card(list_id, str(params.get("name", "")), **fields)
    _apply_card_fields(
        store,
        card,
        {k: v for k, v in params.items() if k in ("due", "start", "dueComplete", "idLabels", "idMembers")},
    )
    record_created_card(store, card)
    return store.card_json(card["id"]) | {"stickers": []}  # a new card's answer lists its (no) stickers


def _id_list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [v for v in str(value).split(",") if v]
    for item in items:
        if not is_object_id(item):
            raise TrelloError(400, "invalid value for idLabels")
    return list(dict.fromkeys(items))


def _apply_card_fields(store: TrelloStore, card: dict[str, Any], params: Params) -> dict[str, Any]:
    """Set the card fields present in ``params``; return the old values of those that changed."""
    old: dict[str, Any] = {}

    def put(key: str, value: Any) -> None:
        if card[key] != value:
            old[key] = card[key]
            card[key] = value

    for key in ("name", "desc"):
        if key in params:
            put(key, str(params[key]))
    for key in ("closed", "dueComplete"):
        if key in params:
            put(key, _bool(params[key]))
    for key in ("due", "start"):
        if key in params:
            value = params[key]
            put(key, None if value in (None, "", "null") else _moment(str(value)))
    if "idLabels" in params:
        labels = _id_list(params["idLabels"])
        if any(store.labels.get(i, {}).get("idBoard") != card["idBoard"] for i in labels):
            raise TrelloError(400, "invalid value for idLabels")
        put("idLabels", labels)
    if "idMembers" in params:
        put("idMembers", _id_list(params["idMembers"]))
    if "idList" in params:
        list_id = str(params["idList"])
        if not is_object_id(list_id) or list_id not in store.lists:
            raise TrelloError(400, "invalid value for idList")
        put("idList", list_id)
    if "pos" in params:
        siblings = [
            c for c in store.cards.values() if c["idList"] == card["idList"] and c["id"] != card["id"]
        ]
        put("pos", _pos(store, params["pos"], siblings))
    if "closed" in old:
        card["dateClosed"] = store.ids.now() if card["closed"] else None
    if "dueComplete" in old:
        card["dateCompleted"] = store.ids.now() if card["dueComplete"] else None
    return old


def update_card(store: TrelloStore, card_id: str, params: Params) -> dict[str, Any]:
    card = get_card(store, card_id)
    old_list = card["idList"]
    old = _apply_card_fields(store, card, params)
    if old:
        data: dict[str, Any] = {"card": card_ref(card) | {k: card[k] for k in old}, "old": old}
        if "idList" in old:
            data["listBefore"] = list_ref(store, old_list)
            data["listAfter"] = list_ref(store, card["idList"])
        else:
            data["list"] = list_ref(store, card["idList"])
        store.record_action("updateCard", card["idBoard"], data)
    return store.card_json(card_id)


def delete_card(store: TrelloStore, card_id: str) -> dict[str, Any]:
    card = get_card(store, card_id)
    del store.cards[card_id]
    store.record_action("deleteCard", card["idBoard"], {"card": {"id": card_id, "idShort": card["idShort"]}})
    return {"limits": {}}


def add_card_label(store: TrelloStore, card_id: str, label_id: str) -> list[str]:
    card = get_card(store, card_id)
    label = _get(store.labels, label_id)
    if label_id in card["idLabels"]:
        raise TrelloError(400, "that label is already on the card")
    card["idLabels"].append(label_id)
    data = {"card": card_ref(card), "label": {k: label[k] for k in ("id", "name", "color")}}
    store.record_action("addLabelToCard", card["idBoard"], data)
    return list(card["idLabels"])


def remove_card_label(store: TrelloStore, card_id: str, label_id: str) -> dict[str, Any]:
    card = get_card(store, card_id)
    if label_id not in card["idLabels"]:
        raise not_found()
    card["idLabels"].remove(label_id)
    label = store.labels.get(label_id, {"id": label_id, "name": "", "color": None})
    data = {"card": card_ref(card), "label": {k: label[k] for k in ("id", "name", "color")}}
    store.record_action("removeLabelFromCard", card["idBoard"], data)
    return {"_value": None}


def create_label(store: TrelloStore, params: Params, board_id: str | None = None) -> dict[str, Any]:
    board_id = board_id or str(params.get("idBoard", ""))
    get_board(store, board_id)
    color = params.get("color")
    color = None if color in (None, "", "null") else str(color)
    if color is not None and color not in LABEL_COLORS:
        raise TrelloError(400, "invalid value for color")
    label = store.add_label(board_id, str(params.get("name", "")), color)
    store.record_action("createLabel", board_id, {"label": {k: label[k] for k in ("id", "name", "color")}})
    return label | {"limits": {}}  # as a created label is answered (module docstring)


def update_label(store: TrelloStore, label_id: str, params: Params) -> dict[str, Any]:
    label = _get(store.labels, label_id)
    if "name" in params:
        label["name"] = str(params["name"])
    if "color" in params:
        color = params["color"]
        if color not in (None, "", "null") and color not in LABEL_COLORS:
            raise TrelloError(400, "invalid value for color")
        label["color"] = None if color in (None, "", "null") else color
    store.record_action(
        "updateLabel", label["idBoard"], {"label": {k: label[k] for k in ("id", "name", "color")}}
    )
    return label


def delete_label(store: TrelloStore, label_id: str) -> dict[str, Any]:
    label = _get(store.labels, label_id)
    del store.labels[label_id]
    for card in store.cards.values():
        if label_id in card["idLabels"]:
            card["idLabels"].remove(label_id)
    store.record_action("deleteLabel", label["idBoard"], {"label": {"id": label_id}})
    return {"limits": {}}
