"""Trello read routes: boards with nested resources, lists, cards (filters, ``fields``, ``limit``/``before``
paging), labels, custom fields, checklists, members and actions.

*Params*: the request's query parameters (reads take no body).
*Ref*: a board or card named in a path is already an id here: ``refs`` resolves shortLinks before dispatch.
*Card filter*: ``open`` (not archived), ``visible`` (open, in an open list), ``closed``, ``all``, ``none``,
``complete``/``incomplete`` (by ``dueComplete``).
"""

from __future__ import annotations

from typing import Any

from moteur.sandbox.trello.recorded import CARD_MEMBER_FIELDS, LABEL_NAME_COLORS
from moteur.sandbox.trello.store import TrelloStore, is_object_id
from moteur.sandbox.trello.trello_errors import TrelloError, not_found

# Keys of a stored card that Trello sends only when asked (``attachments=true``, ``customFieldItems=true``…).
CARD_OPT_IN = ("attachments", "pluginData", "customFieldItems", "checklists")
CARD_FILTERS = ("all", "closed", "complete", "incomplete", "none", "open", "visible")
LIST_FILTERS = ("all", "closed", "none", "open")
MAX_LIMIT = 1000

Params = dict[str, str]


def _true(params: Params, key: str) -> bool:
    return params.get(key, "false").lower() == "true"


