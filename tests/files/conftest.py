"""Fixtures of the file-board tests: the real CLI run in a fresh directory with a private state database,
as ``tests/cli`` runs it (``tests/cli_run.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_run import Result, Run, isolated, run

__all__ = ["Result", "Run", "run", "workdir"]  # ``run`` is a fixture; test modules take ``Run`` from here


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield isolated(tmp_path, monkeypatch)
