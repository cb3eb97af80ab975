"""The Trello connector: ``TrelloConnector`` (see ``connector``), built on ``moteur.connectors.http``."""

from __future__ import annotations

from moteur.connectors.trello.connector import TrelloConnector

__all__ = ["TrelloConnector"]
