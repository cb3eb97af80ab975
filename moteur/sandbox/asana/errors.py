"""Asana's error envelope and the exception the emulator raises to produce it.

An *Asana error* is an HTTP status plus ``{"errors": [{"message", "help"}]}`` (``phrase`` on 500s only), the
shape of ``components.schemas.ErrorResponse`` in Asana's OpenAPI spec. Handlers raise :class:`AsanaError`;
the dispatcher turns it into the response, so a batch action fails the same way a plain request does.
"""

from __future__ import annotations

from typing import Any

HELP = (
    "For more information on API status codes and how to handle them, read the docs on errors: "
    "https://developers.asana.com/docs/errors"
)

# Texts as Asana sends them where known (its 429 text recorded); the others follow Asana's
# "<param>: <problem>" convention seen in the spec's examples ("project: Missing input").
NOT_AUTHORIZED = "Not Authorized"
RATE_LIMITED = (
    "You've made too many requests and hit a rate limit. Please retry after the given amount of time."
)
NO_ROUTE = "No matching route for request"
PREMIUM_ONLY = "Custom Fields are not available on your current plan. Upgrade to a paid plan to use them."
SERVER_PHRASES = {
    500: "6 sad squid snuggle softly",
    502: "3 grumpy gulls glide gently",
    503: "5 sleepy sloths stay still",
}


class AsanaError(Exception):
    """A request the emulator refuses, with the status and message Asana would answer with."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.message)


def error_body(status: int, message: str) -> dict[str, Any]:
    """The ``{"errors": [...]}`` body for ``status``; 5xx carry a support ``phrase`` as Asana's do."""
    error: dict[str, Any] = {"message": message, "help": HELP}
    if status >= 500 and status in SERVER_PHRASES:
        error["phrase"] = SERVER_PHRASES[status]
    return {"errors": [error]}


def unknown_object(param: str, gid: str) -> AsanaError:
    """404 for a well-formed gid that names nothing (``param`` is the path parameter's resource)."""
    return AsanaError(404, f"{param}: Unknown object: {gid}")


def not_a_gid(param: str, value: str) -> AsanaError:
    """400 for a gid that is not a number, as Asana's ``Not a Long`` validation error."""
    return AsanaError(400, f"{param}: Not a Long: {value}")


def missing_input(param: str) -> AsanaError:
    return AsanaError(400, f"{param}: Missing input")


def invalid_field(param: str, detail: str) -> AsanaError:
    return AsanaError(400, f"{param}: {detail}")
