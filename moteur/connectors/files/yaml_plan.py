"""How moteur reads and writes YAML plans: YAML 1.2 values, no aliases, and scalars rendered one at a time.

*Values*: YAML 1.2's core schema, as current tools read it, not PyYAML's YAML 1.1: ``NO``, ``on``, ``y``
are text (a country, not ``false``), ``22:30`` is text (not 1350 minutes), ``2026-12-18`` is text (the due
parser reads it). One deliberate difference: an integer written with a leading zero (``01234``) is text, as
JSON would have it — a zip code or a reference, never an octal number.

*Aliases*: refused (``AliasRefused``). A plan never needs ``&anchor``/``*alias``, and an alias is how
541 bytes expand to gigabytes (the "billion laughs") or an anchor refers to itself. The composer (libyaml)
shares an aliased node instead of copying it, so the refusal comes when the shared node is met a second
time, before anything is expanded. Nesting is bounded by libyaml itself (1,000 levels).

*Writing*: ``files/yaml_edits.py`` changes only the values moteur manages, rendering each new value with
``render``/``render_flow``. Strings that YAML 1.1 *or* 1.2 would read as something else (``NO``, ``01234``,
``0o17``) are quoted, so what moteur writes reads back the same in any tool; text with line breaks is a
literal block (``|-``) in block context, double-quoted on one line where a block cannot go.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map"))
_HUGE = 1 << 30  # a line width no value reaches: a rendered scalar never wraps onto a second line

_CORE_12: tuple[tuple[str, str, str], ...] = (
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


for _name, _pattern, _first in _CORE_12:
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


# -- writing ---------------------------------------------------------------------------------------------

_Base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class PlanDumper(_Base):  # type: ignore[valid-type, misc]
    """SafeDumper that quotes what 1.1 or 1.2 would misread, and writes multi-line text as a literal."""


for _name, _pattern, _first in _CORE_12:
    PlanDumper.add_implicit_resolver(f"tag:yaml.org,2002:{_name}", re.compile(_pattern), list(_first))


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # A literal block keeps text readable; one ending in a line break would depend on the line break
    # that follows it in the file, so that one is double-quoted (the emitter also falls back to quotes
    # wherever a block is not allowed: flow context, trailing spaces, special characters).
    multiline = "\n" in value or "\r" in value
    style = ('"' if value.endswith(("\n", "\r")) else "|") if multiline else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


PlanDumper.add_representer(str, _represent_str)


def dump(value: Any, *, flow: bool = False) -> str:
    """``value`` as a YAML document, block style by default, lines never wrapped."""
    return yaml.dump(
        value,
        Dumper=PlanDumper,
        default_flow_style=flow,
        allow_unicode=True,
        sort_keys=False,
        width=_HUGE,
    )


@lru_cache(maxsize=4096, typed=True)
def _scalar_tail(value: str | int | float | bool | None) -> str:
    return dump({"k": value})[1:].rstrip("\n")


def render(value: Any) -> str:
    """What follows a key in a block mapping for ``value``, rendered at column 0: ``: 448``,
    ``:\\n- a\\n- b``, ``: |-\\n  line 1\\n  line 2``. Lines after the first are to be indented by the key's
    column."""
    if value is None or isinstance(value, str | int | float):  # bool is an int
        return _scalar_tail(value)
    return dump({"k": value})[1:].rstrip("\n")


def render_flow(value: Any) -> str:
    """``value`` on one line, valid inside a flow collection (``[…]``, ``{…}``)."""
    return dump([value], flow=True).strip()[1:-1]


def render_key(key: str) -> str:
    """``key`` as a mapping key (quoted when it would read as something else)."""
    return dump({key: None}).rsplit(":", 1)[0]
