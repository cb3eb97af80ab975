"""Trello's ``GET /batch``: up to ten GET routes in one request, built and sent in one place.

Terms:

- *Route*: one inner GET, given as its path and its query parameters, e.g.
  ``("/boards/{id}/cards", {"fields": "name,idList"})``.
- *urls value*: the routes joined with literal commas (spec ``GET /batch``: "A list of API routes … e.g.
  urls=/members/trello,/cards/[cardId]"). Trello splits it on every comma, so a comma that belongs to a
  route's own value (a field list, an action filter) must travel percent-encoded as ``%2C``, and so must the
  ``%``, ``&``, ``?``, ``=`` and ``#`` of a value; that is how public clients send them
  (trello-for-wolves ``src/resources/Batch.ts``). ``batch_urls`` is the only place a
  ``urls`` value is made; ``transport.request_units`` is the only place one is counted.
- *Answer*: one object per route, keyed by its status (``{"200": body}``, ``{"404": "text"}``), in route
  order (as py-trello relies on). ``batch_answers`` checks there is one per route.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from moteur.connectors.http import HttpClient
from moteur.connectors.trello.transport import MAX_BATCH_URLS, ROUTE_SEPARATOR
from moteur.core.errors import RemoteError

Route = tuple[str, Mapping[str, str]]


def route(path: str, **params: str) -> Route:
    return (path, params)


def _encoded(text: str) -> str:
    # Nothing of a value may read as structure: "," ends a route, "&"/"=" a parameter, "?" opens the query,
    # "%" starts an escape, "#" a fragment; "/" and ":" are kept readable (they end nothing inside a value).
    return quote(text, safe="/:")


def batch_urls(routes: Sequence[Route]) -> str:
    """The ``urls`` value of a ``GET /batch`` of ``routes`` (1 to 10 of them)."""
    if not 1 <= len(routes) <= MAX_BATCH_URLS:
        raise ValueError(f"a Trello /batch takes 1 to {MAX_BATCH_URLS} routes, not {len(routes)}")
    out = []
    for path, params in routes:
        query = "&".join(f"{_encoded(k)}={_encoded(str(v))}" for k, v in params.items())
        out.append(quote(path, safe="/") + (f"?{query}" if query else ""))
    return ROUTE_SEPARATOR.join(out)


def batch_answers(client: HttpClient, routes: Sequence[Route], what: str) -> list[Any]:
    """One ``GET /batch``: the answer of each route, in order (a ``RemoteError`` for any other shape)."""
    answers = client.request_json("GET", "/batch", params={"urls": batch_urls(routes)}, what=what)
    if not isinstance(answers, list) or len(answers) != len(routes):
        raise RemoteError(
            "Trello's /batch answer has an unexpected shape", hint="retry; report it if it lasts"
        )
    return answers
