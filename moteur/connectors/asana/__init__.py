"""The Asana connector: ``AsanaConnector`` (see ``connector``), built on ``moteur.connectors.http``."""

from __future__ import annotations

from moteur.connectors.asana.connector import AsanaConnector

__all__ = ["AsanaConnector"]
