"""How moteur talks to monday.com: the ``HttpClient`` set up for monday, a complexity pacer, and one POST.

- Auth: ``Authorization: <token>`` (raw, no "Bearer"), ``API-Version`` pinned from the settings (default
  2026-10); a 401 names ``MOTEUR_MONDAY_TOKEN`` and never the token.
- *Budget*: monday charges each query *complexity points* against 10,000,000 per minute per personal token
  (monday's docs). Every read asks ``complexity { after reset_in_x_seconds }``; the *pacer* keeps what is
  left, subtracts its estimate of each request it sends, and before a request that would not fit it first
  asks the real figure (``documents.BUDGET``, one cheap query) and then, if it still does not fit, waits
  ``reset_in_x_seconds``. A refusal anyway (HTTP 429, or ``COMPLEXITY_BUDGET_EXHAUSTED`` /
  ``ComplexityException`` in a 200) waits the ``retry_in_seconds`` monday gives and sends again: nothing was
  applied. Refusals are waited out for ``PATIENCE_SECONDS`` in all per request (another run on the same
  token spends the same budget, and waiting for it is the way through), then the run stops with one line.
  Sleep and clock come from the ``moteur.runtime``; tests never wait for real.
- One pacer per token in a run (``Runtime.shared``): a connector opened after another (a migration's next
  hop, a sync after a doctor) knows what the earlier one spent, instead of meeting a budget refusal to learn
  it.
- Requests go out one at a time per connector: monday asks for serial mutations on a board.
- *Daily cap* (``daily``): an answer that carries ``account`` / ``platform_api`` (``daily.DAILY_FIELDS``,
  added to queries sent anyway) tells the account's cap and today's calls; the transport counts what it
  sent since, so ``calls_left`` is known without asking again. A ``DAILY_LIMIT_EXCEEDED`` answer is never
  retried (not by the HTTP layer either: ``give_up``) and raises ``DailyLimitExceeded``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from moteur.connectors.http import ClientOptions, HeaderAuth, HttpClient, RetryPolicy
from moteur.connectors.http.retry import ATTEMPTS
from moteur.connectors.monday import documents
from moteur.connectors.monday.daily import DailyCap, DailyLimitExceeded, parse_daily, used_up
from moteur.connectors.monday.errors import (
    AUTH_HINT,
    CREDENTIAL_VAR,
    Problem,
    classify_failure,
    daily_limit_answer,
    first_fatal,
    problems_of,
)
from moteur.core.errors import AuthError, RateLimited, RemoteError
from moteur.core.phrase import Phrase
from moteur.runtime import Runtime, current

if TYPE_CHECKING:
    from moteur.settings import Settings

BUDGET_PER_MINUTE = 10_000_000
MAX_PER_QUERY = 5_000_000
WRITE_COST_PER_ITEM = 10_000  # an upper bound: monday quotes ~10,000 for create_item, a value change is less
WAIT_CAP = 120.0
PATIENCE_SECONDS = 600.0  # budget refusals waited out per request, in all, before giving up


class ComplexityPacer:
    """What is left of the complexity budget, as last seen, minus the estimates of what was sent since."""

    def __init__(
        self,
        budget: int = BUDGET_PER_MINUTE,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.budget = budget
        self.clock = clock
        self.sleep = sleep
        self.remaining: int | None = None  # unknown until an answer reports it
        self.reset_at: float | None = None
        self.waited = 0.0
        # What each query document cost when last run (monday reports it in ``complexity.query``): a read
        # whose cost the caller cannot estimate is paced on what the same document cost before.
        self.costs: dict[int, int] = {}

    def observe(self, complexity: object, document: str | None = None) -> None:
        if not isinstance(complexity, dict):
            return
        if document is not None and isinstance(complexity.get("query"), int):
            self.costs[hash(document)] = int(complexity["query"])
        after, reset = complexity.get("after"), complexity.get("reset_in_x_seconds")
        if isinstance(after, int):
            self.remaining = after
        if isinstance(reset, int | float):
            self.reset_at = self.clock() + float(reset)

    def fits(self, cost: int) -> bool:
        return self.remaining is None or cost <= self.remaining

    def spend(self, cost: int) -> None:
        if self.remaining is not None:
            self.remaining -= cost

    def wait_for_reset(self) -> float:
        """Sleep until the budget resets (as last reported); afterwards it is taken as whole again."""
        wait = 0.0 if self.reset_at is None else max(0.0, self.reset_at - self.clock())
        wait = min(wait, WAIT_CAP)
        if wait > 0:
            self.sleep(wait)
            self.waited += wait
        self.remaining, self.reset_at = self.budget, None
        return wait


def shared_pacer(token: str, runtime: Runtime | None = None) -> ComplexityPacer:
    """The pacer of ``token`` in ``runtime`` (default: the run's): one per token, on the runtime's time."""
    run = runtime or current()
    return run.shared("monday", token, lambda: ComplexityPacer(clock=run.clock, sleep=run.sleep))


@dataclass(frozen=True, slots=True)
class Answer:
    data: dict[str, Any]
    problems: list[Problem]


class MondayTransport:
    """One GraphQL POST at a time, paced to the budget, with budget refusals waited out and resent."""

    def __init__(self, http: HttpClient, path: str, pacer: ComplexityPacer) -> None:
        self.http = http
        self.path = path
        self.pacer = pacer
        self.daily: DailyCap | None = None  # the account's cap and usage, as last reported
        self.sent_since_daily = 0  # requests sent since ``daily`` was reported

    def calls_left(self) -> int | None:
        """Today's calls left to the account, from the last report minus what was sent since; None when
        monday did not say how many were used."""
        left = self.daily.remaining if self.daily is not None else None
        return None if left is None else max(0, left - self.sent_since_daily)

    def _post(self, document: str, variables: Mapping[str, Any], what: str, idempotent: bool) -> Any:
        self.sent_since_daily += 1
        return self.http.request_json(
            "POST",
            self.path,
            json={"query": document, "variables": dict(variables)},
            what=what,
            idempotent=idempotent,
        )

    def _make_room(self, cost: int) -> None:
        if self.pacer.fits(cost):
            return
        # Our estimate says no: ask the real figure before waiting on a guess.
        body = self._post(documents.BUDGET, {}, "the complexity budget", True)
        data = body.get("data") if isinstance(body, dict) else None
        self.pacer.observe(data.get("complexity") if isinstance(data, dict) else None)
        if not self.pacer.fits(cost):
            self.pacer.wait_for_reset()

    def send(
        self, document: str, variables: Mapping[str, Any], *, what: str, idempotent: bool, cost: int = 0
    ) -> Answer:
        """The answer's data and its field-level problems; a request-wide failure is raised.

        ``idempotent``: sending it twice does what sending it once does (every query; a write of column
        values). Only those are resent after an ambiguous network failure (see ``connectors.http``).

        A *request-wide* problem has no ``path`` or comes with no data at all (auth, validation, budget);
        field problems (an alias whose item was deleted) are returned for the caller to sort out.
        """
        try:
            return self._send(document, variables, what, idempotent, cost)
        except DailyLimitExceeded as exc:
            # Said with the plan when a read told it ("the Free plan: 200 calls a day"), once.
            if self.daily is None or "calls a day" in exc.message:
                raise
            raise used_up(self.daily, exc.retry_in) from exc

    def _send(
        self, document: str, variables: Mapping[str, Any], what: str, idempotent: bool, cost: int
    ) -> Answer:
        cost = cost or self.pacer.costs.get(hash(document), 0)
        waited = 0.0
        while True:
            self._make_room(cost)
            body = self._post(document, variables, what, idempotent)
            self.pacer.spend(cost)
            if not isinstance(body, dict):
                raise RemoteError(f"monday.com answered something other than JSON for {what}", retriable=True)
            data = body.get("data")
            if isinstance(data, dict):
                self.pacer.observe(data.get("complexity"), document)
                daily = parse_daily(data)
                if daily is not None:
                    # The usage monday reports includes this request (or will): count from here.
                    self.daily, self.sent_since_daily = daily, 0
            # platform_api only informs the daily cap (monday may not answer it to every account): never a
            # problem of the caller's.
            problems = [p for p in problems_of(body) if p.alias != "platform_api"]
            wide = [p for p in problems if p.alias is None or not isinstance(data, dict)]
            waits = [p for p in wide if p.must_wait]
            if waits and waited < PATIENCE_SECONDS:
                # A budget or rate refusal applies nothing: wait what monday says, then send again.
                seconds = min(max(p.retry_in or 0.0 for p in waits), PATIENCE_SECONDS - waited)
                self.pacer.reset_at = self.pacer.clock() + seconds
                waited += self.pacer.wait_for_reset() or 1.0  # a wait of 0 still counts against patience
                continue
            if waits:
                raise RateLimited(
                    f"monday.com kept refusing {what} over its complexity budget for "
                    f"{round(waited / 60)} min: another program is spending the same token",
                    retry_after=max(p.retry_in or 0.0 for p in waits),
                    hint="let the other program finish (or give each its own token), then run the same "
                    "command again",
                )
            if wide:
                raise first_fatal(wide, what)
            return Answer(data if isinstance(data, dict) else {}, problems)


# -- building it from the settings ------------------------------------------------------------------


def monday_options(
    token: str,
    api_version: str,
    *,
    runtime: Runtime | None = None,
    timeout: tuple[float, float] = (5.0, 60.0),
    max_attempts: int | None = None,
) -> ClientOptions:
    """Options for monday: its 60 s server timeout, 429 waits per ``Retry-After``, the error classifier; sleep
    and jitter of ``runtime`` (default: the run's)."""
    run = runtime or current()
    return ClientOptions(
        tool="monday.com",
        credential_vars=(CREDENTIAL_VAR,),
        timeout=timeout,
        retry=RetryPolicy(
            max_attempts=max_attempts or run.attempts or ATTEMPTS,
            rate_window=60.0,
            max_wait=WAIT_CAP,
            rate_patience=PATIENCE_SECONDS,
        ),
        classify=classify_failure,
        sleep=run.sleep,
        jitter=run.jitter,
        headers={"API-Version": api_version},
        give_up=daily_limit_answer,  # its wait runs to midnight UTC: not a retry
    )


def token_of(settings: Settings) -> str:
    token = settings.monday_token.get_secret_value() if settings.monday_token else ""
    if not token:
        raise AuthError(
            Phrase("monday.com needs an API token ({variable})", variable=CREDENTIAL_VAR), hint=AUTH_HINT
        )
    return token


def endpoint(url: str) -> tuple[str, str]:
    """``(base, path)`` so that the client posts to exactly ``url`` (no trailing slash added)."""
    base, _, last = url.rstrip("/").rpartition("/")
    return (base, last) if base and "://" in base else (url, "")


def monday_client(
    settings: Settings, options: ClientOptions | None = None, *, runtime: Runtime | None = None
) -> tuple[HttpClient, str]:
    """A client for ``settings.monday_url`` with the token from the settings, and the path to post to;
    ``options`` default to ``monday_options`` on ``runtime``."""
    token = token_of(settings)
    base, path = endpoint(settings.monday_url)
    auth = HeaderAuth({"Authorization": token}, (token,))
    chosen = options or monday_options(token, settings.monday_api_version, runtime=runtime)
    return HttpClient(base, auth, chosen), path
