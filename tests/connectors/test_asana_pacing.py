"""Asana batch sizing: ``Pacing`` alone, then over the real limiter on a virtual clock.

Issue 10 asks the 2,000-task first sync (2,969 batch actions after ≈ 30 plain requests: 2,999 of the 3,000
units two minutes hold) to end within 1.2 × the rate-limit floor, with at most 1.2 × the fewest batches. Two
costs this pins: a batch that did not fit the room left at a window's edge waited a whole minute (the sync
spilled into a third one), and one full batch held 10 of the 15 write slots, so batches flew one at a time.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from typing import Any, cast

import pytest
import responses
from virtual_clock import VirtualClock
from werkzeug.serving import make_server

from connectors.contract import plan_for
from moteur.connectors.asana import AsanaConnector
from moteur.connectors.asana.schema import ProjectSchema
from moteur.connectors.asana.transport import asana_client, asana_options, rate_limiter, tier_of
from moteur.connectors.asana.write_pacing import BATCH_SIZE, Pacing
from moteur.connectors.asana.writer import ItemWriter, Write
from moteur.connectors.http import HttpClient, SlidingWindowLimiter, bearer_auth
from moteur.core.diff import WriteBack
from moteur.core.model import BoardRef, Tool
from moteur.sandbox.asana import TOKEN
from moteur.sandbox.server import SandboxApp
from moteur.settings import Settings

BASE = "https://asana.example.test/api/1.0"
FIRST_SYNC_WRITES = 2969  # the bulk:2000 board's first sync (benchmarks/sync_scenarios.py)
READS = 30  # the plain requests before and around it
LIMIT, WINDOW, WRITE_SLOTS = 1500, 60.0, 15


def size(pacing: Pacing, **given: Any) -> int:
    state = {"left": 500, "sent_batches": 0, "sent_writes": 0, "free_slots": 15, "in_flight": 0}
    state |= {"room": 1500, "full_wait": 0.0}
    return pacing.next_size(**(state | given))


# -- the sizing rule ------------------------------------------------------------------------------------


def test_the_first_sync_may_use_326_batches_three_kept_for_window_edges() -> None:
    """1.1 × the fewest (297): the bound on all requests, which a first sync's batches dominate."""
    assert Pacing.for_writes(FIRST_SYNC_WRITES, LIMIT) == Pacing(FIRST_SYNC_WRITES, 326, 3)
    assert Pacing.for_writes(20, None) == Pacing(20, 2, 0)


def test_a_full_batch_goes_when_the_window_has_room() -> None:
    pacing = Pacing.for_writes(500, LIMIT)
    assert size(pacing) == BATCH_SIZE
    assert size(pacing, left=4) == 4  # the last batch carries what is left: still full


def test_a_window_edge_is_filled_now_rather_than_a_minute_later() -> None:
    """Regression: 9 units left in the first minute waited for a 10-action batch's room, 60 s on."""
    pacing = Pacing.for_writes(500, LIMIT)
    assert size(pacing, room=9, full_wait=55.0) == 9
    assert size(pacing, room=0, full_wait=55.0) == 0


def test_a_full_batch_whose_room_comes_soon_is_waited_for() -> None:
    """Mid-window room comes back as earlier batches' units expire: a short batch would waste a request."""
    assert size(Pacing.for_writes(500, LIMIT), room=4, full_wait=0.3) == 0


def test_the_room_is_judged_at_a_window_edge_only_once_batches_in_flight_are_answered() -> None:
    assert size(Pacing.for_writes(500, LIMIT), room=9, full_wait=55.0, in_flight=1, free_slots=5) == 0


def test_a_short_send_never_pays_a_request_more() -> None:
    pacing = Pacing.for_writes(20, LIMIT)
    assert size(pacing, left=20, room=9, full_wait=55.0) == 0
    assert size(pacing, left=20, in_flight=1, free_slots=5) == 0


