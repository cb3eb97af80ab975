"""JSON and YAML boards: a list of objects, or ``{"actions": [...]}`` (other top-level keys are kept).

A *document* remembers how its file was written so that a write changes only the keys moteur manages:
the top-level shape, the key order of every object (new keys go last), and for JSON the indentation, the
choice between ``\\u00e9`` escapes and plain UTF-8, and the final newline. YAML is re-dumped with
``sort_keys=False, allow_unicode=True``; its comments do not survive a write (PyYAML drops them).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from moteur.core.errors import UsageError

_INDENT = re.compile(r"\n([ \t]+)\S")
_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass
class Document:
    """The objects of a JSON/YAML board and how to write them back."""

    kind: str  # "json" or "yaml"
    top: Any  # the whole parsed file; ``items`` are the very objects inside it
    items: list[dict[str, Any]]
    indent: str | int | None = None
    ascii_only: bool = False
    final_newline: bool = True
    columns: list[str] = field(default_factory=list)

    def dump(self) -> str:
        if self.kind == "yaml":
            text: str = yaml.dump(
                self.top,
                Dumper=_YAML_DUMPER,
                sort_keys=False,
                allow_unicode=True,
                default_flow_style=False,
                width=4096,
            )
            return text
        text = json.dumps(self.top, indent=self.indent, ensure_ascii=self.ascii_only)
        return text + "\n" if self.final_newline else text


def _columns(items: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        for key in item:
            seen.setdefault(str(key), None)
    return list(seen)


def _items(top: Any, source: str) -> list[dict[str, Any]]:
    items = top.get("actions") if isinstance(top, dict) else top
    if not isinstance(items, list):
        raise UsageError(
            f'{source}: expected a list of actions, or an object with an "actions" list',
            hint='e.g. [{"title": "Webinar SEO", "impact": 7, "effort": 3}]',
        )
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise UsageError(f"{source}: action {position} is a {type(item).__name__}, not an object")
    return items


def load_json(text: str, source: str) -> Document:
    try:
        top = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    items = _items(top, source)
    indent_match = _INDENT.search(text)
    indent: str | int | None = indent_match.group(1) if indent_match else None
    if isinstance(indent, str) and set(indent) == {" "}:
        indent = len(indent)
    return Document(
        kind="json",
        top=top,
        items=items,
        indent=indent,
        ascii_only=text.isascii() and "\\u" in text,
        final_newline=text.endswith("\n"),
        columns=_columns(items),
    )


def load_yaml(text: str, source: str) -> Document:
    try:
        top = yaml.load(text, Loader=_YAML_LOADER)  # a SafeLoader (C or Python)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{source}: not valid YAML{where}") from exc
    if top is None:
        raise UsageError(f"{source} is empty", hint="write a list of actions, e.g. - title: Webinar SEO")
    items = _items(top, source)
    return Document(kind="yaml", top=top, items=items, columns=_columns(items))
