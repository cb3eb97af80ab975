"""Whether a Trello board's Custom Fields Power-Up is on.

Custom Fields is the Power-Up (plugin) ``56d5e249a98895a9797bebb9``, enabled per board: "Custom fields require
that the Custom Fields Power-Up be enabled" (developer.atlassian.com/cloud/trello/guides/rest-api/
getting-started-with-custom-fields). A board lists its enabled Power-Ups at ``GET /boards/{id}/boardPlugins``
("Get the enabled Power-Ups on a board", spec), one record ``{id, idBoard, idPlugin, …}`` each; public clients
detect Custom Fields there by ``idPlugin``. The board's ``powerUps`` field is no guide: its values are the
built-in ``calendar``, ``cardAging``, ``recap`` and ``voting`` (spec ``POST /boards/{id}/powerUps``), and the
spec's ``GET /boards/{id}`` declares no parameter that nests the plugins, so the reads put the
``boardPlugins`` route in their ``/batch`` (one of its ten routes, no extra request).
"""

from __future__ import annotations

from moteur.connectors.http import HttpClient
from moteur.connectors.trello.batch import Route, route

CUSTOM_FIELDS_PLUGIN = "56d5e249a98895a9797bebb9"  # the Custom Fields Power-Up's id in Trello's directory


def plugins_route(board_id: str) -> Route:
    return route(f"/boards/{board_id}/boardPlugins")


def custom_fields_on(plugins: object) -> bool:
    """Whether ``GET /boards/{id}/boardPlugins``'s answer lists the Custom Fields Power-Up."""
    return isinstance(plugins, list) and any(
        isinstance(p, dict) and p.get("idPlugin") == CUSTOM_FIELDS_PLUGIN for p in plugins
    )


def read_custom_fields_on(client: HttpClient, board_id: str, what: str) -> bool:
    """One request: the board's enabled Power-Ups, then whether Custom Fields is among them."""
    path, _ = plugins_route(board_id)
    return custom_fields_on(client.request_json("GET", path, what=what))
