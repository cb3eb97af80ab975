"""How many writes each ``POST /batch`` of the Asana writer carries, and how many are in flight.

Asana counts every action of a batch against the per-minute limit and against the 15 writes in flight per
token. ``WriteSlots`` gates the writes in flight; ``Pacing`` sizes each batch so a long run keeps the 15
slots busy and uses the room left at a rate window's edge, within a budget of requests (``REQUEST_SLACK``).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from moteur.connectors.asana.batch import BATCH_SIZE

__all__ = ["BATCH_SIZE", "PATIENCE_SECONDS", "REQUEST_SLACK", "Pacing", "WriteSlots"]
# Short batches spend this slack over the fewest batches (⌈writes / 10⌉). Issue 10 allows writes 1.2 × their
# minimum but all requests only 1.1 × theirs (+ a constant), and a first sync's requests are mostly batches.
REQUEST_SLACK = 1.1
# With nothing in flight, a full batch whose room comes within this long is waited for: the wait is shorter
# than what the short batch sent instead would cost (a request more, and a short batch again a window on).
PATIENCE_SECONDS = 1.0


class WriteSlots:
    """A counting gate for writes in flight, taken n at a time (a batch of n actions takes n)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0
        self._cond = threading.Condition()

    def acquire(self, n: int) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self.used + n <= self.limit)
            self.used += n

    def release(self, n: int) -> None:
        with self._cond:
            self.used -= n
            self._cond.notify_all()

    def free(self) -> int:
        with self._cond:
            return self.limit - self.used


@dataclass(frozen=True)
class Pacing:
    """How many writes the next batch carries (0: none now, wait for an answer or for room).

    A *full* batch carries ten writes (or all that are left). A *short* one carries fewer and costs a request
    more: a *side lane* flies beside a full batch in the 5 write slots it leaves (15 writes a round trip, not
    10); a *window edge* uses the room left in a rate window now rather than a minute on. ``budget`` caps the
    batches (``REQUEST_SLACK`` × the fewest); ``reserve`` of them are kept for window edges (one a window, one
    spare), the rest go to side lanes at an even pace: the second minute of a two-minute sync replays the
    first one's timing (a unit frees its room a window after its answer) and must keep up with it as well.
    """

    total: int
    budget: int
    reserve: int

    @classmethod
    def for_writes(cls, total: int, limit: int | None) -> Pacing:
        """The pacing of ``total`` writes under a rate ``limit`` of units a window (``None``: no limiter)."""
        fewest = math.ceil(total / BATCH_SIZE)
        reserve = math.ceil(total / limit) + 1 if limit else 0
        return cls(total, math.floor(REQUEST_SLACK * fewest), reserve)

    def affordable(self, size: int, left: int, batches: int) -> bool:
        """Whether ``batches`` sent, one of ``size`` and the rest full still fit the budget."""
        return batches + 1 + math.ceil((left - size) / BATCH_SIZE) <= self.budget

    def next_size(
        self,
        *,
        left: int,
        sent_batches: int,
        sent_writes: int,
        free_slots: int,
        in_flight: int,
        room: int,
        full_wait: float,
    ) -> int:
        """The next batch's size; ``room``: writes the rate window takes now, ``full_wait``: seconds until
        it takes a full batch."""
        full = min(BATCH_SIZE, left)
        size = min(full, free_slots)
        if size <= 0:
            return 0
        if size < full:  # a side lane
            on_pace = (sent_batches + 1) * self.total <= (self.budget - self.reserve) * (sent_writes + size)
            if not (on_pace and self.affordable(size, left, sent_batches + self.reserve)):
                return 0
        if room >= size:
            return size
        if in_flight or full_wait <= PATIENCE_SECONDS:
            # In flight: the room is known exactly once the answers are in (a batch may owe a slot). Soon:
            # the full batch is worth the wait.
            return 0
        if room > 0 and self.affordable(room, left, sent_batches):
            return room  # a window edge
        return 0