def test_a_side_lane_flies_beside_a_full_batch_at_the_budgets_pace() -> None:
    pacing = Pacing.for_writes(FIRST_SYNC_WRITES, LIMIT)
    beside = {"in_flight": 1, "free_slots": WRITE_SLOTS - BATCH_SIZE}
    assert size(pacing, **beside, sent_batches=1, sent_writes=10) == 0  # ahead of the pace: not yet
    assert size(pacing, **beside, sent_batches=10, sent_writes=100) == 5
    # Near the end the budget is kept for full batches and window edges.
    assert size(pacing, **beside, left=100, sent_batches=313, sent_writes=2869) == 0


# -- over the limiter, on a virtual clock ------------------------------------------------------------------


def round_trip(actions: int) -> float:
    """50 ms of latency plus the server's work per action (measured on the sandbox: ≈ 56 ms for ten)."""
    return 0.05 + 0.0006 * actions


def first_sync(lanes: int) -> tuple[float, list[int]]:
    """(end, batch sizes) of the first sync's writes after its reads, batches sized as ``ItemWriter`` does."""
    clock = VirtualClock()
    limiter = SlidingWindowLimiter(LIMIT, WINDOW, clock=clock, sleep=clock.sleep)
    for _ in range(READS):  # one at a time, each a round trip
        limiter.acquire(1, holder="read")
        clock.now += round_trip(1)
        limiter.release("read")
    pacing = Pacing.for_writes(FIRST_SYNC_WRITES, LIMIT)
    flying: list[tuple[float, int, int]] = []  # (answered at, actions, holder)
    left, sizes = FIRST_SYNC_WRITES, []
    while left or flying:
        chosen, wait = 0, math.inf
        if left and len(flying) < lanes:
            want = min(BATCH_SIZE, left, WRITE_SLOTS - sum(n for _, n, _ in flying))
            room = next((u for u in range(want, 0, -1) if limiter.room_in(u) <= 0), 0)
            wait = limiter.room_in(want)
            chosen = pacing.next_size(
                left=left,
                sent_batches=len(sizes),
                sent_writes=FIRST_SYNC_WRITES - left,
                free_slots=WRITE_SLOTS - sum(n for _, n, _ in flying),
                in_flight=len(flying),
                room=room,
                full_wait=wait,
            )
        if chosen:
            assert limiter.try_acquire(chosen, holder=len(sizes)) == 0
            flying.append((clock.now + round_trip(chosen), chosen, len(sizes)))
            sizes.append(chosen)
            left -= chosen
            continue
        flying.sort()
        if flying and (wait <= 0 or flying[0][0] <= clock.now + wait):  # no room to wait for: an answer
            answered, _, holder = flying.pop(0)
            clock.now = max(clock.now, answered)
            limiter.release(holder)
        else:
            clock.sleep(wait)
    return clock.now, sizes


def test_a_two_minute_first_sync_ends_early_in_its_second_minute_within_the_request_budget() -> None:
    end, sizes = first_sync(lanes=2)
    one_lane_end, one_lane_sizes = first_sync(lanes=1)
    assert sum(sizes) == FIRST_SYNC_WRITES
    assert len(sizes) <= math.floor(1.1 * math.ceil(FIRST_SYNC_WRITES / BATCH_SIZE))  # 326
    assert WINDOW < end < 1.2 * WINDOW and one_lane_end < 1.2 * WINDOW  # no third minute
    assert end < one_lane_end  # the side lane carries 5 writes more a round trip while it flies
    assert len(one_lane_sizes) <= math.ceil(FIRST_SYNC_WRITES / BATCH_SIZE) + 2  # full but for the edges


# -- through the writer ------------------------------------------------------------------------------------


@responses.activate
def test_the_writer_fills_a_window_edge_then_waits_for_the_next_window() -> None:
    clock = VirtualClock()
    sent: list[int] = []

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        actions = json.loads(request.body)["data"]["actions"]
        sent.append(len(actions))
        clock.now += round_trip(len(actions))
        return 200, {}, json.dumps({"data": [{"status_code": 200, "body": {"data": {}}} for _ in actions]})

    responses.add_callback("POST", f"{BASE}/batch", callback=answer, content_type="application/json")
    options = asana_options("t" * 40, runtime=clock.runtime())
    client = HttpClient(BASE, bearer_auth("t" * 40), options)
    limiter = rate_limiter(client)
    assert limiter is not None
    limiter.acquire(1491, holder="earlier")  # 9 units left in this minute
    limiter.release("earlier")
    writer = ItemWriter(client, cast(ProjectSchema, None), {}, WriteBack(targets={}), workers=1)
    writes = [Write("PUT", f"/tasks/{i}", {"custom_fields": {}}, [i]) for i in range(100)]
    done: list[int] = []
    assert writer.send(writes, done.extend) == {}
    assert sorted(done) == list(range(100))
    assert sent == [9, *[10] * 9, 1]
    assert len(clock.slept) == 1 and WINDOW - 1 < clock.slept[0] <= WINDOW + 0.01


