"""The process's time and shared rate state: one ``Runtime``, built by ``cli.main`` and handed to connectors.

Terms:

- *Clock*: seconds from an arbitrary origin that only go forward (``time.monotonic``); *sleep*: wait that long
  (``time.sleep``); *jitter*: a number in [0, 1) that spreads retries (``random.random``). A test gives a
  virtual clock whose sleep only moves the clock, so pacing and backoff cost no real time.
- *Shared*: what every connector of one process keeps per credential — a rate limiter per token, monday's
  complexity pacer per token — so that several boards of one token in one ``sync`` spend one budget, not one
  each. The runtime holds them, keyed by a hash of the credential (never the credential itself).

``cli.main`` installs a runtime for the run (``installed``); code that opens connectors asks ``current()``
for it, or is given one explicitly (``open_connector(..., runtime=)``). Outside a run, ``current()`` gives a
new runtime each time: a connector opened alone paces alone.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import TypeVar, cast

Clock = Callable[[], float]
Sleep = Callable[[float], None]
Jitter = Callable[[], float]
T = TypeVar("T")


class Runtime:
    """Clock, sleep and jitter for one process (or one test), and the rate state it shares per credential."""

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        jitter: Jitter = random.random,
        attempts: int | None = None,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self.jitter = jitter
        # At most this many tries of a request (None: each tool's retry policy decides): a probe such as the
        # doctor answers in seconds when the network is down, where a sync rides out a longer outage.
        self.attempts = attempts
        self._shared: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()

    def shared(self, scope: str, secret: str, make: Callable[[], T]) -> T:
        """The one object of ``scope`` (e.g. ``"trello-token"``) for ``secret``, made by ``make`` the first
        time. The secret is only hashed, never kept."""
        digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]
        with self._lock:
            key = (scope, digest)
            if key not in self._shared:
                self._shared[key] = make()
            return cast(T, self._shared[key])

    def apart(self, *, attempts: int | None = None) -> Runtime:
        """The same time, none of the shared state: for a probe whose findings must not pace the run;
        ``attempts`` caps its tries per request."""
        return Runtime(clock=self.clock, sleep=self.sleep, jitter=self.jitter, attempts=attempts)


_installed: ContextVar[Runtime | None] = ContextVar("moteur_runtime", default=None)


def current() -> Runtime:
    """The runtime installed for this run, or (outside one) a new one of real time."""
    return _installed.get() or Runtime()


@contextmanager
def installed(runtime: Runtime | None = None) -> Iterator[Runtime]:
    """Install ``runtime`` for the block (default: the one already installed, else a new one of real
    time). A caller that installed one — a program embedding moteur, a test — keeps it across ``main``."""
    chosen = runtime or _installed.get() or Runtime()
    token = _installed.set(chosen)
    try:
        yield chosen
    finally:
        _installed.reset(token)


def install(runtime: Runtime) -> Token[Runtime | None]:
    """Install ``runtime`` until ``uninstall(token)`` (for a fixture or a benchmark scenario)."""
    return _installed.set(runtime)


def uninstall(token: Token[Runtime | None]) -> None:
    _installed.reset(token)
