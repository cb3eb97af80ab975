"""Review tests run ``moteur.cli.main`` in a fresh directory with a private state database, against the
session's sandbox (``tests/conftest.py``) with its demo boards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from moteur.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{work / 'state.db'}")
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    yield work


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def _run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run
