"""Two runs on one token at once share its rate limit and both finish.

Two processes are two runtimes (``moteur.runtime.Runtime``): each its own limiters, nothing shared but the
token. End to end, they run in two threads against a sandbox that enforces Trello's limits per token (100
requests in any 10 s, ``moteur.sandbox.trello.emulator``), on one virtual clock that the sandbox and both
runtimes read: every wait moves it, so the windows pass without real time. That clock moves for both runs
when either waits, which makes them contend less than two processes would; the simulation below keeps one
timeline for both (a run waiting while the other sends) and checks the worst case: a run that keeps the
window full when the second one starts.
"""

from __future__ import annotations

import heapq
import json
import math
import os
import random
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import responses
from migration.support import carried, differences, migrate
from virtual_clock import VirtualClock
from werkzeug.serving import make_server

from moteur.connectors.asana.transport import PER_MINUTE
from moteur.connectors.http import HttpClient, SlidingWindowLimiter
from moteur.connectors.trello import TrelloConnector
from moteur.connectors.trello.transport import (
    RESERVE,
    TOKEN_LIMIT,
    TOKEN_PACE,
    request_units,
    trello_auth,
    trello_options,
)
from moteur.core.errors import RateLimited
from moteur.core.model import BoardRef, Tool
from moteur.engine.state import StateStore
from moteur.runtime import Runtime, installed
from moteur.sandbox.asana.errors import AsanaError
from moteur.sandbox.asana.limits import AsanaLimiter
from moteur.sandbox.server import SandboxApp
from moteur.sandbox.trello import TrelloEmulator
from moteur.settings import Settings

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO / "tests" / "contract" / "fixtures")) / "trello"
CLIPKIT = FIXTURES / "ja_clipkit_board.json"  # 67 cards: a migration of it spends about two windows alone


@pytest.fixture
def limited() -> Iterator[tuple[SandboxApp, str, VirtualClock]]:
    """A sandbox with the vendors' limits on, on a virtual clock, served over HTTP."""
    clock = VirtualClock()
    app = SandboxApp(seed="empty", rate_limits=True, clock=clock)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.port}", clock
    finally:
        server.shutdown()
        thread.join(timeout=5)


def process(url: str, app: SandboxApp, clock: VirtualClock, seed: int) -> tuple[Runtime, TrelloConnector]:
    """What one moteur process on the token has: a runtime of its own, a connector on it."""
    runtime = Runtime(clock=clock, sleep=clock.sleep, jitter=random.Random(seed).random)
    credentials = app.credentials()
    settings = Settings(
        trello_api_key=credentials["MOTEUR_TRELLO_API_KEY"],
        trello_token=credentials["MOTEUR_TRELLO_TOKEN"],
        trello_url=f"{url}/trello/1",
    )
    return runtime, TrelloConnector(settings, runtime=runtime)


@pytest.mark.skipif(not CLIPKIT.exists(), reason=f"Trello export fixtures not found in {FIXTURES}")
@pytest.mark.parametrize("reports", [True, False], ids=["with-trello-reports", "without"])
def test_two_migrations_on_one_token_share_its_limit_and_both_finish(
    limited: tuple[SandboxApp, str, VirtualClock], tmp_path: Path, reports: bool
) -> None:
    """With Trello's ``x-rate-limit-*`` reports each run sees the other's requests and they share the window
    (a 429 at most where both took the last slot at once); without them a run meets 429s where the other
    filled the window and waits them out. Either way both copies are whole."""
    app, url, clock = limited
    trello = app.emulators["trello"]
    assert isinstance(trello, TrelloEmulator)
    trello.reports = reports
    export = json.loads(CLIPKIT.read_text(encoding="utf-8"))
    sources = [BoardRef(tool=Tool.TRELLO, board=trello.import_board(export)) for _ in range(2)]
    limiters: list[SlidingWindowLimiter] = []
    together = threading.Barrier(2)

    def run(index: int) -> list[str]:
        """One process's migration to a new board: what differs between its source and its copy."""
        _, port = process(url, app, clock, seed=index)
        limiters.append(port.http.options.limiters[0])
        new = BoardRef(tool=Tool.TRELLO, board="new")
        together.wait(timeout=30)
        with StateStore(f"sqlite:///{tmp_path / f'state{index}.db'}") as store:
            prepared, outcome = migrate(store, port, sources[index], port, new, name=f"copy {index}")
        assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:3]
        target = prepared.target.board
        copy = port.read_full(target, include_archived=True)
        assert len(copy.actions) == len(carried(prepared.source)) > 0
        return differences(prepared.source, copy, port.capabilities(copy))

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(run, range(2))) == [[], []]
    log = [e for e in app.requests_log() if e["tool"] == "trello"]
    assert not [e for e in log if e.get("refused")]
    assert sum(units(e) for e in log) > 2 * TOKEN_LIMIT  # more than a window's worth each: they had to share
    if reports:
        assert any(limiter.most_others > 0 for limiter in limiters)  # the other's requests were seen
        assert len([e for e in log if e["status"] == 429]) <= len(log) // 20


