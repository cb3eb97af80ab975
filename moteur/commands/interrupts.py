"""SIGINT and SIGTERM during a command that writes: finish the request in flight, journal it, then stop.

``sync``, ``apply`` and ``rollback`` run inside ``signals_handled()``. Two phases:

- *Deferred* (``interrupts.deferred()``, while a connector writes): a signal only sets a flag. The write-ahead
  journal calls ``interrupts.check`` after journalling each landing (``engine/write_ahead.py``), and that
  raises ``Interrupted`` there: the request in flight has its answer journalled, nothing more is sent, the
  run is marked "interrupted". A second signal while deferred raises at once (Ctrl-C pressed twice means
  it); the entries it leaves "pending" are settled by the next run.
- *Otherwise* (reading, planning, reporting): the signal raises ``Interrupted`` at once, as Ctrl-C does by
  default; nothing is being written.

``Interrupted`` is a ``KeyboardInterrupt`` carrying the exit code (130 for SIGINT, 143 for SIGTERM), so no
``except Exception`` on the way swallows it. The previous handlers come back when the block ends.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from moteur.core.errors import Interrupted

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """The signal received (if any) and whether the command is in its deferred phase."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._deferring = False

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        first = self.signum is None
        self.signum = signum
        if not self._deferring or not first:
            raise Interrupted(signum)

    def check(self) -> None:
        """Raise ``Interrupted`` if a signal arrived (the write-ahead journal's ``stop``)."""
        if self.signum is not None:
            raise Interrupted(self.signum)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Signals only set the flag inside this block (the writes); ``check`` acts on it."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False


@contextmanager
def signals_handled() -> Iterator[Interrupts]:
    """Handle SIGINT and SIGTERM as described above while the block runs; the old handlers after."""
    interrupts = Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield interrupts  # only the main thread may set handlers (a test running the CLI in a thread)
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    for s in SIGNALS:
        signal.signal(s, interrupts.handle)
    try:
        yield interrupts
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)  # None: set outside Python
