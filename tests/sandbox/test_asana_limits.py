"""Asana's limits on the emulator: the free tier's 402 on custom fields, 429 + Retry-After past the per-minute
budget (batch actions counted one by one), and the in-flight concurrency limiter.

These tests run their own sandbox app on a free port with an injected clock, so time moves only when the test
moves it; the rest of the suite shares the session sandbox, whose limits are off.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from virtual_clock import VirtualClock
from werkzeug.serving import make_server

from moteur.sandbox.asana import TOKEN
from moteur.sandbox.asana.errors import AsanaError
from moteur.sandbox.asana.limits import MAX_WRITES_IN_FLIGHT, AsanaLimiter
from moteur.sandbox.server import SandboxApp

TIMEOUT = 10


class Served:
    def __init__(self, app: SandboxApp, url: str, clock: VirtualClock) -> None:
        self.app, self.url, self.clock = app, url, clock

    def call(
        self, method: str, path: str, data: dict[str, Any] | None = None, **params: Any
    ) -> requests.Response:
        return requests.request(
            method,
            f"{self.url}/asana/api/1.0{path}",
            params=params or None,
            json={"data": data} if data is not None else None,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=TIMEOUT,
        )

    @property
    def project(self) -> str:
        return self.app.boards["asana"][0].split(":", 1)[1]


def _serve(tier: str) -> Iterator[Served]:
    clock = VirtualClock(start=1000.0)
    app = SandboxApp(seed="demo", rate_limits=True, asana_tier=tier, clock=clock)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(app, f"http://127.0.0.1:{server.port}", clock)
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def free_server() -> Iterator[Served]:
    yield from _serve("free")


@pytest.fixture
def free(free_server: Served) -> Served:
    free_server.app.reset("demo")
    free_server.clock.now += 120  # a fresh rate-limit window for every test
    return free_server


def test_free_tier_answers_402_to_custom_field_writes(free: Served) -> None:
    workspace = free.call("GET", "/workspaces").json()["data"][0]["gid"]
    create = free.call(
        "POST", "/custom_fields", {"workspace": workspace, "name": "ICE", "resource_subtype": "number"}
    )
    assert create.status_code == 402
    error = create.json()["errors"][0]
    assert error["message"] and error["help"].startswith("For more information")
    settings = free.call(
        "GET", f"/projects/{free.project}/custom_field_settings", opt_fields="custom_field.gid"
    )
    field = settings.json()["data"][0]["custom_field"]["gid"]
    task = free.call("GET", f"/projects/{free.project}/tasks").json()["data"][0]["gid"]
    assert free.call("PUT", f"/tasks/{task}", {"custom_fields": {field: 3}}).status_code == 402
    assert free.call("PUT", f"/tasks/{task}", {"name": "Still fine"}).status_code == 200
    # Listing the workspace's fields is refused too: the strict reading moteur's doctor relies on.
    assert free.call("GET", f"/workspaces/{workspace}/custom_fields", limit=1).status_code == 402


def test_429_with_retry_after_past_the_minute_budget(free: Served) -> None:
    start = free.clock.now
    for _ in range(150):
        assert free.call("GET", "/users/me").status_code == 200
    refused = free.call("GET", "/users/me")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    assert refused.json()["errors"][0]["message"].startswith("You've made too many requests")
    free.clock.now = start + 45
    again = free.call("GET", "/users/me")
    assert again.status_code == 429 and again.headers["Retry-After"] == "15"
    free.clock.now = start + 60
    assert free.call("GET", "/users/me").status_code == 200


def test_batch_actions_count_one_by_one_and_a_batch_that_does_not_fit_fails_whole(free: Served) -> None:
    action = {"relative_path": "/users/me", "method": "get"}
    for _ in range(14):
        assert free.call("POST", "/batch", {"actions": [action] * 10}).status_code == 200
    for _ in range(5):
        assert free.call("GET", "/users/me").status_code == 200
    # 145 used: a batch of 10 would pass the budget of 150, so none of its actions runs.
    refused = free.call("POST", "/batch", {"actions": [action] * 10})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_concurrency_limiter_refuses_the_16th_write_in_flight() -> None:
    clock = VirtualClock(start=1000.0)
    limiter = AsanaLimiter(clock, enabled=True, per_minute=1500)
    for _ in range(MAX_WRITES_IN_FLIGHT):
        limiter.admit("t", reads=0, writes=1)
    with pytest.raises(AsanaError) as refused:
        limiter.admit("t", reads=0, writes=1)
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "1"
    limiter.admit("t", reads=50, writes=0)  # reads have their own allowance
    limiter.release("t", reads=0, writes=1)
    limiter.admit("t", reads=0, writes=1)


def test_limits_off_never_refuse() -> None:
    limiter = AsanaLimiter(VirtualClock(start=1000.0), enabled=False, per_minute=1)
    for _ in range(100):
        limiter.admit("t", reads=1, writes=1)
