"""Pacing under load: the limiter's count is conservative against a server that counts on arrival.

*Send* ``s``: the moment a request takes its slots; *arrive* ``a``: when the server counts it; *response*
``r``: when the client hears back, ``s ≤ a ≤ r``. The simulations below drive ``SlidingWindowLimiter`` on a
virtual clock through random interleavings of many requests in flight, and check the two servers moteur's
sandbox emulates: Trello's sliding window and Asana's minute window (``moteur.sandbox.asana.limits``).
"""

from __future__ import annotations

import heapq
import math
import threading
import time
from dataclasses import dataclass, field

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st
from virtual_clock import VirtualClock

from moteur.connectors.asana.transport import PER_MINUTE, pace
from moteur.connectors.http import ClientOptions, HttpClient, QueryAuth, RetryPolicy, SlidingWindowLimiter
from moteur.connectors.http.limiter import EDGE_SECONDS
from moteur.connectors.trello.transport import TOKEN_PACE, request_units, trello_auth, trello_options
from moteur.sandbox.asana.errors import AsanaError
from moteur.sandbox.asana.limits import WINDOW_S as ASANA_WINDOW
from moteur.sandbox.asana.limits import AsanaLimiter

BASE = "https://api.example.test/1"


# -- the simulation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    ready: float  # when the caller wants to send it
    units: int  # what the server counts for it (a batch: its actions)
    to_arrive: float  # send → arrival (queues, CPU contention, the network)
    to_answer: float  # arrival → response


@dataclass
class Run:
    """What happened: per request its send, arrival and response times, in request order."""

    sends: dict[int, float] = field(default_factory=dict)
    arrivals: list[tuple[float, int]] = field(default_factory=list)  # (time, units) in arrival order
    responses: dict[int, float] = field(default_factory=dict)


def simulate(requests: list[Request], limit: int, window: float, *, hold: bool = True) -> Run:
    """Every request in flight at once, each trying for its slots when ready, on one virtual clock.

    ``hold=False`` replays the old rule (a slot counted from its send only) for the regression test.
    """
    clock = VirtualClock()
    limiter = SlidingWindowLimiter(limit, window, clock=clock, sleep=clock.sleep)
    run = Run()
    events: list[tuple[float, int, str, int]] = []  # (time, order, kind, request)
    order = 0

    def at(moment: float, kind: str, index: int) -> None:
        nonlocal order
        order += 1
        heapq.heappush(events, (moment, order, kind, index))

    for index, request in enumerate(requests):
        at(request.ready, "try", index)
    blocked: list[int] = []  # waiting for some held slot to be released
    while events:
        clock.now, _, kind, index = heapq.heappop(events)
        request = requests[index]
        if kind == "try":
            wait = limiter.try_acquire(request.units, holder=index)
            if wait <= 0:
                run.sends[index] = clock.now
                if not hold:
                    limiter.release(holder=index)
                at(clock.now + request.to_arrive, "arrive", index)
            elif math.isinf(wait):
                blocked.append(index)
            else:
                at(clock.now + wait, "try", index)
        elif kind == "arrive":
            run.arrivals.append((clock.now, request.units))
            at(clock.now + request.to_answer, "answer", index)
        else:
            run.responses[index] = clock.now
            limiter.release(holder=index)
            for waiting in blocked:
                at(clock.now, "try", waiting)
            blocked.clear()
    return run


def busiest_window(arrivals: list[tuple[float, int]], window: float) -> int:
    """The most units the server counts in any window ``(a - window, a]`` ending at an arrival."""
    return max(
        (sum(u for t, u in arrivals if a - window < t <= a) for a, _ in arrivals),
        default=0,
    )


def asana_refusals(arrivals: list[tuple[float, int]], per_minute: int) -> int:
    """The 429s moteur's Asana sandbox limiter would answer to these arrivals for its minute budget (each
    request's in-flight slots are given back at once: the concurrency limit is not what is checked here)."""
    clock = VirtualClock()
    server = AsanaLimiter(clock, True, per_minute)
    refused = 0
    for moment, units in arrivals:
        clock.now = moment
        try:
            server.admit("token", units, 0)
        except AsanaError:
            refused += 1
        else:
            server.release("token", units, 0)
    return refused


delays = st.floats(min_value=0.0, max_value=4.0, allow_nan=False)
request_lists = st.lists(
    st.builds(
        Request,
        ready=st.floats(min_value=0.0, max_value=30.0, allow_nan=False),
        units=st.integers(min_value=1, max_value=3),
        to_arrive=delays,
        to_answer=delays,
    ),
    min_size=1,
    max_size=16,
)


