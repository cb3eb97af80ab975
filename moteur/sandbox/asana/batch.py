"""``POST /batch``: up to 10 API calls in one request, answered in order — but run in any order.

A *batch action* is ``{"relative_path", "method", "data", "options"}``: for GETs ``data`` holds the query
parameters, for writes the body's data block; ``options`` holds ``limit``, ``offset`` and ``fields``. Each
result is ``{"status_code", "headers", "body"}``; the batch itself answers 200 even when actions fail. Rate
limiting (every action counts) is the emulator's job, before :func:`run_batch`.

*Options, not data*: the spec's ``BatchRequestAction.data`` says "For GET requests, this should be a map of
query parameters you would have normally passed in the URL. Options and pagination are not accepted here;
put them in options instead", and ``options`` lists ``limit``, ``offset`` and ``fields`` ("Pretty JSON output
is not an available option on individual actions"). So a GET action whose ``data`` holds ``opt_fields``,
``opt_pretty``, ``limit`` or ``offset`` answers 400, as does an ``options`` key outside that list or
``fields`` that is not an array of strings: the emulator never reads them from the wrong place.

*Execution order*: Asana dispatches a batch's actions "in parallel, so all actions in the request will be
processed simultaneously. There is no guarantee of the execution order" (developers.asana.com/docs/
batch-requests; the spec's ``/batch`` summary: "Submit parallel requests"). The emulator runs them one at
a time in a shuffled order (seeded by the batch's number since the last reset, so a test is repeatable):
two tasks created in one batch in the same section, or two moves of one batch, land in either order, as
on Asana. Results still come back in the request's order.
"""

from __future__ import annotations

import random
from typing import Any

from moteur.sandbox.asana.dispatch import Call, Context, Reply, dispatch, route
from moteur.sandbox.asana.errors import AsanaError, error_body

MAX_ACTIONS = 10
METHODS = ("get", "post", "put", "delete", "patch", "head")
# Query parameters a GET action may not carry in ``data`` (spec: ``BatchRequestAction.data``).
OPTIONS_IN_DATA = ("opt_fields", "opt_pretty", "limit", "offset")
# ``BatchRequestAction.options``: pagination and output options ("fields or expand").
OPTION_KEYS = ("limit", "offset", "fields", "expand")


def batch_actions(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The validated action list of a batch body's data block; 400 when it is not a valid batch."""
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        raise AsanaError(400, "actions: Missing input")
    if len(actions) > MAX_ACTIONS:
        raise AsanaError(
            400, f"actions: The maximum number of actions allowed in a batch request is {MAX_ACTIONS}"
        )
    for index, action in enumerate(actions):
        if not isinstance(action, dict) or not action.get("relative_path"):
            raise AsanaError(400, f"actions[{index}].relative_path: Missing input")
        if str(action.get("method", "")).lower() not in METHODS:
            raise AsanaError(400, f"actions[{index}].method: Must be one of {', '.join(METHODS)}")
    return actions


def action_methods(data: dict[str, Any]) -> list[str]:
    """The upper-case methods of a batch body's actions (``[]`` if it is malformed), for rate limiting."""
    actions = data.get("actions") if isinstance(data, dict) else None
    if not isinstance(actions, list):
        return []
    return [str(a.get("method", "get")).upper() for a in actions if isinstance(a, dict)]


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _check_options(reading: bool, data: dict[str, Any], options: dict[str, Any]) -> None:
    """400 for options or pagination in a GET's ``data``, or an ``options`` block the spec does not allow."""
    misplaced = [key for key in OPTIONS_IN_DATA if key in data] if reading else []
    if misplaced:
        raise AsanaError(
            400,
            f"{misplaced[0]}: Options and pagination are not accepted in data; put them in options instead",
        )
    unknown = sorted(set(options) - set(OPTION_KEYS))
    if unknown:
        raise AsanaError(
            400, f"options.{unknown[0]}: Not a valid option; use one of {', '.join(OPTION_KEYS)}"
        )
    fields = options.get("fields")
    if fields is not None and (not isinstance(fields, list) or not all(isinstance(f, str) for f in fields)):
        raise AsanaError(400, "options.fields: Must be an array of strings")


def _run_action(context: Context, action: dict[str, Any], base_uri: str) -> dict[str, Any]:
    method = str(action["method"]).upper()
    path = str(action["relative_path"])
    data = action.get("data") or {}
    options = action.get("options") or {}
    try:
        if "?" in path:
            raise AsanaError(400, "relative_path: Query parameters are not accepted here; put them in data")
        if path.rstrip("/") == "/batch":
            raise AsanaError(400, "relative_path: Nested batch requests are not allowed")
        if not isinstance(data, dict) or not isinstance(options, dict):
            raise AsanaError(400, "data: Must be an object")
        reading = method in ("GET", "HEAD")
        _check_options(reading, data, options)
        call = Call.build(
            "GET" if method == "HEAD" else method,
            path,
            {k: _query_value(v) for k, v in data.items()} if reading else {},
            {} if reading else data,
            base_uri,
            opt_fields=options.get("fields"),
            limit=options.get("limit"),
            offset=options.get("offset"),
        )
        reply = dispatch(context, call)
    except AsanaError as error:
        reply = Reply(error.status, error_body(error.status, error.message), dict(error.headers))
    headers = {k.lower(): v for k, v in reply.headers.items()}
    return {"status_code": reply.status, "headers": headers, "body": None if method == "HEAD" else reply.body}


def run_batch(context: Context, call: Call) -> Reply:
    actions = batch_actions(call.data)
    order = list(range(len(actions)))
    random.Random(context.batches).shuffle(order)
    context.batches += 1
    results: list[dict[str, Any]] = [{} for _ in actions]
    for index in order:
        results[index] = _run_action(context, actions[index], call.base_uri)
    return Reply(200, {"data": results})


@route("POST", "/batch")
def post_batch(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return run_batch(context, call)
