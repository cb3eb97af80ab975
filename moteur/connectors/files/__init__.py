"""The ``file:`` tool: CSV, JSON and YAML files read as a board and annotated in place (``board``), as a
migration's source or target (``migration``), and Trello exports read as the board they were
(``trello_export``); ``connector`` is its connector. docs/architecture.md, "The file tool", maps the modules.
"""

from __future__ import annotations

from moteur.connectors.files.board import FileBoard, decode, replace_atomically
from moteur.connectors.files.rows import ItemIds, parse_file_due

__all__ = ["FileBoard", "ItemIds", "decode", "parse_file_due", "replace_atomically"]
