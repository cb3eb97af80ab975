"""How moteur talks to Asana: the ``HttpClient`` configured for Asana's auth, limits and error envelope.

Auth is ``Authorization: Bearer <MOTEUR_ASANA_TOKEN>`` (a header, so never in a URL or a log line).

Limits (Asana's docs), per token: 1,500 requests a minute on a paid workspace, 150 on a free one, and at
most 15 writes in flight. moteur paces at the published budget less ``HEADROOM`` (none, see there): the
limiter holds each unit from its send until its answer + 60 s, so moteur's own requests never exceed the
budget as Asana counts them. A batch counts once per action (the caller takes the extra slots in the sending
thread, see ``writer``; they are released with the batch's answer). A 429 carries ``Retry-After``, which the
HTTP layer honours, for as long as its ``rate_patience`` allows: another run on the same token shows as
429s, and the minute windows, restarting for both, give each its turn.

*Premium refusal*: Asana answers 402 to custom-field writes on a free workspace. It is classified as
``PremiumRequired`` so the writer can fall back to tags instead of failing the run.

*Tier*: the budget is "150 [requests a minute] Free, 1,500 Paid" "depending on whether the domain is free or
paid" (developers.asana.com/docs/rate-limits). Asana's API says nothing of a domain's plan: no workspace,
user or team property holds it (asana_oas.yaml ``WorkspaceResponse``, ``UserResponse``, ``TeamResponse``), and
an Asana engineer confirms "there isn't a way to get premiumness via the API" (Asana/SGTM#85, where a 402
"Custom Fields are not available for free users" is the signal instead). So moteur starts at the tier the
settings name (``asana_tier``, "paid" unless set) and, conservatively, takes any 402 — "the queried object
or object mutation specified in the request is above your current premium level" (spec ``PaymentRequired``)
— as a free domain: from that answer on, the token's limiter paces at the free budget (``note_free``), for
every client of that token in the process. A 402 inside a batch's 200 counts too (``batch.send_batch``).
``moteur doctor`` asks once (a 402 to listing the workspace's custom fields) and says which budget applies.
"""

from __future__ import annotations

import json
import math
from functools import partial
from typing import TYPE_CHECKING

from moteur.connectors.http import (
    ClientOptions,
    ConcurrencyCap,
    Failure,
    HttpClient,
    RetryPolicy,
    SlidingWindowLimiter,
    bearer_auth,
    default_classification,
)
from moteur.connectors.http.retry import ATTEMPTS
from moteur.core.errors import AuthError, MoteurError, NotFound, SkippableError
from moteur.core.phrase import Phrase
from moteur.runtime import Runtime, current

if TYPE_CHECKING:
    from moteur.settings import Settings

CREDENTIAL_VARS = ("MOTEUR_ASANA_TOKEN",)
# Phrases: said in the reader's language by ``print_error`` (the message of every command's failure).
AUTH_MESSAGE = Phrase("Asana rejected the token (MOTEUR_ASANA_TOKEN)")
AUTH_HINT = Phrase(
    "create a personal access token at {page} and set it", page="https://app.asana.com/0/my-apps"
)
WINDOW_SECONDS = 60.0
PER_MINUTE = {"paid": 1500, "free": 150}
WRITES_IN_FLIGHT = 15
# The share of the minute budget moteur leaves unused: none. The limiter's accounting is conservative (a
# unit occupies the window from its send to its answer + 60 s), so moteur's own traffic provably stays within
# the budget as the server counts it, with a round trip per window to spare. Another client on the same token
# needs no margin either: Asana's windows restart for both, and each run's 429s are waited out to the next
# (tests/connectors/test_shared_token.py). A margin would cost a whole extra minute whenever a run's units
# fall just above a multiple of the paced budget: the 2,000-task first sync spends ≈ 3,000 units, two
# minutes' worth at 1,500 and three at 1,350 (90 %).
HEADROOM = 0.0


def pace(tier: str) -> int:
    """Units per minute moteur allows itself on ``tier``: Asana's budget less ``HEADROOM``."""
    return math.floor(PER_MINUTE.get(tier, PER_MINUTE["paid"]) * (1 - HEADROOM))


