"""Trello board Power-Ups (``/boards/{id}/boardPlugins``): which are enabled on a board, enabling and
disabling one.

Terms:

- *Plugin id*: the 24-hex id of a Power-Up in Trello's directory. Custom Fields is
  ``56d5e249a98895a9797bebb9`` (the id clients enable it with, and the ``idPlugin`` of its ``pluginData``).
- *Board plugin*: the record of one Power-Up enabled on one board: ``{id, idBoard, idPlugin, promotional}``.
- *Power-up name*: what ``GET /boards/{id}?fields=powerUps`` lists for a built-in Power-Up (``customFields``);
  the store keeps the enabled state there, so the custom field routes' 403 follows the switch.
- *Free workspace*: one whose plan has no Custom Fields (Trello offers them from the Standard plan up):
  enabling them on its boards answers 403. Tests mark one with ``store.free_organizations``.

Boards made through ``POST /boards`` start with no Power-Up; seeded and imported boards keep theirs.
"""

from __future__ import annotations

from typing import Any

from moteur.sandbox.trello.reads import get_board
from moteur.sandbox.trello.store import TrelloStore, is_object_id
from moteur.sandbox.trello.trello_errors import TrelloError

CUSTOM_FIELDS_PLUGIN = "56d5e249a98895a9797bebb9"
POWER_UP_NAMES = {CUSTOM_FIELDS_PLUGIN: "customFields"}  # plugin id -> its name in the board's powerUps
# The Power-Ups the sandbox's directory knows without a name in ``powerUps`` (enabling them changes nothing).
OTHER_PLUGINS = frozenset({"55a5d917446f517774210011", "55a5d917446f517774210012"})  # Calendar, Card Aging


def _record(store: TrelloStore, board_id: str, plugin_id: str) -> dict[str, Any]:
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


def enabled(store: TrelloStore, board_id: str) -> list[dict[str, Any]]:
    """``GET /boards/{id}/boardPlugins``: the Power-Ups enabled on the board."""
    board = get_board(store, board_id)
    out = []
    for plugin_id, name in POWER_UP_NAMES.items():
        if name in board["powerUps"]:
            out.append(_record(store, board_id, plugin_id))
    out.extend(
        record
        for plugin_id, record in store.board_plugins.get(board_id, {}).items()
        if plugin_id not in POWER_UP_NAMES
    )
    return out


def enable(store: TrelloStore, board_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """``POST /boards/{id}/boardPlugins?idPlugin=…``; enabling an enabled one answers its record again."""
    board = get_board(store, board_id)
    plugin_id = str(params.get("idPlugin", ""))
    if not is_object_id(plugin_id):
        raise TrelloError(400, "invalid value for idPlugin")
    if plugin_id not in POWER_UP_NAMES and plugin_id not in OTHER_PLUGINS:
        raise TrelloError(404, "Power-Up not found")
    name = POWER_UP_NAMES.get(plugin_id)
    if name is not None and name not in board["powerUps"]:
        if plugin_id == CUSTOM_FIELDS_PLUGIN and board.get("idOrganization") in store.free_organizations:
            raise TrelloError(403, "Custom Fields require a Trello Standard or Premium workspace")
        board["powerUps"] = sorted({*board["powerUps"], name})
        store.record_action("enablePlugin", board_id, {"plugin": {"id": plugin_id}})
    return _record(store, board_id, plugin_id)


def disable(store: TrelloStore, board_id: str, plugin_id: str) -> dict[str, Any]:
    """``DELETE /boards/{id}/boardPlugins/{idPlugin}``: the custom fields stay, their writes answer 403."""
    board = get_board(store, board_id)
    if not is_object_id(plugin_id):
        raise TrelloError(400, "invalid value for idPlugin")
    name = POWER_UP_NAMES.get(plugin_id)
    if name is not None and name in board["powerUps"]:
        board["powerUps"] = [p for p in board["powerUps"] if p != name]
        store.record_action("disablePlugin", board_id, {"plugin": {"id": plugin_id}})
    store.board_plugins.get(board_id, {}).pop(plugin_id, None)
    return {"limits": {}}
