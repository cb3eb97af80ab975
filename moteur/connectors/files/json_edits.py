"""The edits that write moteur's values into a JSON plan (see ``edits``), placed by scanning the text.

Nothing is re-serialised: numbers keep their text (``1.10`` stays ``1.10``), strings their escapes, objects
their spacing. A value moteur changes is replaced where it stands; a key it adds goes after the object's
last member, laid out like that member (on its own line with the same indentation, or inline with the same
separators); an object it adds goes after the last one in the same way. The scan walks only the members of
the objects being edited and hands every value to the C decoder (``raw_decode``) to find where it ends, so
its cost is one more parse of the file, at C speed.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]  # the C string scanner
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any, NamedTuple

from moteur.connectors.files.edits import Edit, Unsafe, leading, line_indent, line_start, newline_of

_SPACE = re.compile(r"[ \t\n\r]*")
_HEAD = re.compile(r'[ \t\n\r]*"((?:[^"\\]|\\.)*)"[ \t\n\r]*:[ \t\n\r]*', re.DOTALL)
_NEXT = re.compile(r"[ \t\n\r]*([,}])")
_CLOSE = re.compile(r"[ \t\n\r]*}")
_LINE_BREAK = re.compile(r"[\r\n]")
_INDENT = re.compile(r"\n([ \t]+)\S")
_DECODER = json.JSONDecoder()


class _Member(NamedTuple):
    key: str
    key_start: int
    key_end: int
    value_start: int
    value_end: int


def _skip(text: str, at: int) -> int:
    return _SPACE.match(text, at).end()  # type: ignore[union-attr]  # matches the empty string anywhere


def _value_end(text: str, at: int) -> int:
    try:
        return int(_DECODER.raw_decode(text, at)[1])
    except json.JSONDecodeError as exc:
        raise Unsafe(f"no JSON value at character {at}") from exc


def _expect(text: str, at: int, char: str) -> None:
    if not text.startswith(char, at):
        raise Unsafe(f"expected {char!r} at character {at}")


def members(text: str, start: int) -> tuple[list[_Member], int]:
    """The members of the object whose ``{`` is at ``start``, and where its ``}`` is."""
    _expect(text, start, "{")
    found: list[_Member] = []
    at = start + 1
    empty = _CLOSE.match(text, at)
    if empty is not None:
        return found, empty.end() - 1
    while True:
        head = _HEAD.match(text, at)  # whitespace, "key", whitespace, ":", whitespace
        if head is None:
            raise Unsafe(f"expected a key at character {at}")
        raw = head.group(1)
        key = scanstring(text, head.start(1))[0] if "\\" in raw else raw
        value_start = head.end()
        value_end = _value_end(text, value_start)
        found.append(_Member(key, head.start(1) - 1, head.end(1) + 1, value_start, value_end))
        after = _NEXT.match(text, value_end)
        if after is None:
            raise Unsafe(f"expected ',' or '}}' at character {value_end}")
        if after.group(1) == "}":
            return found, after.end() - 1
        at = after.end()


def elements(text: str, start: int) -> tuple[list[tuple[int, int]], int]:
    """The spans of the elements of the array whose ``[`` is at ``start``, and where its ``]`` is."""
    _expect(text, start, "[")
    at = _skip(text, start + 1)
    found: list[tuple[int, int]] = []
    if text.startswith("]", at):
        return found, at
    while True:
        end = _value_end(text, at)
        found.append((at, end))
        at = _skip(text, end)
        if text.startswith("]", at):
            return found, at
        _expect(text, at, ",")
        at = _skip(text, at + 1)


class JsonEdits:
    """The edits for one JSON text."""

    def __init__(self, text: str, *, ascii_only: bool) -> None:
        self.text = text
        self.ascii_only = ascii_only
        self.newline = newline_of(text)
        found = _INDENT.search(text)
        self.unit: str | None = found.group(1) if found else None  # one level of indentation
        self.edits: list[Edit] = []
        self.array = self._array()
        self.spans, self.close = elements(text, self.array)
        self.count = len(self.spans)
        self.colon, self.comma = self._separators()
        self._string = encode_basestring_ascii if ascii_only else encode_basestring

    def _separators(self) -> tuple[str, str]:
        """``": "`` and ``", "``, or ``":"`` and ``","`` in a compact file: as the first action has them."""
        if self.spans and self.text.startswith("{", self.spans[0][0]):
            found, _ = members(self.text, self.spans[0][0])
            if found and self.text[found[0].key_end : found[0].value_start] == ":":
                return ":", ","
        return ": ", ", "

    def _array(self) -> int:
        """Where the ``[`` of the actions array is: the whole text, or the last ``actions`` member."""
        at = _skip(self.text, 0)
        if self.text.startswith("{", at):
            found = [m for m in members(self.text, at)[0] if m.key == "actions"]
            if not found:
                raise Unsafe('no "actions" member')
            at = found[-1].value_start
        return at

    def _json(self, value: Any, indent: str | None) -> str:
        """``value`` as JSON; a non-empty object or array spread over lines like the file's own when the
        file is indented and the value starts its line (``indent``)."""
        kind = type(value)  # most values are text or whole numbers: no ``json.dumps`` set-up for them
        if kind is str:
            return self._string(value)
        if kind is int:
            return int.__repr__(value)
        if value is None:
            return "null"
        if self.unit is not None and indent is not None and isinstance(value, dict | list) and value:
            text = json.dumps(
                value, indent=self.unit, ensure_ascii=self.ascii_only, separators=(",", self.colon)
            )
            return text.replace("\n", self.newline + indent)
        return json.dumps(value, ensure_ascii=self.ascii_only, separators=(self.comma, self.colon))

    def item(self, position: int, item: dict[str, Any], keys: list[str], added: set[str]) -> None:
        """Edits that give the object at ``position`` the values ``item`` holds for ``keys`` (``added``:
        those it did not have)."""
        start, end = self.spans[position]
        if not self.text.startswith("{", start):
            raise Unsafe(f"action {position + 1} is not an object")
        only_added = added.issuperset(keys) and all(key in item for key in keys)
        if only_added and self._append_members(start, end, {key: item[key] for key in item if key in added}):
            return
        found, _ = members(self.text, start)
        if not found:
            self.edits.append(Edit(start, end, self._json(item, leading(self.text, start))))
            return
        last_of = {member.key: member for member in found}  # the last one wins, as json.loads reads it
        if any(key not in item for key in keys):
            raise Unsafe(f"action {position + 1}: a key would be removed")
        for key in keys:
            member = last_of.get(key)
            if member is not None:
                indent = line_indent(self.text, member.key_start)
                self.edits.append(Edit(member.value_start, member.value_end, self._json(item[key], indent)))
        new_keys = [key for key in item if key in keys and key not in last_of]
        if new_keys:
            self._add(found, {key: item[key] for key in new_keys})

    def _append_members(self, start: int, end: int, values: dict[str, Any]) -> bool:
        """Add ``values`` after the object's last member without scanning the object (the first sync of
        a big file adds keys to every action). Laid out like the last member: inline after it when it
        shares its line, on their own lines at its indentation when it starts its line; when the object
        ends with a nested value's last line, like the first member. False for a layout none of that
        covers: the full scan decides."""
        text = self.text
        last_end = end - 1  # the "}"
        while text[last_end - 1] in " \t\r\n":
            last_end -= 1
        if text[last_end - 1] == "{":
            return False  # an empty object
        indent: str | None = None
        separator = self.comma
        if _LINE_BREAK.search(text, start, end) is not None:
            line = line_start(text, last_end)
            head = _HEAD.match(text, line)  # a key at the start of the last line
            if head is None:
                indent = line_indent(text, _skip(text, start + 1))
                if indent is None:
                    return False
            elif _value_end(text, head.end()) == last_end:
                indent = text[line : head.start(1) - 1]
            if indent is not None:
                separator = "," + self.newline + indent
        added = "".join(
            separator + self._string(key) + self.colon + self._json(value, indent)
            for key, value in values.items()
        )
        self.edits.append(Edit(last_end, last_end, added))
        return True

    def _add(self, found: list[_Member], values: dict[str, Any]) -> None:
        last = found[-1]
        indent = line_indent(self.text, last.key_start)
        between = self.text[last.key_end : last.value_start]
        colon = between if "\n" not in between and "\r" not in between else ": "
        if indent is not None:
            separator = "," + self.newline + indent
        elif len(found) > 1:
            separator = self.text[found[-2].value_end : last.key_start]
        else:
            separator = self.comma
        text = "".join(
            separator + json.dumps(key, ensure_ascii=self.ascii_only) + colon + self._json(value, indent)
            for key, value in values.items()
        )
        self.edits.append(Edit(last.value_end, last.value_end, text))

    def append(self, items: list[dict[str, Any]]) -> None:
        """Edits that add ``items`` after the last object of the array."""
        if self.spans:
            last_end = self.spans[-1][1]
            indent = line_indent(self.text, self.spans[-1][0])
            if indent is not None:
                separator = "," + self.newline + indent
            elif len(self.spans) > 1:
                separator = self.text[self.spans[-2][1] : self.spans[-1][0]]
            else:
                separator = self.comma
            text = "".join(separator + self._json(item, indent) for item in items)
            self.edits.append(Edit(last_end, last_end, text))
            return
        base = leading(self.text, self.array)
        if self.unit is None:
            text = "[" + self.comma.join(self._json(item, None) for item in items) + "]"
        else:
            inner = base + self.unit
            body = ("," + self.newline + inner).join(self._json(item, inner) for item in items)
            text = "[" + self.newline + inner + body + self.newline + base + "]"
        self.edits.append(Edit(self.array, self.close + 1, text))
