"""Shared fixtures (tests/sandbox, tests/connectors): one in-process sandbox server per test session, reset
to the demo seed before each test.

``sandbox`` exposes ``.url``, ``.urls[tool]``, ``.env``, ``.boards``, ``.requests()`` (the admin log),
``.reset(seed)``, ``.set_faults(rate, seed, kinds, slow_seconds)`` and ``.app`` (the WSGI app itself).
Specs and fixtures are read from ``MOTEUR_SPECS_DIR`` / ``MOTEUR_FIXTURES_DIR`` (default ``../shared/…``).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from memory_tmp import memory_root
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from suite_order import longest_first
from virtual_clock import VirtualClock

from moteur.engine.state import StateStore
from moteur.runtime import install, uninstall
from moteur.sandbox.base import FAULT_KINDS
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


@pytest.fixture(autouse=True)
def virtual_time() -> Iterator[VirtualClock]:
    """Every test on a virtual clock of its own: moteur's pacing and backoff in the test's process (a command
    run through ``cli.main`` included) cost no real time, and no rate limiter outlives its test."""
    clock = VirtualClock()
    token = install(clock.runtime())
    yield clock
    uninstall(token)


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
    # Through the app itself, not its admin API: the same settings, without two HTTP exchanges per test.
    sandbox_server.app.faults.configure(0.0, 0, FAULT_KINDS)
    sandbox_server.app.latency_ms = 0
    sandbox_server.app.reset("demo")
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
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh state database: a SQLite file, or a schema of its own in the test PostgreSQL database.

    A schema per test, dropped afterwards: pytest-xdist workers share the one database, and a test that
    dropped the tables would remove them from under another worker's test.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    url = os.environ.get("MOTEUR_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("MOTEUR_TEST_POSTGRES_URL is not set: no PostgreSQL to test the state store against")
    name = f"moteur_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    try:
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={name}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
        engine.dispose()


@pytest.fixture
def store(state_url: str) -> Iterator[StateStore]:
    with StateStore(state_url) as opened:
        yield opened


# A real headless browser for the tests that look at a page as a person sees it (``tests/review``).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of a Chromium from the system's packages (``.ci/run`` installs it), or a skip saying why."""
    named = os.environ.get("MOTEUR_TEST_CHROMIUM")
    found = named or next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)
    if not found:
        pytest.skip("no chromium on PATH: the rendered-page tests need it (.ci/run installs it with apt)")
    return found


def pytest_configure() -> None:
    """``tmp_path`` and the other temporary directories in memory when the machine has room (``memory_tmp``);
    in the controlling process, before it hands each pytest-xdist worker a directory of its own."""
    if (memory := memory_root()) is not None:
        os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", str(memory))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    longest_first(items)
