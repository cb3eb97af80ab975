"""Reading a score (impact, effort, confidence) out of whatever a person typed into a tool.

A *score* is an integer 1–10. People write it as a number (``7``, ``"7.0"``, the French ``"7,5"``), a word
from the mapping (``fort`` → 8), stars (``★★★★☆`` → 4 stars × ``stars_factor``), or a fraction of 5 or 10
(``"4/5"`` → 8). Halves round up (7.5 → 8), as a person rounding by hand would. Anything else is not a
score: the caller gets None and a warning to show, and the action is flagged "score me" downstream.

Tool-neutral on purpose: every connector parses its cells, custom fields and columns through here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from moteur.mappings.schema import fold

_FILLED_STARS = frozenset("★⭐")
_EMPTY_STARS = frozenset("☆")
_STAR_NOISE = frozenset(" \ufe0f")  # spaces and the emoji variation selector that follows ⭐
_FRACTION = re.compile(r"^(\d+(?:[.,]\d+)?)\s*/\s*(5|10)$")
_HINT = "1–10 or low/medium/high"


def _rounded(number: float) -> int | None:
    """``number`` rounded half up when it lies in 1–10, else None. NaN is handled by the caller."""
    if not 1 <= number <= 10:
        return None
    return math.floor(number + 0.5)


def parse_number(value: object) -> float | None:
    """A number from a cell: ints, floats, ``"7"``, ``"7.5"``, ``"7,5"`` (French decimal comma).

    None when the value is empty or not a number; booleans are not numbers here.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u202f", "").replace("\xa0", "")
        if not text:
            return None
        try:
            number = float(text.replace(",", ".", 1) if text.count(",") == 1 and "." not in text else text)
        except ValueError:
            return None
    else:
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _stars(text: str, stars_factor: int) -> int | None:
    """Stars × factor for a text made only of star characters, else None (not a star rating)."""
    filled = 0
    for char in text:
        if char in _FILLED_STARS:
            filled += 1
        elif char not in _EMPTY_STARS and char not in _STAR_NOISE:
            return None
    return filled * stars_factor


def _problem(field: str, shown: str) -> tuple[None, str]:
    return None, f'{field} "{shown}" is not a score ({_HINT})'


def parse_score(
    value: object,
    words: Mapping[str, int],
    *,
    field: str = "score",
    stars_factor: int = 2,
) -> tuple[int | None, str | None]:
    """``(score, warning)`` for one cell. Empty → ``(None, None)``; not a score → ``(None, warning)``.

    ``words`` maps words to scores, compared folded (as ``BoardMapping.words`` stores them), so ``FORT``,
    ``Élevé`` and ``eleve`` all match. ``field`` names the score in the warning
    (``impact "abc" is not a score (1–10 or low/medium/high)``); callers prefix the row or item.
    """
    if value is None or isinstance(value, bool):
        return (None, None) if value is None else _problem(field, str(value).lower())
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None, None
        score = _rounded(float(value))
        return (score, None) if score is not None else _problem(field, f"{value:g}")
    if not isinstance(value, str):
        return _problem(field, str(value))
    text = value.strip()
    if not text:
        return None, None
    # The common case first: a plain integer, as most boards hold.
    if text.isascii() and text.isdigit():
        score = _rounded(int(text))
        return (score, None) if score is not None else _problem(field, text)
    number = parse_number(text)
    if number is not None:
        score = _rounded(number)
        return (score, None) if score is not None else _problem(field, text)
    folded = fold(text)
    # Keys are folded when they come from a mapping; the scan covers a caller's hand-made dict.
    word = words.get(folded)
    if word is None:
        word = next((score for key, score in words.items() if fold(key) == folded), None)
    if word is not None:
        return word, None
    fraction = _FRACTION.match(text)
    if fraction is not None:
        scale = 10 / int(fraction.group(2))
        score = _rounded(float(fraction.group(1).replace(",", ".")) * scale)
        return (score, None) if score is not None else _problem(field, text)
    stars = _stars(text, stars_factor)
    if stars is not None:
        score = _rounded(stars)
        return (score, None) if score is not None else _problem(field, text)
    return _problem(field, text)