class PremiumRequired(SkippableError):
    """Asana's 402: the workspace is not premium, so custom fields cannot be created or set."""


def asana_message(text: str) -> str:
    """The ``errors[0].message`` of an Asana error body, or the text itself when it is not one."""
    try:
        body = json.loads(text)
    except ValueError:
        return text
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message") or text)
    return text


def note_free(limiter: SlidingWindowLimiter | None) -> None:
    """Asana answered 402: the domain is free, so the token's budget is the free one from now on. Units the
    limiter counts already stay counted; new ones wait for room under the lower limit."""
    if limiter is not None and limiter.limit > pace("free"):
        limiter.limit = pace("free")


def tier_of(client: HttpClient) -> str:
    """The tier the client paces at now: "free" once its limit is the free budget (set, or met as a 402)."""
    limiter = rate_limiter(client)
    return "free" if limiter is not None and limiter.limit <= pace("free") else "paid"


def classify(failure: Failure, limiter: SlidingWindowLimiter | None = None) -> MoteurError:
    """Asana's answers: 401 names the variable; 402 is ``PremiumRequired`` (and slows ``limiter`` to the free
    budget); 404 names the object."""
    if failure.status == 401:
        return AuthError(AUTH_MESSAGE, hint=AUTH_HINT)
    message = asana_message(failure.text)
    if failure.status == 402:
        note_free(limiter)
        return PremiumRequired(f"Asana: {failure.subject} needs a premium workspace (402): {message}")
    if failure.status == 404 and failure.what:
        return NotFound(
            f"Asana: {failure.what} not found ({message})",
            hint="check the gid (the number after /project/ in its URL) and that the token's user can see it",
        )
    if failure.status is not None and 400 <= failure.status < 500 and failure.status != 429:
        return SkippableError(f"Asana refused {failure.subject} ({failure.status}): {message}")
    return default_classification(failure)


def asana_options(
    token: str,
    tier: str = "paid",
    *,
    runtime: Runtime | None = None,
    timeout: tuple[float, float] = (5.0, 30.0),
    max_attempts: int | None = None,
) -> ClientOptions:
    """Asana's client options on ``runtime`` (default: the run's, ``moteur.runtime.current``)."""
    run = runtime or current()
    # One limiter per token in a run, whatever tier each client was told: Asana counts per token. It
    # starts at the paid budget and is lowered for a free tier, here or at the first 402 (``note_free``).
    limiter = run.shared(
        "asana",
        token,
        lambda: SlidingWindowLimiter(pace("paid"), WINDOW_SECONDS, clock=run.clock, sleep=run.sleep),
    )
    if tier == "free":
        note_free(limiter)
    return ClientOptions(
        tool="Asana",
        credential_vars=CREDENTIAL_VARS,
        timeout=timeout,
        retry=RetryPolicy(max_attempts=max_attempts or run.attempts or ATTEMPTS, rate_window=WINDOW_SECONDS),
        limiters=(limiter,),
        write_cap=ConcurrencyCap(WRITES_IN_FLIGHT),
        classify=partial(classify, limiter=limiter),
        sleep=run.sleep,
        jitter=run.jitter,
    )


def token_of(settings: Settings) -> str:
    token = settings.asana_token.get_secret_value() if settings.asana_token else ""
    if not token:
        raise AuthError(
            Phrase("Asana needs a token (MOTEUR_ASANA_TOKEN)"),
            hint=Phrase(
                "create a personal access token at {page} and set it in .env",
                page="https://app.asana.com/0/my-apps",
            ),
        )
    return token


def asana_client(
    settings: Settings, options: ClientOptions | None = None, *, runtime: Runtime | None = None
) -> HttpClient:
    """A client for ``settings.asana_url`` with the token from the settings (env / ``.env``); ``options``
    default to ``asana_options`` on ``runtime``."""
    token = token_of(settings)
    chosen = options or asana_options(token, settings.asana_tier, runtime=runtime)
    return HttpClient(settings.asana_url, bearer_auth(token), chosen)


def rate_limiter(client: HttpClient) -> SlidingWindowLimiter | None:
    """The client's per-token limiter: a batch takes one more slot per extra action from it."""
    return client.options.limiters[0] if client.options.limiters else None
