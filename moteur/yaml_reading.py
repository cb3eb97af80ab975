"""YAML as moteur reads it — plans, mapping files, user maps: YAML 1.2 values, no aliases, and fast.

*Values*: YAML 1.2's core schema, as current tools read it, not PyYAML's YAML 1.1: ``NO``, ``on``, ``y``
are text (a country, not ``false``), ``22:30`` is text (not 1350 minutes), ``2026-12-18`` is text (the due
parser reads it). One deliberate difference: an integer written with a leading zero (``01234``) is text, as
JSON would have it — a zip code or a reference, never an octal number.

*Aliases*: refused (``AliasRefused``). A plan never needs ``&anchor``/``*alias``, and an alias is how
541 bytes expand to gigabytes (the "billion laughs") or an anchor refers to itself. The composer (libyaml)
shares an aliased node instead of copying it, so the refusal comes when the shared node is met a second
time, before anything is expanded. Nesting is bounded by libyaml itself (1,000 levels).

*Fast values*: ``load_values`` builds the values straight from libyaml's events, 3 to 4 times faster than
PyYAML's composer and constructor (which build a node, two marks and a resolver call per value), with the
same schema and the same last-one-wins for a repeated key. A document with an explicit tag (``!!str``…) or a
key that is not a scalar raises ``Unusual`` and ``read_yaml`` uses the full loader instead, so a rare
construct costs time, never a different reading. ``compose_and_load`` keeps each node's position, for the
files connector's in-place edits (``connectors/files/yaml_edits.py``).

Shared by the mappings and the files connector, so neither imports the other for it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
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
from yaml.nodes import Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map"))

CORE_12: tuple[tuple[str, str, str], ...] = (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
    ("null", r"^(?:~|null|Null|NULL|)$", "~nN"),
)


class PlanResolver(BaseResolver):
    """YAML 1.2 core schema, integers with a leading zero excepted (module docstring)."""

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        # ``BaseResolver.resolve``, without path resolvers (a plan has none) and without the list
        # concatenations it makes per call: the composer calls it for every node, and a YAML read of
        # 100,000 actions spent a third of its time here.
        if kind is ScalarNode:
            if implicit[0]:
                for tag, pattern in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if pattern.match(value):
                        return str(tag)
            return _STR
        return _SEQ if kind is SequenceNode else _MAP


for _name, _pattern, _first in CORE_12:
    PlanResolver.add_implicit_resolver(
        f"tag:yaml.org,2002:{_name}",
        re.compile(_pattern),
        [*_first, ""] if _name == "null" else list(_first),
    )


class AliasRefused(Exception):
    """A YAML alias (or a self-referencing anchor) in a plan; ``line`` is the anchored node's, from 1."""

    def __init__(self, line: int) -> None:
        super().__init__(f"alias at line {line}")
        self.line = line


class PlanConstructor(SafeConstructor):
    def construct_object(self, node: Node, deep: bool = False) -> Any:
        # Without aliases every node is met once; a second meeting is an alias (or a node inside itself).
        if node in self.constructed_objects or node in self.recursive_objects:
            raise AliasRefused(node.start_mark.line + 1)
        return super().construct_object(node, deep)


try:
    from yaml import cyaml  # libyaml: parsing and composing in C

    _CParser: Any = getattr(cyaml, "CParser", None)
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

if _CParser is not None:

    class _PlanLoader(_CParser, PlanConstructor, PlanResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            PlanConstructor.__init__(self)
            PlanResolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml: the same, in Python

    class _PlanLoader(Reader, Scanner, Parser, Composer, PlanConstructor, PlanResolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            PlanConstructor.__init__(self)
            PlanResolver.__init__(self)


def compose_and_load(text: str) -> tuple[Node | None, Any]:
    """The node tree (with each node's position) and the values of a YAML text.

    Raises ``yaml.YAMLError``, ``AliasRefused`` or ``RecursionError`` (pure-Python parser only).
    """
    loader = _PlanLoader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def construct(node: Node) -> Any:
    """The value of one node (a key, when matching a mapping's keys to a dict's)."""
    return PlanConstructor().construct_document(node)


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