def test_connectors_of_one_run_share_each_tokens_limiter() -> None:
    """Several boards of one token in one ``sync``: their connectors spend one budget, not one each; another
    run (another runtime) has its own."""
    settings = Settings(
        trello_api_key="k" * 32, trello_token="t" * 64, trello_url="https://api.trello.test/1"
    )
    with installed(VirtualClock().runtime()):
        first, second = TrelloConnector(settings), TrelloConnector(settings)
    elsewhere = TrelloConnector(settings, runtime=VirtualClock().runtime())
    assert first.http.options.limiters[0] is second.http.options.limiters[0]
    assert elsewhere.http.options.limiters[0] is not first.http.options.limiters[0]


def units(entry: dict[str, Any]) -> int:
    """What the sandbox counted for a logged request (a ``/batch``: its routes)."""
    if entry["path"].rstrip("/") != "/batch":
        return 1
    return request_units("GET", "/batch", entry["query"])


def test_a_report_of_another_clients_units_takes_room_from_this_limiter() -> None:
    clock = VirtualClock()
    limiter = SlidingWindowLimiter(TOKEN_PACE, 10.0, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        limiter.acquire()
        limiter.release()
    limiter.observe(remaining=TOKEN_LIMIT - 70, server_limit=TOKEN_LIMIT)  # 60 of the 70 are another's
    assert limiter.room_in(TOKEN_PACE - 70) == 0.0 and limiter.room_in(TOKEN_PACE - 69) > 0.0
    assert not limiter.shared()  # maybe a run that has just ended: its units are all gone within a window
    clock.now += 6.0
    limiter.observe(remaining=TOKEN_LIMIT - 30, server_limit=TOKEN_LIMIT)  # the other's 20 now
    clock.now += 6.0  # the first report's units are gone: these 10 arrived since, the other is active
    limiter.observe(remaining=TOKEN_LIMIT - 10, server_limit=TOKEN_LIMIT)
    assert limiter.shared()
    # Shared: at most half of the limit for this one, whatever the other leaves.
    assert limiter.room_in(TOKEN_PACE // 2) == 0.0 and limiter.room_in(TOKEN_PACE // 2 + 1) > 0.0
    clock.now += 10.0 + 0.01  # a window without a report of the other: alone again
    assert not limiter.shared() and limiter.room_in(TOKEN_PACE) == 0.0


def test_a_client_alone_never_takes_its_own_units_for_anothers() -> None:
    """The server counts a unit from its arrival, the limiter from its send until its answer + a window:
    what the server reports is never more than the limiter's own count, so a run alone is never shared."""
    clock = VirtualClock()
    limiter = SlidingWindowLimiter(TOKEN_PACE, 10.0, clock=clock, sleep=clock.sleep)
    arrivals: list[float] = []
    for _ in range(3 * TOKEN_PACE):
        limiter.acquire()
        clock.now += 0.01  # to the server
        arrivals.append(clock.now)
        counted = sum(1 for at in arrivals if at > clock.now - 10.0)
        clock.now += 0.02  # back
        limiter.release()
        limiter.observe(remaining=TOKEN_LIMIT - counted, server_limit=TOKEN_LIMIT)
        assert not limiter.shared()


@responses.activate
def test_a_token_that_stays_over_its_limit_stops_the_run_after_its_patience_in_one_line() -> None:
    base = "https://api.trello.example/1"
    responses.get(f"{base}/boards/b1", json={"error": "API_TOKEN_LIMIT_EXCEEDED"}, status=429)
    clock = VirtualClock()
    options = trello_options("k" * 32, "t" * 64, runtime=clock.runtime())
    client = HttpClient(base, trello_auth("k" * 32, "t" * 64), options)
    with pytest.raises(RateLimited) as caught:
        client.request_json("GET", "/boards/b1", what="board b1")
    patience = options.retry.rate_patience
    assert sum(clock.slept) == pytest.approx(patience)  # waited out window after window, then stopped
    message = str(caught.value)
    assert "\n" not in message and "another program" in message and "10 min" in message
    assert caught.value.hint is not None and "run the same command again" in caught.value.hint


@responses.activate
def test_refusals_do_not_use_up_the_attempts_of_other_failures() -> None:
    base = "https://api.trello.example/1"
    refused = {"json": {"error": "API_TOKEN_LIMIT_EXCEEDED"}, "status": 429}
    for _ in range(8):
        responses.get(f"{base}/boards/b1", **refused)  # type: ignore[arg-type]
    responses.get(f"{base}/boards/b1", status=502, body="Bad Gateway")
    responses.get(f"{base}/boards/b1", json={"id": "b1"})
    clock = VirtualClock()
    client = HttpClient(
        base, trello_auth("k" * 32, "t" * 64), trello_options("k" * 32, "t" * 64, runtime=clock.runtime())
    )
    assert client.request_json("GET", "/boards/b1") == {"id": "b1"}
    assert client.stats().rate_limited == 8 and client.stats().requests == 10
    assert clock.slept[:8] == [10.0] * 8 and clock.slept[8] == 0.5  # the 502's backoff starts at the first


# -- two runs on one timeline: a discrete-event simulation of the Trello server and two moteur runs --------

ROUND_TRIP = 0.04  # 20 ms each way: a run alone would send 250 requests a window, the limit binds
WINDOW = 10.0
OLD_ATTEMPTS = 5  # what one request had before rate refusals were waited out by time


@dataclass
class Run:
    """One moteur process sending ``wanted`` requests one after the other, from ``start``."""

    limiter: SlidingWindowLimiter
    wanted: int
    start: float
    jitter: random.Random
    sent: int = 0
    refusals_in_a_row: int = 0
    most_refusals_in_a_row: int = 0
    finished: float | None = None


class TrelloServer:
    """Trello's counting: each token's arrivals over the last 10 s, refused past 100 (uncounted), no
    ``Retry-After`` (the client waits a window), what is left reported with every answer."""

    window = WINDOW

    def __init__(self, clock: VirtualClock) -> None:
        self.clock, self.hits = clock, deque[float]()

    def admit(self) -> float | None:
        """None when the request is served; else the seconds the refusal says to wait (or None said)."""
        while self.hits and self.hits[0] <= self.clock.now - WINDOW:
            self.hits.popleft()
        if len(self.hits) >= TOKEN_LIMIT:
            return WINDOW
        self.hits.append(self.clock.now)
        return None

    def remaining(self) -> int:
        return TOKEN_LIMIT - len(self.hits)


class AsanaServer:
    """Asana's counting as the sandbox does it (``moteur.sandbox.asana.limits``): minute windows per token,
    refused requests counted too, ``Retry-After`` to the window's end; nothing reported."""

    window = 60.0

    def __init__(self, clock: VirtualClock) -> None:
        self.limiter = AsanaLimiter(clock, True, PER_MINUTE["paid"])

    def admit(self) -> float | None:
        try:
            self.limiter.admit("token", 1, 0)
        except AsanaError as refusal:
            return float(refusal.headers["Retry-After"])
        self.limiter.release("token", 1, 0)
        return None


def two_runs(
    *,
    reserve: int,
    reports: bool,
    plan: tuple[tuple[int, float], ...] = ((1000, 0.0), (300, 25.0)),
    server: type[TrelloServer | AsanaServer] = TrelloServer,
    limit: int = TOKEN_LIMIT,
) -> list[Run]:
    """Runs of ``plan`` (requests, start): by default A from 0 (1,000 requests) and B from 25 s (300), each
    paced by its own limiter at ``limit - reserve``, one request at a time, against ``server``. A refusal is
    waited out as ``HttpClient`` does: what it says (or a window) plus up to a second of jitter, every caller
    of the run paused."""
    clock = VirtualClock()
    counter = server(clock)
    runs = [
        Run(
            SlidingWindowLimiter(limit - reserve, counter.window, clock=clock, sleep=clock.sleep),
            n,
            t,
            random.Random(i),
        )
        for i, (n, t) in enumerate(plan)
    ]
    events: list[tuple[float, int, str, int]] = []
    order = 0

    def at(moment: float, kind: str, who: int) -> None:
        nonlocal order
        order += 1
        heapq.heappush(events, (moment, order, kind, who))

    for who, run in enumerate(runs):
        at(run.start, "try", who)
    refusal: dict[int, float | None] = {}
    while events:
        clock.now, _, kind, who = heapq.heappop(events)
        run = runs[who]
        if kind == "try":
            wait = run.limiter.try_acquire(1, holder=who)
            if wait <= 0:
                at(clock.now + ROUND_TRIP / 2, "arrive", who)
            else:
                at(clock.now + (wait if wait < math.inf else 0.05), "try", who)
        elif kind == "arrive":
            refusal[who] = counter.admit()
            at(clock.now + ROUND_TRIP / 2, "answer", who)
        else:
            run.limiter.release(holder=who)
            if reports and isinstance(counter, TrelloServer):
                run.limiter.observe(counter.remaining(), TOKEN_LIMIT)
            wait = refusal[who]
            if wait is None:
                run.sent, run.refusals_in_a_row = run.sent + 1, 0
                if run.sent == run.wanted:
                    run.finished = clock.now
                    continue
                at(clock.now, "try", who)
            else:
                run.refusals_in_a_row += 1
                run.most_refusals_in_a_row = max(run.most_refusals_in_a_row, run.refusals_in_a_row)
                delay = wait + run.jitter.random()
                run.limiter.pause(delay)
                at(clock.now + delay, "try", who)
    return runs


def test_a_second_run_started_beside_a_full_one_shares_the_window_and_both_finish() -> None:
    first, second = two_runs(reserve=RESERVE, reports=True)
    assert first.finished is not None and second.finished is not None
    # The second got through at once, the first saw it a window later, then each took about half of each
    # window: 300 requests in less than 300 / 35 windows.
    assert second.most_refusals_in_a_row <= 1
    assert second.finished - second.start < (300 / 35) * WINDOW
    # Together they kept the token busy: 1,300 requests in not much more than 13 windows.
    assert max(first.finished, second.finished) < 1.2 * (1300 / TOKEN_LIMIT) * WINDOW


def test_without_reports_the_refusals_are_waited_out_and_both_finish() -> None:
    first, second = two_runs(reserve=RESERVE, reports=False)
    assert first.finished is not None and second.finished is not None
    assert second.most_refusals_in_a_row < OLD_ATTEMPTS


def test_the_old_pacing_left_the_second_run_nothing_but_refusals() -> None:
    """The window kept full by the first run, no request left free, no report read: the second's request is
    refused again and again — past the five attempts after which it used to stop with "rate limit
    exceeded"."""
    _, second = two_runs(reserve=0, reports=False)
    assert second.most_refusals_in_a_row >= OLD_ATTEMPTS


def test_a_run_right_after_another_is_not_slowed_by_the_units_it_left() -> None:
    """A cron job's dry-run, then its sync: the second sees the first's units in the reports, waits for them
    where it must, but never takes half: nobody is sending beside it."""
    first, second = two_runs(reserve=RESERVE, reports=True, plan=((60, 0.0), (250, 3.0)))
    assert first.finished is not None and first.finished < second.start
    assert second.limiter.most_others == 60 and second.most_refusals_in_a_row == 0
    alone = two_runs(reserve=RESERVE, reports=True, plan=((250, 3.0),))[0]
    assert second.finished is not None and alone.finished is not None
    # The first's 60 units hold the window for one more at most; at half pace it would take two more.
    assert second.finished - alone.finished < WINDOW + 1


def test_two_runs_on_one_asana_token_share_its_minutes_and_both_finish() -> None:
    """Asana reports nothing and counts refused requests; its minute windows restart for both runs, so
    each meets a 429 now and then, waits to the next minute, and goes on: neither is refused for long."""
    plan = ((6000, 0.0), (2000, 90.0))
    first, second = two_runs(
        reserve=0, reports=False, plan=plan, server=AsanaServer, limit=PER_MINUTE["paid"]
    )
    assert first.finished is not None and second.finished is not None
    assert max(first.most_refusals_in_a_row, second.most_refusals_in_a_row) < OLD_ATTEMPTS
    # 8,000 requests at 1,500 a minute: a bit over five minutes and a half, then the last one's tail.
    assert max(first.finished, second.finished) < 7 * 60
