"""Fixtures of the migration tests: ``ports(tool)`` (a connector over the sandbox, closed after the test)
and a private state ``store``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sandbox_connectors import connector_for

from migration.support import Sandbox
from moteur.core.model import Tool
from moteur.engine.state import StateStore


@pytest.fixture
def ports(sandbox: Sandbox) -> Iterator[Callable[[Tool], Any]]:
    opened: list[Any] = []

    def port(tool: Tool) -> Any:
        connector = connector_for(tool, sandbox.env)
        opened.append(connector)
        return connector

    yield port
    for connector in opened:
        connector.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore(f"sqlite:///{tmp_path / 'state.db'}") as opened:
        yield opened
