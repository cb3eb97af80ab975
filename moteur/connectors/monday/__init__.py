"""The monday.com connector (``monday:<board id>``): see ``connector`` for the parts."""

from __future__ import annotations

from moteur.connectors.monday.connector import MondayConnector

__all__ = ["MondayConnector"]
