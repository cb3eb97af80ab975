"""A resumed migration of the 201-card trip board ends in the state an uninterrupted one ends in, killed where
its archiving is under way (51 archived cards, 8 closed lists). The same check on the small sample board,
killed in the middle of each wave of writes, is part of every tool's migration contract (``contract.py``);
this is the long form, on the waves where archiving happens.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from migration.kills import resume_matrix
from migration.support import CLIPKIT, TRIP, Sandbox, needs_fixtures
from moteur.core.model import Tool

# The waves of each tool's writes where archiving happens (an Asana task is archived in its create).
ARCHIVING = {
    Tool.TRELLO: ("PUT /cards/{id}", "halfway"),
    Tool.ASANA: ("halfway",),
}


@needs_fixtures
@pytest.mark.parametrize("tool", [Tool.TRELLO, Tool.ASANA])
def test_the_201_card_board_killed_among_its_archives_then_resumed(
    sandbox: Sandbox, ports: Callable[[Tool], Any], tmp_path: Path, tool: Tool
) -> None:
    """The trip board (51 archived cards, 8 closed lists): killed where its archiving is under way (each
    tool's matrix runs on the small board by default)."""
    resume_matrix(sandbox, ports, tmp_path, TRIP, tool, only=ARCHIVING[tool])


@needs_fixtures
def test_the_201_card_board_killed_among_its_monday_archives_then_resumed(
    sandbox: Sandbox, ports: Callable[[Tool], Any], tmp_path: Path
) -> None:
    """The trip board to monday.com, killed half-way through archiving its 51 items: the items created
    before the kill are archived by the next run (they were found "unchanged", created done, before)."""
    resume_matrix(sandbox, ports, tmp_path, TRIP, Tool.MONDAY, only=("archive_item",))


@needs_fixtures
@pytest.mark.parametrize("tool", [Tool.TRELLO, Tool.ASANA, Tool.MONDAY])
def test_the_67_card_board_killed_at_every_point_then_resumed(
    sandbox: Sandbox, ports: Callable[[Tool], Any], tmp_path: Path, tool: Tool
) -> None:
    """The second real board (67 cards, Japanese): killed at each of its run's kill points on every target,
    each resumed board holds what an uninterrupted migration holds, and a re-run plans nothing."""
    resume_matrix(sandbox, ports, tmp_path, CLIPKIT, tool)
