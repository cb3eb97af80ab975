"""Board locks: a row with a lease, so two runs never write the same board at once.

A *board lock* is one row in ``locks`` keyed by the board (``trello:abc``). It is a database row rather than a
file lock so that it holds across machines sharing one PostgreSQL state database. Its *lease* is
``expires_at``: the holder renews it while it works; a run that dies stops renewing, and once the lease has
passed another run may take the lock over. Every step is one atomic statement:

- acquire: ``INSERT`` (two racing INSERTs: the primary key lets exactly one in, the other gets an
  ``IntegrityError``), else ``UPDATE … WHERE expires_at < now`` (two racing take-overs: the database re-checks
  the WHERE on the row the winner just changed, so the loser's rowcount is 0);
- renew: ``UPDATE … WHERE owner = me``, rowcount 0 meaning the lock was lost;
- release: ``DELETE … WHERE owner = me``, so a run whose lease was taken over never frees the new
  holder's lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType

from sqlalchemy import ColumnElement, Engine, and_, delete, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from moteur.core.errors import LockHeld
from moteur.engine.state import schema

Clock = Callable[[], datetime]

# Between our failed INSERT and our UPDATE the holder may release; then the board is free and we retry. A
# small bound keeps a pathological flapping holder from spinning us forever.
_ATTEMPTS = 5


def _shown(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S UTC")


class BoardLock:
    """The lease on one board, held between ``acquire()`` (or ``__enter__``) and ``release()`` (or exit).

    ``now`` is called at each step, so a long run renewing its lease uses the time of the renewal.
    """

    def __init__(
        self,
        engine: Engine,
        board: str,
        owner: str,
        lease_seconds: float,
        now: Clock,
        dead: Callable[[str], bool] | None = None,
    ) -> None:
        if lease_seconds <= 0:
            raise ValueError(f"a lock lease must be positive, got {lease_seconds}")
        self.board = board
        self.owner = owner
        self.lease = timedelta(seconds=lease_seconds)
        self._engine = engine
        self._clock = now
        # ``dead(owner)`` says a holder is certainly gone (a process of this host that no longer exists, or
        # whose PID now belongs to a process started at another time): its lease is taken over at once
        # instead of blocking the board until it runs out.
        self._dead = dead
        self._acquired_at: datetime | None = None
        self.expires_at: datetime | None = None

    @property
    def held(self) -> bool:
        """True between a successful acquire and the release (it does not re-read the database)."""
        return self._acquired_at is not None

    def acquire(self) -> BoardLock:
        """Take the lock, or raise ``LockHeld`` naming who holds it and until when."""
        if self.held:
            raise RuntimeError(f"lock on {self.board} is already held by this object")
        for _ in range(_ATTEMPTS):
            now = self._now()
            row = {
                "board": self.board,
                "owner": self.owner,
                "acquired_at": now,
                "expires_at": now + self.lease,
            }
            try:
                with self._engine.begin() as conn:
                    conn.execute(insert(schema.locks).values(**row))
                return self._took(now)
            except IntegrityError:
                pass  # the board has a lock row; see whether its lease has run out
            with self._engine.begin() as conn:
                taken = conn.execute(
                    update(schema.locks)
                    .where(and_(schema.locks.c.board == self.board, schema.locks.c.expires_at < now))
                    .values(owner=self.owner, acquired_at=now, expires_at=now + self.lease)
                )
                if taken.rowcount == 1:
                    return self._took(now)
                holder = conn.execute(select(schema.locks).where(schema.locks.c.board == self.board)).first()
                if holder is not None and self._dead is not None and self._dead(holder.owner):
                    taken = conn.execute(
                        update(schema.locks)
                        .where(
                            and_(
                                schema.locks.c.board == self.board,
                                schema.locks.c.owner == holder.owner,
                                schema.locks.c.acquired_at == holder.acquired_at,
                            )
                        )
                        .values(owner=self.owner, acquired_at=now, expires_at=now + self.lease)
                    )
                    if taken.rowcount == 1:
                        return self._took(now)
            if holder is not None:
                raise LockHeld(
                    f"board {self.board} is being synced by {holder.owner} "
                    f"since {_shown(holder.acquired_at)} "
                    f"(lock expires {_shown(holder.expires_at)}); wait for it or, if that run died, "
                    "retry after the lease expires"
                )
            # The holder released between our INSERT and our UPDATE: the board is free, try again.
        raise LockHeld(
            f"board {self.board} changed hands {_ATTEMPTS} times while this run tried to lock it; "
            "another run is starting on it, try again in a moment"
        )

    def _now(self) -> datetime:
        at = self._clock()
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"a lock's clock must give timezone-aware times, got naive {at.isoformat()}")
        return at

    def _took(self, now: datetime) -> BoardLock:
        self._acquired_at = now
        self.expires_at = now + self.lease
        return self

    def renew(self) -> datetime:
        """Push the lease to now + lease and return the new expiry; ``LockHeld`` if the lock was lost."""
        if self._acquired_at is None:
            raise RuntimeError(f"lock on {self.board} is not held; acquire it before renewing")
        now = self._now()
        with self._engine.begin() as conn:
            renewed = conn.execute(
                update(schema.locks).where(self._mine()).values(expires_at=now + self.lease)
            )
        if renewed.rowcount != 1:
            lapsed = self.expires_at
            self._acquired_at = self.expires_at = None
            raise LockHeld(
                f"the lock on board {self.board} was lost (its lease ran out at "
                f"{_shown(lapsed) if lapsed else 'an unknown time'} and another run took it); this run stops "
                "writing so two runs never write one board; raise the lease or renew it more often"
            )
        self.expires_at = now + self.lease
        return self.expires_at

    def release(self) -> None:
        """Drop the lock if this holder still has it; a no-op when not held or already taken over.

        A database that fails here (it is full, or gone: often why the run is stopping) leaves the row; the
        next run sees its holder dead (``dead``) or its lease lapsed. Raising instead would hide the error
        that stopped the run behind this one.
        """
        if self._acquired_at is None:
            return
        try:
            with self._engine.begin() as conn:
                conn.execute(delete(schema.locks).where(self._mine()))
        except DBAPIError:
            pass
        self._acquired_at = self.expires_at = None

    def _mine(self) -> ColumnElement[bool]:
        # Owner and acquisition time together: the same owner name re-acquiring after a lapse is a new lease.
        return and_(
            schema.locks.c.board == self.board,
            schema.locks.c.owner == self.owner,
            schema.locks.c.acquired_at == self._acquired_at,
        )

    def __enter__(self) -> BoardLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
