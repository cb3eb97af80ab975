"""Shared fixtures (tests/sandbox, tests/connectors): one in-process sandbox server per test session, reset
to the demo seed before each test.

``sandbox`` exposes ``.url``, ``.urls[tool]``, ``.env``, ``.boards``, ``.requests()`` (the admin log),
``.reset(seed)``, ``.set_faults(rate, seed, kinds, slow_seconds)`` and ``.app`` (the WSGI app itself).
Specs and fixtures are read from ``MOTEUR_SPECS_DIR`` / ``MOTEUR_FIXTURES_DIR`` (default ``../shared/…``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine

from moteur.core.state import StateStore, schema
from moteur.sandbox.serve import SandboxHandle, start_sandbox

REPO = Path(__file__).resolve().parents[1]
SPECS_DIR = Path(os.environ.get("MOTEUR_SPECS_DIR", REPO / "moteur" / "sandbox" / "contracts"))
FIXTURES_DIR = Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO / "tests" / "contract" / "fixtures"))


@dataclass
class Sandbox:
    handle: SandboxHandle

    @property
    def app(self) -> Any:
        return self.handle.app

    @property
    def url(self) -> str:
        return self.handle.url

    @property
    def urls(self) -> dict[str, str]:
        return self.handle.urls

    @property
    def env(self) -> dict[str, str]:
        return self.handle.env

    @property
    def boards(self) -> dict[str, list[str]]:
        return self.handle.boards

    def requests(self) -> list[dict[str, Any]]:
        answer = requests.get(f"{self.url}/_sandbox/requests", timeout=10)
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]

    def reset(self, seed: str = "demo") -> dict[str, list[str]]:
        answer = requests.post(f"{self.url}/_sandbox/reset", json={"seed": seed}, timeout=30)
        answer.raise_for_status()
        return answer.json()["boards"]  # type: ignore[no-any-return]

    def set_faults(
        self,
        rate: float = 0.0,
        seed: int = 0,
        kinds: list[str] | None = None,
        slow_seconds: float | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"rate": rate, "seed": seed}
        if kinds is not None:
            body["kinds"] = kinds
        if slow_seconds is not None:
            body["slow_seconds"] = slow_seconds
        answer = requests.post(f"{self.url}/_sandbox/faults", json=body, timeout=10)
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Sandbox]:
    with start_sandbox(seed="demo", rate_limits=False, slow_seconds=0.5) as handle:
        yield Sandbox(handle)


@pytest.fixture
def sandbox(sandbox_server: Sandbox, request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """The session's sandbox, back to the demo seed, no faults, no latency, rate limits off.

    After the test, no request may have been refused by the strict sandbox's contract check (a connector that
    swallows a 400 would otherwise pass), unless the test is marked ``refusals`` (it sends them on purpose).
    """
    sandbox_server.set_faults(0.0, 0, kinds=["429", "500", "502", "503", "reset", "slow", "commit_then_drop"])
    sandbox_server.app.latency_ms = 0
    sandbox_server.reset("demo")
    yield sandbox_server
    if request.node.get_closest_marker("refusals") is None:
        refused = [e for e in sandbox_server.app.requests_log() if e.get("refused")]
        assert not refused, "the strict sandbox refused: " + "; ".join(
            f"{e['tool']} {e['method']} {e['path']}: {e['refused'][0]}" for e in refused[:5]
        )


@pytest.fixture
def trello_auth(sandbox: Sandbox) -> dict[str, str]:
    return {"key": sandbox.env["MOTEUR_TRELLO_API_KEY"], "token": sandbox.env["MOTEUR_TRELLO_TOKEN"]}


# The state store on SQLite, and on PostgreSQL when MOTEUR_TEST_POSTGRES_URL names one.
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
