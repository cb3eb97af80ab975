"""File boards: CSV, JSON and YAML files read as a board and annotated in place (see ``board``)."""

from __future__ import annotations

from moteur.connectors.files.board import FileBoard, decode, replace_atomically
from moteur.connectors.files.rows import ItemIds, parse_file_due

__all__ = ["FileBoard", "ItemIds", "decode", "parse_file_due", "replace_atomically"]
