"""monday.com's errors, classified once into the taxonomy of ``moteur.core.errors``.

monday reports most errors inside an HTTP 200. Terms:

- *Problem*: one error of an answer, whatever its shape: ``code`` (``extensions.code`` or the legacy
  ``error_code``), ``message``, the ``path`` of the field it concerns (``["u3"]`` for the alias ``u3`` of an
  aliased mutation), ``retry_in`` — the seconds monday asks us to wait (``retry_in_seconds``, or the
  "reset in N seconds" of the legacy ``ComplexityException`` text) — and ``data``, its ``error_data``.
- Problems are read from the whole answer body; only the message a person sees is cut (200 characters).
- Shapes read: ``{"errors": [{"message", "path", "extensions": {"code", …}}]}`` (2025-01
  and later); the legacy top-level ``{"error_code", "error_message", "error_data", "status_code"}`` (2024-07,
  seen in the recorded cassettes; 2024-10 sent both); ``{"errors": ["Not Authenticated"]}`` with a 401.
- *Wait problem*: the budget and rate refusals (``COMPLEXITY_BUDGET_EXHAUSTED``, ``ComplexityException``,
  the minute / concurrency / IP limits): nothing was applied, wait ``retry_in`` and send again.

Classification (what the caller must do)::

    Not Authenticated / 401                          AuthError naming MOTEUR_MONDAY_TOKEN (fatal)
    UserUnauthorizedException, 403                   PermissionDenied (fatal)
    InvalidBoardIdException                          NotFound naming the board (fatal for a read)
    ColumnValueException "unable to assign person"
      (error_data invalidPersonAssignment)           UnassignablePerson (a SkippableError naming the column:
                                                     the caller drops that value and writes the rest)
    InvalidItemIdException, InvalidColumnIdException,
      ColumnValueException, InvalidUserIdException,
      JsonParseException, InvalidArgumentException   SkippableError (that item's ops fail; others go on)
    parse / validation errors, maxComplexityExceeded UsageError (a bug in our document: never expected)
    wait problems                                    RateLimited with retry_after (waited, then resent)
    DAILY_LIMIT_EXCEEDED (HTTP 429 or in a 200)      DailyLimitExceeded: not retried, not waited (its wait
                                                     runs to midnight UTC); the run stops on it
    INTERNAL_SERVER_ERROR, a status_code ≥ 500       RemoteError, retriable (monday failed, may pass again)
    any other code                                   RemoteError, not retriable: an answer moteur does not
                                                     know is not sent again on a guess
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from moteur.connectors.http import Failure, default_classification
from moteur.connectors.monday.daily import DailyLimitExceeded, used_up
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
from moteur.core.phrase import Phrase
from moteur.redaction import scrub

CREDENTIAL_VAR = "MOTEUR_MONDAY_TOKEN"
# Phrases: said in the reader's language by ``print_error`` (the message of every command's failure).
AUTH_MESSAGE = Phrase("monday.com rejected the API token ({variable})", variable=CREDENTIAL_VAR)
AUTH_HINT = Phrase("copy a personal API token from monday.com: avatar → Developers → My access tokens")

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
TRANSIENT_CODES = frozenset({"INTERNAL_SERVER_ERROR", "InternalServerError", "INTERNAL_ERROR"})
"""Codes of a failure on monday's side, which may pass if sent again."""
PERSON_ASSIGNMENT = "invalidPersonAssignment"
DAILY_LIMIT = "DAILY_LIMIT_EXCEEDED"
MESSAGE_LIMIT = 200  # characters of monday's message a person is shown
_RESET_IN = re.compile(r"reset in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)
_PERSON_ID = re.compile(r"unable to assign (?:person|team) with id:?\s*(\d+)", re.IGNORECASE)


class UnassignablePerson(SkippableError):
    """monday refused a people value: someone in it cannot be assigned on the board (pending, view-only,
    deactivated, a guest or member the board does not have). ``column`` is the people column; ``person``
    the id monday named, when it named one."""

    def __init__(self, message: str, column: str | None, person: str | None) -> None:
        super().__init__(message)
        self.column = column
        self.person = person


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    path: tuple[str, ...] = ()
    retry_in: float | None = None
    status: int | None = None
    data: dict[str, Any] = field(default_factory=dict)  # extensions.error_data

    @property
    def person_assignment(self) -> bool:
        """monday's refusal of a people value (code ColumnValueException, reason invalidPersonAssignment)."""
        reason = self.data.get("column_validation_error_code") or self.data.get("error_code")
        if PERSON_ASSIGNMENT in (reason, self.code):
            return True
        return self.code in ("ColumnValueException", "UNKNOWN") and bool(_PERSON_ID.search(self.message))

    @property
    def alias(self) -> str | None:
        """The root field (or alias) the problem concerns, e.g. ``u3``; None for a request-wide problem."""
        return self.path[0] if self.path else None

    @property
    def must_wait(self) -> bool:
        return self.code in WAIT_CODES or (self.retry_in is not None and self.code != DAILY_LIMIT)


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
        return Problem("UNKNOWN", str(entry))
    raw_extensions = entry.get("extensions")
    extensions: dict[str, Any] = raw_extensions if isinstance(raw_extensions, dict) else {}
    message = str(entry.get("message") or "")
    code = str(extensions.get("code") or "")
    if not code:
        code = "GRAPHQL_PARSE_FAILED" if message.startswith("Parse error") else "UNKNOWN"
    path = entry.get("path")
    retry = _seconds(extensions.get("retry_in_seconds"))
    status = extensions.get("status_code")
    data = extensions.get("error_data")
    return Problem(
        code,
        message,
        tuple(str(p) for p in path) if isinstance(path, list) else (),
        retry,
        status if isinstance(status, int) else None,
        data if isinstance(data, dict) else {},
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
            data=body["error_data"] if isinstance(body.get("error_data"), dict) else {},
        )
        # 2024-10 sent both shapes for one error: keep one.
        if not any(p.code == legacy.code for p in found):
            found.append(legacy)
    return found


def classify(problem: Problem, what: str) -> MoteurError:
    """The error for one problem; ``what`` names the object ("board 123", 'item "Webinar" (456)')."""
    code = problem.code
    column = problem.data.get("column_id")
    if column and code != "InvalidColumnIdException":  # that one's message already speaks of the column
        what = f"{what}, column {column}"
    cut = problem.message[:MESSAGE_LIMIT] + ("…" if len(problem.message) > MESSAGE_LIMIT else "")
    text = scrub(cut)
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
    if code == DAILY_LIMIT:
        return used_up(None, problem.retry_in)
    if problem.must_wait:
        return RateLimited(
            f"monday.com is still refusing for {what} ({code}) after waiting",
            retry_after=problem.retry_in,
            hint="wait a minute and retry",
        )
    if problem.person_assignment:
        person = _PERSON_ID.search(problem.message)
        column = problem.data.get("column_id")
        return UnassignablePerson(
            f"monday.com refused {what}: {text}",
            str(column) if column else None,
            person.group(1) if person else None,
        )
    if code in ITEM_CODES:
        return SkippableError(f"monday.com refused {what} ({code}): {text}")
    if code in TRANSIENT_CODES or (problem.status is not None and problem.status >= 500):
        return RemoteError(
            f"monday.com failed on {what} ({code}): {text}", retriable=True, hint="retry later"
        )
    return RemoteError(
        f"monday.com refused {what} ({code}): {text}",
        hint="an answer moteur does not know: not sent again; please report it if it lasts",
    )


def first_fatal(problems: Sequence[Problem], what: str) -> MoteurError:
    """The error a request-wide failure raises: the most decisive of its problems."""
    errors = [classify(p, what) for p in problems]
    for kind in (AuthError, DailyLimitExceeded, NotFound, UsageError, RateLimited):
        for error in errors:
            if isinstance(error, kind):
                return error
    return errors[0] if errors else RemoteError(f"monday.com answered no data for {what}", retriable=True)


def classify_failure(failure: Failure) -> MoteurError:
    """The HTTP layer's hook: a 401 names ``MOTEUR_MONDAY_TOKEN``; a 4xx body with ``errors[]`` is read —
    the whole body (``Failure.body``): the shortened ``text`` may cut the JSON; a 429 that is the daily
    limit is that (the others are rate limits, already waited by the HTTP layer)."""
    if failure.status == 401:
        return AuthError(AUTH_MESSAGE, hint=AUTH_HINT)
    if failure.status is not None and 400 <= failure.status < 500:
        found = problems_of(_json(failure.body or failure.text))
        daily = next((p for p in found if p.code == DAILY_LIMIT), None)
        if daily is not None:
            return used_up(None, daily.retry_in if daily.retry_in is not None else failure.retry_after)
        if found and failure.status != 429:
            return first_fatal(found, failure.subject)
    return default_classification(failure)


def daily_limit_answer(response: Any) -> bool:
    """For ``ClientOptions.give_up``: a 429 that is monday's daily limit, whose wait runs to midnight UTC."""
    if getattr(response, "status_code", None) != 429 or DAILY_LIMIT not in (response.text or ""):
        return False
    return any(p.code == DAILY_LIMIT for p in problems_of(_json(response.text)))


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
