"""Trello's error answers: mostly plain-text bodies (``invalid id``, ``invalid token``…), and JSON for 429.

*TrelloError*: raised by a route handler; the emulator turns it into the response Trello would send.
"""

from __future__ import annotations

import json

from werkzeug.wrappers import Response

NOT_FOUND_TEXT = "The requested resource was not found."


class TrelloError(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text

    def response(self) -> Response:
        return Response(self.text, status=self.status, mimetype="text/plain")


def not_found() -> TrelloError:
    return TrelloError(404, NOT_FOUND_TEXT)


RATE_LIMIT_ERRORS = {
    "token": "API_TOKEN_LIMIT_EXCEEDED",
    "key": "API_KEY_LIMIT_EXCEEDED",
    # The /1/members/ limit (100 per 900 s): named by a Trello engineer in community.developer.atlassian.com
    # /t/i-keep-getting-429-rate-limit-errors-what-are-trello-s-rate-limits/30353; the body's shape is the
    # documented one (developer.atlassian.com/cloud/trello/guides/rest-api/rate-limits/).
    "member": "MEMBER_LIMIT_EXCEEDED",
}


def rate_limited(scope: str) -> Response:
    """Trello's 429: JSON body, no ``Retry-After``; ``scope`` is ``token``, ``key`` or ``member``."""
    error = RATE_LIMIT_ERRORS[scope]
    return Response(
        json.dumps({"error": error, "message": "Rate limit exceeded"}), 429, mimetype="application/json"
    )


def server_error(status: int) -> Response:
    """Trello's 5xx answers as seen by clients: short plain-text bodies."""
    texts = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    return Response(texts.get(status, "error"), status=status, mimetype="text/plain")
