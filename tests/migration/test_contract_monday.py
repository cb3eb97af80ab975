"""monday.com as the target of a migration: the shared migration contract (``contract.py``), under resets and
503s as well as dropped answers."""

from __future__ import annotations

from typing import Any

from migration.contract import MigrationContract
from moteur.core.model import Tool


class TestMondayMigration(MigrationContract):
    tool = Tool.MONDAY
    kills = ((1, False), (7, True), (23, False), (25, True))
    drop_seeds = (3, 10)
    drop_faults = ("commit_then_drop", "reset", "503")

    def is_create(self, entry: dict[str, Any]) -> bool:
        """Every request is a GraphQL POST: a create is a ``create_…`` mutation."""
        return any(str(field).startswith("create_") for field in entry.get("root_fields") or ())
