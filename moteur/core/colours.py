"""Label and tag colours across Trello, Asana and monday.com: each tool's palette as data, and the closest
colour of one palette for a colour of another (``closest``).

Terms:

- *Palette*: the colour names a tool's labels or tags take, each with the RGB it is shown with (a light
  theme). A colour is a name of its tool's palette or None: no colour (Trello's "none", Asana's null, a
  monday.com label without one).
- *Base colours*: Trello's ten plain colours (green, yellow, orange, red, purple, blue, sky, lime, pink,
  black) — the ones its API has always taken, and the only ones its OpenAPI ``Color`` enum lists.
- *Counterparts* (``BASE``): for each base colour, the one colour of Asana's and of monday.com's palette that
  stands for it. A counterpart maps to its counterpart whatever the direction, so a base colour comes back
  itself after any chain of hops (Trello → Asana → monday.com → Trello, and every pair).
- *Closest*: for any other colour, the colour of the target palette nearest to it in CIELAB (ΔE 1976, the
  distance people see, where RGB distance overweights green). Ties go to the palette's first colour.
- *Survives*: a colour survives a hop when the colour it becomes there becomes it again on the way back.
  What does not survive is named, with counts, in the migration's loss report (``core/migrate.py``).

The palettes, and where each value comes from:

- **Trello**: the 30 colours of the 2023 palette, each base colour with a ``_light`` and a ``_dark`` variant.
  The names are those of the OpenAPI spec's ``components.schemas.Color`` (the ten base colours; nullable)
  and the variants real boards carry (``blue_dark`` in the fixtures' planka sample export); Trello takes
  them on ``POST /labels`` and ``PUT /labels/{id}`` although the spec lists only ten (TrelloDotNet
  ``Model/LabelColor.cs`` writes all 30; the strict sandbox's exception is in
  ``sandbox/contract/exceptions.py``). RGB: TrelloDotNet ``LabelColor.cs`` (background colours).
- **Asana**: the 18 names of the OpenAPI spec's ``TagBase.color`` enum (``dark-``/``light-`` × pink, green,
  blue, red, teal, brown, orange, purple, warm-gray; nullable). The names are legacy: Asana shows them in
  its current palette — dark-brown as yellow, light-green as yellow-green, dark-teal as aqua, light-blue and
  dark-blue as the same blue, both warm-grays as the same gray. RGB: the Raycast Asana extension's map of
  each legacy name to the colour Asana shows (raycast/extensions ``extensions/asana/src/helpers/colors.ts``,
  light theme); light-brown, which it leaves out, as the map in gist
  danilopolani/fa836996b17354c260fb7a093a4badd1 (#f8df72).
- **monday.com**: the 40 names of the SDL's ``enum StatusColumnColors`` (the label colours of a status
  column; the same in the 2026-07 and 2026-10 SDLs). RGB: monday's design system, mondaycom/vibe
  ``packages/style/src/files/colors.json`` ``light-app-theme`` (``color-done-green`` for ``done_green``…).

What cannot come back, and why:

- Trello's ``_light`` and ``_dark`` variants: Asana has 18 colours for Trello's 30, so most variants become
  the counterpart of their base colour or a neighbour's (red_dark → dark-red, which comes back red).
  monday.com has 40: eight variants keep a colour of their own there and come back (green_dark, blue_dark,
  sky_dark…); the pale ones (orange_light, red_light, pink_light) all become its one light gray.
- Asana's twins: light-blue is shown as the same blue as dark-blue, light-warm-gray as the same gray as
  dark-warm-gray; elsewhere each becomes what its twin becomes, and comes back as the twin.
- monday.com's 40 colours in Trello's 30 or Asana's 18: many monday colours share a closest one.

The exact source colour is not kept aside (an Asana tag's ``notes`` could hold it): a tag shows the colour
its tool gives it, and an Asana tag is shared by every project of the workspace, where a note in moteur's
words would be read by people who never migrated anything.
"""

from __future__ import annotations

import math
from functools import cache

from moteur.core.model import Tool

Colour = str | None

