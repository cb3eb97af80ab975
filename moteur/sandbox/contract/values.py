"""Whether one value fits its schema: a query string (parsed as the schema's type first) or a JSON body.

Query values arrive as text, so they are parsed the way the vendors parse them: ``true``/``false`` for a
boolean, a decimal for a number, a comma list for an array (or for a parameter declared ``explode: false``,
whose schema the spec gives for one item), ``null`` for a nullable value. Object schemas given for a query
value (Trello's ``fields`` parameters point at the resource's schema to say "names of these fields") are not
checked further. Formats are not checked: the specs use ``date`` for values that are date-times.

JSON bodies are validated with ``openapi-schema-validator`` (JSON Schema with OpenAPI 3.0's ``nullable``), one
validator per body schema, built on first use and kept.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator

_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_INTEGER = re.compile(r"^-?\d+$")


def _one_of_read_as_any_of(validator: Any, branches: list[Any], instance: Any, schema: Any) -> Any:
    """``oneOf`` as ``anyOf``: the specs write ``oneOf`` for shapes that overlap (Trello's custom field item
    is ``{value}`` or ``{idValue}``, neither required, so every body matches both): a value fits when one
    fits."""
    if not any(validator.evolve(schema=branch).is_valid(instance) for branch in branches):
        yield ValidationError(f"{instance!r} fits none of the shapes the spec allows here")


_Validator = extend(OAS30Validator, {"oneOf": _one_of_read_as_any_of})


class SchemaCheck:
    """``$ref`` resolution and JSON validation within one OpenAPI document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._validators: dict[int, Any] = {}
        self._lock = threading.Lock()

    def resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node  # type: ignore[no-any-return]

    def deref(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.resolve(schema["$ref"])
        return schema

    def properties(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Top-level properties of an object schema, through ``$ref`` and ``allOf``."""
        schema = self.deref(schema)
        found = dict(schema.get("properties", {}))
        for key in ("allOf", "oneOf", "anyOf"):  # a oneOf body's keys are those of any of its shapes
            for part in schema.get(key, []):
                found.update(self.properties(part))
        return found

    def validator(self, schema: dict[str, Any]) -> Any:
        key = id(schema)
        with self._lock:
            validator = self._validators.get(key)
            if validator is None:
                # The root carries the document's components so that "#/components/…" resolves inside it.
                root = {**schema, "components": self.document.get("components", {})}
                validator = self._validators[key] = _Validator(root)
            return validator


def json_problems(check: SchemaCheck, schema: dict[str, Any], value: Any) -> list[str]:
    """Each way ``value`` breaks ``schema``, as ``path: message`` (the first five)."""
    problems = []
    for error in check.validator(schema).iter_errors(value):
        where = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":  # "'pos' is a required property": name the missing one
            missing = str(error.message).split("'")[1] if "'" in error.message else "?"
            problems.append(f"missing required parameter {where + '.' if where else ''}{missing}")
        else:
            problems.append(f"invalid value for {where or 'body'}: {error.message}"[:300])
        if len(problems) == 20:
            break
    return problems


def query_problem(
    check: SchemaCheck, schema: dict[str, Any], raw: str, *, listed: bool = False
) -> str | None:
    """Why ``raw`` (one query value) does not fit ``schema``, or ``None`` when it does."""
    schema = check.deref(schema)
    if schema.get("nullable") and raw == "null":
        return None
    for key in ("oneOf", "anyOf"):
        if key in schema:
            reasons = [query_problem(check, part, raw, listed=listed) for part in schema[key]]
            return None if any(r is None for r in reasons) else "; ".join(r for r in reasons if r)
    if "allOf" in schema:
        return next(
            (r for part in schema["allOf"] if (r := query_problem(check, part, raw, listed=listed))), None
        )
    kind = schema.get("type")
    if kind == "array" or listed:
        items = schema.get("items", {}) if kind == "array" else schema
        if raw == "all" and listed:  # "all or a comma-separated list of …" (Trello's fields parameters)
            return None
        for item in raw.split(","):
            reason = query_problem(check, items, item)
            if reason:
                return reason
        return None
    if kind == "object" or (kind is None and "properties" in schema):
        return None  # a resource's schema given for "field names of it": see the module docstring
    if kind == "boolean":
        return None if raw in ("true", "false") else f"{raw!r} is not true or false"
    if kind in ("integer", "number"):
        if not (_INTEGER if kind == "integer" else _NUMBER).match(raw):
            return f"{raw!r} is not a{'n integer' if kind == 'integer' else ' number'}"
        number = float(raw)
        if "minimum" in schema and number < schema["minimum"]:
            return f"{raw} is below {schema['minimum']}"
        if "maximum" in schema and number > schema["maximum"]:
            return f"{raw} is above {schema['maximum']}"
        return None
    if "enum" in schema and raw not in [str(v) for v in schema["enum"] if v is not None]:
        return f"{raw!r} is not one of {', '.join(str(v) for v in schema['enum'] if v is not None)}"
    if "pattern" in schema and not re.search(schema["pattern"], raw):
        return f"{raw!r} does not match {schema['pattern']}"
    return None