@settings(max_examples=80, deadline=None)
@given(requests=request_lists, limit=st.integers(min_value=3, max_value=8))
def test_no_window_the_server_counts_ever_holds_more_than_the_limit(
    requests: list[Request], limit: int
) -> None:
    run = simulate(requests, limit, 10.0)
    assert len(run.responses) == len(requests)  # nobody starves: every request was sent and answered
    assert busiest_window(run.arrivals, 10.0) <= limit
    for index, request in enumerate(requests):
        assert run.sends[index] >= request.ready


@settings(max_examples=40, deadline=None)
@given(requests=request_lists, limit=st.integers(min_value=3, max_value=8))
def test_asanas_minute_windows_never_refuse_a_paced_run(requests: list[Request], limit: int) -> None:
    # Stretch the times to Asana's 60 s window; the sandbox limiter itself judges the arrivals.
    stretched = [Request(r.ready * 6, r.units, r.to_arrive * 6, r.to_answer * 6) for r in requests]
    run = simulate(stretched, limit, ASANA_WINDOW)
    assert asana_refusals(run.arrivals, limit) == 0


def test_the_old_rule_let_a_delayed_request_share_the_next_window() -> None:
    """Regression (Trello's 429 at 90 % pacing): A takes its slot at 0 but reaches the server at 9.9 s, just
    before the window ends; counting A from 0 freed its slot at 10 s, so C and D joined it in one window."""
    late = Request(0.0, 1, 9.9, 0.1)
    prompt = Request(0.0, 1, 0.0, 0.1)
    later = [Request(10.0, 1, 0.0, 0.1), Request(10.0, 1, 0.0, 0.1)]
    old = simulate([late, prompt, *later], 2, 10.0, hold=False)
    assert busiest_window(old.arrivals, 10.0) == 3  # the server's 429
    new = simulate([late, prompt, *later], 2, 10.0)
    assert busiest_window(new.arrivals, 10.0) == 2
    assert sorted(new.sends.values()) == pytest.approx(
        [0.0, 0.0, 10.1, 20.0], abs=0.01
    )  # A: to answer + 10 s


def test_the_price_is_a_round_trip_per_window_not_a_share_of_the_budget() -> None:
    requests = [Request(0.0, 1, 0.05, 0.05) for _ in range(30)]
    run = simulate(requests, 10, 10.0)
    assert max(run.sends.values()) == pytest.approx(2 * (10.0 + 0.1), abs=0.01)


# -- the blocking limiter ------------------------------------------------------------------------------


