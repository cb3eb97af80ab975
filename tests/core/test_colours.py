"""Label and tag colours across tools (``core/colours.py``, ``core/tag_colours.py``): the palettes are the
vendors' own, the base colours come back from any chain of hops, what cannot come back is said; and the
monday.com column description that holds them (``connectors/monday/label_colours.py``)."""

from __future__ import annotations

import itertools
import re

import pytest

from moteur.connectors.monday.label_colours import MARKER, colours_of, with_colours
from moteur.core.colours import ASANA, BASE, MONDAY, TRELLO, closest, palette, survives
from moteur.core.model import Action, BoardRef, ItemRef, Snapshot, Tool
from moteur.core.ops import EnsureTag
from moteur.core.tag_colours import plan_tag_colours
from moteur.sandbox.contract.specs import openapi_document, spec_text

TOOLS = (Tool.TRELLO, Tool.ASANA, Tool.MONDAY)


def test_each_palette_is_the_vendors_enum() -> None:
    base = [c for c in openapi_document("trello")["components"]["schemas"]["Color"]["enum"] if c]
    assert sorted(base) == sorted(b[Tool.TRELLO] for b in BASE)
    assert set(TRELLO) == {f"{c}{shade}" for c in base for shade in ("", "_light", "_dark")}
    tag = openapi_document("asana")["components"]["schemas"]["TagBase"]["allOf"][1]["properties"]["color"]
    assert list(ASANA) == [c for c in tag["enum"] if c]
    sdl = spec_text("monday_schema_2026-07.graphql")
    block = re.search(r"enum StatusColumnColors \{(.*?)\}", sdl, re.S)
    assert block is not None and list(MONDAY) == block.group(1).split()
    for colours in (TRELLO, ASANA, MONDAY):
        assert all(re.fullmatch(r"#[0-9a-f]{6}", rgb) for rgb in colours.values())


@pytest.mark.parametrize("chain", list(itertools.permutations(TOOLS)))
def test_a_base_colour_comes_back_from_any_chain_of_hops(chain: tuple[Tool, ...]) -> None:
    """Trello → Asana → monday.com → Trello and every other order: each hop takes the counterpart."""
    for counterparts in BASE:
        colour, tool = counterparts[chain[0]], chain[0]
        for nxt in (*chain[1:], chain[0]):
            colour, tool = closest(colour, tool, nxt), nxt
        assert colour == counterparts[chain[0]]


def test_closest_and_what_survives() -> None:
    assert closest("green", Tool.TRELLO, Tool.ASANA) == "dark-green"
    assert closest("dark-brown", Tool.ASANA, Tool.MONDAY) == "egg_yolk"
    assert closest("green_dark", Tool.TRELLO, Tool.MONDAY) == "grass_green"
    assert survives("green_dark", Tool.TRELLO, Tool.MONDAY)  # monday has a dark green of its own
    assert closest("red_dark", Tool.TRELLO, Tool.ASANA) == "dark-red"  # which comes back "red"
    assert not survives("red_dark", Tool.TRELLO, Tool.ASANA)
    assert not survives("light-blue", Tool.ASANA, Tool.TRELLO)  # Asana shows it as dark-blue
    assert closest(None, Tool.TRELLO, Tool.ASANA) is None and survives(None, Tool.TRELLO, Tool.MONDAY)
    assert closest("mauve", Tool.TRELLO, Tool.ASANA) is None  # a name Trello's palette lacks
    assert closest("green", Tool.TRELLO, Tool.FILE) is None and palette(Tool.FILE) == ()
    for tool, other in itertools.permutations(TOOLS, 2):  # the closest is always a name of the target's
        assert all(closest(c, tool, other) in palette(other) for c in palette(tool))


def _board(tool: Tool, tags: dict[str, str | None], items: list[tuple[str, ...]]) -> Snapshot:
    actions = tuple(
        Action(ref=ItemRef(tool=tool, board="b", item=str(n)), title=f"card {n}", tags=t)
        for n, t in enumerate(items)
    )
    return Snapshot(board=BoardRef(tool=tool, board="b"), name="b", actions=actions, tag_colours=tags)


def test_the_plan_sets_each_carried_tags_colour_once_and_names_what_changes() -> None:
    source = _board(
        Tool.TRELLO,
        {"Bug": "red", "Ops": "green_dark", "Idea": None, "Unused": "blue"},
        [("Bug", "Ops"), ("Ops",), ("Idea", "Plain")],
    )
    empty = Snapshot(board=BoardRef(tool=Tool.ASANA, board="p"), name="p")
    plan = plan_tag_colours(source, empty, source.actions, Tool.ASANA, True)
    assert plan.ops == (EnsureTag("Bug", "dark-red"), EnsureTag("Ops", "light-teal"), EnsureTag("Idea", None))
    assert plan.losses == (
        ("Trello label colours (1)", "each the closest Asana colour: green_dark → light-teal", 2),
    )
    # A target whose tags hold those colours (names compared folded): nothing to send, the same loss.
    there = empty.model_copy(update={"tag_colours": {"bug": "dark-red", "OPS": "light-teal", "Idea": None}})
    again = plan_tag_colours(source, there, source.actions, Tool.ASANA, True)
    assert again.ops == () and again.losses == plan.losses
    # One that holds another colour: recoloured.
    other = there.model_copy(update={"tag_colours": {"Bug": "dark-blue", "Ops": "light-teal", "Idea": None}})
    recolour = plan_tag_colours(source, other, source.actions, Tool.ASANA, True)
    assert recolour.ops == (EnsureTag("Bug", "dark-red"),)


def test_a_target_without_colours_loses_them_all() -> None:
    source = _board(Tool.TRELLO, {"Bug": "red", "Idea": None}, [("Bug",), ("Bug", "Idea"), ("Idea",)])
    files = Snapshot(board=BoardRef(tool=Tool.FILE, board="f.csv"), name="f")
    plan = plan_tag_colours(source, files, source.actions, Tool.FILE, False)
    assert plan.ops == ()
    assert plan.losses == (("Trello label colours", "not carried (the target's labels have no colour)", 2),)


def test_monday_keeps_the_colours_on_the_tags_columns_description() -> None:
    line = with_colours(None, {"Bug": "stuck_red", "Idée": None})
    assert line == MARKER + '{"Bug":"stuck_red","Idée":null}'
    assert colours_of(line) == {"Bug": "stuck_red", "Idée": None}
    # A person's text above the line is kept; colours the run does not name too.
    kept = with_colours("Our tags.\n" + line, {"Ops": "grass_green"})
    assert kept.startswith("Our tags.\n" + MARKER)
    assert colours_of(kept) == {"Bug": "stuck_red", "Idée": None, "Ops": "grass_green"}
    assert colours_of(MARKER + '{"Bug": "mauve", "Ops": "river"}') == {"Ops": "river"}  # mauve: unknown
    assert colours_of("no colours here") == colours_of(MARKER + "{broken") == colours_of(None) == {}
