"""Time that passes only when someone sleeps (or a test moves it): rate windows and backoffs cost no real
time in tests. The one clock of the test suite.

Tests give moteur a ``Runtime`` on this clock (``runtime()``); tests/conftest.py installs one for every test,
so a command run in the test's process paces and backs off on it. It records every sleep, so a test can
assert how long the code would have waited. Threads share it: each one's sleep moves the clock for all
(the clock never goes back; two threads sleeping at once move it by the sum, which only ever makes windows
pass sooner than they would). A sandbox emulator takes it as its clock too (``start`` away from zero, as a
real monotonic clock is), and a test moves it by hand with ``advance``. ``WallClock`` shows it as dates,
for code that reads the time of day (the state store's locks and runs).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from moteur.runtime import Runtime


class VirtualClock:
    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        """Time passes without anyone sleeping (a test waiting out a window): not recorded as a sleep."""
        with self._lock:
            self.now += max(0.0, seconds)

    def runtime(self, jitter: float = 0.0) -> Runtime:
        """A fresh runtime (no limiter shared with any other) on this clock, with a constant jitter."""
        return Runtime(clock=self, sleep=self.sleep, jitter=lambda: jitter)


class WallClock:
    """A virtual clock read as dates: ``epoch`` plus the seconds it has moved."""

    def __init__(self, epoch: datetime, clock: VirtualClock | None = None) -> None:
        self.epoch, self.clock = epoch, clock or VirtualClock()

    def __call__(self) -> datetime:
        return self.epoch + timedelta(seconds=self.clock.now)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
