"""Words moteur writes on boards, per language: quadrant names and colours, sprint labels.

The quadrant *name* is what a person sees in the tool (a Trello label, an Asana section, a monday status
label); the *colour* is one per quadrant (``QUADRANT_COLOURS``), translated by each connector to its own
palette.

Why quadrant names live here and not in the gettext catalogue (``moteur/locale``) like the messages: they are
board data. moteur writes them on boards and reads them back in *either* language (``quadrant_from_name``),
so they must not change when a translation is edited — a new wording in the ``.po`` would rename every label
on every board and leave the old ones unrecognised. The views show the same names, so what a person reads in
``plan`` is what the board shows.

*Sprint labels.* moteur's own sprint label carries the sprint's first day: ``Sprint 3 · 2026-12-14``. A
team's own labels from before moteur — ``Sprint 2`` … ``Sprint 20`` — carry none, so what is on the board
tells the two apart even when the state is lost:

=============================  ==========================  ===============================================
label                          whose                       what moteur does with it
=============================  ==========================  ===============================================
``Sprint 3 · 2026-12-14``      moteur's (*own form*)       its sprint 3; a person who puts it on a card
                                                           since moteur's last write pins the card there
``Sprint 3`` (*plain form*)    the team's history          an ordinary label (an Action tag): never a pin,
                                                           never moved or removed
``Sprint 3`` that moteur       moteur's, from before the   adopted: on the next sync each such card gets
wrote (the state says so)      own form (*old form*)       the own-form label instead (one card update)
=============================  ==========================  ===============================================

Why the date, in ISO form: it reads the same in French and English (``14/12`` and ``12/14`` do not), it
holds the year (boards outlive one), it does not change with the ``language`` setting, and sorted as text
moteur's labels come in calendar order after their number. Labels compare folded (``core/names``), so
``sprint 3 – 2026-12-14`` typed by hand is the same label.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from moteur.core.model import Quadrant
from moteur.core.names import fold, name_key
from moteur.core.policy import Language

QUADRANT_NAMES: dict[Language, dict[Quadrant, str]] = {
    Language.EN: {
        Quadrant.QUICK_WIN: "Quick win",
        Quadrant.BIG_PROJECT: "Big project",
        Quadrant.FILL_IN: "Fill-in",
        Quadrant.TIME_SINK: "Time sink",
        Quadrant.UNSCORED: "To score",
    },
    Language.FR: {
        Quadrant.QUICK_WIN: "Victoire rapide",
        Quadrant.BIG_PROJECT: "Grand projet",
        Quadrant.FILL_IN: "Tâche de remplissage",
        Quadrant.TIME_SINK: "Gouffre de temps",
        Quadrant.UNSCORED: "À évaluer",
    },
}

# Neutral colour names; Trello uses them as they are (green, blue, yellow, red, sky).
QUADRANT_COLOURS: dict[Quadrant, str] = {
    Quadrant.QUICK_WIN: "green",
    Quadrant.BIG_PROJECT: "blue",
    Quadrant.FILL_IN: "yellow",
    Quadrant.TIME_SINK: "red",
    Quadrant.UNSCORED: "sky",
}

QUADRANT_ORDER: tuple[Quadrant, ...] = (
    Quadrant.QUICK_WIN,
    Quadrant.BIG_PROJECT,
    Quadrant.FILL_IN,
    Quadrant.TIME_SINK,
    Quadrant.UNSCORED,
)


def quadrant_name(quadrant: Quadrant, language: Language = Language.EN) -> str:
    return QUADRANT_NAMES[language][quadrant]


_QUADRANT_BY_KEY: dict[str, Quadrant] = {
    name_key(text): quadrant for names in QUADRANT_NAMES.values() for quadrant, text in names.items()
}


def quadrant_from_name(name: str) -> Quadrant | None:
    """The quadrant a label/section/status text names, in any language, compared folded (``Quick-win``)."""
    return _QUADRANT_BY_KEY.get(name_key(name))


SPRINT_WORD = "Sprint"
SPRINT_SEPARATOR = " · "


def sprint_label(index: int, start: date) -> str:
    """moteur's own sprint label: ``Sprint 3 · 2026-12-14`` (see the module docstring)."""
    return f"{SPRINT_WORD} {index}{SPRINT_SEPARATOR}{start.isoformat()}"


@dataclass(frozen=True, slots=True)
class SprintLabel:
    """A sprint label read: its number, and its first day when it is moteur's own form."""

    index: int
    start: date | None = None

    @property
    def own(self) -> bool:
        return self.start is not None


def parse_sprint(name: str | None) -> SprintLabel | None:
    """The sprint a label names: ``Sprint 3`` (plain) or ``Sprint 3 · 2026-12-14`` (own), compared folded
    (any case, separator or spacing); None for anything else."""
    if not name:
        return None
    tokens = fold(name).split()
    if len(tokens) not in (2, 5) or tokens[0] != "sprint" or not tokens[1].isdigit():
        return None
    if len(tokens) == 2:
        return SprintLabel(int(tokens[1]))
    year, month, day = tokens[2:]
    if len(year) != 4 or not (year + month + day).isdigit():
        return None
    try:
        return SprintLabel(int(tokens[1]), date(int(year), int(month), int(day)))
    except ValueError:
        return None


def sprint_index(name: str | None) -> int | None:
    """3 for ``Sprint 3`` and for ``Sprint 3 · 2026-12-14``; None for anything else."""
    found = parse_sprint(name)
    return found.index if found is not None else None


def is_own_sprint(name: str | None) -> bool:
    """True for moteur's own label form (``Sprint 3 · 2026-12-14``), never for a team's ``Sprint 3``."""
    found = parse_sprint(name)
    return found is not None and found.own


def sprint_key(name: str | None) -> tuple[object, ...]:
    """What makes two sprint values one: the number and first day for own-form labels, the number for plain
    ones, the folded text otherwise. ``Sprint 3`` and ``Sprint 3 · 2026-12-14`` differ (adopting an old label
    is a change); ``sprint 3 · 2026-12-14`` and ``Sprint 3 · 2026-12-14`` do not."""
    if not name:
        return ()
    found = parse_sprint(name)
    if found is None:
        return ("text", name_key(name))
    return ("own", found.index, found.start) if found.own else ("plain", found.index)
