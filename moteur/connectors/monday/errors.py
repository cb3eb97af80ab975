"""monday.com's errors, classified once into the taxonomy of ``moteur.core.errors``.

monday reports most errors inside an HTTP 200. Terms:

- *Problem*: one error of an answer, whatever its shape: ``code`` (``extensions.code`` or the legacy
  ``error_code``), ``message``, the ``path`` of the field it concerns (``["u3"]`` for the alias ``u3`` of an
  aliased mutation), and ``retry_in`` — the seconds monday asks us to wait (``retry_in_seconds``, or the
  "reset in N seconds" of the legacy ``ComplexityException`` text).
- Shapes read (API_FACTS §3.6): ``{"errors": [{"message", "path", "extensions": {"code", …}}]}`` (2025-01
  and later); the legacy top-level ``{"error_code", "error_message", "error_data", "status_code"}`` (2024-07,
  seen in the recorded cassettes; 2024-10 sent both); ``{"errors": ["Not Authenticated"]}`` with a 401.
- *Wait problem*: the budget and rate refusals (``COMPLEXITY_BUDGET_EXHAUSTED``, ``ComplexityException``,
  the minute / concurrency / IP limits): nothing was applied, wait ``retry_in`` and send again.

Classification (what the caller must do)::

    Not Authenticated / 401                          AuthError naming MOTEUR_MONDAY_TOKEN (fatal)
    UserUnauthorizedException, 403                   PermissionDenied (fatal)
    InvalidBoardIdException                          NotFound naming the board (fatal for a read)
    InvalidItemIdException, InvalidColumnIdException,
      ColumnValueException, InvalidUserIdException,
      JsonParseException, InvalidArgumentException   SkippableError (that item's ops fail; others go on)
    parse / validation errors, maxComplexityExceeded UsageError (a bug in our document: never expected)
    wait problems                                    RateLimited with retry_after (waited, then resent)
    DAILY_LIMIT_EXCEEDED                             RateLimited (not waited: it resets at midnight UTC)
    anything else (INTERNAL_SERVER_ERROR…)           RemoteError, retriable
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from moteur.connectors.http import Failure, default_classification
from moteur.core.errors import (
    AuthError,
    MoteurError,
    NotFound,
    PermissionDenied,
    RateLimited,
    RemoteError,
    SkippableError,
    UsageError,
)
from moteur.redaction import scrub

CREDENTIAL_VAR = "MOTEUR_MONDAY_TOKEN"
AUTH_MESSAGE = f"monday.com rejected the API token ({CREDENTIAL_VAR})"
AUTH_HINT = "copy a personal API token from monday.com: avatar → Developers → My access tokens"

WAIT_CODES = frozenset(
    {
        "COMPLEXITY_BUDGET_EXHAUSTED",
        "ComplexityException",
        "MINUTE_RATE_LIMIT_EXCEEDED",
        "MAX_CONCURRENCY_EXCEEDED",
        "maxConcurrencyExceeded",
        "IP_RATE_LIMIT_EXCEEDED",
        "RATE_LIMIT_EXCEEDED",
    }
)
ITEM_CODES = frozenset(
    {
        "InvalidItemIdException",
        "InvalidColumnIdException",
        "ColumnValueException",
        "InvalidUserIdException",
        "JsonParseException",
        "InvalidArgumentException",
        "InvalidValueException",
        "ItemNameTooLongException",
        "CreateBoardException",
    }
)
DOCUMENT_CODES = frozenset(
    {
        "GRAPHQL_VALIDATION_FAILED",
        "GRAPHQL_PARSE_FAILED",
        "undefinedField",
        "missingRequiredArguments",
        "argumentNotAccepted",
        "maxComplexityExceeded",
        "InvalidVersionException",
    }
)
_RESET_IN = re.compile(r"reset in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    path: tuple[str, ...] = ()
    retry_in: float | None = None
    status: int | None = None

    @property
    def alias(self) -> str | None:
        """The root field (or alias) the problem concerns, e.g. ``u3``; None for a request-wide problem."""
        return self.path[0] if self.path else None

    @property
    def must_wait(self) -> bool:
        return self.code in WAIT_CODES or (self.retry_in is not None and self.code != "DAILY_LIMIT_EXCEEDED")


def _seconds(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _one(entry: object) -> Problem:
    if isinstance(entry, str):
        code = "Not Authenticated" if "authenticat" in entry.lower() else "UNKNOWN"
        return Problem(code, entry)
    if not isinstance(entry, dict):
        return Problem("UNKNOWN", str(entry)[:200])
    raw_extensions = entry.get("extensions")
    extensions: dict[str, Any] = raw_extensions if isinstance(raw_extensions, dict) else {}
    message = str(entry.get("message") or "")
    code = str(extensions.get("code") or "")
    if not code:
        code = "GRAPHQL_PARSE_FAILED" if message.startswith("Parse error") else "UNKNOWN"
    path = entry.get("path")
    retry = _seconds(extensions.get("retry_in_seconds"))
    status = extensions.get("status_code")
    return Problem(
        code,
        message,
        tuple(str(p) for p in path) if isinstance(path, list) else (),
        retry,
        status if isinstance(status, int) else None,
    )


def problems_of(body: object) -> list[Problem]:
    """Every problem an answer carries, in both shapes (a legacy body is one problem)."""
    if not isinstance(body, dict):
        return []
    found: list[Problem] = []
    entries = body.get("errors")
    if isinstance(entries, list):
        found.extend(_one(entry) for entry in entries)
    if body.get("error_code") or body.get("error_message"):
        message = str(body.get("error_message") or "")
        reset = _RESET_IN.search(message)
        legacy = Problem(
            str(body.get("error_code") or "UNKNOWN"),
            message,
            retry_in=float(reset.group(1)) if reset else None,
            status=body["status_code"] if isinstance(body.get("status_code"), int) else None,
        )
        # 2024-10 sent both shapes for one error: keep one.
        if not any(p.code == legacy.code for p in found):
            found.append(legacy)
    return found


def classify(problem: Problem, what: str) -> MoteurError:
    """The error for one problem; ``what`` names the object ("board 123", 'item "Webinar" (456)')."""
    code, text = problem.code, scrub(problem.message[:200])
    if code == "Not Authenticated" or problem.status == 401:
        return AuthError(AUTH_MESSAGE, hint=AUTH_HINT)
    if code in ("UserUnauthorizedException", "Forbidden") or problem.status == 403:
        return PermissionDenied(
            f"monday.com refused access to {what}: {text}", hint="check that the token's user may do this"
        )
    if code == "InvalidBoardIdException":
        return NotFound(
            f"monday.com: {what} not found", hint="use the number in the board's URL: …/boards/<id>"
        )
    if code in DOCUMENT_CODES:
        return UsageError(
            f"monday.com refused moteur's query for {what} ({code}: {text})",
            hint="this is a bug in moteur or an unsupported MOTEUR_MONDAY_API_VERSION; please report it",
        )
    if code == "DAILY_LIMIT_EXCEEDED":
        return RateLimited(
            "monday.com's daily request limit is used up", retry_after=problem.retry_in, hint="retry tomorrow"
        )
    if problem.must_wait:
        return RateLimited(
            f"monday.com is still refusing for {what} ({code}) after waiting",
            retry_after=problem.retry_in,
            hint="wait a minute and retry",
        )
    if code in ITEM_CODES:
        return SkippableError(f"monday.com refused {what} ({code}): {text}")
    return RemoteError(f"monday.com failed on {what} ({code}): {text}", retriable=True, hint="retry later")


def first_fatal(problems: Sequence[Problem], what: str) -> MoteurError:
    """The error a request-wide failure raises: the most decisive of its problems."""
    errors = [classify(p, what) for p in problems]
    for kind in (AuthError, NotFound, UsageError, RateLimited):
        for error in errors:
            if isinstance(error, kind):
                return error
    return errors[0] if errors else RemoteError(f"monday.com answered no data for {what}", retriable=True)


def classify_failure(failure: Failure) -> MoteurError:
    """The HTTP layer's hook: a 401 names ``MOTEUR_MONDAY_TOKEN``; a 4xx body with ``errors[]`` is read."""
    if failure.status == 401:
        return AuthError(AUTH_MESSAGE, hint=AUTH_HINT)
    if failure.status is not None and 400 <= failure.status < 500 and failure.status != 429:
        try:
            body: Any = json.loads(failure.text)
        except ValueError:
            body = None
        found = problems_of(body)
        if found:
            return first_fatal(found, failure.subject)
    return default_classification(failure)
