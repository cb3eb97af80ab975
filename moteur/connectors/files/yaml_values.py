"""The values of a YAML plan built straight from libyaml's events: what reading a plan needs, 3 to 4 times
faster than PyYAML's composer and constructor (which build a node, two marks and a resolver call per value).

The result is what ``yaml_plan.compose_and_load`` gives — same schema (``yaml_plan.PlanResolver``), same
last-one-wins for a repeated key — for every plan without explicit tags (``!!str``…). A document with a
tag, or a key that is not a scalar, raises ``Unusual`` and the caller uses the full loader instead, so a
rare construct costs time, never a different reading. An alias is refused at once (``AliasRefused``).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from moteur.connectors.files.yaml_plan import AliasRefused, PlanResolver, compose_and_load

try:
    from yaml import cyaml

    _Parser: Any = getattr(cyaml, "CParser", None) or yaml.SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.SafeLoader

_RESOLVERS = PlanResolver.yaml_implicit_resolvers
_TAG = "tag:yaml.org,2002:"
_NO_KEY = object()


class Unusual(Exception):
    """A construct this builder leaves to the full loader (an explicit tag, a non-scalar key)."""


def _plain(value: str) -> Any:
    """A plain scalar's value under the plan schema (as ``SafeConstructor`` builds it)."""
    for tag, pattern in _RESOLVERS.get(value[:1], ()):
        if pattern.match(value):
            kind = tag[len(_TAG) :]
            if kind == "null":
                return None
            if kind == "bool":
                return value.lower() == "true"
            if kind == "int":
                return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
            lowered = value.lower()
            if lowered.endswith(".inf"):
                return float("-inf") if lowered.startswith("-") else float("inf")
            return float("nan") if lowered == ".nan" else float(value)
    return value


def load_values(text: str) -> Any:
    """The value of a single-document YAML text (None for an empty one).

    Raises ``yaml.YAMLError`` as the full loader would, ``AliasRefused`` and ``Unusual``.
    """
    parser = _Parser(text)
    stack: list[tuple[Any, Any]] = []  # open collections, each with the key waiting for its value
    result: Any = None
    documents = 0
    try:
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is ScalarEvent:
                if event.tag is not None and event.tag != "!":
                    raise Unusual("tag")
                value: Any = _plain(event.value) if event.implicit[0] else event.value
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.tag is not None:
                    raise Unusual("tag")
                stack.append(({} if kind is MappingStartEvent else [], _NO_KEY))
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                value = stack.pop()[0]
            elif kind is AliasEvent:
                raise AliasRefused(event.start_mark.line + 1)
            elif kind is StreamEndEvent:
                return result
            elif kind is DocumentStartEvent and documents:
                raise Unusual("a second document")  # the full loader says what is wrong with it
            else:
                documents += kind is DocumentStartEvent
                continue  # stream start, document start and end
            if not stack:
                result = value
                continue
            container, key = stack[-1]
            if type(container) is list:
                container.append(value)
            elif key is _NO_KEY:
                if isinstance(value, dict | list):
                    raise Unusual("a key that is not a scalar")
                stack[-1] = (container, value)
            else:
                container[key] = value
                stack[-1] = (container, _NO_KEY)
    finally:
        parser.dispose()


def read_yaml(text: str) -> Any:
    """The value of a YAML text under the plan schema, aliases refused: the fast way, or the full loader
    for what the fast way leaves to it. Raises ``yaml.YAMLError`` and ``AliasRefused``."""
    try:
        return load_values(text)
    except Unusual:
        return compose_and_load(text)[1]
