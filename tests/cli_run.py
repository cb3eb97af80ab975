"""The real CLI run in-process, for the tests that drive ``moteur`` as a person would (``tests/cli``,
``tests/files``): a fresh working directory with a private state database, and ``run(*args)``.

*Result*: what one run gave — its exit code and what it printed on stdout and stderr.
"""

from __future__ import annotations

from collections.abc import Callable
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


def isolated(directory: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``directory`` as the working directory of a run: its own state database, no config from outside,
    no colour."""
    monkeypatch.chdir(directory)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{directory / 'state.db'}")
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return directory


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run(*args)``: ``moteur ARGS`` in this process, its output captured."""

    def _run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run
