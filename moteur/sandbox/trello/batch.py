"""Trello's ``GET /batch?urls=…``: up to ten GET routes answered in one call.

Terms:

- *Route*: one inner GET, e.g. ``/boards/{id}/cards?filter=open``; the spec says routes "should begin with a
  forward slash and should not include the API version number" (spec ``GET /batch``, ``urls``), and Trello's
  2017 docs example also had routes without it (``…,boards/4eea…,cards/…/pluginData``:
  github.com/trello-archive/api-docs/pull/44), so a missing leading slash is added.
- *Split*: ``urls`` is "a list of API routes" separated by commas, so EVERY literal comma ends a route: a
  comma inside one (``fields=name,idList``) must travel percent-encoded (``%2C``), as public clients send it
  (trello-for-wolves ``src/resources/Batch.ts``). Each route's path
  and query are then percent-decoded, once, before it is dispatched.
- *Answer*: one object per route, keyed by its status: ``[{"200": body}, {"400": "invalid id"}]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from moteur.sandbox.trello.trello_errors import TrelloError

MAX_ROUTES = 10  # spec GET /batch: "Maximum of 10 routes allowed"
# Trello's text for more than ten routes is not public; the sandbox answers this plain-text 400.
TOO_MANY = "Too many URLs; max is 10"

Dispatch = Callable[[str, dict[str, Any]], Any]  # (path, params) -> body; raises TrelloError


def routes(params: dict[str, Any]) -> list[str]:
    """The routes of a batch: ``urls`` split on every literal comma (empty pieces dropped)."""
    return [route for route in str(params.get("urls", "")).split(",") if route]


def route_path(route: str) -> str:
    """A route's percent-decoded path, with its leading slash."""
    path = unquote(urlsplit(route).path)
    return path if path.startswith("/") else "/" + path


def is_member_route(path: str) -> bool:
    """Whether a path is one of ``/1/members/``'s, which have a limit of their own (100 per 900 s); read as
    Trello routes it (any case, a doubled slash as one: ``routes``), so that no spelling escapes the limit."""
    path = re.sub("/{2,}", "/", path).lower()
    return path.rstrip("/") == "/members" or path.startswith("/members/")


def answer(method: str, params: dict[str, Any], dispatch: Dispatch) -> list[dict[str, Any]]:
    """Run every route; a route's own error is its entry, only a malformed batch raises."""
    if method != "GET":
        raise TrelloError(404, f"Cannot {method} /1/batch")
    found = routes(params)
    if not found:
        raise TrelloError(400, "invalid value for urls")
    if len(found) > MAX_ROUTES:
        raise TrelloError(400, TOO_MANY)
    answers: list[dict[str, Any]] = []
    for route in found:
        query = dict(parse_qsl(urlsplit(route).query, keep_blank_values=True))  # percent-decoded
        try:
            answers.append({"200": dispatch(route_path(route), query)})
        except TrelloError as error:
            answers.append({str(error.status): error.text})
    return answers
