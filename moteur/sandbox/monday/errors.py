"""monday.com's errors, in the shapes its API sends them.

Terms:

- *Application error* (:class:`MondayError`): a refusal of one field or mutation (bad board id, bad column
  value…). Raised by a resolver; graphql-core turns it into one ``errors[]`` entry with the field's ``path``,
  the other fields of the request still answer (*partial data*).
- *Unified shape* (API versions 2025-01 and later, so 2026-07 and 2026-10): HTTP 200,
  ``{"data": …, "errors": [{"message", "locations", "path", "extensions": {"code", "status_code",
  "error_data"}}], "extensions": {"request_id"}}``
  [doc: developer.monday.com/api-reference/docs/error-handling].
- *Legacy shape* (2024-07, the version of the recorded cassette
  ``monday_column_change_multiple_values_invalid``): the whole body is
  ``{"error_message", "error_code", "error_data", "status_code", "account_id"}``.
  2024-10 sent both (``errors[]`` *and* the top-level keys) [doc changelog]; the sandbox does the same.
- *Rate-limit errors*: HTTP 429 with ``Retry-After`` and ``errors[].extensions``
  ``{"code", "retry_in_seconds"}`` (``COMPLEXITY_BUDGET_EXHAUSTED``; since 2025-07 only those two keys).
- *401*: ``{"errors": ["Not Authenticated"]}`` — a list of strings, as recorded in
  ``monday_account_query_unauthenticated.yml``.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

LEGACY_VERSIONS = frozenset({"2024-01", "2024-04", "2024-07"})
"""Versions whose application errors use only the legacy top-level shape."""
BOTH_SHAPES_VERSIONS = frozenset({"2024-10"})
"""The one version that sends ``errors[]`` and the legacy keys together."""


class MondayError(Exception):
    """An application error, in monday's vocabulary (``code`` is ``extensions.code``)."""

    def __init__(
        self, code: str, message: str, error_data: dict[str, Any] | None = None, status_code: int = 200
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.error_data = error_data or {}
        self.status_code = status_code

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "status_code": self.status_code, "error_data": self.error_data}


def invalid_board(board_id: object) -> MondayError:
    return MondayError(
        "InvalidBoardIdException",
        "The board does not exist. Please check your board ID and try again",
        {"board_id": _as_int(board_id)},
    )


def invalid_item(item_id: object) -> MondayError:
    return MondayError(
        "InvalidItemIdException",
        "Item not found in board",
        {"item_id": _as_int(item_id), "error_reason": "store.monday.automation.error.missing_item"},
    )


def invalid_column(column_id: str, board_id: object | None = None) -> MondayError:
    # Wording and error_data are the recorded ones (board_id was null there, even with a board given).
    return MondayError(
        "InvalidColumnIdException",
        "This column ID doesn't exist for the board",
        {
            "column_id": column_id,
            "board_id": None,
            "error_reason": "store.monday.automation.error.missing_column",
        },
    )


def invalid_group(group_id: str, board_id: object) -> MondayError:
    return MondayError(
        "InvalidGroupIdException",
        "The group does not exist. Please check your group ID and try again",
        {"group_id": group_id, "board_id": _as_int(board_id)},
    )


def column_value(message: str, column_id: str, column_type: str) -> MondayError:
    return MondayError(
        "ColumnValueException",
        f"{message}. Please check our API documentation for the correct data structure for this column. "
        "https://developer.monday.com/api-reference/docs/change-column-values",
        {"column_value": column_id, "column_type": column_type},
    )


def invalid_argument(message: str, **error_data: Any) -> MondayError:
    return MondayError("InvalidArgumentException", message, dict(error_data))


def cursor_expired() -> MondayError:
    return MondayError(
        "CursorExpiredError",
        "The cursor provided has expired. Cursors are valid for 60 minutes: run the initial query again.",
    )


def json_parse(raw: str) -> MondayError:
    return MondayError("JsonParseException", "Syntax error in JSON input", {"json": raw[:200]}, 400)


def _as_int(value: object) -> object:
    text = str(value)
    return int(text) if text.isdigit() else value


def json_response(
    body: Any, status: int = 200, version: str | None = None, retry_after: int | None = None
) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")
    if version:
        response.headers["Api-Version"] = version
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def unauthenticated() -> Response:
    return json_response({"errors": ["Not Authenticated"]}, 401)


def rate_limited(code: str, message: str, retry_in_seconds: int, version: str | None = None) -> Response:
    """A 429 in the current shape: only ``code`` and ``retry_in_seconds`` in ``extensions``."""
    body = {
        "errors": [{"message": message, "extensions": {"code": code, "retry_in_seconds": retry_in_seconds}}]
    }
    return json_response(body, 429, version, retry_after=retry_in_seconds)


def server_error(status: int) -> Response:
    """5xx bodies: monday's documented internal-error shape."""
    messages = {500: "Internal server error", 502: "Bad Gateway", 503: "Service Unavailable"}
    return json_response(
        {"error_message": messages.get(status, "Internal server error"), "status_code": status}, status
    )


def legacy_body(error: MondayError, account_id: int) -> dict[str, Any]:
    return {
        "error_message": error.message,
        "error_code": error.code,
        "error_data": error.error_data,
        "status_code": error.status_code,
        "account_id": account_id,
    }
