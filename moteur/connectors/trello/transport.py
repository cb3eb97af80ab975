"""How moteur talks to Trello: the ``HttpClient`` configured for Trello's auth, limits and error texts.

Auth rides in Trello's documented header form ``Authorization: OAuth oauth_consumer_key="…",
oauth_token="…"`` rather than the ``key``/``token`` query parameters: a credential in a URL ends up in
urllib3's debug log and in transport exceptions' text, a header never does.

Rate limits (API_FACTS §1.5): 100 requests / 10 s per token and 300 / 10 s per key. moteur paces at 90 and
270 so that a normal run never meets a 429; a 429 (Trello sends no ``Retry-After``) waits one 10 s window.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from moteur.connectors.http import (
    ClientOptions,
    Failure,
    HeaderAuth,
    HttpClient,
    RetryPolicy,
    default_classification,
    shared_limiter,
)
from moteur.core.errors import AuthError, MoteurError, NotFound

if TYPE_CHECKING:
    from moteur.settings import Settings

CREDENTIAL_VARS = ("MOTEUR_TRELLO_API_KEY", "MOTEUR_TRELLO_TOKEN")
AUTH_MESSAGE = "Trello rejected the API key or token (MOTEUR_TRELLO_API_KEY / MOTEUR_TRELLO_TOKEN)"
WINDOW_SECONDS = 10.0
TOKEN_PACE = 90  # Trello allows 100 per token per window
KEY_PACE = 270  # Trello allows 300 per key per window


def classify(failure: Failure) -> MoteurError:
    """Trello's answers: 401 with ``invalid key``/``invalid token``; 400 ``invalid id`` for a malformed id."""
    if failure.status == 401:
        return AuthError(
            AUTH_MESSAGE, hint="create a token at https://trello.com/app-key and set both variables"
        )
    if failure.status == 400 and "invalid id" in failure.text.lower() and failure.what:
        return NotFound(
            f"Trello: {failure.what} not found (invalid id)",
            hint="use the board id or shortLink from its URL: trello.com/b/<shortLink>/…",
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
            hint="create them at https://trello.com/app-key and put them in the environment or .env",
        )
    return HttpClient(settings.trello_url, trello_auth(key, token), options or trello_options(key, token))
