"""The sandbox server: admin API, request log, reset, faults of every kind as a `requests` client sees them,
latency, and the one JSON line of ``serve_forever``."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
import requests

from moteur.sandbox.server import FaultPlan, parse_seed

Sandbox = Any  # the conftest fixture type (conftest modules are not importable)


def _board(sandbox: Sandbox) -> str:
    return sandbox.boards["trello"][0].split(":", 1)[1]


@pytest.mark.refusals  # PUT /boards/{id}/nothing is sent on purpose
def test_request_log_records_each_call_with_masked_credentials(
    sandbox: Sandbox, trello_auth: dict[str, str]
) -> None:
    board = _board(sandbox)
    sandbox.app.latency_ms = 30  # the log's time is the answer's, injected latency included
    requests.get(
        f"{sandbox.urls['trello']}/boards/{board}", params={**trello_auth, "fields": "name"}, timeout=5
    )
    sandbox.app.latency_ms = 0
    requests.put(f"{sandbox.urls['trello']}/boards/{board}/nothing", params=trello_auth, timeout=5)
    log = sandbox.requests()
    assert [(e["method"], e["path"], e["status"], e["mutating"]) for e in log] == [
        ("GET", f"/boards/{board}", 200, False),
        ("PUT", f"/boards/{board}/nothing", 404, True),
    ]
    assert log[0]["query"] == {"key": "***", "token": "***", "fields": "name"}
    assert log[0]["tool"] == "trello" and log[0]["fault"] is None and 30 <= log[0]["elapsed_ms"] < 5_000
    assert trello_auth["token"] not in json.dumps(log)


def test_reset_empties_the_log_and_reseeds_deterministically(sandbox: Sandbox) -> None:
    first = sandbox.boards["trello"]
    requests.get(f"{sandbox.urls['trello']}/members/me", timeout=5)
    assert sandbox.reset("demo")["trello"] == first
    assert sandbox.requests() == []
    assert sandbox.reset("empty")["trello"] == []
    bulk = sandbox.reset("bulk:30")["trello"]
    assert len(bulk) == 1
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()
    assert len(state["trello"]["cards"]) == 30


def test_admin_rejects_a_bad_seed(sandbox: Sandbox) -> None:
    answer = requests.post(f"{sandbox.url}/_sandbox/reset", json={"seed": "bulk:x"}, timeout=5)
    assert answer.status_code == 400
    assert requests.get(f"{sandbox.url}/_sandbox/nope", timeout=5).status_code == 404


def test_unknown_prefix_is_404(sandbox: Sandbox) -> None:
    assert requests.get(f"{sandbox.url}/github/v3", timeout=5).status_code == 404


@pytest.mark.parametrize("kind", ["429", "500", "502", "503"])
def test_http_faults_answer_in_trellos_shape_and_apply_nothing(
    sandbox: Sandbox, trello_auth: dict[str, str], kind: str
) -> None:
    board = _board(sandbox)
    sandbox.set_faults(1.0, 1, [kind])
    answer = requests.post(
        f"{sandbox.urls['trello']}/lists", params={**trello_auth, "idBoard": board, "name": "X"}
    )
    assert answer.status_code == int(kind)
    if kind == "429":
        assert answer.json() == {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
    sandbox.set_faults(0.0)
    names = [lst["name"] for lst in sandbox.app.emulators["trello"].store.lists.values()]
    assert "X" not in names
    assert sandbox.requests()[0]["fault"] == kind


def test_reset_fault_drops_the_connection_without_applying(
    sandbox: Sandbox, trello_auth: dict[str, str]
) -> None:
    board = _board(sandbox)
    sandbox.set_faults(1.0, 1, ["reset"])
    with pytest.raises(requests.ConnectionError):
        requests.post(
            f"{sandbox.urls['trello']}/lists", params={**trello_auth, "idBoard": board, "name": "R"}
        )
    sandbox.set_faults(0.0)
    assert "R" not in [lst["name"] for lst in sandbox.app.emulators["trello"].store.lists.values()]
    assert sandbox.requests()[0]["status"] is None and sandbox.requests()[0]["fault"] == "reset"
    # The server thread survived: the next call is answered.
    assert (
        requests.get(f"{sandbox.urls['trello']}/members/me", params=trello_auth, timeout=5).status_code == 200
    )


def test_commit_then_drop_applies_the_write_then_drops(sandbox: Sandbox, trello_auth: dict[str, str]) -> None:
    board = _board(sandbox)
    sandbox.set_faults(1.0, 1, ["commit_then_drop"])
    with requests.Session() as session, pytest.raises(requests.ConnectionError):
        session.post(f"{sandbox.urls['trello']}/lists", params={**trello_auth, "idBoard": board, "name": "C"})
    sandbox.set_faults(0.0)
    assert "C" in [lst["name"] for lst in sandbox.app.emulators["trello"].store.lists.values()]


def test_commit_then_drop_never_hits_reads(sandbox: Sandbox, trello_auth: dict[str, str]) -> None:
    sandbox.set_faults(1.0, 1, ["commit_then_drop"])
    answer = requests.get(f"{sandbox.urls['trello']}/members/me", params=trello_auth, timeout=5)
    assert answer.status_code == 200


def test_slow_fault_outlasts_the_client_timeout(sandbox: Sandbox, trello_auth: dict[str, str]) -> None:
    sandbox.set_faults(1.0, 1, ["slow"], slow_seconds=0.6)
    with pytest.raises(requests.Timeout):
        requests.get(f"{sandbox.urls['trello']}/members/me", params=trello_auth, timeout=0.2)


def test_faults_never_hit_the_admin_api(sandbox: Sandbox) -> None:
    sandbox.set_faults(1.0, 1, ["500", "reset"])
    for _ in range(5):
        assert requests.get(f"{sandbox.url}/_sandbox/requests", timeout=5).status_code == 200


def test_fault_draws_are_seeded() -> None:
    draws = [[FaultPlan(0.5, 7).draw(mutating=True) for _ in range(1)] for _ in range(2)]
    plan_a, plan_b = FaultPlan(0.5, 7), FaultPlan(0.5, 7)
    assert [plan_a.draw(True) for _ in range(50)] == [plan_b.draw(True) for _ in range(50)]
    assert draws[0] == draws[1]
    assert FaultPlan(0.0, 7).draw(True) is None
    with pytest.raises(ValueError):
        FaultPlan(0.5, 1, ["teapot"])


def test_latency_is_added(sandbox: Sandbox, trello_auth: dict[str, str]) -> None:
    sandbox.app.latency_ms = 150
    started = time.perf_counter()
    requests.get(f"{sandbox.urls['trello']}/members/me", params=trello_auth, timeout=5)
    assert time.perf_counter() - started >= 0.15


def test_parse_seed() -> None:
    assert parse_seed("bulk:12") == ("bulk", 12)
    assert parse_seed("demo") == ("demo", None)
    with pytest.raises(ValueError):
        parse_seed("full")


def test_serve_forever_prints_one_json_line_and_stops_on_sigterm() -> None:
    code = "from moteur.sandbox.serve import serve_forever; serve_forever(seed='empty')"
    command = [sys.executable, "-c", code]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            line = json.loads(process.stdout.readline())
            assert set(line) >= {"url", "trello", "asana", "monday", "env", "boards"}
            assert set(line["env"]) >= {"MOTEUR_TRELLO_API_KEY", "MOTEUR_TRELLO_TOKEN", "MOTEUR_TRELLO_URL"}
            params = {
                "key": line["env"]["MOTEUR_TRELLO_API_KEY"],
                "token": line["env"]["MOTEUR_TRELLO_TOKEN"],
            }
            assert requests.get(line["trello"] + "/members/me", params=params, timeout=5).status_code == 200
            process.send_signal(signal.SIGTERM)
            rest, errors = process.communicate(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0
    assert rest == "" and errors == ""
