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
  of one run (``moteur.runtime.Runtime.shared``), so two connectors on one token do not each spend the full
  budget.
- *Others*: units the server counts on the credential that are not this limiter's — another process on the
  same token. A server that reports what is left of its window (Trello's ``x-rate-limit-*-remaining``) tells
  them (``observe``): they occupy the window too, until a window after the report.
- *Shared mode*: while another client is active, this limiter takes at most half the limit, so two runs on
  one token settle at half each instead of one starving the other; it ends a window after the last sign of
  the other. Active means: others reported for longer than a window (a run that has just ended leaves units
  in the window, but none arrive after them: all are gone a window after they were first seen, so the next
  run of a cron job is not slowed by the last one). Without reports (Asana, monday) there is no shared mode:
  the other's requests show as 429s, waited out as the server says (``client``), and minute windows that
  restart for both give each its turn.

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

Clock and sleep are injected (``moteur.runtime``): tests drive a virtual clock and never really sleep.
"""

from __future__ import annotations

import heapq
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
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
        self._others = 0  # units of other clients the server last reported (``observe``)
        self._others_until = -math.inf  # when that report stops counting
        self._shared_until = -math.inf  # shared mode lasts until then
        self._others_since = math.inf  # when the current stretch of reports of others began
        self._others_last = -math.inf  # the last report of others
        self.most_others = 0  # the most units of other clients ever reported (said by benchmarks and tests)

    # -- the accounting (pure given the clock; callers hold the lock) -------------------------------------

    def _counted(self, now: float) -> int:
        """This limiter's units that still occupy the window at ``now``: released ones for a window more,
        held ones."""
        while self._ends and self._ends[0] <= now:
            heapq.heappop(self._ends)
        return len(self._ends) + sum(self._held.values())

    def share(self) -> int:
        """What this limiter takes in shared mode: half the limit (at least one unit)."""
        return max(1, self.limit // 2)

    def room_in(self, units: int = 1) -> float:
        """Seconds until ``units`` more fit (0: now; ``inf``: not before some held slot is released)."""
        with self._lock:
            return self._room_in(self.clock(), units)

    def _room_in(self, now: float, units: int) -> float:
        own = self._counted(now)
        others = self._others if now < self._others_until else 0
        # Within the limit with the others' units; within the share while shared.
        total = _wait_for(own + others + units - self.limit, self._ends, [self._others_until] * others, now)
        if now >= self._shared_until:
            return total
        alone = min(_wait_for(own + units - self.share(), self._ends, [], now), self._shared_until - now)
        return max(total, alone)

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

    def observe(self, remaining: int, server_limit: int) -> None:
        """The server reports ``remaining`` of its ``server_limit`` left in its window now: what it counts
        beyond this limiter's own units belongs to another client, and occupies the window (as far as
        this limiter knows) until a window from now. Each report replaces the last one.

        This limiter counts its own units longer than the server does (from the send, until a window after
        the answer), so what it takes for others is never more than they really hold: a run alone never
        sees others."""
        with self._lock:
            now = self.clock()
            others = max(0, server_limit - remaining - self._counted(now))
            self._others, self._others_until = others, now + self.window
            self.most_others = max(self.most_others, others)
            if not others:
                return
            if now - self._others_last > self.window:
                self._others_since = now  # a new stretch: maybe only the units of a run that has ended
            self._others_last = now
            if now > self._others_since + self.window:  # units that arrived after the stretch began
                self._shared_until = now + self.window

    def shared(self) -> bool:
        """Whether this limiter is in shared mode: another client is active on the credential."""
        with self._lock:
            return self.clock() < self._shared_until


def _wait_for(excess: int, ends: list[float], more: Iterable[float], now: float) -> float:
    """Seconds until ``excess`` of the units ending at ``ends`` and ``more`` have ended (0 when there is no
    excess; ``inf`` when units without a known end — held ones — must end too)."""
    if excess <= 0:
        return 0.0
    known = [*ends, *more]
    if excess > len(known):
        return math.inf  # held slots must be released first: their end is not known yet
    return max(0.0, heapq.nsmallest(excess, known)[-1] - now)


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
