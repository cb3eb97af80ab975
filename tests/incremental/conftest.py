"""The ``cli`` fixture of the incremental tests: ``moteur sync`` in this process, on the sandbox, with a
state database of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from incremental.support import Sandbox


@pytest.fixture
def cli(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The sandbox's environment and a fresh state database; returns the database's URL."""
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.delenv("MOTEUR_FULL_EVERY", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env or moteur.toml
    return f"sqlite:///{tmp_path / 'state.db'}"
