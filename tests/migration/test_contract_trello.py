"""Trello as the target of a migration: the shared migration contract (``contract.py``)."""

from __future__ import annotations

from migration.contract import MigrationContract
from moteur.core.model import Tool


class TestTrelloMigration(MigrationContract):
    tool = Tool.TRELLO
    kills = ((1, False), (4, True), (9, False), (17, False), (25, True))
    drop_seeds = (1, 2, 3)
    hides_archived = False  # Trello's full read has archived cards too (one batch): the plan leaves them out
