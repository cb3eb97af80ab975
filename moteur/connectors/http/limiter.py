"""Client-side pacing: a sliding-window rate limiter and a cap on writes in flight.

Terms:

- *Window*: the vendor counts requests over the last ``window`` seconds (Trello: 10 s; Asana: 60 s).
- *Limit*: how many requests the window may hold. moteur paces slightly below the published figure (Trello
  100 per token → 90) so that a normal run never meets a 429 even with another client on the same token.
- *Scope*: what the vendor counts against — a token, a key. Limiters are shared per scope across clients
  of one process (``shared_limiter``), so two connectors on one token do not each spend the full budget.

Clock and sleep are injected: tests drive a fake clock and never really sleep.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class SlidingWindowLimiter:
    """At most ``limit`` acquisitions in any ``window`` seconds; ``acquire`` waits for room. Thread-safe."""

    def __init__(
        self, limit: int, window: float, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"a rate limit needs limit ≥ 1 and window > 0, got {limit}/{window}")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self._hits: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited = 0.0  # total seconds spent waiting for room (reported by benchmarks)

    def _room_in(self, now: float) -> float:
        """Seconds until one more acquisition fits (0: now). Caller holds the lock."""
        while self._hits and self._hits[0] <= now - self.window:
            self._hits.popleft()
        if len(self._hits) < self.limit:
            return 0.0
        return self._hits[0] + self.window - now

    def acquire(self) -> float:
        """Take one slot, waiting as long as needed; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self.clock()
                wait = self._room_in(now)
                if wait <= 0:
                    self._hits.append(now)
                    self.waited += waited
                    return waited
            # Sleep outside the lock so other threads can see the window too.
            self.sleep(wait)
            waited += wait

    def pause(self, seconds: float) -> None:
        """Treat the window as full for ``seconds`` (after a 429 every caller waits, not one)."""
        with self._lock:
            until = self.clock() + seconds - self.window
            self._hits = deque([until] * self.limit)


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
