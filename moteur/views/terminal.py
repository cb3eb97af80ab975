"""Text on the terminal: what boards and services say is shown as text, never obeyed.

Card titles, board and file names, and the messages services send back are written by anyone with access
to a board. Printed through Rich as they are, they could be

- parsed as *markup*: ``[/x] crash me`` raises ``MarkupError`` (one card used to stop every plan of its
  board), ``[link=…]`` makes a link, ``:smile:`` becomes an emoji;
- obeyed as *control sequences* by the terminal: ``ESC ] 52`` writes the clipboard, ``ESC ] 0`` sets the
  window title, ``ESC [ 8 m`` hides the text after it. Rich itself removes only BEL, BS, VT, FF and CR, so
  ESC went through, even with ``NO_COLOR``.

The defences, all here:

- ``clean_text`` turns every C0 control but newline and tab, DEL and every C1 control into a visible
  stand-in (``␛`` for ESC, ``�`` for C1): nothing is hidden, nothing is obeyed, and the reader sees that the
  title held something odd.
- ``plain`` wraps cleaned text in a ``Text``, which Rich never parses as markup. Views build their lines
  from it.
- ``SafeConsole``, the console ``Output`` prints through, is the net under the lines commands build from
  f-strings: a string is cleaned before its markup is parsed, markup that does not parse is printed as it
  is instead of raising, and any control character left in a ``Text`` is dropped when it is rendered.
- ``json_safe`` escapes the C1 controls and DEL that ``json.dumps(ensure_ascii=False)`` leaves raw (it
  escapes C0 itself): the JSON means the same, and a terminal showing it obeys nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import (
    Console,
    ConsoleOptions,
    HighlighterType,
    JustifyMethod,
    OverflowMethod,
    RenderableType,
)
from rich.errors import MarkupError
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

# C0 but tab (\x09) and newline (\x0a), then DEL and C1. Carriage return is in: it rewrites the line.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The Unicode "control pictures" (U+2400…) name each C0 control and DEL in one cell; C1 has none.
_STAND_IN = {c: chr(0x2400 + c) for c in range(0x20) if c not in (0x09, 0x0A)}
_STAND_IN[0x7F] = "\u2421"
_STAND_IN.update({c: "\ufffd" for c in range(0x80, 0xA0)})
_JSON_RAW = re.compile("[\x7f-\x9f]")


def clean_text(text: str) -> str:
    """``text`` with every control character but newline and tab replaced by a visible stand-in."""
    if _CONTROL.search(text) is None:  # the usual case: one scan, no copy
        return text
    return text.translate(_STAND_IN)


def plain(text: str, style: str | Style = "") -> Text:
    """Board or service text as a ``Text``: cleaned, and never parsed as markup."""
    return Text(clean_text(text), style=style)


def json_safe(text: str) -> str:
    """JSON text with DEL and the C1 controls written as ``\\u00XX`` escapes (the same JSON value)."""
    if _JSON_RAW.search(text) is None:
        return text
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class SafeConsole(Console):
    """A Rich console on which no text can crash a print or reach the terminal as a control sequence."""

    def __init__(self, **options: Any) -> None:
        # Emoji codes are markup too (":smile:" in a title is text); moteur's own lines use none.
        options.setdefault("emoji", False)
        super().__init__(**options)

    def render_str(
        self,
        text: str,
        *,
        style: str | Style = "",
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        emoji: bool | None = None,
        markup: bool | None = None,
        highlight: bool | None = None,
        highlighter: HighlighterType | None = None,
    ) -> Text:
        options: dict[str, Any] = {
            "style": style,
            "justify": justify,
            "overflow": overflow,
            "emoji": emoji,
            "highlight": highlight,
            "highlighter": highlighter,
        }
        text = clean_text(text)
        try:
            return super().render_str(text, markup=markup, **options)
        except MarkupError:
            # A line built with an f-string around a title like "[/x]": shown as written, not raised.
            return super().render_str(text, markup=False, **options)

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            # Rich measures control characters as zero cells wide, so dropping them here keeps tables
            # aligned. ``control`` segments (cursor moves of a live progress bar) are Rich's own.
            if segment.control is None and _CONTROL.search(segment.text) is not None:
                yield Segment(_CONTROL.sub("", segment.text), segment.style)
            else:
                yield segment
