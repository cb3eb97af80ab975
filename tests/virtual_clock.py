"""Time that passes only when someone sleeps: rate windows and backoffs cost no real time in tests.

Tests inject ``clock`` / ``sleep`` pairs into the HTTP layer (``connectors/http``) and the rate limiters; this
one records every sleep so a test can assert how long the code would have waited.
"""

from __future__ import annotations


class VirtualClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
