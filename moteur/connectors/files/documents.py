"""JSON and YAML boards: a list of objects, or ``{"actions": [...]}`` (other top-level keys are kept).

A *document* is the parsed file plus its text. Writers change it only through ``set`` (a key of an action)
and by appending actions to ``items``; ``dump`` then edits the original text (``json_edits``,
``yaml_edits``) so that every key, value, comment, quote, number's spelling and blank line moteur does not
manage stays byte for byte. Before anything is written, the edited text is parsed again and must read as
exactly the intended values (types and key order included); a file laid out in a way the edits cannot
follow is refused, untouched, rather than damaged. A document made from scratch (a migration's new file)
is written whole: JSON indented by 2, YAML in block style.

Bounds (see also ``storage``): YAML aliases are refused (``yaml_plan``); nesting deeper than ``MAX_DEPTH``
is refused (a plan needs the list, an action, its checklist and an entry: 4 levels).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml
from yaml.nodes import Node

from moteur.connectors.files import yaml_plan
from moteur.connectors.files.edits import Unsafe, apply, same
from moteur.connectors.files.json_edits import JsonEdits
from moteur.connectors.files.storage import MAX_DEPTH, too_deep
from moteur.connectors.files.yaml_edits import YamlEdits
from moteur.core.errors import UsageError
from moteur.yaml_reading import read_yaml


@dataclass
class Document:
    """The objects of a JSON/YAML board and how to write them back."""

    kind: str  # "json" or "yaml"
    top: Any  # the whole parsed file; ``items`` are the very objects inside it
    items: list[dict[str, Any]]
    source: str = ""
    text: str | None = None  # None: a document made from scratch, written whole
    root: Node | None = None  # YAML: the node tree of ``text``, when loaded for writing
    columns: list[str] = field(default_factory=list)
    loaded: int = 0  # how many of ``items`` are in ``text``
    ascii_only: bool = False
    # Item position → the keys ``set`` changed; id() of each loaded item → its position.
    _changed: dict[int, list[str]] = field(default_factory=dict, init=False, repr=False)
    _position: dict[int, int] = field(default_factory=dict, init=False, repr=False)
    _added: dict[int, set[str]] = field(default_factory=dict, init=False, repr=False)  # keys it lacked

    def set(self, item: dict[str, Any], key: str, value: Any) -> bool:
        """Set ``item[key]``; False (and nothing marked for writing) when it already holds that value."""
        if isinstance(value, date):
            value = value.isoformat()  # JSON has no date, and YAML 1.2 reads one back as text
        existed = key in item
        if existed and (same(item[key], value) or _same_number(item[key], value)):
            return False
        item[key] = value
        if not self._position and self.loaded:
            self._position = {id(loaded): n for n, loaded in enumerate(self.items[: self.loaded])}
        position = self._position.get(id(item))
        if position is not None:
            keys = self._changed.setdefault(position, [])
            if key not in keys:
                keys.append(key)
                if not existed:
                    self._added.setdefault(position, set()).add(key)
        return True

    @property
    def changed(self) -> bool:
        return bool(self._changed) or len(self.items) != self.loaded

    def dump(self) -> str:
        if self.text is None:
            if self.kind == "yaml":
                return yaml_plan.dump(self.top)
            return json.dumps(self.top, indent=2, ensure_ascii=self.ascii_only) + "\n"
        if not self.changed:
            return self.text
        if len(self.items) < self.loaded:
            raise RuntimeError(f"{self.source}: actions were removed from a document; it only adds")
        try:
            new = apply(self.text, self._edits())
        except Unsafe as exc:
            raise self._refusal(str(exc)) from exc
        self._verify(new)
        return new

    def _edits(self) -> list[Any]:
        if self.kind == "json":
            editor: JsonEdits | YamlEdits = JsonEdits(self.text or "", ascii_only=self.ascii_only)
        else:
            root = self.root
            if root is None:
                root, _ = yaml_plan.compose_and_load(self.text or "")
            if root is None:
                raise Unsafe("the file is empty")
            editor = YamlEdits(self.text or "", root)
        if editor.count != self.loaded:
            raise Unsafe("the actions were not found again where they were read")
        for position in sorted(self._changed):
            editor.item(
                position, self.items[position], self._changed[position], self._added.get(position, set())
            )
        if len(self.items) > self.loaded:
            editor.append(self.items[self.loaded :])
        return editor.edits

    def _verify(self, new: str) -> None:
        """The edited text must read back as ``top``; otherwise nothing is written."""
        try:
            again = json.loads(new) if self.kind == "json" else read_yaml(new)
        except (ValueError, yaml.YAMLError, yaml_plan.AliasRefused, RecursionError) as exc:
            raise self._refusal("the edited file would not parse") from exc
        items: Any = again.get("actions") if isinstance(again, dict) else again
        if again == self.top:  # fast, in C; then types (1, 1.0 and True are ==), on what moteur set
            if all(
                same(items[n][key], self.items[n][key]) for n, keys in self._changed.items() for key in keys
            ) and all(same(items[n], self.items[n]) for n in range(self.loaded, len(self.items))):
                return
        elif same(again, self.top):  # NaN is not == NaN: the careful comparison decides
            return
        raise self._refusal("the edited file would not read back as intended")

    def _refusal(self, reason: str) -> UsageError:
        return UsageError(
            f"{self.source}: cannot write moteur's values without changing the rest of the file "
            f"({reason}); nothing was written",
            hint="report the file's layout; meanwhile write the values by hand or use a CSV board",
        )


def _same_number(old: Any, new: Any) -> bool:
    """``448.0`` in the file and ``448`` from moteur: the same number, left as written (not ``True``/1)."""
    numbers = (int, float)
    return (
        type(old) in numbers and type(new) in numbers and old == new  # type() excludes bool, an int subclass
    )


def _columns(items: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        for key in item:
            seen.setdefault(str(key), None)
    return list(seen)


def _deeper_than(value: Any, levels: int) -> bool:
    if levels <= 0:
        return True
    children = value.values() if isinstance(value, dict) else value
    return any(isinstance(child, dict | list) and _deeper_than(child, levels - 1) for child in children)


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
        for value in item.values():
            # Scalars are nearly every value: only lists and dicts are walked, MAX_DEPTH levels at most.
            if isinstance(value, dict | list) and _deeper_than(value, MAX_DEPTH - 2):
                raise too_deep(source)
    return items


def load_json(text: str, source: str) -> Document:
    try:
        top = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError as exc:
        raise too_deep(source) from exc
    items = _items(top, source)
    return Document(
        kind="json",
        top=top,
        items=items,
        source=source,
        text=text,
        columns=_columns(items),
        loaded=len(items),
        ascii_only=text.isascii() and "\\u" in text,
    )


def _yaml_values(text: str, editable: bool) -> tuple[Node | None, Any]:
    """The node tree (for editing) and the values of a YAML text; the values alone the fast way."""
    return yaml_plan.compose_and_load(text) if editable else (None, read_yaml(text))


def load_yaml(text: str, source: str, *, editable: bool = False) -> Document:
    """A YAML document; ``editable`` keeps the node tree for ``dump`` (reading alone does not need it)."""
    try:
        root, top = _yaml_values(text, editable)
    except yaml_plan.AliasRefused as exc:
        raise UsageError(
            f"{source}: the value at line {exc.line} is repeated through a YAML alias (*name); moteur reads "
            "plans without aliases (a plan never needs them, and they can expand without bound): "
            "write the values out"
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        raise UsageError(f"{source}: not valid YAML{where}" + (f": {problem}" if problem else "")) from exc
    except RecursionError as exc:
        raise too_deep(source) from exc
    if top is None:
        raise UsageError(f"{source} is empty", hint="write a list of actions, e.g. - title: Webinar SEO")
    items = _items(top, source)
    return Document(
        kind="yaml",
        top=top,
        items=items,
        source=source,
        text=text,
        root=root if editable else None,
        columns=_columns(items),
        loaded=len(items),
    )
