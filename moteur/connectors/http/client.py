"""``HttpClient``: one ``requests.Session`` per connector, with auth, pacing, retries, counters and redaction.

Terms:

- *Auth*: how credentials ride on a call: query parameters (``QueryAuth``) or headers (``HeaderAuth``:
  Trello's ``Authorization: OAuth oauth_consumer_key=…, oauth_token=…``, Asana's ``Bearer``, monday's bare
  token). Credentials in headers never appear in a URL, so neither urllib3's debug log nor a transport
  exception's text can leak them; every secret is registered with ``redaction`` all the same.
- *Stats*: per client, the requests sent (each retry counts), the retries, and the 429s met.

One call = ``acquire`` its slots on every limiter → send → ``release`` them at the answer (and let the tool
``observe`` what the answer says of the rate limit) → on a retriable outcome wait (``retry_delay``) and go
again (``tenacity`` drives the loop; sleep and jitter come from the ``moteur.runtime``) → classify a final
failure.

*Rate-limit refusals* (429) are not counted against ``max_attempts``: they are waited out, each as long as
the server says, for as long as ``RetryPolicy.rate_patience`` allows in all for one call. Another program on
the same token makes them, and a run that waits its turn finishes; one that gave up after five would not.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import requests
from tenacity import RetryCallState, Retrying

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
    SERVER_ERRORS,
    RetryPolicy,
    is_transport_error,
    is_unsent,
    parse_retry_after,
    retry_delay,
    should_retry,
)
from moteur.core.errors import RemoteError
from moteur.redaction import register_secret, scrub

log = logging.getLogger("moteur.http")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds


class Auth(Protocol):
    def apply(self, params: dict[str, Any], headers: dict[str, str]) -> None: ...

    def secrets(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class QueryAuth:
    """Credentials as query parameters (e.g. Trello's ``key`` and ``token``)."""

    values: Mapping[str, str]

    def apply(self, params: dict[str, Any], headers: dict[str, str]) -> None:
        params.update(self.values)

    def secrets(self) -> tuple[str, ...]:
        return tuple(self.values.values())


@dataclass(frozen=True)
class HeaderAuth:
    """Credentials as headers; ``secret_values`` are the raw tokens inside them (for scrubbing)."""

    headers: Mapping[str, str]
    secret_values: tuple[str, ...] = ()

    def apply(self, params: dict[str, Any], headers: dict[str, str]) -> None:
        headers.update(self.headers)

    def secrets(self) -> tuple[str, ...]:
        return (*self.secret_values, *self.headers.values())


def bearer_auth(token: str) -> HeaderAuth:
    """Asana: ``Authorization: Bearer <token>``."""
    return HeaderAuth({"Authorization": f"Bearer {token}"}, (token,))


@dataclass
class HttpStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0  # 429 answers met

    def __add__(self, other: HttpStats) -> HttpStats:
        return HttpStats(
            self.requests + other.requests,
            self.retries + other.retries,
            self.rate_limited + other.rate_limited,
        )


RequestUnits = Callable[[str, str, Mapping[str, Any]], int]


def one_unit(method: str, path: str, params: Mapping[str, Any]) -> int:
    """Most requests count once against a rate limit; ``ClientOptions.units`` says otherwise per tool."""
    return 1


@dataclass
class ClientOptions:
    """Everything but the base URL and auth; tests shorten timeouts and inject sleep, clock and jitter.

    ``units(method, path, params)``: the rate-limit units one request spends (Trello's ``GET /batch``: one per
    inner URL); the client takes that many slots on every limiter.

    ``give_up(response)``: True for an answer that must not be sent again whatever its status (monday's 429
    ``DAILY_LIMIT_EXCEEDED``: its wait runs to midnight UTC, so a retry only spends more of the day's calls).

    ``observe(response)``: reads what an answer says of the rate limit (Trello's ``x-rate-limit-*``
    headers) into the tool's limiters; called for every answer, after its slots are released.
    """

    tool: str = "the service"
    credential_vars: Sequence[str] = ()
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    limiters: Sequence[SlidingWindowLimiter] = ()
    write_cap: ConcurrencyCap | None = None
    classify: Classifier = default_classification
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    headers: Mapping[str, str] = field(default_factory=dict)
    units: RequestUnits = one_unit
    give_up: Callable[[requests.Response], bool] | None = None
    observe: Callable[[requests.Response], None] | None = None


class HttpClient:
    """A JSON API client for one tool. Thread-safe (one session; counters under a lock).

    ``request_json(method, path, params=, json=, what=, idempotent=)`` returns the decoded answer or raises a
    ``MoteurError``: ``AuthError``/``PermissionDenied``/``NotFound``/``SkippableError`` for 4xx (per the
    tool's classifier), ``RateLimited`` or ``RemoteError`` (naming the host) after retries, ``AmbiguousWrite``
    when a create may have been applied, ``RemoteError`` when the answer is not JSON.
    """

    def __init__(
        self,
        base_url: str,
        auth: Auth,
        options: ClientOptions | None = None,
        *,
        session: requests.Session | None = None,
    ) -> None:
        # A user:password in the base URL means nothing to these APIs, and requests would turn it into a Basic
        # Authorization header that replaces the tool's own (a Trello 401): it is dropped here.
        parts = urlsplit(base_url.rstrip("/"))
        if parts.username is not None or parts.password is not None:
            parts = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])
        self.base_url = urlunsplit(parts)
        self.host = parts.netloc or self.base_url
        self.auth = auth
        self.options = options or ClientOptions()
        self.session = session or requests.Session()
        for secret in auth.secrets():
            register_secret(secret)
        self._stats = HttpStats()
        self._lock = threading.Lock()

    # -- public -----------------------------------------------------------------------------------------

    def stats(self) -> HttpStats:
        with self._lock:
            return HttpStats(self._stats.requests, self._stats.retries, self._stats.rate_limited)

    def close(self) -> None:
        self.session.close()

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        what: str | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        response = self.request(method, path, params=params, json=json, what=what, idempotent=idempotent)
        try:
            return response.json()
        except ValueError as exc:
            kind = short_text(response.text) if response.text.lstrip().startswith("<") else "non-JSON text"
            raise RemoteError(
                scrub(f"{self.host} answered {response.status_code} with {kind} where JSON was expected"),
                hint=f"check the {self.options.tool} URL setting points at the API",
            ) from exc

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        what: str | None = None,
        idempotent: bool | None = None,
    ) -> requests.Response:
        """Send one call with retries; a 2xx answer is returned, anything else raised as a ``MoteurError``."""
        method = method.upper()
        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        refusals = _Refusals()
        retrying = Retrying(
            sleep=self.options.sleep,
            retry=lambda state: self._again(state, safe, refusals),
            wait=lambda state: self._wait(state, refusals),
            reraise=True,
        )
        attempts = 0

        def attempt() -> requests.Response:
            nonlocal attempts
            attempts += 1
            return self._send(method, path, params, json, retry=attempts > 1)

        try:
            response = retrying(attempt)
        except requests.exceptions.RequestException as exc:
            failure = self._failure(method, path, None, exc, attempts, what)
            if is_transport_error(exc) and not safe and not is_unsent(exc):
                raise AmbiguousWrite(
                    scrub(f"{self.options.tool}: {method} {path} may or may not have been applied: ")
                    + transport_message(failure),
                    hint="look the object up before creating it again",
                ) from exc
            raise self.options.classify(failure) from exc
        if response.ok:
            return response
        failure = self._failure(method, path, response, None, attempts, what, refusals.waited)
        error = self.options.classify(failure)
        if not safe and response.status_code in SERVER_ERRORS:
            error = AmbiguousWrite(str(error), hint="look the object up before creating it again")
        raise error from _HttpStatus(response.status_code)

    # -- internals --------------------------------------------------------------------------------------

    def _send(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any, *, retry: bool
    ) -> requests.Response:
        units = self.options.units(method, path, params or {})
        query: dict[str, Any] = dict(params or {})
        headers: dict[str, str] = {"Accept": "application/json", **self.options.headers}
        self.auth.apply(query, headers)
        cap: AbstractContextManager[None] = nullcontext()
        if method not in ("GET", "HEAD") and self.options.write_cap is not None:
            cap = self.options.write_cap.slot()
        url = f"{self.base_url}/{path.lstrip('/')}"
        started = time.perf_counter()
        # The write cap first: rate slots are then held only while the request can really go.
        try:
            with cap, self._rate_slots(units):
                with self._lock:
                    self._stats.requests += 1
                    self._stats.retries += int(retry)
                started = time.perf_counter()
                response = self.session.request(
                    method, url, params=query, json=body, headers=headers, timeout=self.options.timeout
                )
        except requests.exceptions.RequestException as exc:
            log.debug(scrub(f"{method} {path} -> {type(exc).__name__} in {_ms(started)} ms"))
            raise
        log.debug(scrub(f"{method} {path} -> {response.status_code} in {_ms(started)} ms"))
        if self.options.observe is not None:
            self.options.observe(response)
        if response.status_code == 429:
            with self._lock:
                self._stats.rate_limited += 1
        return response

    @contextmanager
    def _rate_slots(self, units: int) -> Iterator[None]:
        """``units`` slots on every limiter, held from before the send until the answer or the failure.

        The server counted the request at some moment in between (see ``limiter``). The release frees every
        slot this thread holds, so extra slots a caller took for a batch's actions end with it too.
        """
        try:
            for limiter in self.options.limiters:
                limiter.acquire(units)
            yield
        finally:
            for limiter in self.options.limiters:
                limiter.release()

    def _again(self, state: RetryCallState, idempotent: bool, refusals: _Refusals) -> bool:
        outcome = state.outcome
        if outcome is None:
            return False
        error = outcome.exception()
        status = None if error is not None else outcome.result().status_code
        if error is None and self.options.give_up is not None and self.options.give_up(outcome.result()):
            return False
        if status == 429:
            refusals.count += 1
            return refusals.waited < self.options.retry.rate_patience
        attempt = state.attempt_number - refusals.count  # refusals do not use up the attempts
        return should_retry(status, error, attempt, idempotent, max_attempts=self.options.retry.max_attempts)

    def _wait(self, state: RetryCallState, refusals: _Refusals) -> float:
        policy = self.options.retry
        hint: float | None = None
        outcome = state.outcome
        if outcome is not None and outcome.exception() is None:
            response: requests.Response = outcome.result()
            hint = parse_retry_after(response.headers.get("Retry-After"))
            if response.status_code == 429 and hint is None:
                hint = policy.rate_window
        refused = outcome is not None and outcome.exception() is None and outcome.result().status_code == 429
        # Past refusals do not lengthen the backoff of other failures (they do not use up attempts either).
        attempt = state.attempt_number if refused else state.attempt_number - refusals.count
        delay = retry_delay(
            attempt,
            hint,
            self.options.jitter(),
            base=policy.base,
            cap=policy.cap,
            max_wait=policy.max_wait,
        )
        if refused:
            delay = min(delay, max(0.0, policy.rate_patience - refusals.waited))
            # A wait of 0 (``Retry-After: 0``) still counts a second against patience: refusals never loop
            # for ever, as monday's complexity waits (``monday/transport.py``).
            refusals.waited += max(delay, 1.0)
        if hint is not None:
            # A rate-limit answer concerns every caller on this credential, not just this call.
            for limiter in self.options.limiters:
                limiter.pause(delay)
        return delay

    def _failure(
        self,
        method: str,
        path: str,
        response: requests.Response | None,
        error: BaseException | None,
        attempts: int,
        what: str | None,
        rate_waited: float = 0.0,
    ) -> Failure:
        return Failure(
            tool=self.options.tool,
            host=self.host,
            method=method,
            path=path,
            status=response.status_code if response is not None else None,
            text=short_text(response.text) if response is not None else "",
            body=scrub(response.text) if response is not None else "",
            error=error,
            attempts=attempts,
            what=what,
            credential_vars=tuple(self.options.credential_vars),
            retry_after=parse_retry_after(response.headers.get("Retry-After"))
            if response is not None
            else None,
            rate_waited=rate_waited,
        )


@dataclass
class _Refusals:
    """One call's rate-limit refusals so far, and the seconds waited on them."""

    count: int = 0
    waited: float = 0.0


class _HttpStatus(Exception):
    """The cause attached to an error raised for an HTTP status (its text holds no URL and no secret)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
