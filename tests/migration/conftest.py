"""Fixtures of the migration tests: ``ports(tool)`` (skips a tool whose port cannot migrate yet) and a
private state ``store``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from migration.support import _METHODS, Sandbox, open_port
from moteur.core.model import Tool
from moteur.engine.state import StateStore


@pytest.fixture
def ports(sandbox: Sandbox) -> Iterator[Callable[[Tool], Any]]:
    opened: list[Any] = []

    def port(tool: Tool) -> Any:
        connector = open_port(tool, sandbox.env)
        missing = [m for m in _METHODS if not hasattr(connector, m)]
        if missing:
            pytest.skip(f"the {tool.value} port has no {', '.join(missing)} yet")
        opened.append(connector)
        return connector

    yield port
    for connector in opened:
        connector.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore(f"sqlite:///{tmp_path / 'state.db'}") as opened:
        yield opened
