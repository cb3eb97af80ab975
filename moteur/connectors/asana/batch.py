"""Asana's ``POST /batch``: how moteur builds one action, sends a batch and reads each action's result.

Every batch action moteur sends is built by :func:`batch_action`, so where each part goes is decided once,
as the spec's ``BatchRequestAction`` says (asana_oas.yaml ``components.schemas.BatchRequestAction``;
developers.asana.com/docs/batch-requests):

- ``relative_path``: the path alone — "Query parameters are not accepted here; put them in data instead";
- ``method``: lower case, one of get / post / put / delete / patch / head;
- ``data``: for a GET, "a map of query parameters you would have normally passed in the URL. Options and
  pagination are not accepted here; put them in options instead"; for a write, what the body's ``data``
  block would hold;
- ``options``: ``fields`` (an array: the ``opt_fields`` of a plain request), ``limit`` and ``offset``.

A batch holds at most ten actions ("The maximum number of actions allowed in a single batch request is 10"),
answers 200 even when actions fail, and counts against the rate limit "as though you had made a separate
HTTP request for every individual action" (spec tag "Batch API"): :func:`send_batch` takes one slot of the
per-token limiter per action. A 402 inside the batch slows the token to the free budget (``results_of``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from moteur.connectors.asana.transport import note_free, rate_limiter
from moteur.connectors.http import HttpClient, parse_retry_after
from moteur.core.errors import RemoteError

BATCH_SIZE = 10  # Asana's maximum actions per batch
# What a GET action may not carry in ``data`` (spec ``BatchRequestAction.data``): they go in ``options``.
NOT_IN_DATA = frozenset({"opt_fields", "opt_pretty", "limit", "offset"})


def batch_action(
    method: str,
    path: str,
    data: Mapping[str, Any] | None = None,
    *,
    fields: Sequence[str] | None = None,
    limit: int | None = None,
    offset: str | None = None,
) -> dict[str, Any]:
    """One action of ``POST /batch``: ``data`` is a GET's query or a write's body; ``fields`` (the records'
    properties to return), ``limit`` and ``offset`` go in ``options``, never in ``data``."""
    verb = method.lower()
    if isinstance(fields, str):
        raise TypeError("a batch action's fields are a list of properties, not an opt_fields string")
    if "?" in path:
        raise ValueError(f"a batch action's path takes no query string: {path}")
    misplaced = sorted(NOT_IN_DATA & set(data or {})) if verb in ("get", "head") else []
    if misplaced:
        raise ValueError(f"{misplaced[0]} of {path} belongs in the action's options, not its data")
    options: dict[str, Any] = {}
    if fields:
        options["fields"] = list(fields)
    if limit is not None:
        options["limit"] = limit
    if offset:
        options["offset"] = offset
    action: dict[str, Any] = {"relative_path": path, "method": verb, "data": dict(data or {})}
    if options:
        action["options"] = options
    return action


def send_batch(
    client: HttpClient, actions: list[dict[str, Any]], what: str, *, idempotent: bool
) -> list[Any]:
    """One ``POST /batch``; its per-action results in order. The per-token limiter is charged per action."""
    limiter = rate_limiter(client)
    if limiter is not None and len(actions) > 1:
        limiter.acquire(len(actions) - 1)  # the client takes the last slot with these, all at once
    answer = client.request_json(
        "POST", "/batch", json={"data": {"actions": actions}}, what=what, idempotent=idempotent
    )
    return results_of(client, answer, len(actions))


def results_of(client: HttpClient, answer: object, count: int) -> list[Any]:
    """The ``count`` per-action results of a batch's answer. A 402 among them says the domain is free: the
    token's pace drops to the free budget (``transport.note_free``), as for a 402 to a plain request."""
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list) or len(data) != count:
        raise RemoteError("Asana answered a batch without one result per action")
    if any(isinstance(r, dict) and r.get("status_code") == 402 for r in data):
        note_free(rate_limiter(client))
    return data


def result_of(result: object) -> tuple[int, Any, str, float | None]:
    """(status, body, error message, Retry-After seconds) of one batch action's result."""
    if not isinstance(result, dict):
        return 500, None, "a malformed batch result", None
    status = int(result.get("status_code") or 500)
    body = result.get("body")
    errors = body.get("errors") if isinstance(body, dict) else None
    message = ""
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        message = str(errors[0].get("message") or "")
    headers = result.get("headers")
    after = headers.get("retry-after") if isinstance(headers, dict) else None
    return status, body, message or f"status {status}", parse_retry_after(str(after)) if after else None
