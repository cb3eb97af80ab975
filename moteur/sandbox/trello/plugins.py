"""Trello board Power-Ups (``/boards/{id}/boardPlugins``): which are enabled on a board, enabling and
disabling one.

Terms:

- *Plugin id*: the 24-hex id of a Power-Up in Trello's directory. Custom Fields is
  ``56d5e249a98895a9797bebb9`` (the id clients enable it with, and the ``idPlugin`` of its ``pluginData``).
- *Board plugin*: the record of one Power-Up enabled on one board: ``{id, idBoard, idPlugin, promotional}``
  (spec ``GET /boards/{id}/boardPlugins``: "Get the enabled Power-Ups on a board"). The store keeps them in
  ``store.board_plugins``; that is the only place a board's Custom Fields switch lives, so the custom field
  routes' 403 follows it.
- *powerUps*: the board field lists only the built-in Power-Ups of the spec's enum (``calendar``,
  ``cardAging``, ``recap``, ``voting``: spec ``POST /boards/{id}/powerUps``); Custom Fields is a plugin and
  never appears there.
- *Free workspace*: one whose plan has no Custom Fields (Trello offers them from the Standard plan up):
  enabling them on its boards answers 403. Tests mark one with ``store.free_organizations``.

Boards made through ``POST /boards`` start with no Power-Up; seeded boards with custom fields and imported
boards whose export holds custom fields have Custom Fields enabled.
"""

from __future__ import annotations

from typing import Any

from moteur.sandbox.trello.reads import get_board
from moteur.sandbox.trello.store import TrelloStore, is_object_id
from moteur.sandbox.trello.trello_errors import TrelloError

CUSTOM_FIELDS_PLUGIN = "56d5e249a98895a9797bebb9"
# The Power-Ups the sandbox's directory knows besides Custom Fields (enabling them changes nothing else).
OTHER_PLUGINS = frozenset({"55a5d917446f517774210011", "55a5d917446f517774210012"})  # Calendar, Card Aging


def add_plugin(store: TrelloStore, board_id: str, plugin_id: str) -> dict[str, Any]:
    """The board plugin record, made once (so its id stays the same between reads)."""
    records = store.board_plugins.setdefault(board_id, {})
    if plugin_id not in records:
        records[plugin_id] = {
            "id": store.ids.new(),
            "idBoard": board_id,
            "idPlugin": plugin_id,
            "promotional": False,
        }
    return records[plugin_id]


def custom_fields_on(store: TrelloStore, board_id: str) -> bool:
    return CUSTOM_FIELDS_PLUGIN in store.board_plugins.get(board_id, {})


def enabled(store: TrelloStore, board_id: str) -> list[dict[str, Any]]:
    """``GET /boards/{id}/boardPlugins``: the Power-Ups enabled on the board."""
    get_board(store, board_id)
    return list(store.board_plugins.get(board_id, {}).values())


def enable(store: TrelloStore, board_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """``POST /boards/{id}/boardPlugins?idPlugin=…``; enabling an enabled one answers its record again."""
    board = get_board(store, board_id)
    plugin_id = str(params.get("idPlugin", ""))
    if not is_object_id(plugin_id):
        raise TrelloError(400, "invalid value for idPlugin")
    if plugin_id != CUSTOM_FIELDS_PLUGIN and plugin_id not in OTHER_PLUGINS:
        raise TrelloError(404, "Power-Up not found")
    if plugin_id in store.board_plugins.get(board_id, {}):
        return store.board_plugins[board_id][plugin_id]
    if plugin_id == CUSTOM_FIELDS_PLUGIN and board.get("idOrganization") in store.free_organizations:
        raise TrelloError(403, "Custom Fields require a Trello Standard or Premium workspace")
    store.record_action("enablePlugin", board_id, {"plugin": {"id": plugin_id}})
    return add_plugin(store, board_id, plugin_id)


def disable(store: TrelloStore, board_id: str, plugin_id: str) -> dict[str, Any]:
    """``DELETE /boards/{id}/boardPlugins/{idPlugin}``: the custom fields stay, their writes answer 403."""
    get_board(store, board_id)
    if not is_object_id(plugin_id):
        raise TrelloError(400, "invalid value for idPlugin")
    if store.board_plugins.get(board_id, {}).pop(plugin_id, None) is not None:
        store.record_action("disablePlugin", board_id, {"plugin": {"id": plugin_id}})
    return {"limits": {}}
