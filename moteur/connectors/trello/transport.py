"""How moteur talks to Trello: the ``HttpClient`` configured for Trello's auth, limits and error texts.

Auth rides in Trello's documented header form ``Authorization: OAuth oauth_consumer_key="…",
oauth_token="…"`` rather than the ``key``/``token`` query parameters: a credential in a URL ends up in
urllib3's debug log and in transport exceptions' text, a header never does.

Rate limits (developer.atlassian.com/cloud/trello/guides/rest-api/rate-limits): 100 requests / 10 s per
token and 300 / 10 s per key. moteur paces at those figures less ``RESERVE`` (one request, see there): the
limiter holds each request from its send until its answer + 10 s, so moteur's own requests never exceed them
as Trello counts them. A ``GET /batch`` is counted once per inner URL (``request_units``), as the sandbox does
and as Trello may (Trello's documentation leaves it open). A 429 (Trello sends no ``Retry-After``) waits one
10 s window, every caller on the credential with it; 429s are waited out for as long as the HTTP layer's
``rate_patience`` allows.

*Another run on the token*: every Trello answer reports what is left of the token's and the key's windows in
``x-rate-limit-api-token-remaining`` / ``x-rate-limit-api-key-remaining`` (with ``…-max`` and
``…-interval-ms``; Trello added them in 2018, trello-archive/api-docs#147; names as observed in answers,
trello-talk/Taco#45). ``observe`` hands them to the limiters, which count what is not theirs as another
client's and then share the window with it (``connectors/http/limiter.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import requests

from moteur.connectors.http import (
    ClientOptions,
    Failure,
    HeaderAuth,
    HttpClient,
    RetryPolicy,
    SlidingWindowLimiter,
    default_classification,
)
from moteur.connectors.http.retry import ATTEMPTS
from moteur.core.errors import AuthError, MoteurError, NotFound, RateLimited, SkippableError
from moteur.core.phrase import Phrase
from moteur.redaction import scrub
from moteur.runtime import Runtime, current

if TYPE_CHECKING:
    from moteur.settings import Settings

CREDENTIAL_VARS = ("MOTEUR_TRELLO_API_KEY", "MOTEUR_TRELLO_TOKEN")
# Phrases: said in the reader's language by ``print_error`` (the message of every command's failure).
AUTH_MESSAGE = Phrase("Trello rejected the API key or token (MOTEUR_TRELLO_API_KEY / MOTEUR_TRELLO_TOKEN)")
WINDOW_SECONDS = 10.0
TOKEN_LIMIT = 100  # Trello allows 100 per token per window
KEY_LIMIT = 300  # and 300 per API key per window
# The requests of each window moteur leaves unused: one. The limiter's accounting is conservative (a request
# occupies the window from its send to its answer + 10 s), so moteur's own traffic provably stays within the
# limit as the server counts it. The one left free is for another run on the same token: without it, a run
# that keeps the window full leaves the other nothing but 429s; with it, the other's request goes through,
# shows in the counts Trello reports to both, and both share the window from then on. A share of the limit
# would cost a long run that share of its wall time; one request costs a window only at an exact multiple.
RESERVE = 1
TOKEN_PACE = TOKEN_LIMIT - RESERVE
KEY_PACE = KEY_LIMIT - RESERVE
MAX_BATCH_URLS = 10  # spec GET /batch: "Maximum of 10 routes allowed"
# Trello splits a /batch's urls on every literal comma: a comma inside a route travels as %2C (batch.py).
ROUTE_SEPARATOR = ","
MEMBERS_WINDOW_SECONDS = 900.0  # /1/members/ allows 100 requests per 900 s
# What Trello reports of each window, per answer: (remaining header, max header) for the token and the key.
TOKEN_HEADERS = ("x-rate-limit-api-token-remaining", "x-rate-limit-api-token-max")
KEY_HEADERS = ("x-rate-limit-api-key-remaining", "x-rate-limit-api-key-max")
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
    ``MEMBER_LIMIT_EXCEEDED`` once ``/1/members/``'s own limit (100 per 900 s) is spent."""
    text = failure.text.lower()
    if failure.status == 401:
        return AuthError(
            AUTH_MESSAGE,
            hint=Phrase(
                "create a token at {page} and set both variables", page="https://trello.com/power-ups/admin"
            ),
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


def members_limit(response: requests.Response) -> bool:
    """A 429 for ``/1/members/``'s own limit: its window is 15 minutes, not worth waiting within a call."""
    return response.status_code == 429 and "member_limit_exceeded" in response.text.lower()


def observer(
    token_limiter: SlidingWindowLimiter, key_limiter: SlidingWindowLimiter
) -> Callable[[requests.Response], None]:
    """Reads each answer's ``x-rate-limit-*`` report into the token's and the key's limiters."""

    def observe(response: requests.Response) -> None:
        for limiter, (remaining, maximum) in ((token_limiter, TOKEN_HEADERS), (key_limiter, KEY_HEADERS)):
            left, limit = _count(response.headers.get(remaining)), _count(response.headers.get(maximum))
            if left is not None and limit is not None:
                limiter.observe(left, limit)

    return observe


def _count(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def trello_options(
    key: str,
    token: str,
    *,
    runtime: Runtime | None = None,
    timeout: tuple[float, float] = (5.0, 30.0),
    max_attempts: int | None = None,
) -> ClientOptions:
    """Trello's client options; the limiters are the ``runtime``'s for this token and key (default: the
    runtime of the run, ``moteur.runtime.current``)."""
    run = runtime or current()

    def limiter(limit: int) -> Callable[[], SlidingWindowLimiter]:
        return lambda: SlidingWindowLimiter(limit, WINDOW_SECONDS, clock=run.clock, sleep=run.sleep)

    token_limiter = run.shared("trello-token", token, limiter(TOKEN_PACE))
    key_limiter = run.shared("trello-key", key, limiter(KEY_PACE))
    return ClientOptions(
        tool="Trello",
        credential_vars=CREDENTIAL_VARS,
        timeout=timeout,
        retry=RetryPolicy(max_attempts=max_attempts or run.attempts or ATTEMPTS, rate_window=WINDOW_SECONDS),
        limiters=(token_limiter, key_limiter),
        units=request_units,
        classify=classify,
        sleep=run.sleep,
        jitter=run.jitter,
        give_up=members_limit,
        observe=observer(token_limiter, key_limiter),
    )


def trello_auth(key: str, token: str) -> HeaderAuth:
    header = f'OAuth oauth_consumer_key="{key}", oauth_token="{token}"'
    return HeaderAuth({"Authorization": header}, (key, token))


def trello_client(
    settings: Settings, options: ClientOptions | None = None, *, runtime: Runtime | None = None
) -> HttpClient:
    """A client for ``settings.trello_url`` with the key and token from the settings (env / ``.env``);
    ``options`` default to ``trello_options`` on ``runtime``."""
    key = settings.trello_api_key.get_secret_value() if settings.trello_api_key else ""
    token = settings.trello_token.get_secret_value() if settings.trello_token else ""
    if not key or not token:
        raise AuthError(
            Phrase("Trello needs an API key and a token (MOTEUR_TRELLO_API_KEY / MOTEUR_TRELLO_TOKEN)"),
            hint=Phrase(
                "create them at {page} and put them in the environment or .env",
                page="https://trello.com/power-ups/admin",
            ),
        )
    chosen = options or trello_options(key, token, runtime=runtime)
    return HttpClient(settings.trello_url, trello_auth(key, token), chosen)
