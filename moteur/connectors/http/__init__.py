"""The shared HTTP layer every connector (Trello, Asana, monday.com) is built on.

API (import from ``moteur.connectors.http``)::

    client = HttpClient(base_url, auth, ClientOptions(...))
    client.request_json("GET", "/boards/5f…", params={...}, what="board 5f…")   # decoded JSON
    client.request("PUT", "/cards/…", json={...})                               # a 2xx requests.Response
    client.stats()  -> HttpStats(requests, retries, rate_limited);  client.close()

- Auth: ``QueryAuth({"key": k, "token": t})``, ``HeaderAuth({...}, secret_values)``, ``bearer_auth(token)``.
  Secrets are registered with ``moteur.redaction`` when the client is built.
- ``ClientOptions``: ``tool`` (name in messages), ``credential_vars`` (env vars named by a 401),
  ``timeout`` ((connect, read), default (5, 30)), ``retry`` (``RetryPolicy``: max_attempts, base, cap,
  max_wait, rate_window = the wait after a 429 without Retry-After, rate_patience = how long one call waits
  out 429s in all), ``limiters`` (``SlidingWindowLimiter``, one per credential from ``moteur.runtime``),
  ``write_cap`` (``ConcurrencyCap``), ``classify`` (``Failure -> MoteurError`` hook;
  ``default_classification``), ``sleep`` and ``jitter`` (the runtime's), extra ``headers``, ``observe`` (what
  an answer says of the rate limit, into the limiters).
- Retry: ``should_retry(status, error, attempt, idempotent)``, ``retry_delay(attempt, retry_after, jitter)``
  (pure). Methods GET/PUT/DELETE are idempotent; pass ``idempotent=True`` for a POST that is (a GraphQL
  query, a read-only batch). A non-idempotent call that may have been applied raises ``AmbiguousWrite``.
- Errors: 401 ``AuthError`` naming ``credential_vars``; 403 ``PermissionDenied``; 404 ``NotFound`` naming
  ``what``; other 4xx ``SkippableError``; 429 past ``rate_patience`` ``RateLimited``; 5xx and network failures
  ``RemoteError`` naming the host only; a non-JSON answer ``RemoteError``. Always ``raise … from``.
"""

from __future__ import annotations

from moteur.connectors.http.client import (
    DEFAULT_TIMEOUT,
    IDEMPOTENT_METHODS,
    Auth,
    ClientOptions,
    HeaderAuth,
    HttpClient,
    HttpStats,
    QueryAuth,
    bearer_auth,
)
from moteur.connectors.http.failures import (
    AmbiguousWrite,
    Classifier,
    Failure,
    default_classification,
    short_text,
    transport_message,
)
from moteur.connectors.http.limiter import ConcurrencyCap, SlidingWindowLimiter
from moteur.connectors.http.retry import (
    RetryPolicy,
    is_unsent,
    parse_retry_after,
    retry_delay,
    should_retry,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "IDEMPOTENT_METHODS",
    "AmbiguousWrite",
    "Auth",
    "Classifier",
    "ClientOptions",
    "ConcurrencyCap",
    "Failure",
    "HeaderAuth",
    "HttpClient",
    "HttpStats",
    "QueryAuth",
    "RetryPolicy",
    "SlidingWindowLimiter",
    "bearer_auth",
    "default_classification",
    "is_unsent",
    "parse_retry_after",
    "retry_delay",
    "short_text",
    "should_retry",
    "transport_message",
]
