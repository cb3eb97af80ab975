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


def rate_limited(scope: str) -> Response:
    """Trello's 429: JSON body, no ``Retry-After`` (the window is 10 s)."""
    error = "API_TOKEN_LIMIT_EXCEEDED" if scope == "token" else "API_KEY_LIMIT_EXCEEDED"
    return Response(
        json.dumps({"error": error, "message": "Rate limit exceeded"}), 429, mimetype="application/json"
    )


def server_error(status: int) -> Response:
    """Trello's 5xx answers as seen by clients: short plain-text bodies."""
    texts = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    return Response(texts.get(status, "error"), status=status, mimetype="text/plain")