# name -> hex, each palette in the order its source lists it (the order breaks ties).
TRELLO: dict[str, str] = {
    "green_light": "#baf3db", "green": "#4bce97", "green_dark": "#1f845a",
    "yellow_light": "#f8e6a0", "yellow": "#f5cd47", "yellow_dark": "#946f00",
    "orange_light": "#fedec8", "orange": "#fea362", "orange_dark": "#c25100",
    "red_light": "#ffd5d2", "red": "#f87168", "red_dark": "#c9372c",
    "purple_light": "#dfd8fd", "purple": "#9f8fef", "purple_dark": "#6e5dc6",
    "blue_light": "#cce0ff", "blue": "#579dff", "blue_dark": "#0c66e4",
    "sky_light": "#c6edfb", "sky": "#6cc3e0", "sky_dark": "#227d9b",
    "lime_light": "#d3f1a7", "lime": "#94c748", "lime_dark": "#5b7f24",
    "pink_light": "#fdd0ec", "pink": "#e774bb", "pink_dark": "#ae4787",
    "black_light": "#dcdfe4", "black": "#8590a2", "black_dark": "#626f86",
}  # fmt: skip
ASANA: dict[str, str] = {
    "dark-pink": "#d85a9b", "dark-green": "#43b93a", "dark-blue": "#5385d9", "dark-red": "#d64854",
    "dark-teal": "#52a9e4", "dark-brown": "#bd9500", "dark-orange": "#eb6b3e", "dark-purple": "#7871e8",
    "dark-warm-gray": "#586769",
    "light-pink": "#d36cdd", "light-green": "#70920f", "light-blue": "#5385d9", "light-red": "#dc829a",
    "light-teal": "#26b795", "light-brown": "#f8df72", "light-orange": "#d47600", "light-purple": "#a067dc",
    "light-warm-gray": "#586769",
}  # fmt: skip
MONDAY: dict[str, str] = {
    "working_orange": "#fdab3d",
    "done_green": "#00c875",
    "stuck_red": "#df2f4a",
    "dark_blue": "#007eb5",
    "purple": "#9d50dd",
    "explosive": "#c4c4c4",
    "grass_green": "#037f4c",
    "bright_blue": "#579bfc",
    "saladish": "#cab641",
    "egg_yolk": "#ffcb00",
    "blackish": "#333333",
    "dark_red": "#bb3354",
    "sofia_pink": "#e50073",
    "lipstick": "#ff5ac4",
    "dark_purple": "#784bd1",
    "bright_green": "#9cd326",
    "chili_blue": "#66ccff",
    "american_gray": "#757575",
    "brown": "#7f5347",
    "dark_orange": "#ff6d3b",
    "sunset": "#ff7575",
    "bubble": "#faa1f1",
    "peach": "#ffadad",
    "berry": "#7e3b8a",
    "winter": "#9aadbd",
    "river": "#74afcc",
    "navy": "#225091",
    "aquamarine": "#4eccc6",
    "indigo": "#5559df",
    "dark_indigo": "#401694",
    "pecan": "#563e3e",
    "lavender": "#bda8f9",
    "royal": "#216edf",
    "steel": "#a9bee8",
    "orchid": "#e484bd",
    "lilac": "#9d99b9",
    "tan": "#bca58a",
    "sky": "#a1e3f6",
    "coffee": "#cd9282",
    "teal": "#175a63",
}  # fmt: skip (the SDL's enum order)
PALETTES: dict[Tool, dict[str, str]] = {Tool.TRELLO: TRELLO, Tool.ASANA: ASANA, Tool.MONDAY: MONDAY}

# Each Trello base colour and its counterparts. Asana: the colour it is shown as (yellow is dark-brown, shown
# golden; sky is dark-teal, shown aqua; lime is light-green, shown yellow-green; black is dark-warm-gray).
# monday.com: the closest colour, except yellow (egg_yolk, monday's yellow, over saladish, an olive) and black
# (american_gray, its mid gray, over winter, a blue-gray that sky would otherwise share).
BASE: tuple[dict[Tool, str], ...] = tuple(
    {Tool.TRELLO: trello, Tool.ASANA: asana, Tool.MONDAY: monday}
    for trello, asana, monday in (
        ("green", "dark-green", "done_green"),
        ("yellow", "dark-brown", "egg_yolk"),
        ("orange", "dark-orange", "working_orange"),
        ("red", "dark-red", "stuck_red"),
        ("purple", "dark-purple", "purple"),
        ("blue", "dark-blue", "bright_blue"),
        ("sky", "dark-teal", "river"),
        ("lime", "light-green", "bright_green"),
        ("pink", "dark-pink", "orchid"),
        ("black", "dark-warm-gray", "american_gray"),
    )
)


def palette(tool: Tool) -> tuple[str, ...]:
    """The colour names a tool's labels or tags take (empty for a tool without colours)."""
    return tuple(PALETTES.get(tool, {}))


def closest(colour: Colour, source: Tool, target: Tool) -> Colour:
    """The colour of ``target``'s palette that stands for ``colour`` of ``source``'s (see the module's
    *Counterparts* and *Closest*); None for no colour, for a name ``source``'s palette lacks, or when
    ``target`` has no palette."""
    if colour is None or colour not in PALETTES.get(source, {}) or target not in PALETTES:
        return None
    if source is target:
        return colour
    for counterparts in BASE:
        if counterparts[source] == colour:
            return counterparts[target]
    return _nearest(PALETTES[source][colour], target)


def survives(colour: Colour, source: Tool, target: Tool) -> bool:
    """Whether ``colour`` comes back itself from ``target``: no colour always does."""
    return closest(closest(colour, source, target), target, source) == colour


@cache
def _nearest(hex_colour: str, target: Tool) -> str:
    here = _lab(hex_colour)
    return min(PALETTES[target], key=lambda name: math.dist(here, _lab(PALETTES[target][name])))


@cache
def _lab(hex_colour: str) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB ``#rrggbb``."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))
