"""The shared HTTP layer: the retry policy as exact series and tables, the limiter on a virtual clock,
redaction of failures and logs, and transport failures (``responses``) classified at the boundary."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
import requests
import responses
from virtual_clock import VirtualClock

from moteur.connectors.http import (
    AmbiguousWrite,
    ClientOptions,
    HttpClient,
    QueryAuth,
    RetryPolicy,
    SlidingWindowLimiter,
    retry_delay,
    should_retry,
)
from moteur.connectors.http.limiter import EDGE_SECONDS
from moteur.connectors.trello.transport import trello_auth
from moteur.core.errors import AuthError, NotFound, RemoteError

KEY = "0123456789abcdef0123456789abcdef"
TOKEN = "ATTAsecret" + "9" * 54
BASE = "https://api.trello.com/1"


def client(clock: VirtualClock, *, query_auth: bool = True, attempts: int = 3) -> HttpClient:
    auth = QueryAuth({"key": KEY, "token": TOKEN}) if query_auth else trello_auth(KEY, TOKEN)
    options = ClientOptions(
        tool="Trello",
        credential_vars=("MOTEUR_TRELLO_API_KEY", "MOTEUR_TRELLO_TOKEN"),
        timeout=(0.5, 0.5),
        retry=RetryPolicy(max_attempts=attempts, rate_window=10.0),
        sleep=clock.sleep,
        jitter=lambda: 0.0,
    )
    return HttpClient(BASE, auth, options)


# -- the pure policy ------


def test_backoff_series_without_jitter_doubles_then_caps() -> None:
    assert [retry_delay(n, None, 0.0) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]


def test_backoff_series_with_jitter_stretches_and_stays_capped() -> None:
    assert [retry_delay(n, None, 0.5) for n in range(1, 7)] == [0.75, 1.5, 3, 6, 12, 24]
    assert retry_delay(7, None, 0.99) == 30


def test_server_hint_is_honoured_plus_jitter_up_to_max_wait() -> None:
    assert [retry_delay(n, 10.0, 0.0) for n in (1, 2, 5)] == [10, 10, 10]  # Trello: wait out the window
    assert retry_delay(1, 3.0, 0.25) == 3.25
    assert retry_delay(1, 500.0, 0.0) == 120
    assert retry_delay(1, -4.0, 0.0) == 0


DROPPED = requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected")
READ_TIMEOUT = requests.exceptions.ReadTimeout("read timed out")
CONNECT_TIMEOUT = requests.exceptions.ConnectTimeout("connect timed out")


@pytest.mark.parametrize(
    ("status", "error", "attempt", "idempotent", "expected"),
    [
        (429, None, 1, False, True),  # a refusal: nothing applied
        (503, None, 1, False, True),
        (500, None, 1, True, True),
        (500, None, 1, False, False),  # may have been applied
        (502, None, 2, True, True),
        (404, None, 1, True, False),
        (400, None, 1, True, False),
        (200, None, 1, True, False),
        (429, None, 5, True, False),  # attempts used up
        (None, DROPPED, 1, True, True),
        (None, DROPPED, 1, False, False),  # ambiguous for a create
        (None, READ_TIMEOUT, 1, True, True),
        (None, READ_TIMEOUT, 1, False, False),
        (None, CONNECT_TIMEOUT, 1, False, True),  # never sent
        (None, ValueError("bug"), 1, True, False),  # not a network error
    ],
)
def test_should_retry_table(
    status: int | None, error: Exception | None, attempt: int, idempotent: bool, expected: bool
) -> None:
    assert should_retry(status, error, attempt, idempotent) is expected


# -- pacing ------


def test_limiter_paces_one_hundred_requests_per_ten_second_window() -> None:
    clock = VirtualClock()
    limiter = SlidingWindowLimiter(100, 10.0, clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(250):
        limiter.acquire()
        stamps.append(clock.now)
        limiter.release()  # answered at once: counted until now + 10 s
    assert stamps[99] == 0.0 and stamps[100] == pytest.approx(10.0, abs=0.01)
    assert stamps[200] == pytest.approx(20.0, abs=0.01)
    for i in range(len(stamps) - 100):
        assert stamps[i + 100] - stamps[i] > 10.0  # never 101 in one window
    assert clock.slept == pytest.approx([10.0, 10.0], abs=0.01)


def test_limiter_pause_holds_every_caller_for_the_window() -> None:
    clock = VirtualClock()
    limiter = SlidingWindowLimiter(90, 10.0, clock=clock, sleep=clock.sleep)
    limiter.pause(10.0)
    assert limiter.acquire() == 10.0


# -- over HTTP (responses) ------


@responses.activate
def test_a_429_waits_out_the_window_then_succeeds() -> None:
    responses.get(f"{BASE}/boards/b1", status=429, json={"error": "API_TOKEN_LIMIT_EXCEEDED"})
    responses.get(f"{BASE}/boards/b1", json={"id": "b1"})
    clock = VirtualClock()
    http = client(clock)
    assert http.request_json("GET", "/boards/b1") == {"id": "b1"}
    assert clock.slept == [10.0]
    stats = http.stats()
    assert (stats.requests, stats.retries, stats.rate_limited) == (2, 1, 1)


@responses.activate
def test_the_tool_observes_every_answer_once_its_slots_are_released() -> None:
    """What an answer says of the rate limit is read after the request stopped being held: the limiter
    then counts it as its own, and only the rest of the server's count as another client's."""
    responses.get(f"{BASE}/boards/b1", json={"id": "b1"}, headers={"x-rate-limit-api-token-remaining": "97"})
    clock = VirtualClock()
    limiter = SlidingWindowLimiter(99, 10.0, clock=clock, sleep=clock.sleep)
    seen: list[tuple[str | None, float]] = []

    def observe(response: requests.Response) -> None:
        seen.append((response.headers.get("x-rate-limit-api-token-remaining"), limiter.room_in(99)))
        limiter.observe(int(response.headers["x-rate-limit-api-token-remaining"]), 100)

    options = replace(client(clock).options, limiters=(limiter,), observe=observe)
    HttpClient(BASE, QueryAuth({"key": KEY, "token": TOKEN}), options).request_json("GET", "/boards/b1")
    assert seen == [("97", 10.0 + EDGE_SECONDS)]  # released: counted a window from the answer, not held
    # The server counts 3: 1 ours, 2 another's; 99 - 3 are left.
    assert limiter.room_in(96) == 0.0 and limiter.room_in(97) > 0.0


@responses.activate
def test_connection_refused_is_retried_then_names_the_host(caplog: pytest.LogCaptureFixture) -> None:
    responses.get(f"{BASE}/boards/b1", body=requests.exceptions.ConnectionError("Connection refused"))
    clock = VirtualClock()
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RemoteError) as caught:
        client(clock).request_json("GET", "/boards/b1", params={"fields": "name"})
    text = str(caught.value)
    assert "cannot reach api.trello.com" in text and "connection refused" in text
    assert len(clock.slept) == 2  # three attempts
    for shown in (text, caplog.text, repr(caught.value.__cause__)):
        assert KEY not in shown and TOKEN not in shown


@responses.activate
def test_html_where_json_was_expected_is_a_clear_remote_error() -> None:
    responses.get(f"{BASE}/boards/b1", body="<html><body>Welcome</body></html>", content_type="text/html")
    with pytest.raises(RemoteError) as caught:
        client(VirtualClock()).request_json("GET", "/boards/b1")
    assert "an HTML page where JSON was expected" in str(caught.value)


@responses.activate
def test_401_names_the_variables_and_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    responses.get(f"{BASE}/boards/b1", status=401, body=f"invalid token {TOKEN}")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as caught:
        client(VirtualClock()).request_json("GET", "/boards/b1")
    assert "MOTEUR_TRELLO_API_KEY / MOTEUR_TRELLO_TOKEN" in str(caught.value)
    assert TOKEN not in str(caught.value) and TOKEN not in caplog.text and KEY not in caplog.text


@responses.activate
def test_404_names_the_object() -> None:
    responses.get(f"{BASE}/boards/b1", status=404, body="The requested resource was not found.")
    with pytest.raises(NotFound, match="board b1 not found"):
        client(VirtualClock()).request_json("GET", "/boards/b1", what="board b1")


@responses.activate
def test_a_dropped_create_is_never_resent_blindly() -> None:
    responses.post(f"{BASE}/labels", body=requests.exceptions.ConnectionError("Connection aborted"))
    clock = VirtualClock()
    http = client(clock, query_auth=False)
    with pytest.raises(AmbiguousWrite) as caught:
        http.request_json("POST", "/labels", params={"name": "Quick win"})
    assert caught.value.retriable and clock.slept == [] and http.stats().requests == 1
