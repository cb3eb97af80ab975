"""Asana's rate limits, per token, on the injected clock.

Two limiters, as Asana documents them:

- the *standard limiter*: at most ``per_minute`` requests per token in a minute window (1,500 paid, 150 free);
  over it, 429 with ``Retry-After`` (whole seconds to the window's end). Rejected requests still count, as
  Asana says. A batch counts once per action, and is refused whole if its actions do not all fit.
- the *concurrency limiter*: at most 50 reads (GET) and 15 writes in flight per token; over it, 429 with
  ``Retry-After: 1``.

``admit`` reserves, ``release`` frees the in-flight slots; the caller releases in a ``finally``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from moteur.sandbox.asana.errors import RATE_LIMITED, AsanaError

WINDOW_S = 60.0
PER_MINUTE = {"paid": 1500, "free": 150}
MAX_READS_IN_FLIGHT = 50
MAX_WRITES_IN_FLIGHT = 15


@dataclass
class _Budget:
    window_start: float
    used: int = 0
    reads: int = 0
    writes: int = 0


class AsanaLimiter:
    """Per-token request budget and in-flight counts. With ``enabled=False`` it never refuses."""

    def __init__(self, clock: Callable[[], float], enabled: bool, per_minute: int) -> None:
        self._clock = clock
        self.enabled = enabled
        self.per_minute = per_minute
        self._budgets: dict[str, _Budget] = {}
        self._lock = threading.Lock()

    def admit(self, token: str, reads: int, writes: int) -> None:
        """Count ``reads + writes`` requests for ``token`` and reserve their in-flight slots, or raise 429."""
        with self._lock:
            now = self._clock()
            budget = self._budgets.get(token)
            if budget is None:
                budget = self._budgets[token] = _Budget(window_start=now)
            if now - budget.window_start >= WINDOW_S:
                budget.window_start, budget.used = now, 0
            if not self.enabled:
                budget.reads += reads
                budget.writes += writes
                return
            wanted = reads + writes
            if budget.used + wanted > self.per_minute:
                budget.used += wanted
                wait = max(1, math.ceil(budget.window_start + WINDOW_S - now))
                raise AsanaError(429, RATE_LIMITED, {"Retry-After": str(wait)})
            if budget.reads + reads > MAX_READS_IN_FLIGHT or budget.writes + writes > MAX_WRITES_IN_FLIGHT:
                budget.used += wanted
                raise AsanaError(429, RATE_LIMITED, {"Retry-After": "1"})
            budget.used += wanted
            budget.reads += reads
            budget.writes += writes

    def release(self, token: str, reads: int, writes: int) -> None:
        with self._lock:
            budget = self._budgets.get(token)
            if budget is not None:
                budget.reads = max(0, budget.reads - reads)
                budget.writes = max(0, budget.writes - writes)

    def reset(self) -> None:
        with self._lock:
            self._budgets.clear()
