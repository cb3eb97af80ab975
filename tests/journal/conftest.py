"""Fixtures of the write-ahead journal tests: a state database per test (SQLite, and PostgreSQL when
``MOTEUR_TEST_POSTGRES_URL`` names a scratch database, as in tests/core/test_state.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from moteur.core.state import StateStore, schema


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    url = os.environ.get("MOTEUR_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("MOTEUR_TEST_POSTGRES_URL is not set: no PostgreSQL to test the state store against")
    engine = create_engine(url)
    schema.metadata.drop_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def store(state_url: str) -> Iterator[StateStore]:
    with StateStore(state_url) as opened:
        yield opened
