"""Trello custom fields, checklists and comments: the writes beyond cards, lists and labels.

*Custom field item*: one card's value for one custom field: ``{"value": {"number": "42"}}`` (numbers travel as
strings), ``{"value": {"text"|"date"|"checked": …}}``, or ``{"idValue": <option id>}`` for ``list`` fields.
An empty ``value`` (``{}`` or ``""``) clears it. A form body's ``value[text]=cool`` arrives here as
``{"value": {"text": "cool"}}`` (the emulator reads Rails-style keys so; recorded: custom_field_item_save_1,
ruby-trello 2020).

*Answers as recorded* (ruby-trello cassettes, 2020, ``tests/contract/fixtures/trello-recorded/``): a single
field (``GET /customFields/{id}``, ``POST /customFields``) carries ``limits`` on its options, the board's
list of fields does not (can_get_custom_field_options_of_custom_field, can_success_create_a_custom_field,
can_get_custom_fields_of_board); ``GET /customFields/{id}/options`` keys each option ``_id``, with
``value``, ``color`` and ``pos`` and no ``idCustomField`` (can_get_custom_field_options_of_custom_field).
"""

from __future__ import annotations

import copy
from typing import Any

from moteur.sandbox.trello.reads import get_board, get_card
from moteur.sandbox.trello.recorded import FIELD_LIMITS
from moteur.sandbox.trello.store import TrelloStore, is_object_id
from moteur.sandbox.trello.trello_errors import TrelloError, not_found
from moteur.sandbox.trello.writes import (
    FIELD_TYPES,
    VALUE_KEYS,
    Params,
    _bool,
    _check_powerup,
    _get,
    _pos,
    card_ref,
)


def with_limits(field: dict[str, Any]) -> dict[str, Any]:
    """A single custom field as Trello answers it: with its ``limits``."""
    return {**field, "limits": copy.deepcopy(FIELD_LIMITS)}


def options_answer(field: dict[str, Any]) -> list[dict[str, Any]]:
    """``GET /customFields/{id}/options``: a list field's options keyed ``_id`` (``[]`` for other types)."""
    return [
        {"_id": o["id"], "value": o["value"], "color": o["color"], "pos": o["pos"]}
        for o in field.get("options", [])
    ]


def create_custom_field(store: TrelloStore, params: Params) -> dict[str, Any]:
    """``POST /customFields``. The spec requires ``idModel, modelType, name, type, pos``; a missing or bad one
    is refused with Trello's plain-text 400 ``invalid value for <field>``, checked in the spec's order."""
    board_id = str(params.get("idModel", ""))
    if not is_object_id(board_id):
        raise TrelloError(400, "invalid value for idModel")
    if params.get("modelType") != "board":
        raise TrelloError(400, "invalid value for modelType")
    if not params.get("name"):
        raise TrelloError(400, "invalid value for name")
    field_type = params.get("type")
    if field_type not in FIELD_TYPES:
        raise TrelloError(400, "invalid value for type")
    pos = params.get("pos")
    if pos in (None, ""):
        raise TrelloError(400, "invalid value for pos")
    get_board(store, board_id)
    _check_powerup(store, board_id)
    raw_options = params.get("options") or []
    options = [
        str(o.get("value", {}).get("text", "")) if isinstance(o, dict) else str(o) for o in raw_options
    ]
    siblings = [f for f in store.custom_fields.values() if f["idModel"] == board_id]
    record = store.add_custom_field(
        board_id,
        str(params["name"]),
        str(field_type),
        options,
        _pos(store, pos, siblings),  # spec posStringOrNumber: "top", "bottom" or a positive number
    )
    if "display_cardFront" in params:
        record["display"]["cardFront"] = _bool(params["display_cardFront"])
    return record


def add_option(store: TrelloStore, field_id: str, params: Params) -> dict[str, Any]:
    record = _get(store.custom_fields, field_id)
    if record["type"] != "list":
        raise TrelloError(400, "invalid custom field type")
    value = params.get("value") or {}
    text = value.get("text", "") if isinstance(value, dict) else str(value)
    option = store.new_option(field_id, str(text), len(record["options"]))
    record["options"].append(option)
    return option


