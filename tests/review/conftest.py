"""Review tests run ``moteur.cli.main`` in a fresh directory with a private state database
(``tests/cli_run.py``), against the session's sandbox (``tests/conftest.py``) with its demo boards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_run import Result, Run, isolated, run

__all__ = ["Result", "Run", "run", "workdir"]  # ``run`` is a fixture of ``cli_run``


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    work = tmp_path / "work"
    work.mkdir()
    yield isolated(work, monkeypatch)
