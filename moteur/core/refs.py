"""Board references as users write them: ``trello:<id>``, ``asana:<gid>``, ``monday:<id>``, ``file:PATH``."""

from __future__ import annotations

import difflib

from moteur.core.errors import UsageError
from moteur.core.model import BoardRef, Tool

_TOOLS = [t.value for t in Tool]


def parse_ref(text: str) -> BoardRef:
    """Parse a REF; a typo in the tool name gets a "did you mean" hint."""
    tool, sep, board = text.partition(":")
    if not sep or not board.strip():
        raise UsageError(
            f"{text!r} is not a board reference",
            hint="write TOOL:ID, e.g. trello:5f1c…, asana:1201…, monday:1234…, file:plan.csv",
        )
    name = tool.strip().lower()
    if name not in _TOOLS:
        close = difflib.get_close_matches(name, _TOOLS, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]}:{board}?" if close else f"known tools: {', '.join(_TOOLS)}"
        raise UsageError(f"unknown tool {tool!r} in {text!r}", hint=hint)
    return BoardRef(tool=Tool(name), board=board.strip())
