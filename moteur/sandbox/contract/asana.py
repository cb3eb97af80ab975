"""Asana's contract: each request, and each action of a ``POST /batch``, against ``asana_oas.yaml``.

A request's query keys must be parameters of its operation (``opt_fields``, ``opt_pretty``, ``limit``,
``offset`` are declared per operation), with values of their schema (``limit`` 1–100, enum ``opt_fields``); a
write's body is ``{"data": …}`` and ``data`` validates against the operation's request schema.

A batch action (spec ``BatchRequestAction``) names an operation by ``method`` and ``relative_path`` (no query
string there); for a ``GET`` its ``data`` holds the query parameters "you would have normally passed in the
URL. Options and pagination are not accepted here; put them in ``options`` instead" — so ``opt_fields``,
``opt_pretty``, ``limit`` and ``offset`` in a GET action's ``data`` are refused; ``options`` holds ``limit``,
``offset``, ``fields`` and ``expand``. For a write, ``data`` is what the body's ``data`` would be. A refused
action refuses the whole batch with a 400 naming it (``actions[3].data.opt_fields: …``) — conservative: Asana
may run the other actions and answer that one's 400 inside the batch's 200.

A refusal is Asana's ``{"errors": [{"message", "help"}]}`` with ``<param>: <problem>`` messages.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request

from moteur.sandbox.contract import exceptions
from moteur.sandbox.contract.openapi import OpenApiContract, Operation
from moteur.sandbox.contract.refusal import Refusal
from moteur.sandbox.contract.specs import openapi_document
from moteur.sandbox.contract.values import query_problem

OPTIONS_IN_DATA = ("opt_fields", "opt_pretty", "opt_expand", "limit", "offset")
ACTION_OPTIONS = frozenset({"limit", "offset", "fields", "expand"})


def _data_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The body schema as written: ``{"data": <request schema>}``."""
    return schema


