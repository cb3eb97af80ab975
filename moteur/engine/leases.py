"""The board locks a run holds, kept alive while it writes.

A lock's *lease* (``engine/state/lock.py``) runs out unless its holder renews it; a run that dies stops
renewing, so the board frees itself. A live run must therefore renew, or a write longer than the lease (a
big board paced under a tool's limit, a 429 waited out) would let a second run take the board and write it
at the same time. ``Leases.keep(board)`` is called after every journalled landing: it renews every held lock
whose lease is a quarter spent (one ``UPDATE`` per lock and quarter lease, whatever the number of writes),
and stops the writing of a board whose lock was taken over meanwhile.

*Lost*: a renewal that finds the lock in another run's hands. The run must not write that board again; it
is told by ``LeaseLost``, a ``BaseException`` like an interruption, so that no connector's per-op error
handling can swallow it and send the next write anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime

from moteur.core.errors import LockHeld
from moteur.engine.state import BoardLock


class LeaseLost(BaseException):  # a stop, like KeyboardInterrupt: no connector may catch it
    """The lock of the board being written was lost; ``error`` says to whom and since when."""

    def __init__(self, board: str, error: LockHeld) -> None:
        super().__init__(error.message)
        self.board = board
        self.error = error


class Leases:
    """Held board locks, renewed as the run goes (thread-safe: connectors report from worker threads)."""

    def __init__(self, locks: Iterable[BoardLock], now: Callable[[], datetime]) -> None:
        self._locks = {lock.board: lock for lock in locks}
        self._now = now
        self._renewed = {board: now() for board in self._locks}
        self._lost: dict[str, LockHeld] = {}
        self._guard = threading.Lock()

    def keep(self, board: str, *, now_or_never: bool = False) -> None:
        """Renew the locks whose lease is a quarter spent (every one with ``now_or_never``: before a board
        is written, after a read that may have been long); raise ``LeaseLost`` if ``board``'s is gone."""
        with self._guard:
            at = self._now()
            for name, lock in self._locks.items():
                if name in self._lost:
                    continue
                due = (at - self._renewed[name]).total_seconds() >= lock.lease.total_seconds() / 4
                if not (due or now_or_never):
                    continue
                try:
                    lock.renew()
                except LockHeld as exc:
                    self._lost[name] = exc
                else:
                    self._renewed[name] = at
            lost = self._lost.get(board)
        if lost is not None:
            raise LeaseLost(board, lost)
