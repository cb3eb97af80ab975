"""Real boards through the real CLI: Trello exports loaded into the sandbox, read over HTTP.

``cli`` runs ``moteur.cli.main`` in a fresh directory with the sandbox's credentials and a private state
database; ``import_board`` loads a Trello "Export as JSON" into the sandbox (ids kept) and returns its REF.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from moteur.cli import main

Sandbox = Any  # tests/conftest.py


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        assert self.code == 0, self.err
        return json.loads(self.out)


Cli = Callable[..., Result]


@pytest.fixture
def cli(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    monkeypatch.chdir(tmp_path)
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    yield run


@pytest.fixture
def import_board(sandbox: Sandbox) -> Callable[[dict[str, Any]], str]:
    def load(export: dict[str, Any]) -> str:
        answer = requests.post(f"{sandbox.url}/_sandbox/import/trello", json=export, timeout=30)
        answer.raise_for_status()
        return f"trello:{answer.json()['id']}"

    return load
