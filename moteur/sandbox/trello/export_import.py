"""Loading a Trello "Export as JSON" board into the sandbox, ids kept, so every card, list, label, custom
field (and value), checklist, member and action of the export reads back through the API.

Old exports (2015) lack keys that newer ones have (top-level ``labels``, ``customFields``, card
``customFieldItems``…); the missing ones are filled with the defaults a new object gets, and a board without
a ``labels`` array gets its labels from the cards' embedded ``labels``.
"""

from __future__ import annotations

import copy
from typing import Any

from moteur.sandbox.trello.plugins import CUSTOM_FIELDS_PLUGIN, add_plugin
from moteur.sandbox.trello.store import TrelloStore, is_object_id

BOARD_NESTED = ("actions", "cards", "labels", "lists", "members", "checklists", "customFields", "memberships")


def _fill(record: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
    """``record`` with every key of ``template`` it lacks (the template's values, deep-copied)."""
    return {**copy.deepcopy(template), **record}


def import_board(store: TrelloStore, export: dict[str, Any]) -> str:
    """Load one export; returns the board id. Raises ``ValueError`` when it is not a board export."""
    board_id = export.get("id")
    if (
        not isinstance(board_id, str)
        or not is_object_id(board_id)
        or not isinstance(export.get("cards"), list)
    ):
        raise ValueError("not a Trello board export: needs a 24-hex 'id' and a 'cards' array")
    export = copy.deepcopy(export)
    for key in ("actions", "cards", "lists", "labels", "checklists", "customFields", "members"):
        for record in export.get(key) or []:
            store.ids.observe(record.get("id", ""))
    store.ids.observe(board_id)

    template_board = store.add_board("template")
    del store.boards[template_board["id"]], store.board_members[template_board["id"]]
    board = _fill({k: v for k, v in export.items() if k not in BOARD_NESTED}, template_board)
    board["id"] = board_id
    has_fields = bool(export.get("customFields")) or any(c.get("customFieldItems") for c in export["cards"])
    store.boards[board_id] = board
    if has_fields:  # the export's fields were made with the Custom Fields Power-Up on
        add_plugin(store, board_id, CUSTOM_FIELDS_PLUGIN)

    members = export.get("members") or []
    for member in members:
        store.members.setdefault(member["id"], member)
    store.board_members[board_id] = [m["id"] for m in members] + ([store.me] if store.me else [])

    for record in export.get("lists") or []:
        template = store.add_list(board_id, "template")
        del store.lists[template["id"]]
        store.lists[record["id"]] = _fill(record, template) | {"idBoard": board_id}

    labels = export.get("labels")
    if labels is None:  # 2015 exports: labels live only on the cards
        labels = list(
            {lb["id"]: lb for c in export["cards"] for lb in c.get("labels", []) if "id" in lb}.values()
        )
    for label in labels:
        store.labels[label["id"]] = {"id": label["id"], "idBoard": board_id, "name": label.get("name", ""),
                                     "color": label.get("color"), "uses": 0}  # fmt: skip

    for field in export.get("customFields") or []:
        store.custom_fields[field["id"]] = field | {"idModel": board_id}

    lists = export.get("lists") or []
    template_list = lists[0]["id"] if lists else store.add_list(board_id, "Imported")["id"]
    for record in export["cards"]:
        template = store.add_card(template_list, "template")
        del store.cards[template["id"]]
        card = _fill(record, template)
        card["idBoard"] = board_id
        card.pop("checklists", None)
        card["idLabels"] = [i for i in card.get("idLabels") or [] if i in store.labels]
        card["customFieldItems"] = card.get("customFieldItems") or []
        store.cards[card["id"]] = card

    for checklist in export.get("checklists") or []:
        store.checklists[checklist["id"]] = checklist | {"idBoard": board_id}
        owner = store.cards.get(checklist.get("idCard", ""))
        if owner is not None and checklist["id"] not in owner["idChecklists"]:
            owner["idChecklists"].append(checklist["id"])

    # Actions: oldest first in the store (exports list newest first); each keeps its board reference.
    actions = sorted(export.get("actions") or [], key=lambda a: a.get("id", ""))
    for action in actions:
        data = action.setdefault("data", {})
        data.setdefault(
            "board", {"id": board_id, "name": board.get("name", ""), "shortLink": board["shortLink"]}
        )
        data["board"]["id"] = board_id
    store.actions = sorted(store.actions + actions, key=lambda a: a["id"])
    return board_id
