"""The doctor's checks as every connector words them: a step run as a check, and the names of the lines.

Each tool's ``check_access`` (``<tool>/access.py``) runs its account calls through the connector's own
``HttpClient`` — the retry policy and rate limits of a sync — and words what it finds with these, so the
lines of every tool read alike: ``<Tool>: credentials accepted``, then per board ``<ref> reachable``,
``<ref> writable`` and ``<ref> custom fields``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from moteur.core.checks import AUTH_EXIT, Check
from moteur.core.errors import AuthError, MoteurError
from moteur.core.model import BoardRef
from moteur.core.phrase import Phrase
from moteur.redaction import scrub

T = TypeVar("T")


def attempt(checks: list[Check], name: str, step: Callable[[], T], describe: Callable[[T], str]) -> T | None:
    """Run one step as a check: its value (and a passed check), or None (and a failed one with the fix)."""
    try:
        value = step()
    except MoteurError as exc:
        checks.append(failed(name, exc))
        return None
    checks.append(Check(name, True, describe(value)))
    return value


def failed(name: str, exc: MoteurError, *, code: int | None = None) -> Check:
    """A failed check from an error: its message and hint, scrubbed; exit ``code``, by default 3 for a
    refused token and 1 for anything else."""
    if code is None:
        code = AUTH_EXIT if isinstance(exc, AuthError) else 1
    return Check(name, False, scrub(exc.message), scrub(exc.hint or ""), code=code)


def accepted(tool: str) -> str:
    return Phrase("{tool}: credentials accepted", tool=tool)


def reachable(ref: BoardRef) -> str:
    return Phrase("{board} reachable", board=str(ref))


def writable(ref: BoardRef) -> str:
    return Phrase("{board} writable", board=str(ref))


def custom_fields(ref: BoardRef) -> str:
    return Phrase("{board} custom fields", board=str(ref))


def quoted(name: str) -> str:
    """A board's name as a passed ``reachable`` line shows it."""
    return f'"{name}"'