def pick(record: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """Trello's ``fields=a,b`` selection: ``id`` always, ``all`` (or absent) for everything (recorded:
    ``GET /lists/{id}?fields=name,pos`` answered ``{id, name, pos}``, ruby-trello 2020)."""
    if fields is None or fields == "all":
        return record
    wanted = {f.strip() for f in fields.split(",") if f.strip()}
    return {k: v for k, v in record.items() if k == "id" or k in wanted}


def get_board(store: TrelloStore, board_id: str) -> dict[str, Any]:
    if not is_object_id(board_id):
        raise TrelloError(400, "invalid id")
    board = store.boards.get(board_id)
    if board is None:
        raise not_found()
    return board


def get_card(store: TrelloStore, card_id: str) -> dict[str, Any]:
    if not is_object_id(card_id):
        raise TrelloError(400, "invalid id")
    card = store.cards.get(card_id)
    if card is None:
        raise not_found()
    return card


def filter_cards(store: TrelloStore, cards: list[dict[str, Any]], card_filter: str) -> list[dict[str, Any]]:
    if card_filter not in CARD_FILTERS:
        raise TrelloError(400, "invalid value for filter")
    if card_filter == "none":
        return []
    if card_filter == "all":
        return cards
    if card_filter == "closed":
        return [c for c in cards if c["closed"]]
    if card_filter == "complete":
        return [c for c in cards if c["dueComplete"]]
    if card_filter == "incomplete":
        return [c for c in cards if not c["dueComplete"]]
    open_cards = [c for c in cards if not c["closed"]]
    if card_filter == "visible":
        return [c for c in open_cards if not store.lists.get(c["idList"], {}).get("closed", False)]
    return open_cards


def render_card(store: TrelloStore, card_id: str, params: Params, prefix: str = "") -> dict[str, Any]:
    """A card with Trello's opt-in nested keys; ``prefix`` is ``card_`` when nested in a board."""
    card = store.card_json(card_id)
    opt = {key: card.pop(key) for key in CARD_OPT_IN if key in card}
    out = pick(card, params.get(prefix + "fields"))
    if _true(params, prefix + "attachments"):
        out["attachments"] = opt.get("attachments", [])
    if _true(params, prefix + "pluginData"):
        out["pluginData"] = opt.get("pluginData", [])
    if _true(params, "customFieldItems") or _true(params, prefix + "customFieldItems"):
        out["customFieldItems"] = opt.get("customFieldItems", [])
    if params.get("checklists", "none") == "all" and not prefix:
        out["checklists"] = [store.checklists[i] for i in card["idChecklists"] if i in store.checklists]
    return out


def card(store: TrelloStore, card_id: str, params: Params) -> dict[str, Any]:
    """``GET /cards/{id}``: the card, with its ``members`` when ``members=true`` (recorded: ``fields=desc,pos
    &members=true`` answered ``{id, desc, pos, members}``, card_find_with_id_and_get_specific_fields,
    ruby-trello 2020)."""
    record = get_card(store, card_id)
    out = render_card(store, card_id, params)
    if _true(params, "members"):
        fields = params.get("member_fields", CARD_MEMBER_FIELDS)
        members = [store.members[m] for m in record["idMembers"] if m in store.members]
        out["members"] = [pick({k: v for k, v in m.items() if k != "email"}, fields) for m in members]
    return out


def page_cards(cards: list[dict[str, Any]], params: Params) -> list[dict[str, Any]]:
    """``limit``/``before``/``since`` paging: by id (= creation time), newest first, as Trello does."""
    if not {"limit", "before", "since"} & params.keys():
        return cards
    limit = _limit(params, default=MAX_LIMIT)
    before, since = params.get("before"), params.get("since")
    for bound in (before, since):
        if bound is not None and not is_object_id(bound):
            raise TrelloError(400, "invalid id")
    picked = [c for c in cards if (before is None or c["id"] < before) and (since is None or c["id"] > since)]
    return sorted(picked, key=lambda c: c["id"], reverse=True)[:limit]


def _limit(params: Params, default: int) -> int:
    raw = params.get("limit", str(default))
    if not raw.isdigit() or int(raw) > MAX_LIMIT:
        raise TrelloError(400, "invalid value for limit")
    return int(raw)


def board_cards(store: TrelloStore, board_id: str, card_filter: str, params: Params) -> list[dict[str, Any]]:
    get_board(store, board_id)
    cards = page_cards(filter_cards(store, store.board_cards(board_id), card_filter), params)
    return [render_card(store, c["id"], params) for c in cards]


def board_lists(store: TrelloStore, board_id: str, list_filter: str, params: Params) -> list[dict[str, Any]]:
    get_board(store, board_id)
    if list_filter not in LIST_FILTERS:
        raise TrelloError(400, "invalid value for filter")
    lists = store.board_lists(board_id)
    if list_filter == "none":
        lists = []
    elif list_filter != "all":
        lists = [lst for lst in lists if lst["closed"] == (list_filter == "closed")]
    out = [pick(lst, params.get("fields")) for lst in lists]
    if params.get("cards", "none") != "none":
        for rendered in out:
            cards = [c for c in store.board_cards(board_id) if c["idList"] == rendered["id"]]
            cards = filter_cards(store, cards, params["cards"])
            rendered["cards"] = [render_card(store, c["id"], params, "card_") for c in cards]
    return out


def board_labels(store: TrelloStore, board_id: str, params: Params) -> list[dict[str, Any]]:
    get_board(store, board_id)
    labels = [
        lb | {"uses": store.label_uses(lb["id"])} for lb in store.labels.values() if lb["idBoard"] == board_id
    ]
    return [pick(lb, params.get("fields")) for lb in labels[: _limit(params, default=50)]]


def label_names(store: TrelloStore, board_id: str) -> dict[str, str]:
    """A board's ``labelNames``: per colour, the name of its first label of that colour (``recorded``)."""
    labels = [lb for lb in store.labels.values() if lb["idBoard"] == board_id]
    return {c: next((lb["name"] for lb in labels if lb["color"] == c), "") for c in LABEL_NAME_COLORS}


def board_custom_fields(store: TrelloStore, board_id: str) -> list[dict[str, Any]]:
    get_board(store, board_id)
    return sorted(
        (f for f in store.custom_fields.values() if f["idModel"] == board_id), key=lambda f: f["pos"]
    )


def board_members(store: TrelloStore, board_id: str) -> list[dict[str, Any]]:
    get_board(store, board_id)
    members = [store.members[m] for m in store.board_members.get(board_id, []) if m in store.members]
    return [{k: m[k] for k in ("id", "fullName", "username")} for m in members]


def board_checklists(store: TrelloStore, board_id: str) -> list[dict[str, Any]]:
    get_board(store, board_id)
    return [cl for cl in store.checklists.values() if cl["idBoard"] == board_id]


def board(store: TrelloStore, board_id: str, params: Params) -> dict[str, Any]:
    """``GET /boards/{id}`` with its nested-resource parameters."""
    out = dict(pick(get_board(store, board_id), params.get("fields")))
    if "labelNames" in out:
        out["labelNames"] = label_names(store, board_id)
    if params.get("lists", "none") != "none":
        out["lists"] = board_lists(
            store, board_id, params["lists"], {"fields": params.get("list_fields", "all")}
        )
    if params.get("cards", "none") != "none":
        cards = filter_cards(store, store.board_cards(board_id), params["cards"])
        out["cards"] = [render_card(store, c["id"], params, "card_") for c in cards]
    if params.get("labels", "none") != "none":
        out["labels"] = board_labels(store, board_id, {"limit": params.get("labels_limit", "1000")})
    if _true(params, "customFields"):
        out["customFields"] = board_custom_fields(store, board_id)
    if params.get("members", "none") != "none":
        out["members"] = board_members(store, board_id)
    if params.get("checklists", "none") != "none":
        out["checklists"] = board_checklists(store, board_id)
    if params.get("actions", "none") != "none":
        out["actions"] = actions(store, board_id, None, {"filter": params["actions"]})
    return out


def _after(action: dict[str, Any], bound: str) -> bool:
    return bool(action["id"] > bound if is_object_id(bound) else action["date"] > bound)


def actions(
    store: TrelloStore, board_id: str | None, card_id: str | None, params: Params
) -> list[dict[str, Any]]:
    """Board or card actions, newest first; ``since``/``before`` take an action id or an ISO date."""
    if board_id is not None:
        get_board(store, board_id)
    if card_id is not None:
        get_card(store, card_id)
    wanted = params.get("filter", "all")
    types = None if wanted == "all" else {t.strip() for t in wanted.split(",")}
    since, before = params.get("since"), params.get("before")
    found = [
        a
        for a in reversed(store.actions)
        if (board_id is None or a["data"].get("board", {}).get("id") == board_id)
        and (card_id is None or a["data"].get("card", {}).get("id") == card_id)
        and (types is None or a["type"] in types)
        and (since is None or _after(a, since))
        and (before is None or (not _after(a, before) and a["id"] != before))
    ]
    limit = _limit(params, default=50)
    page = int(params.get("page", "0") or 0)
    return [pick(a, params.get("fields")) for a in found[page * limit : (page + 1) * limit]]


def me(store: TrelloStore) -> dict[str, Any]:
    member = dict(store.members[store.me])
    member["idBoards"] = [b for b, ms in store.board_members.items() if store.me in ms]
    return member


def my_boards(store: TrelloStore, params: Params) -> list[dict[str, Any]]:
    ids = [b for b, ms in store.board_members.items() if store.me in ms]
    wanted = params.get("filter", "all")
    boards = [store.boards[b] for b in ids if wanted != "open" or not store.boards[b]["closed"]]
    return [pick(b, params.get("fields")) for b in boards]
