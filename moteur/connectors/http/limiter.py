"""Client-side pacing: a sliding-window rate limiter and a cap on writes in flight.

Terms:

- *Window*: the vendor counts requests over the last ``window`` seconds (Trello: 10 s; Asana: 60 s).
- *Limit*: how many requests the window may hold, as the vendor publishes it (the transports say which
  headroom, if any, they keep below it, and why).
- *Unit*: what the vendor counts: one request, or one action inside a batch. A request that costs several
  takes several slots.
- *Slot*: one unit of the limit, taken before a request is sent. It is *held* by the thread that took it until
  that thread calls ``release`` (the HTTP client does when the answer arrives, or the call fails); from then
  on it stays *counted* for one more window. So a unit occupies the window from its send ``s`` until
  ``r + window``, ``r`` its response time.
- *Scope*: what the vendor counts against — a token, a key. Limiters are shared per scope across clients
  of one process (``shared_limiter``), so two connectors on one token do not each spend the full budget.

Why hold until the answer: the server counts a request when it *arrives*, at some unknown ``a`` with
``s ≤ a ≤ r``. Counting it from ``s`` only (the old rule) let requests taken late in one window arrive in the
next one, beside that window's own: under CPU contention Trello met a 429 at 90 % pacing. With this rule the
client's count is conservative for any arrival times. Take any ``limit + 1`` units the server counts in one
window ``(a* - window, a*]`` and let ``k`` be the last of them to be taken. Every other unit ``i`` was taken
before, at ``s_i ≤ s_k``, and ``r_i ≥ a_i > a* - window ≥ a_k - window ≥ s_k - window``: ``i`` was still held
or counted when ``k`` was asked for, so ``k`` met ``limit`` units and was not given. Hence no window the
server looks at ever holds more than ``limit`` of our units, whatever the interleaving of threads
(``tests/connectors/test_pacing.py`` checks it on random ones). The price is one round trip per window,
not a share of the budget.

Clock and sleep are injected: tests drive a fake clock and never really sleep.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

Clock = Callable[[], float]
Sleep = Callable[[float], None]

# A released unit stops counting this long after its answer + window: the server compares its own
# timestamps (floats, or coarser), and a tie at the window's edge must fall on the safe side. A millisecond a
# window costs nothing measurable.
EDGE_SECONDS = 0.001
# While every slot is held by requests in flight, room appears only at a release; a waiting thread looks
# again at least this often (a release also wakes it at once).
HELD_POLL_SECONDS = 0.05


class SlidingWindowLimiter:
    """At most ``limit`` units in any ``window`` seconds, counted from each send to its answer + ``window``.

    ``acquire`` waits for room and takes slots for the calling thread (or an explicit ``holder``);
    ``release`` ends that holder's slots now. Thread-safe.
    """

    def __init__(
        self, limit: int, window: float, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"a rate limit needs limit ≥ 1 and window > 0, got {limit}/{window}")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self._ends: list[float] = []  # min-heap: when each released unit stops counting
        self._held: Counter[Hashable] = Counter()  # slots held per holder, not yet released
        self._lock = threading.Lock()
        self._released = threading.Condition(self._lock)
        self.waited = 0.0  # total seconds spent waiting for room (reported by benchmarks)

    # -- the accounting (pure given the clock; callers hold the lock) -------------------------------------

    def _counted(self, now: float) -> int:
        """Units that still occupy the window at ``now``: released ones for a window more, held ones."""
        while self._ends and self._ends[0] <= now:
            heapq.heappop(self._ends)
        return len(self._ends) + sum(self._held.values())

    def room_in(self, units: int = 1) -> float:
        """Seconds until ``units`` more fit (0: now; ``inf``: not before some held slot is released)."""
        with self._lock:
            return self._room_in(self.clock(), units)

    def _room_in(self, now: float, units: int) -> float:
        excess = self._counted(now) + units - self.limit
        if excess <= 0:
            return 0.0
        if excess > len(self._ends):
            return math.inf  # held slots must be released first: their end is not known yet
        return heapq.nsmallest(excess, self._ends)[-1] - now

    def try_acquire(self, units: int = 1, holder: Hashable | None = None) -> float:
        """Take ``units`` slots for ``holder`` if they fit now (returns 0); else the seconds to wait."""
        if units > self.limit:
            raise ValueError(f"{units} units for one request can never fit a limit of {self.limit}")
        with self._lock:
            wait = self._room_in(self.clock(), units)
            if wait <= 0:
                self._held[_holder(holder)] += units
            return wait

    # -- blocking use -----------------------------------------------------------------------------------

    def acquire(self, units: int = 1, holder: Hashable | None = None) -> float:
        """Take ``units`` slots for ``holder`` (default: this thread), waiting for room; the seconds waited.

        The slots are held until ``release``: take every slot a request costs before sending it, in the
        thread that sends it. Slots the holder already holds belong to the same request, not sent yet (a
        thread sends one request at a time), so they are taken again with these, all at once: a batch whose
        actions do not all fit waits without occupying part of the window (taken one by one at the end of a
        window, its first slots would be counted in that window and, once sent, in the next one too).
        """
        who = _holder(holder)
        with self._lock:
            units += self._held.pop(who, 0)
        waited = 0.0
        while True:
            wait = self.try_acquire(units, who)
            if wait <= 0:
                with self._lock:
                    self.waited += waited
                return waited
            if math.isinf(wait):
                waited += self._await_release()
                continue
            # Sleep outside the lock so other threads can see the window too.
            self.sleep(wait)
            waited += wait

    def _await_release(self) -> float:
        """Wait (in real time) until another holder's release, or a short while."""
        started = time.monotonic()
        with self._released:
            self._released.wait(HELD_POLL_SECONDS)
        return time.monotonic() - started

    def release(self, holder: Hashable | None = None) -> None:
        """The holder's request is answered (or failed): its slots stay counted until now + window."""
        who = _holder(holder)
        with self._released:
            units = self._held.pop(who, 0)
            end = self.clock() + self.window + EDGE_SECONDS
            for _ in range(units):
                heapq.heappush(self._ends, end)
            if units:
                self._released.notify_all()

    @contextmanager
    def slot(self, units: int = 1) -> Iterator[float]:
        """``acquire`` for the block, ``release`` after it; yields the seconds waited."""
        waited = self.acquire(units)
        try:
            yield waited
        finally:
            self.release()

    def pause(self, seconds: float) -> None:
        """Treat the window as full for ``seconds`` (after a 429 every caller waits, not one)."""
        with self._lock:
            until = self.clock() + seconds
            for _ in range(self.limit):
                heapq.heappush(self._ends, until)


def _holder(holder: Hashable | None) -> Hashable:
    """Slots belong to the sending thread unless the caller names another holder (a simulated request)."""
    return threading.get_ident() if holder is None else holder


class ConcurrencyCap:
    """At most ``limit`` calls in flight at once (Asana: 15 concurrent writes per token)."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"a concurrency cap needs limit ≥ 1, got {limit}")
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._slots:
            yield


_shared: dict[tuple[str, str, int, float], SlidingWindowLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(
    scope: str,
    secret: str,
    limit: int,
    window: float,
    *,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
) -> SlidingWindowLimiter:
    """The process-wide limiter for one credential (``scope`` names it, e.g. ``"trello-token"``).

    The secret is only hashed, never kept. Tests that inject a clock get a fresh limiter instead: a fake
    clock must not leak into other tests.
    """
    if clock is not time.monotonic or sleep is not time.sleep:
        return SlidingWindowLimiter(limit, window, clock=clock, sleep=sleep)
    digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]
    key = (scope, digest, limit, window)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = SlidingWindowLimiter(limit, window)
        return _shared[key]
