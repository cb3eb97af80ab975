"""One vendor's OpenAPI document compiled for checking requests: which operation a method and path name, its
parameters, its body schema — and the check of one request against them.

Terms:

- *Operation*: one (method, path template) of the spec, with its parameters merged from the path item and the
  operation (the operation's win on a name clash, as OpenAPI says).
- *Problem*: one reason the vendor would refuse the request, as a short text naming the parameter
  (``"invalid value for pos"``, ``"missing required parameter idList"``). The vendor modules turn problems
  into the vendor's own error answer.

What is checked: the path matches a template with that method (literal segments win over placeholders, as both
vendors route); each query key is a declared parameter (or a global one: credentials, ``opt_pretty``);
required parameters are present; a query value parses as its schema's type and lies in its enum and bounds
(:mod:`moteur.sandbox.contract.values`); a JSON body validates against the operation's body schema. Where a
vendor's documented, working behaviour departs from its spec, :mod:`moteur.sandbox.contract.exceptions` says
so, once, with the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from moteur.sandbox.contract.values import SchemaCheck, json_problems, query_problem


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "path" | "query" | "header"
    required: bool
    schema: dict[str, Any]
    listed: bool = False  # style form, explode false: a comma list of values of ``schema``


@dataclass
class Operation:
    method: str
    template: str
    parameters: dict[str, Parameter] = field(default_factory=dict)
    body_schema: dict[str, Any] | None = None
    body_required: bool = False
    body_properties: frozenset[str] = frozenset()  # top-level keys of the body schema (Trello reads them too)

    def query(self) -> dict[str, Parameter]:
        return {n: p for n, p in self.parameters.items() if p.location == "query"}


class OpenApiContract:
    """A spec compiled once: ``find(method, path)`` and the checks of one request's parts."""

    def __init__(
        self,
        document: dict[str, Any],
        body_root: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        case_insensitive: bool = False,
    ) -> None:
        self.document = document
        self.schemas = SchemaCheck(document)
        self._flags = re.IGNORECASE if case_insensitive else 0
        self._routes: list[tuple[re.Pattern[str], str, dict[str, Operation]]] = []
        for template, item in document["paths"].items():
            operations = {}
            shared = [self._parameter(p) for p in item.get("parameters", [])]
            for method, raw in item.items():
                if method not in ("get", "put", "post", "delete", "patch", "head", "options"):
                    continue
                operation = Operation(method.upper(), template)
                for parameter in [*shared, *(self._parameter(p) for p in raw.get("parameters", []))]:
                    operation.parameters[parameter.name] = parameter
                body = raw.get("requestBody")
                if body is not None:
                    body = self._resolve(body)
                    schema = body.get("content", {}).get("application/json", {}).get("schema")
                    if schema is not None:
                        operation.body_schema = body_root(schema)
                        operation.body_properties = frozenset(self.schemas.properties(operation.body_schema))
                    operation.body_required = bool(body.get("required"))
                operations[method.upper()] = operation
            pattern = re.compile(
                "^" + re.sub(r"\\\{[^/]+?\\\}", "([^/]+)", re.escape(template)) + "/?$", self._flags
            )
            self._routes.append((pattern, template, operations))
        # Literal segments win over placeholders (/boards/{id}/cards/{filter} vs /boards/{id}/cards/{idCard}).
        self._routes.sort(key=lambda route: -len(re.sub(r"\{[^}]+\}", "", route[1])))

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self.schemas.resolve(node["$ref"])
        return node

    def _parameter(self, raw: dict[str, Any]) -> Parameter:
        raw = self._resolve(raw)
        # A comma list: declared so (form style, explode false), or described so ("all or a comma-separated
        # list of fields": Trello's spec gives the schema of one item and says it in words).
        description = str(raw.get("description", "")).lower()
        listed = (
            raw.get("explode") is False and raw.get("style", "form") == "form"
        ) or "comma-separated" in (description.replace("comma separated", "comma-separated"))
        return Parameter(raw["name"], raw["in"], bool(raw.get("required")), raw.get("schema") or {}, listed)

    def find(self, method: str, path: str) -> tuple[Operation | None, bool]:
        """The operation for ``method path``, and whether the path exists at all (for 404 versus 405)."""
        path_known = False
        for pattern, _template, operations in self._routes:
            if pattern.match(path):
                path_known = True
                if method in operations:
                    return operations[method], True
        return None, path_known

    def path_values(self, operation: Operation, path: str) -> dict[str, str]:
        names = re.findall(r"\{([^}]+)\}", operation.template)
        pattern = re.compile(
            "^" + re.sub(r"\\\{[^/]+?\\\}", "([^/]+)", re.escape(operation.template)) + "/?$", self._flags
        )
        match = pattern.match(path)
        return dict(zip(names, match.groups(), strict=True)) if match else {}

    def query_problems(
        self,
        operation: Operation,
        values: Mapping[str, str],
        *,
        allowed_extra: Iterable[str] = (),
        unchecked: Iterable[str] = (),
        present_elsewhere: Iterable[str] = (),
    ) -> list[str]:
        """Problems of the query values: unknown keys, missing required ones, values outside their schema.

        ``allowed_extra``: keys accepted beyond the declared ones (credentials, documented gaps);
        ``unchecked``: declared keys whose values the spec describes wrongly (see exceptions);
        ``present_elsewhere``: required keys that arrived another way (a Trello JSON body).
        """
        declared = operation.query()
        extra, skip = set(allowed_extra), set(unchecked)
        problems = [f"unknown parameter {k}" for k in values if k not in declared and k not in extra]
        supplied = set(values) | set(present_elsewhere)
        problems += [
            f"missing required parameter {n}" for n, p in declared.items() if p.required and n not in supplied
        ]
        for name, raw in values.items():
            parameter = declared.get(name)
            if parameter is None or name in skip:
                continue
            problem = query_problem(self.schemas, parameter.schema, raw, listed=parameter.listed)
            if problem:
                problems.append(f"invalid value for {name}: {problem}")
        return problems

    def path_problems(self, operation: Operation, path: str, unchecked: Iterable[str] = ()) -> list[str]:
        skip = set(unchecked)
        problems = []
        for name, raw in self.path_values(operation, path).items():
            parameter = operation.parameters.get(name)
            if parameter is None or name in skip:
                continue
            problem = query_problem(self.schemas, parameter.schema, raw)
            if problem:
                problems.append(f"invalid value for {name}: {problem}")
        return problems

    def body_problems(self, operation: Operation, body: Any, unchecked: Iterable[str] = ()) -> list[str]:
        """Problems of a JSON body; a value under an ``unchecked`` name (``data.custom_fields``) is not
        judged,
        though a required one must still be there."""
        if operation.body_schema is None:
            return []
        skip = tuple(unchecked)
        problems = json_problems(self.schemas, operation.body_schema, body)
        return [p for p in problems if not _under(p, skip)]


def _under(problem: str, names: tuple[str, ...]) -> bool:
    if not problem.startswith("invalid value for "):
        return False
    where = problem[len("invalid value for ") :].split(":", 1)[0].split(".")
    for name in names:  # "customFieldItems.*.value": a "*" stands for any one segment (an array index)
        parts = name.split(".")
        if len(where) >= len(parts) and all(p in ("*", w) for p, w in zip(parts, where, strict=False)):
            return True
    return False
