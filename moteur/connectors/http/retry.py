"""The retry policy: two pure functions, ``should_retry`` and ``retry_delay``, with jitter passed in.

Terms:

- *Attempt*: the 1-based number of the try that just failed (attempt 1 is the first request).
- *Idempotent*: a call that may be sent twice with the same effect as once (GET, PUT, DELETE). A create
  (POST) is not: if it may have reached the server, sending it again may create a duplicate.
- *Unsent*: a transport failure that proves the request never reached the server (connection refused,
  DNS failure, connect timeout). Any call may be retried after it.
- *Ambiguous*: a transport failure after the request may have been sent (connection dropped mid-answer,
  read timeout). Only idempotent calls are retried after it; a create surfaces as ``AmbiguousWrite`` and the
  caller looks the object up before trying again.
- *Jitter*: a number in [0, 1) drawn by the caller (``random.random`` in production, a constant in tests),
  so that many clients do not retry in lockstep.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

# 429 is a refusal (nothing applied) and 503 means "not now": both are safe to resend, even for a create.
REFUSED_STATUSES = frozenset({429, 503})
# Other 5xx answers may come after the server applied part of the call: resend only idempotent calls.
SERVER_ERRORS = frozenset({500, 502, 504})


ATTEMPTS = 5  # tries of one request unless a caller says otherwise (a doctor's probe: fewer)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try. ``base`` doubles per attempt up to ``cap``; a server's hint is honoured up to
    ``max_wait``. ``rate_window`` is the wait after a 429 without ``Retry-After`` (Trello sends none:
    waiting one 10 s window is enough for its counters to drop). ``rate_patience``: the seconds one call
    waits out 429s in all before giving up (they do not count against ``max_attempts``: another run on the
    same token causes them, and waiting for it is the way through)."""

    max_attempts: int = ATTEMPTS
    base: float = 0.5
    cap: float = 30.0
    max_wait: float = 120.0
    rate_window: float | None = None
    rate_patience: float = 600.0


def is_unsent(error: BaseException) -> bool:
    """True when ``error`` proves the request never left this machine (so no side effect happened)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(error, requests.exceptions.ConnectionError):
        reason: object = error.args[0] if error.args else None
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        return isinstance(reason, NewConnectionError)
    return False


def is_transport_error(error: BaseException) -> bool:
    """Errors of the network, not of the answer: the ones a retry may cure."""
    return isinstance(
        error,
        requests.exceptions.ConnectionError
        | requests.exceptions.Timeout
        | requests.exceptions.ChunkedEncodingError,
    )


def should_retry(
    status: int | None,
    error: BaseException | None,
    attempt: int,
    idempotent: bool,
    *,
    max_attempts: int = ATTEMPTS,
) -> bool:
    """Whether to send the call again after ``attempt`` ended with ``status`` or ``error``.

    ==========================================  ===========  ===============
    what happened                               idempotent   not idempotent
    ==========================================  ===========  ===============
    attempts used up                            no           no
    unsent (refused, DNS, connect timeout)      yes          yes
    ambiguous (dropped, read timeout)           yes          no (AmbiguousWrite)
    429, 503                                    yes          yes
    500, 502, 504                               yes          no
    any other status (2xx, 4xx)                 no           no
    ==========================================  ===========  ===============
    """
    if attempt >= max_attempts:
        return False
    if error is not None:
        if not is_transport_error(error):
            return False
        return idempotent or is_unsent(error)
    if status in REFUSED_STATUSES:
        return True
    return status in SERVER_ERRORS and idempotent


def retry_delay(
    attempt: int,
    retry_after: float | None,
    jitter: float,
    *,
    base: float = 0.5,
    cap: float = 30.0,
    max_wait: float = 120.0,
) -> float:
    """Seconds to wait before the attempt after ``attempt``.

    With a server hint (``Retry-After``, monday's ``retry_in_seconds``, or the rate window the caller knows):
    the hint plus up to one second of jitter, at most ``max_wait``. Without: exponential backoff
    ``base · 2^(attempt-1)`` stretched by up to 100 % jitter, capped at ``cap``.
    E.g. base 0.5, jitter 0: 0.5, 1, 2, 4, 8, 16, 30, 30…
    """
    if retry_after is not None:
        return min(max(retry_after, 0.0) + jitter, max_wait)
    backoff = base * 2.0 ** (max(attempt, 1) - 1)
    return min(backoff * (1.0 + jitter), cap)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (only the delta-seconds form; an HTTP date is ignored)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
