"""Words moteur shows and writes back, per language: quadrant names and colours, flag texts.

The quadrant *name* is what a person sees in the tool (a Trello label, an Asana section, a monday status
label); the *colour* follows DESIGN §6 and is translated by each connector to its own palette.
"""

from __future__ import annotations

from moteur.core.model import Flag, Quadrant
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

FLAG_TEXTS: dict[Language, dict[Flag, str]] = {
    Language.EN: {
        Flag.STOP: "stop: low impact, high effort — consider dropping it",
        Flag.SCORE_ME: "score me: impact or effort missing",
        Flag.SPLIT_ME: "split me: bigger than any sprint's capacity",
        Flag.LATE: "late: the earliest sprint with room ends after its due date",
        Flag.NO_OBJECTIVE: "not tied to an objective",
        Flag.NO_ROOM: "no room: every sprint in the horizon is full",
        Flag.PINNED: "pinned: its sprint was set by hand and is kept",
    },
    Language.FR: {
        Flag.STOP: "à arrêter : faible impact, effort élevé — envisager de l'abandonner",
        Flag.SCORE_ME: "à évaluer : impact ou effort manquant",
        Flag.SPLIT_ME: "à découper : plus gros que la capacité de tout sprint",
        Flag.LATE: "en retard : le premier sprint avec de la place finit après l'échéance",
        Flag.NO_OBJECTIVE: "non rattachée à un objectif",
        Flag.NO_ROOM: "pas de place : tous les sprints de l'horizon sont pleins",
        Flag.PINNED: "épinglée : son sprint a été fixé à la main et est conservé",
    },
}


def quadrant_name(quadrant: Quadrant, language: Language = Language.EN) -> str:
    return QUADRANT_NAMES[language][quadrant]


def quadrant_from_name(name: str) -> Quadrant | None:
    """The quadrant a label/section/status text names, in any language (case-insensitive)."""
    folded = name.strip().casefold()
    for names in QUADRANT_NAMES.values():
        for quadrant, text in names.items():
            if text.casefold() == folded:
                return quadrant
    return None


def sprint_name(index: int, language: Language = Language.EN) -> str:
    """ "Sprint 3" in both languages: the word is the same in French."""
    return f"Sprint {index}"


def sprint_index(name: str | None) -> int | None:
    """3 for "Sprint 3" (any case, extra spaces); None for anything else."""
    if not name:
        return None
    parts = name.strip().split()
    if len(parts) == 2 and parts[0].casefold() == "sprint" and parts[1].isdigit():
        return int(parts[1])
    return None
