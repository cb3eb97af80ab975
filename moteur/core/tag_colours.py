"""What a migration does with label and tag colours: the ``EnsureTag`` ops that give each carried tag on the
target the closest colour of the target's palette, and the loss lines for the colours that do not survive.

Terms (``core/colours.py`` defines *palette*, *closest* and *survives*):

- *Known colour*: a tag of the source whose colour its full read gives (``Snapshot.tag_colours``; None is a
  known "no colour"). A tag whose colour is not known (a file's) is left to the target's default.
- *Wanted colour*: ``closest(known colour, source tool, target tool)``.

Per carried tag (in the order items first carry it) with a known colour, when the target holds tag colours
(``Capabilities.tag_colours``): an ``EnsureTag(name, wanted)`` when the target has no tag of that name (names
compared folded) or one of another colour — none once they agree, so a re-run sends nothing; and when the
colour does not survive (the wanted one would not come back as it), a loss naming each change
(``red_dark → dark-red``), counting the items that carry those tags. A target without tag colours (a
file) loses every known colour but "no colour": one loss line.

A target whose tags are *shared* beyond the board (``Capabilities.shared_tags``: Asana's workspace tags) gets
no ``EnsureTag`` for a tag it already has in another colour: recolouring it would change every other project
that carries it, which is not moteur's to touch. Such tags keep their colour, named in one loss line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from moteur.core.colours import closest, survives
from moteur.core.model import Action, Snapshot, Tool
from moteur.core.names import name_key
from moteur.core.ops import EnsureTag
from moteur.core.phrase import Phrase

TOOL_NAMES = {Tool.TRELLO: "Trello", Tool.ASANA: "Asana", Tool.MONDAY: "monday.com"}


def tool_name(tool: Tool) -> str:
    """A tool as a person names it, to head a loss line ("Trello label colours")."""
    return TOOL_NAMES.get(tool, "file")


@dataclass(frozen=True)
class ColourPlan:
    """The ops to send and the loss lines: (what, fate, items)."""

    ops: tuple[EnsureTag, ...]
    losses: tuple[tuple[str, str, int], ...]


def plan_tag_colours(
    source: Snapshot,
    target: Snapshot,
    carried: Sequence[Action],
    target_tool: Tool,
    holds_colours: bool,
    *,
    shared: bool = False,
) -> ColourPlan:
    """See the module docstring. ``carried``: the source items the migration copies."""
    # A Trello export read as a file is a Trello board: its items say so.
    source_tool = carried[0].ref.tool if carried else source.board.tool
    known = source.tag_colours
    items: dict[str, int] = {}  # carried tag -> items carrying it, in the order of first use
    for action in carried:
        for tag in dict.fromkeys(action.tags):
            if tag in known:
                items[tag] = items.get(tag, 0) + 1
    if not holds_colours:
        lost = [tag for tag in items if known[tag] is not None]
        if not lost:
            return ColourPlan((), ())
        what = Phrase("{tool} label colours", tool=tool_name(source_tool))
        fate = Phrase("not carried (the target's labels have no colour)")
        return ColourPlan((), ((what, fate, _carrying(carried, set(lost))),))
    there = {name_key(name): colour for name, colour in target.tag_colours.items()}
    ops: list[EnsureTag] = []
    changed: dict[str, tuple[str, str | None]] = {}
    kept: dict[str, str | None] = {}  # a shared tag of another colour -> the colour it keeps
    for tag in items:
        colour = known[tag]
        wanted = closest(colour, source_tool, target_tool)
        if name_key(tag) in there and there[name_key(tag)] != wanted and shared:
            kept[tag] = there[name_key(tag)]
            continue
        if name_key(tag) not in there or there[name_key(tag)] != wanted:
            ops.append(EnsureTag(tag, wanted))
        if colour is not None and not survives(colour, source_tool, target_tool):
            changed[tag] = (colour, wanted)
    losses: list[tuple[str, str, int]] = []
    if changed:
        pairs = ", ".join(dict.fromkeys(f"{old} → {new or 'none'}" for old, new in changed.values()))
        what = Phrase("{tool} label colours ({n})", tool=tool_name(source_tool), n=len(changed))
        fate = Phrase(
            "each the closest {target} colour: {changes}", target=tool_name(target_tool), changes=pairs
        )
        losses.append((what, fate, _carrying(carried, set(changed))))
    if kept:
        names = ", ".join(f"{tag} ({colour or 'none'})" for tag, colour in kept.items())
        what = Phrase(
            "{tool} tags already there in another colour ({n})", tool=tool_name(target_tool), n=len(kept)
        )
        fate = Phrase("keep their colour, which other projects share: {tags}", tags=names)
        losses.append((what, fate, _carrying(carried, set(kept))))
    return ColourPlan(tuple(ops), tuple(losses))


def _carrying(carried: Sequence[Action], tags: set[str]) -> int:
    return sum(1 for action in carried if tags & set(action.tags))
