"""How moteur talks to Trello: the ``HttpClient`` configured for Trello's auth, limits and error texts.

Auth rides in Trello's documented header form ``Authorization: OAuth oauth_consumer_key="…",
oauth_token="…"`` rather than the ``key``/``token`` query parameters: a credential in a URL ends up in
urllib3's debug log and in transport exceptions' text, a header never does.

Rate limits (API_FACTS §1.5): 100 requests / 10 s per token and 300 / 10 s per key. moteur paces at those
figures less ``HEADROOM`` (none, see there): the limiter holds each request from its send until its answer +
10 s, so moteur's own requests never exceed them as Trello counts them. A ``GET /batch`` is counted once per
inner URL (``request_units``), as the sandbox does and as Trello may (API_FACTS §5 leaves it open). A 429
(Trello sends no ``Retry-After``) waits one 10 s window, every caller on the credential with it.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from moteur.connectors.http import (
    ClientOptions,
    Failure,
    HeaderAuth,
    HttpClient,
    RetryPolicy,
    default_classification,
    shared_limiter,
)
from moteur.core.errors import AuthError, MoteurError, NotFound, RateLimited, SkippableError
from moteur.redaction import scrub

if TYPE_CHECKING:
    from moteur.settings import Settings

CREDENTIAL_VARS = ("MOTEUR_TRELLO_API_KEY", "MOTEUR_TRELLO_TOKEN")
AUTH_MESSAGE = "Trello rejected the API key or token (MOTEUR_TRELLO_API_KEY / MOTEUR_TRELLO_TOKEN)"
WINDOW_SECONDS = 10.0
TOKEN_LIMIT = 100  # Trello allows 100 per token per window
KEY_LIMIT = 300  # and 300 per API key per window
# The share of each limit moteur leaves unused: none. The limiter's accounting is conservative (a request
# occupies the window from its send to its answer + 10 s), so moteur's own traffic provably stays within the
# limit as the server counts it, with a round trip per window to spare. A margin would only matter for another
# client on the same token, which no fixed share can bound (its 429 costs one window), and 10 % of it costs
# 10 % of a long run's wall time and a whole window at each step (181 requests: 2 windows at 90, 1 at 100).
HEADROOM = 0.0
TOKEN_PACE = math.floor(TOKEN_LIMIT * (1 - HEADROOM))
KEY_PACE = math.floor(KEY_LIMIT * (1 - HEADROOM))
MAX_BATCH_URLS = 10  # spec GET /batch: "Maximum of 10 routes allowed"
# Trello splits a /batch's urls on every literal comma: a comma inside a route travels as %2C (batch.py).
ROUTE_SEPARATOR = ","
MEMBERS_WINDOW_SECONDS = 900.0  # /1/members/ allows 100 requests per 900 s (API_FACTS §1.5)
_INVALID_VALUE = re.compile(r"invalid value for ([A-Za-z_][\w.]*)", re.IGNORECASE)


def request_units(method: str, path: str, params: Mapping[str, Any]) -> int:
    """What one request counts against the limits: a ``GET /batch`` one per route of its ``urls`` (split on
    every literal comma, as Trello splits it), others one."""
    if method != "GET" or path.strip("/") != "batch":
        return 1
    routes = [r for r in str(params.get("urls", "")).split(ROUTE_SEPARATOR) if r]
    return min(MAX_BATCH_URLS, max(1, len(routes)))


def classify(failure: Failure) -> MoteurError:
    """Trello's answers: 401 with ``invalid key``/``invalid token``; 400 ``invalid id`` for a malformed id;
    400 ``invalid value for <field>`` for a value Trello refuses (a label colour outside the spec's ``Color``
    enum…), told in one line naming the object, its board (the caller's ``what``) and the field; 429
    ``MEMBER_LIMIT_EXCEEDED`` once ``/1/members/``'s own limit (100 per 900 s) is spent (API_FACTS §1.5)."""
    text = failure.text.lower()
    if failure.status == 401:
        return AuthError(
            AUTH_MESSAGE, hint="create a token at https://trello.com/power-ups/admin and set both variables"
        )
    if failure.status == 400 and "invalid id" in text and failure.what:
        return NotFound(
            f"Trello: {failure.what} not found (invalid id)",
            hint="use the board id or shortLink from its URL: trello.com/b/<shortLink>/…",
        )
    refused = _INVALID_VALUE.search(failure.text) if failure.status == 400 else None
    if refused is not None:
        field_name = refused.group(1)
        return SkippableError(scrub(f"Trello refused {failure.subject}: invalid value for {field_name}"))
    if failure.status == 429 and "member_limit_exceeded" in text:
        return RateLimited(
            "Trello's limit on member requests (100 per 15 minutes for /1/members/) is spent",
            retry_after=MEMBERS_WINDOW_SECONDS,
            hint="wait 15 minutes and retry",
        )
    return default_classification(failure)


def trello_options(
    key: str,
    token: str,
    *,
    timeout: tuple[float, float] = (5.0, 30.0),
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    jitter: Callable[[], float] | None = None,
    max_attempts: int = 5,
) -> ClientOptions:
    limiters = (
        shared_limiter("trello-token", token, TOKEN_PACE, WINDOW_SECONDS, clock=clock, sleep=sleep),
        shared_limiter("trello-key", key, KEY_PACE, WINDOW_SECONDS, clock=clock, sleep=sleep),
    )
    options = ClientOptions(
        tool="Trello",
        credential_vars=CREDENTIAL_VARS,
        timeout=timeout,
        retry=RetryPolicy(max_attempts=max_attempts, rate_window=WINDOW_SECONDS),
        limiters=limiters,
        units=request_units,
        classify=classify,
        sleep=sleep,
    )
    return options if jitter is None else replace(options, jitter=jitter)


def trello_auth(key: str, token: str) -> HeaderAuth:
    header = f'OAuth oauth_consumer_key="{key}", oauth_token="{token}"'
    return HeaderAuth({"Authorization": header}, (key, token))


def trello_client(settings: Settings, options: ClientOptions | None = None) -> HttpClient:
    """A client for ``settings.trello_url`` with the key and token from the settings (env / ``.env``)."""
    key = settings.trello_api_key.get_secret_value() if settings.trello_api_key else ""
    token = settings.trello_token.get_secret_value() if settings.trello_token else ""
    if not key or not token:
        raise AuthError(
            "Trello needs an API key and a token (MOTEUR_TRELLO_API_KEY / MOTEUR_TRELLO_TOKEN)",
            hint="create them at https://trello.com/power-ups/admin and put them in the environment or .env",
        )
    return HttpClient(settings.trello_url, trello_auth(key, token), options or trello_options(key, token))
