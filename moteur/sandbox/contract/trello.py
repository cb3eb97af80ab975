"""Trello's contract: each request, and each route inside a ``GET /batch``, against ``trello_openapi.json``.

Trello reads a parameter from the query string, a form body or a JSON body alike ("Query parameters may also
be replaced with a JSON request body instead", spec ``POST /cards``), so the parameters of a request are the
union of the three; a JSON key is checked as the query parameter of that name when the operation declares
one, else against the operation's body schema (``POST /customFields`` declares its fields only there).

``GET /batch``: ``urls`` is "a list of API routes" separated by commas (spec ``GET /batch``), and nothing says
a comma inside a route survives: the value is split on **every** literal comma, each route percent-decoded and
checked as a ``GET`` of its own (at most 10). A comma that belongs to a route's own value must be sent as
``%2C``, as public clients send it. A refused route refuses the whole batch with its 400 — conservative:
Trello may instead answer that route's error inside the batch's 200.

A refusal is Trello's plain-text 400 (``invalid value for pos``) or 404 (``Cannot GET /1/…``).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from werkzeug.wrappers import Request

from moteur.sandbox.contract import exceptions
from moteur.sandbox.contract.openapi import OpenApiContract, Operation
from moteur.sandbox.contract.refusal import Refusal
from moteur.sandbox.contract.specs import openapi_document

MAX_BATCH_URLS = 10
CREDENTIALS = ("key", "token")


class TrelloContract:
    tool = "trello"

    def __init__(self) -> None:
        self.api = OpenApiContract(
            openapi_document("trello"), body_root=lambda schema: schema, case_insensitive=True
        )

    def check(self, request: Request, path: str) -> Refusal | None:
        query = {k: ",".join(request.args.getlist(k)) for k in request.args}
        body: dict[str, Any] = {}
        if request.mimetype == "application/json" and request.get_data(cache=True):
            try:
                parsed = json.loads(request.get_data(cache=True))
            except ValueError:
                return Refusal(400, "invalid JSON", ["body is not JSON"])
            if not isinstance(parsed, dict):
                return Refusal(400, "invalid JSON", ["body is not a JSON object"])
            body = parsed
        elif request.form:
            form = {k: ",".join(request.form.getlist(k)) for k in request.form}
            query.update({k: v for k, v in form.items() if "[" not in k})
            body.update(_nested_form({k: v for k, v in form.items() if "[" in k}))
        # Trello routes paths case-insensitively (recorded: GET /1/customfields/{id}/options, 200); the server
        # has already read a doubled slash as one (GET /1//batch, 200) before any check.
        return self.check_call(request.method, path, query, body)

    def check_call(
        self, method: str, path: str, query: dict[str, str], body: dict[str, Any], *, inner: bool = False
    ) -> Refusal | None:
        operation, _known = self.api.find(method, path)
        if operation is None:
            # Express's answer for a route it does not serve (Trello answers so for a method it does not
            # route).
            return Refusal(
                404, f"Cannot {method} /1{path}", [f"{method} {path}: no such operation in the spec"]
            )
        problems = self._problems(operation, path, query, body, inner)
        if problems:
            return Refusal(400, _trello_text(problems[0]), problems)
        if operation.template == "/batch":
            return self._batch(query.get("urls", ""))
        return None

    def _problems(
        self, operation: Operation, path: str, query: dict[str, str], body: dict[str, Any], inner: bool
    ) -> list[str]:
        key = ("trello", operation.method, operation.template)
        extra = exceptions.extra_query(*key)
        unchecked = exceptions.unchecked_values(*key)
        if inner:  # a batch route carries no credentials of its own
            extra = extra - set(CREDENTIALS)
        declared = operation.query()
        as_query = {k: _as_text(v) for k, v in body.items() if k in declared}
        in_body = {k: v for k, v in body.items() if k not in declared}
        # An empty value stands for "not given" (recorded: POST /cards with idMembers=&idLabels=&pos=, 200).
        values = {k: v for k, v in {**query, **as_query}.items() if v != "" or k not in declared}
        body_keys = set(in_body) | {k for k in query if k in operation.body_properties and k not in declared}
        problems = self.api.query_problems(
            operation,
            {k: v for k, v in values.items() if k not in body_keys},
            allowed_extra=extra,
            unchecked=unchecked,
        )
        problems += self.api.path_problems(operation, path, unchecked)
        unknown = [k for k in in_body if k not in operation.body_properties and k not in extra]
        problems += [f"unknown parameter {k}" for k in unknown]
        if operation.body_schema is not None:
            merged = {k: _typed(v) for k, v in query.items() if k in operation.body_properties}
            merged.update({k: v for k, v in in_body.items() if k in operation.body_properties})
            problems += self.api.body_problems(operation, merged, unchecked)
        return problems

    def _batch(self, urls: str) -> Refusal | None:
        routes = [r for r in urls.split(",")]
        if not urls or any(not r for r in routes):
            return Refusal(400, "invalid value for urls", ["urls: an empty route (two commas in a row?)"])
        if len(routes) > MAX_BATCH_URLS:
            return Refusal(
                400,
                "Too many URLs; max is 10",
                [
                    f"urls: {len(routes)} routes after splitting on every comma (a comma inside a route is "
                    f"%2C)"
                ],
            )
        for route in routes:
            parts = urlsplit(route if route.startswith("/") else "/" + route)
            inner = dict(parse_qsl(parts.query, keep_blank_values=True))
            refusal = self.check_call("GET", unquote(parts.path), inner, {}, inner=True)
            if refusal is not None:
                return Refusal(
                    refusal.status, refusal.text, [f"batch route {route}: {p}" for p in refusal.problems]
                )
        return None


def _trello_text(problem: str) -> str:
    """Trello's terse words for a problem: ``invalid value for <name>`` (the name, nothing more)."""
    for prefix in ("missing required parameter ", "invalid value for ", "unknown parameter "):
        if problem.startswith(prefix):
            name = problem[len(prefix) :].split(":", 1)[0]
            return (
                f"unknown parameter {name}" if prefix == "unknown parameter " else f"invalid value for {name}"
            )
    return f"invalid value for {problem.split(':', 1)[0]}"


def _nested_form(form: dict[str, str]) -> dict[str, Any]:
    """Rails-style form keys as a JSON body would carry them: ``value[text]=cool`` → ``{"value": {"text":
    "cool"}}`` (recorded: PUT /cards/{id}/customField/{id}/item with that form body, 200)."""
    nested: dict[str, Any] = {}
    for key, value in form.items():
        head, *rest = re.findall(r"[^\[\]]+", key)
        node = nested
        for part in [head, *rest][:-1]:
            node = node.setdefault(part, {})
        node[[head, *rest][-1]] = value
    return nested


def _as_text(value: Any) -> str:
    """A JSON value as Trello reads it from a query string."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_as_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _typed(raw: str) -> Any:
    """A query string value for a body-schema property: booleans and numbers as JSON would carry them."""
    if raw in ("true", "false"):
        return raw == "true"
    try:
        return float(raw) if "." in raw else int(raw)
    except ValueError:
        return raw