def test_a_slot_is_held_until_the_answer_then_counted_a_window_more() -> None:
    clock = VirtualClock()
    limiter = SlidingWindowLimiter(1, 10.0, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now = 3.0  # the answer comes 3 s later
    assert limiter.room_in() == math.inf  # still in flight: no end known yet
    limiter.release()
    assert limiter.acquire() == 10.0 + EDGE_SECONDS and clock.now == 13.0 + EDGE_SECONDS


def test_a_request_that_does_not_fit_whole_waits_without_holding_part_of_the_window() -> None:
    """Regression (Asana first sync: a third minute for 2,999 units of 3,000): the writer takes a batch's
    slots one by one; those taken just before the window filled were held through the wait, so counted in
    both windows. Now a holder's slots are taken again with the rest, all at once."""
    clock = VirtualClock()
    limiter = SlidingWindowLimiter(3, 10.0, clock=clock, sleep=clock.sleep)
    limiter.acquire(2, holder="earlier")
    limiter.release(holder="earlier")  # two units counted until 10 s
    limiter.acquire()  # the batch's first action: the last slot of this window
    room_while_waiting: list[float] = []

    def sleep(seconds: float) -> None:
        room_while_waiting.append(limiter.room_in())
        clock.sleep(seconds)

    limiter.sleep = sleep
    limiter.acquire()  # its second action does not fit: both wait for the window
    assert room_while_waiting == [0.0]  # the first one was not held meanwhile
    assert clock.now == 10.0 + EDGE_SECONDS and limiter.room_in() == 0.0  # both taken at 10 s


def test_a_request_that_can_never_fit_is_refused() -> None:
    limiter = SlidingWindowLimiter(2, 10.0)
    limiter.acquire(2)
    with pytest.raises(ValueError, match="never fit"):
        limiter.acquire()  # three for one request
    limiter.release()
    with pytest.raises(ValueError, match="never fit"):
        limiter.acquire(3)


def test_a_pause_adds_to_the_slots_in_flight() -> None:
    clock = VirtualClock()
    limiter = SlidingWindowLimiter(3, 10.0, clock=clock, sleep=clock.sleep)
    with limiter.slot():
        limiter.pause(25.0)  # a 429 with Retry-After: 25
        clock.now = 1.0
    assert limiter.acquire() == 24.0


def test_threads_wait_for_a_release_then_for_the_window() -> None:
    """Real threads, a 50 ms window: the third request waits for the first answer, then one window more."""
    limiter = SlidingWindowLimiter(2, 0.05)
    holding = threading.Barrier(3)
    answered: list[float] = []
    started: list[float] = []

    def first_two(delay: float) -> None:
        with limiter.slot():
            holding.wait()
            time.sleep(delay)
            answered.append(time.monotonic())

    threads = [threading.Thread(target=first_two, args=(d,)) for d in (0.02, 0.04)]
    for thread in threads:
        thread.start()
    holding.wait()
    limiter.acquire()
    started.append(time.monotonic())
    limiter.release()
    for thread in threads:
        thread.join()
    assert started[0] >= min(answered) + 0.05


# -- through the HTTP client ---------------------------------------------------------------------------


def paced_client(clock: VirtualClock, limiter: SlidingWindowLimiter) -> HttpClient:
    options = ClientOptions(
        tool="Trello",
        retry=RetryPolicy(max_attempts=2, rate_window=10.0),
        limiters=(limiter,),
        sleep=clock.sleep,
        jitter=lambda: 0.0,
    )
    return HttpClient(BASE, QueryAuth({"key": "k"}), options)


def answering_after(clock: VirtualClock, seconds: float) -> responses.CallbackResponse:
    def answer(_request: object) -> tuple[int, dict[str, str], str]:
        clock.now += seconds  # the round trip, on the virtual clock
        return 200, {}, "{}"

    return responses.CallbackResponse("GET", f"{BASE}/ping", callback=answer, content_type="application/json")


@responses.activate
def test_the_client_holds_its_slot_until_the_answer_arrives() -> None:
    clock = VirtualClock()
    responses.add(answering_after(clock, 3.0))
    http = paced_client(clock, SlidingWindowLimiter(1, 10.0, clock=clock, sleep=clock.sleep))
    http.request_json("GET", "/ping")
    http.request_json("GET", "/ping")
    assert clock.slept == [
        10.0 + EDGE_SECONDS
    ]  # answered at 3, counted until 13: the second waits from 3 to 13


@responses.activate
def test_extra_slots_taken_for_a_batchs_actions_end_with_its_answer() -> None:
    """Asana's writer takes one slot per further action in the sending thread, then sends the batch."""
    clock = VirtualClock()
    responses.add(answering_after(clock, 2.0))
    limiter = SlidingWindowLimiter(3, 60.0, clock=clock, sleep=clock.sleep)
    http = paced_client(clock, limiter)
    limiter.acquire(2)
    http.request_json("GET", "/ping")
    # All three were held until the answer at 2 s, then counted 60 s more.
    assert clock.now == 2.0 and limiter.room_in() == 60.0 + EDGE_SECONDS


@responses.activate
def test_a_trello_batch_takes_one_slot_per_inner_url() -> None:
    clock = VirtualClock()
    responses.get(f"{BASE}/batch", json=[])
    options = trello_options("k" * 32, "t" * 64, runtime=clock.runtime())
    http = HttpClient(BASE, trello_auth("k" * 32, "t" * 64), options)
    urls = ",".join(f"/boards/b/cards?fields=name,idList&page={i}" for i in range(10))
    for _ in range(TOKEN_PACE // 10):
        http.request_json("GET", "/batch", params={"urls": urls})
    assert clock.slept == []
    http.request_json("GET", "/batch", params={"urls": urls})
    assert clock.slept == [10.0 + EDGE_SECONDS]


def test_request_units() -> None:
    # Trello splits urls on every literal comma; a comma inside a route travels as %2C.
    nine = ",".join(["/boards/b?fields=name%2Cdesc", "/boards/b/lists?fields=name%2Cclosed", *["/x"] * 7])
    assert request_units("GET", "/batch", {"urls": nine}) == 9
    assert request_units("GET", "/batch", {"urls": "/boards/b?fields=name,desc"}) == 2
    assert request_units("GET", "/boards/b", {"fields": "a,/b"}) == 1
    assert request_units("PUT", "/cards/c", {}) == 1


def test_asana_paces_at_its_published_budget() -> None:
    """Two minutes' budget hold the 2,000-task first sync's ≈ 3,000 units only at the full 1,500 a minute."""
    assert pace("paid") == PER_MINUTE["paid"] == 1500 and pace("free") == 150
    assert math.ceil(2999 / pace("paid")) == 2