def _item_value(field: dict[str, Any], body: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """Check one custom field item against its field's type; ``(None, None)`` means "clear"."""
    if field["type"] == "list":
        id_value = body.get("idValue")
        if id_value in (None, ""):
            return None, None
        if id_value not in {o["id"] for o in field["options"]}:
            raise TrelloError(400, "invalid value for idValue")
        return None, str(id_value)
    value = body.get("value")
    if value in (None, "", {}):
        return None, None
    key = VALUE_KEYS[field["type"]]
    if not isinstance(value, dict) or set(value) != {key}:
        raise TrelloError(400, "Invalid custom field item value.")
    raw = value[key]
    if field["type"] == "number":
        # Trello wants the number as a string ("42"); a bare JSON number is refused, as clients learn.
        if not isinstance(raw, str):
            raise TrelloError(400, "Invalid custom field item value.")
        try:
            float(raw)
        except ValueError:
            raise TrelloError(400, "Invalid custom field item value.") from None
    return {key: raw}, None


def set_item(store: TrelloStore, card_id: str, field_id: str, body: Params) -> dict[str, Any]:
    card = get_card(store, card_id)
    if not is_object_id(field_id):
        raise TrelloError(400, "invalid id")
    field = store.custom_fields.get(field_id)
    if field is None or field["idModel"] != card["idBoard"]:
        raise not_found()
    _check_powerup(store, card["idBoard"])
    value, id_value = _item_value(field, body)
    items = card["customFieldItems"]
    current = next((it for it in items if it["idCustomField"] == field_id), None)
    old = dict(current) if current else None
    if value is None and id_value is None:
        if current is not None:
            items.remove(current)
        item_id = current["id"] if current else store.ids.new()
        result: dict[str, Any] = {
            "id": item_id,
            "idCustomField": field_id,
            "idModel": card_id,
            "modelType": "card",
        }
    else:
        if current is None:
            current = {
                "id": store.ids.new(),
                "idCustomField": field_id,
                "idModel": card_id,
                "modelType": "card",
            }
            items.append(current)
        current.pop("value", None)
        current.pop("idValue", None)
        if value is not None:
            current["value"] = value
        else:
            current["idValue"] = id_value
        result = dict(current)
    field_ref = {"id": field_id, "name": field["name"], "type": field["type"]}
    data = {"card": card_ref(card), "customField": field_ref, "customFieldItem": result, "old": old or {}}
    store.record_action("updateCustomFieldItem", card["idBoard"], data)
    return result


def set_items(store: TrelloStore, card_id: str, body: Params) -> list[dict[str, Any]]:
    items = body.get("customFieldItems")
    if not isinstance(items, list):
        raise TrelloError(400, "invalid value for customFieldItems")
    card = get_card(store, card_id)
    _check_powerup(store, card["idBoard"])
    return [set_item(store, card_id, str(item.get("idCustomField", "")), item) for item in items]


def create_checklist(store: TrelloStore, card_id: str, params: Params) -> dict[str, Any]:
    card = get_card(store, card_id)
    checklist = store.add_checklist(card_id, str(params.get("name", "Checklist")))
    data = {"card": card_ref(card), "checklist": {"id": checklist["id"], "name": checklist["name"]}}
    store.record_action("addChecklistToCard", card["idBoard"], data)
    return checklist


def add_check_item(store: TrelloStore, checklist_id: str, params: Params) -> dict[str, Any]:
    _get(store.checklists, checklist_id)
    if not params.get("name"):
        raise TrelloError(400, "invalid value for name")
    return store.add_check_item(checklist_id, str(params["name"]), _bool(params.get("checked", False)))


def update_check_item(store: TrelloStore, card_id: str, item_id: str, params: Params) -> dict[str, Any]:
    card = get_card(store, card_id)
    for checklist_id in card["idChecklists"]:
        for item in store.checklists[checklist_id]["checkItems"]:
            if item["id"] == item_id:
                if "state" in params:
                    if params["state"] not in ("complete", "incomplete"):
                        raise TrelloError(400, "invalid value for state")
                    item["state"] = params["state"]
                if "name" in params:
                    item["name"] = str(params["name"])
                data = {"card": card_ref(card), "checkItem": {k: item[k] for k in ("id", "name", "state")}}
                store.record_action("updateCheckItemStateOnCard", card["idBoard"], data)
                return dict(item)
    raise not_found()


def delete_checklist(store: TrelloStore, checklist_id: str) -> dict[str, Any]:
    checklist = _get(store.checklists, checklist_id)
    del store.checklists[checklist_id]
    card = store.cards.get(checklist["idCard"])
    if card is not None and checklist_id in card["idChecklists"]:
        card["idChecklists"].remove(checklist_id)
    return {"limits": {}}


def comment(store: TrelloStore, card_id: str, params: Params) -> dict[str, Any]:
    card = get_card(store, card_id)
    text = str(params.get("text", ""))
    if not text:
        raise TrelloError(400, "invalid value for text")
    list_ref = {"id": card["idList"], "name": store.lists[card["idList"]]["name"]}
    data = {"text": text, "textData": {"emoji": {}}, "card": card_ref(card), "list": list_ref}
    return store.record_action("commentCard", card["idBoard"], data)
