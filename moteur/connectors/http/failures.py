"""Turning a failed HTTP exchange into the taxonomy of ``moteur.core.errors``, once, at the boundary.

Terms:

- *Failure*: what is known of a call that did not succeed: the tool, host, method, path (never the query:
  it may hold credentials), status or transport error, the answer's text (scrubbed), the attempts made, and
  ``what`` — the object the caller was after ("board 5f1a…"), so a 404 can name it.
- *Classifier*: ``Failure -> MoteurError``. ``default_classification`` serves every tool; a connector
  passes its own hook to add what it knows (Trello answers ``invalid id`` with a 400 when it means "no such
  board"; Asana wraps messages in ``errors[]``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from moteur.core.errors import (
    AuthError,
    MoteurError,
    NotFound,
    PermissionDenied,
    RateLimited,
    RemoteError,
    SkippableError,
)
from moteur.i18n import N_, _, ngettext
from moteur.redaction import scrub


class AmbiguousWrite(RemoteError):
    """A create that may or may not have been applied (the connection dropped after it was sent).

    Never resent blindly: the caller looks the object up (by name, by migration key) and creates it only if
    it is absent.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, retriable=True)


@dataclass(frozen=True, slots=True)
class Failure:
    tool: str  # "Trello", "Asana", "monday.com": as people name it
    host: str
    method: str
    path: str  # without the query string
    status: int | None = None
    text: str = ""  # the answer body, scrubbed and shortened: what a message may show
    body: str = ""  # the whole answer body, scrubbed: what a classifier parses (``text`` may cut its JSON)
    error: BaseException | None = None  # the transport error, when there was no answer
    attempts: int = 1
    what: str | None = None  # the object the call was about, e.g. "board 5f1a…"
    credential_vars: Sequence[str] = field(default_factory=tuple)  # env vars that hold the credentials
    retry_after: float | None = None
    rate_waited: float = 0.0  # seconds waited on rate-limit refusals before giving up

    @property
    def subject(self) -> str:
        return self.what or f"{self.method} {self.path}"


Classifier = Callable[[Failure], MoteurError]


def transport_message(failure: Failure) -> str:
    """ "cannot reach api.trello.com: connection refused (after 3 attempts)" — the host only, never the URL;
    in the current language, like the rest of what a run prints."""
    error = failure.error
    name = type(error).__name__ if error is not None else "error"
    text = str(error) if error is not None else ""
    lowered = text.lower()
    if (
        "name or service not known" in lowered
        or "nodename nor servname" in lowered
        or "resolution" in lowered
    ):
        reason = _(N_("the host name does not resolve (DNS)"))
    elif "refused" in lowered:
        reason = _(N_("connection refused"))
    elif "timed out" in lowered or "timeout" in name.lower():
        reason = _(N_("timed out"))
    elif "reset" in lowered or "aborted" in lowered or "disconnected" in lowered:
        reason = _(N_("the connection was dropped"))
    else:
        reason = name
    said = ngettext(
        "cannot reach {host}: {reason} (after {attempts} attempt)",
        "cannot reach {host}: {reason} (after {attempts} attempts)",
        failure.attempts,
    )
    return scrub(said.format(host=failure.host, reason=reason, attempts=failure.attempts))


def default_classification(failure: Failure) -> MoteurError:
    """The error a caller gets for ``failure``; every message is scrubbed and names host or object."""
    status, tool = failure.status, failure.tool
    detail = f": {failure.text}" if failure.text else ""
    if status is None:
        return RemoteError(transport_message(failure), retriable=True, hint=_("check the network and retry"))
    if status == 401:
        creds = " / ".join(failure.credential_vars)
        where = f" ({creds})" if creds else ""
        return AuthError(scrub(f"{tool} rejected the credentials{where}"), hint="check the token and retry")
    if status == 403:
        return PermissionDenied(
            scrub(f"{tool} refused access to {failure.subject}{detail}"),
            hint="check that the token's account may do this",
        )
    if status == 404:
        return NotFound(
            scrub(f"{tool}: {failure.subject} not found"),
            hint="check the id and that it is shared with the token's account",
        )
    if status == 429:
        return RateLimited(
            scrub(
                f"{tool} kept refusing requests over its rate limit for {_minutes(failure.rate_waited)} "
                f"({failure.host}): another program is spending the same token"
            ),
            retry_after=failure.retry_after,
            hint="let the other program finish (or give each its own token), then run the same command again",
        )
    if status >= 500:
        answered = ngettext(
            "{host} answered {status} after {attempts} attempt{detail}",
            "{host} answered {status} after {attempts} attempts{detail}",
            failure.attempts,
        )
        return RemoteError(
            scrub(
                answered.format(host=failure.host, status=status, attempts=failure.attempts, detail=detail)
            ),
            retriable=True,
            hint=_("the service may be down; retry later"),
        )
    return SkippableError(scrub(f"{tool} refused {failure.subject} ({status}){detail}"))


def _minutes(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes >= 1 else f"{max(1, round(seconds))} s"


def short_text(body: str, limit: int = 200) -> str:
    """An answer body as it may appear in a message: one line, scrubbed, at most ``limit`` characters."""
    flat = " ".join(body.split())
    if flat.lstrip().startswith("<"):
        return "an HTML page"
    return scrub(flat[:limit] + ("…" if len(flat) > limit else ""))
