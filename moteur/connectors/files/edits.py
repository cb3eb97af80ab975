"""Text edits: how a JSON or YAML file is rewritten without touching what moteur does not manage.

Writers (``json_edits``, ``yaml_edits``) never re-serialise a file: they compute *edits* — replace the
characters ``start:end`` of the original text by new text — for the values moteur sets and the objects it
adds, and everything outside those spans (other keys and values as written, comments, quotes, indentation,
blank lines, line endings, key order) is copied as it was. ``Unsafe`` is raised when a file is laid out in a
way an edit cannot be placed in with confidence; the document then refuses to write (nothing is written).
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

_BREAK = re.compile(r"[\r\n]")
_INDENTATION = re.compile(r"[ \t]*")


class Unsafe(Exception):
    """An edit cannot be placed safely; the message says where."""


class Edit(NamedTuple):
    start: int
    end: int
    text: str


def apply(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` made. Edits at the same position land in the order given; overlapping
    edits are a bug in the writer and raise ``Unsafe`` rather than produce a mangled file."""
    ordered = sorted(range(len(edits)), key=lambda n: (edits[n].start, n))
    parts: list[str] = []
    cursor = 0
    for n in ordered:
        start, end, new = edits[n]
        if start < cursor:
            raise Unsafe(f"two changes overlap at character {start}")
        parts.append(text[cursor:start])
        parts.append(new)
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types (``1``, ``1.0`` and ``True`` differ; NaN equals NaN), in the same key
    order: what a rewritten file must read back as."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(value, b[key]) for key, value in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def newline_of(text: str) -> str:
    """The line ending new lines get: the file's first one (``\\n`` when it has none)."""
    at = text.find("\n")
    return "\r\n" if at > 0 and text[at - 1] == "\r" else "\n"


def line_end(text: str, position: int) -> int:
    """Where the line holding ``position`` ends (before its line break), or the end of the text."""
    found = _BREAK.search(text, position)
    return found.start() if found else len(text)


def line_start(text: str, position: int) -> int:
    """Where the line holding ``position`` starts."""
    # Looking for "\r" only after the last "\n": a file without "\r" must not be scanned to its start.
    after_newline = text.rfind("\n", 0, position) + 1
    return max(after_newline, text.rfind("\r", after_newline, position) + 1)


def line_indent(text: str, position: int) -> str | None:
    """The whitespace before ``position`` on its line, or None when something else comes first."""
    before = text[line_start(text, position) : position]
    return before if before.strip(" \t") == "" else None


def leading(text: str, position: int) -> str:
    """The indentation of the line holding ``position``."""
    start = line_start(text, position)
    return _INDENTATION.match(text, start).group()  # type: ignore[union-attr]  # matches "" anywhere


def shift(rendered: str, indent: str, newline: str, *, first: bool = False) -> str:
    """``rendered`` (``\\n``-separated lines) with ``indent`` before each of its lines after the first (and
    the first too when ``first``), blank lines left blank, joined by ``newline``."""
    lines = rendered.split("\n")
    return newline.join(
        indent + line if line and (first or number) else line for number, line in enumerate(lines)
    )