# -- the free tier: 150 a minute, from the settings or from Asana's first 402 ------------------------------


@pytest.fixture(scope="module")
def free_server() -> Iterator[tuple[SandboxApp, str, VirtualClock]]:
    """A free-tier sandbox with Asana's limits on, on a virtual clock the connector shares: the emulator
    answers 429 past 150 units in its minute, and no test waits for real."""
    clock = VirtualClock()
    app = SandboxApp(seed="bulk:200", rate_limits=True, asana_tier="free", clock=clock)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.port}", clock
    finally:
        server.shutdown()
        thread.join(timeout=5)


def free_connector(
    served: tuple[SandboxApp, str, VirtualClock], tier: str
) -> tuple[AsanaConnector, BoardRef, SandboxApp]:
    app, url, clock = served
    app.reset("bulk:200")
    clock.now += 3 * WINDOW  # a fresh window on both sides
    settings = Settings(asana_token=TOKEN, asana_url=f"{url}/asana/api/1.0", asana_tier=tier)
    options = asana_options(TOKEN, tier, runtime=clock.runtime(), timeout=(2.0, 5.0))
    connector = AsanaConnector(settings, http=asana_client(settings, options))
    return connector, BoardRef(tool=Tool.ASANA, board=app.boards["asana"][0].split(":", 1)[1]), app


def test_a_free_setting_paces_at_150_a_minute_from_the_first_request(
    free_server: tuple[SandboxApp, str, VirtualClock],
) -> None:
    connector, _, _ = free_connector(free_server, "free")
    limiter = rate_limiter(connector.http)
    assert limiter is not None and limiter.limit == 150 and tier_of(connector.http) == "free"
    assert "(free: 150 a minute)" in connector.estimate((), ())


def test_a_paid_setting_on_a_free_workspace_slows_to_150_at_the_first_402(
    free_server: tuple[SandboxApp, str, VirtualClock],
) -> None:
    """The settings say paid (the default); Asana's 402 to the Sprint field says the domain is free. From
    then on moteur paces at 150 a minute, so the rest of the sync (over 150 units) meets no 429."""
    connector, ref, app = free_connector(free_server, "paid")
    clock = free_server[2]
    assert tier_of(connector.http) == "paid"
    snapshot = connector.read(ref)
    plan = plan_for(snapshot, connector).boards[0].plan
    started = clock.now
    results = connector.apply(snapshot, plan.schema_ops, plan.item_ops)
    log = [e for e in app.requests_log() if e["tool"] == "asana"]
    units = sum(len(e["root_fields"]) or 1 for e in log)
    assert tier_of(connector.http) == "free" and any(e["status"] == 402 for e in log)
    assert units > 150 and clock.now - started >= WINDOW  # it waited for the next minute
    assert [e["status"] for e in log if e["status"] == 429] == []
    failed = [r for r in results if not r.ok]
    assert all("premium" in (r.error or "") for r in failed)  # ICE alone: no tags without custom fields


def test_a_402_inside_a_batch_slows_the_token_too(free_server: tuple[SandboxApp, str, VirtualClock]) -> None:
    connector, ref, _ = free_connector(free_server, "paid")
    snapshot = connector.read(ref)
    schema = ProjectSchema(connector.http, snapshot, fields_on=True)
    impact = schema.field("Impact")
    assert impact is not None
    task = snapshot.actions[0].ref.item
    writer = ItemWriter(connector.http, schema, {}, WriteBack(targets={}))
    errors = writer.send([Write("PUT", f"/tasks/{task}", {"custom_fields": {impact["gid"]: 3}}, [0])])
    assert "premium" in errors[0]
    assert tier_of(connector.http) == "free"
