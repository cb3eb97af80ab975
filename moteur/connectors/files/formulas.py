"""Spreadsheet formula injection (CSV injection): the cells moteur writes never run as formulas.

A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and a
leading tab or carriage return can hide such a start; a card titled ``=HYPERLINK(…)`` or
``+cmd|' /C calc'!A0`` copied into a CSV would run on the reader's machine. OWASP's rule
(https://owasp.org/www-community/attacks/CSV_Injection): prefix such a cell with a single quote, which
spreadsheets read as "this is text" and do not show.

What moteur does with it:

- *Writing* (``escape_cell``): a cell moteur writes gets a ``'`` in front when it starts with one of
  ``= + - @ tab CR`` — or with quotes followed by one (see reading). A negative number (``-3``, ``-2.5``,
  ``-1,5``) is left alone: a spreadsheet reads it as a number, never as a formula, and scores stay numbers.
- *Reading* (``unescape_cell``): in any CSV, a cell that is one or more ``'`` followed by one of those
  characters loses its first ``'``. So what moteur wrote reads back exactly, and ``'=x`` typed in a
  spreadsheet (to show ``=x``) reads as ``=x``. A value that itself starts with ``'=`` is written ``''=`` so
  it round-trips too.
- The user's own cells in a CSV moteur annotates are never rewritten (``files/csv_text.py``): only the
  cells moteur writes are escaped.
"""

from __future__ import annotations

import re
from operator import methodcaller

TRIGGERS = frozenset("=+-@\t\r")
_NEGATIVE_NUMBER = re.compile(r"-(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?")
# Where an escaped cell may start in a CSV text: a quick test that spares a read the cell-by-cell pass.
# Written ``''*`` rather than ``'+``: a pattern that starts with a literal is searched for at C speed
# (3 ms instead of 60 on a 100,000-row file).
_STARTS_WITH_QUOTE = methodcaller("startswith", "'")
_ESCAPED_SOMEWHERE = re.compile("''*[=+\\-@\t\r]")


def _needs_quote(text: str) -> bool:
    return text.lstrip("'")[:1] in TRIGGERS  # a frozenset: "" (an empty or all-quote cell) is not in it


def escape_cell(text: str) -> str:
    """``text`` as moteur writes it in a CSV cell (the module docstring gives the rule)."""
    if not text or (text[0] not in TRIGGERS and text[0] != "'"):
        return text  # nearly every cell
    if not _needs_quote(text) or _NEGATIVE_NUMBER.fullmatch(text):
        return text
    return "'" + text


def unescape_cell(cell: str) -> str:
    """What a CSV cell holds once a protective ``'`` is removed (the inverse of ``escape_cell``)."""
    if cell[:1] == "'" and _needs_quote(cell):
        return cell[1:]
    return cell


def unescape_rows(rows: list[list[str]], text: str) -> list[list[str]]:
    """``rows`` with every cell unescaped: the same list when ``text`` holds no escaped cell at all."""
    if _ESCAPED_SOMEWHERE.search(text) is None:
        return rows
    # Only a row with a cell starting with a quote is rebuilt; the test runs in C, cell by cell.
    return [[unescape_cell(c) for c in row] if any(map(_STARTS_WITH_QUOTE, row)) else row for row in rows]
