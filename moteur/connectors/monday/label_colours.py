"""Where a monday.com board keeps its tags' colours for moteur: the Tags column's description.

moteur carries tags in a dropdown column ("Tags", ``migration_columns``), and a dropdown label has no colour
in monday's API (the SDL's ``DropdownLabel`` and ``CreateDropdownLabelInput``: a label, an id, nothing else).
So a migration writes each tag's colour — a name of monday's label palette, the SDL's ``StatusColumnColors``
(``core/colours.py``) — on the last line of that column's description, which people see as the column's
info and which costs no request when the column is created (``create_column(description:)``) and one
``change_column_metadata(column_property: description)`` when the colours change::

    Label colours (moteur): {"Bug":"stuck_red","Idea":"bright_blue","Someday":null}

The text a person wrote above that line is kept. monday publishes no length limit for a column
description; the line is compact JSON (about 25 characters a tag). A read gives the colours back
(``Snapshot.tag_colours``); a name outside the palette reads as a colour moteur cannot tell (left out),
and a broken line as none at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from moteur.core.colours import palette
from moteur.core.model import Tool

MARKER = "Label colours (moteur): "


def colours_of(description: str | None) -> dict[str, str | None]:
    """The tag colours a column description holds (see the module docstring)."""
    _, line = _split(description)
    try:
        found = json.loads(line) if line else {}
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    known = set(palette(Tool.MONDAY))
    return {str(k): v for k, v in found.items() if v is None or (isinstance(v, str) and v in known)}


def with_colours(description: str | None, colours: Mapping[str, str | None]) -> str:
    """``description`` with ``colours`` set on its colours line (the others it holds kept)."""
    text, _ = _split(description)
    merged = {**colours_of(description), **colours}
    line = MARKER + json.dumps(merged, ensure_ascii=False, separators=(",", ":"))
    return f"{text}\n{line}" if text else line


def _split(description: str | None) -> tuple[str, str]:
    """(a person's text, the JSON after the marker) of a column description."""
    text = description or ""
    head, marker, line = text.rpartition(MARKER)
    if not marker:
        return text.rstrip(), ""
    return head.rstrip(), line.strip()
