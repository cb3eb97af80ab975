"""Asana as the target of a migration: the shared migration contract (``contract.py``), under Asana's
server errors, rate limits and resets as well as dropped answers."""

from __future__ import annotations

from migration.contract import MigrationContract
from moteur.core.model import Tool


class TestAsanaMigration(MigrationContract):
    tool = Tool.ASANA
    kills = ((1, False), (9, True), (14, False), (25, False))
    drop_seeds = (8,)
    drop_faults = ("commit_then_drop", "500", "502", "429", "reset")
    keeps_order_under_faults = True  # each group of a section is moved into place after its creates
