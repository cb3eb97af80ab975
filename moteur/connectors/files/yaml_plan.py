"""How moteur writes YAML plans: scalars rendered one at a time, read back the same by any tool.

Reading is ``moteur/yaml_reading.py`` (YAML 1.2 values, aliases refused); its names are imported here for the
files connector's modules.

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

from moteur.yaml_reading import CORE_12, AliasRefused, PlanResolver, compose_and_load, construct

__all__ = [
    "AliasRefused",
    "PlanResolver",
    "compose_and_load",
    "construct",
    "dump",
    "render",
    "render_flow",
    "render_key",
]

_HUGE = 1 << 30  # a line width no value reaches: a rendered scalar never wraps onto a second line


# -- writing ---------------------------------------------------------------------------------------------

_Base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class PlanDumper(_Base):  # type: ignore[valid-type, misc]
    """SafeDumper that quotes what 1.1 or 1.2 would misread, and writes multi-line text as a literal."""


for _name, _pattern, _first in CORE_12:
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
