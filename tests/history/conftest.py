"""Fixtures of the history tests: the sandbox's environment with a fixed first sprint."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from history.support import Sandbox, sandbox_env

START = date(2026, 6, 1)  # a Monday: Sprint 1 starts here, a quarter before the review


@pytest.fixture
def history_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The sandbox's variables, a fresh state database, ``first_sprint = START``; the database's URL."""
    return sandbox_env(monkeypatch, sandbox, tmp_path, first_sprint=START)


@pytest.fixture
def history_env_any(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, state_url: str) -> str:
    """``history_env`` on SQLite, and on PostgreSQL when ``MOTEUR_TEST_POSTGRES_URL`` names one."""
    return sandbox_env(monkeypatch, sandbox, tmp_path, first_sprint=START, state_url=state_url)