class AsanaContract:
    tool = "asana"

    def __init__(self) -> None:
        self.api = OpenApiContract(openapi_document("asana"), body_root=_data_schema)

    def check(self, request: Request, path: str) -> Refusal | None:
        query = {k: ",".join(request.args.getlist(k)) for k in request.args}
        body: Any = None
        raw = request.get_data(cache=True)
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return None  # the emulator answers Asana's "Could not parse request data, invalid JSON"
        operation, _known = self.api.find(request.method, path.rstrip("/") or "/")
        if operation is None:
            return _refuse(404, "No matching route for request", f"{request.method} {path}: not in the spec")
        problems = self._query_problems(operation, path, query)
        if body is not None and request.method not in ("GET", "HEAD", "DELETE"):
            problems += [f"data.{p}" if not p.startswith("data") else p for p in self._body(operation, body)]
        if problems:
            return _refuse(400, problems[0], *problems[1:])
        if operation.template == "/batch" and isinstance(body, dict):
            return self._batch(body.get("data"))
        return None

    def _query_problems(self, operation: Operation, path: str, query: dict[str, str]) -> list[str]:
        key = ("asana", operation.method, operation.template)
        problems = self.api.query_problems(
            operation,
            query,
            allowed_extra=exceptions.extra_query(*key),
            unchecked=exceptions.unchecked_values(*key),
        )
        problems += self.api.path_problems(operation, path)
        if "opt_fields" in query and "opt_fields" in operation.query():
            problems += self._fields_problems(operation, query["opt_fields"])
        return [_asana_words(p) for p in problems]

    def _fields_problems(self, operation: Operation, raw: str) -> list[str]:
        schema = self.api.schemas.deref(operation.query()["opt_fields"].schema)
        declared = [str(v) for v in self.api.schemas.deref(schema.get("items", {})).get("enum", [])]
        reason = opt_fields_problem(declared, raw) if declared else None
        return [f"invalid value for opt_fields: {reason}"] if reason else []

    def _body(self, operation: Operation, body: Any) -> list[str]:
        if not isinstance(body, dict) or "data" not in body:
            return ["data: Missing input"] if operation.body_required else []
        unchecked = exceptions.unchecked_values("asana", operation.method, operation.template)
        problems = self.api.body_problems(operation, {"data": body["data"]}, unchecked)
        return [p.removeprefix("data.") if p.startswith("data.") else p for p in problems]

    def _batch(self, data: Any) -> Refusal | None:
        actions = data.get("actions") if isinstance(data, dict) else None
        if not isinstance(actions, list):
            return None  # the emulator answers "actions: Missing input"
        for index, action in enumerate(actions):
            if not isinstance(action, dict):
                continue
            problems = self._action(action)
            if problems:
                named = [f"actions[{index}].{p}" for p in problems]
                return _refuse(400, named[0], *named[1:])
        return None

    def _action(self, action: dict[str, Any]) -> list[str]:
        method = str(action.get("method", "")).upper()
        path = str(action.get("relative_path", ""))
        if "?" in path:
            return ["relative_path: Query parameters are not accepted here; put them in data"]
        operation, _ = self.api.find(method, path.rstrip("/") or "/")
        if operation is None:
            return [f"relative_path: No matching route for {method} {path}"]
        data = action.get("data") or {}
        options = action.get("options") or {}
        if not isinstance(data, dict) or not isinstance(options, dict):
            return ["data: Must be an object"]
        problems = [
            f"options.{k}: Not an option of a batch action (limit, offset, fields, expand)"
            for k in options
            if k not in ACTION_OPTIONS
        ]
        declared = operation.query()
        if "limit" in options and "limit" in declared:
            reason = query_problem(self.api.schemas, declared["limit"].schema, str(options["limit"]))
            problems += [f"options.limit: {reason}"] if reason else []
        if isinstance(options.get("fields"), list) and "opt_fields" in declared:
            problems += [
                p.replace("opt_fields", "options.fields", 1)
                for p in self._fields_problems(operation, ",".join(map(str, options["fields"])))
            ]
        if method in ("GET", "HEAD", "DELETE"):
            problems += [
                f"data.{k}: Options and pagination are not accepted here; put them in options"
                for k in data
                if k in OPTIONS_IN_DATA
            ]
            query = {k: _query_value(v) for k, v in data.items() if k not in OPTIONS_IN_DATA}
            problems += [f"data.{p}" for p in self._query_problems(operation, path, query)]
        else:
            problems += [f"data.{p}" for p in self._body(operation, {"data": data})]
            problems += self._query_problems(operation, path, {})
        return problems


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def opt_fields_problem(declared: list[str], raw: str) -> str | None:
    """Each requested field is one the spec lists, or a nested property of one ("dot notation": Asana's
    developers.asana.com/docs/inputoutput-options; the spec lists ``assignee.name`` but a user record has
    ``email`` too, exceptions.UNCHECKED_VALUES "opt_fields")."""
    # gid and resource_type are on every record (developers.asana.com/docs/inputoutput-options), listed or
    # not.
    parents = (
        {name.rsplit(".", 1)[0] for name in declared if "." in name}
        | set(declared)
        | {"gid", "resource_type"}
    )
    for item in raw.split(","):
        if item not in parents and item.rsplit(".", 1)[0] not in parents:
            return f"{item!r} is not a field of this resource"
    return None


def _asana_words(problem: str) -> str:
    """``<param>: <problem>``, Asana's form (``limit: Must be between 1 and 100``)."""
    for prefix, words in (
        ("unknown parameter ", "Unknown parameter"),
        ("missing required parameter ", "Missing input"),
    ):
        if problem.startswith(prefix):
            return f"{problem[len(prefix) :]}: {words}"
    if problem.startswith("invalid value for "):
        name, _, reason = problem[len("invalid value for ") :].partition(": ")
        return f"{name}: {reason}"
    return problem


def _refuse(status: int, message: str, *more: str) -> Refusal:
    return Refusal(status, message, [message, *more])
