"""Time that passes only when someone sleeps: rate windows and backoffs cost no real time in tests.

Tests give moteur a ``Runtime`` on this clock (``runtime()``); tests/conftest.py installs one for every test,
so a command run in the test's process paces and backs off on it. It records every sleep, so a test can
assert how long the code would have waited. Threads share it: each one's sleep moves the clock for all
(the clock never goes back; two threads sleeping at once move it by the sum, which only ever makes windows
pass sooner than they would).
"""

from __future__ import annotations

import threading

from moteur.runtime import Runtime


class VirtualClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += max(0.0, seconds)

    def runtime(self, jitter: float = 0.0) -> Runtime:
        """A fresh runtime (no limiter shared with any other) on this clock, with a constant jitter."""
        return Runtime(clock=self, sleep=self.sleep, jitter=lambda: jitter)
