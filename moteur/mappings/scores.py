"""Reading a score (impact, effort, confidence) out of whatever a person typed into a tool.

A *score* is an integer 1–10. People write it as a number (``7``, ``"7.0"``, the French ``"7,5"``), a word
from the mapping (``fort`` → 8), stars (``★★★★☆`` → 4 stars × ``stars_factor``), or a fraction of 5 or 10
(``"4/5"`` → 8). Halves round up (7.5 → 8), as a person rounding by hand would. Anything else is not a
score: the caller gets None and a warning to show, and the action is flagged "score me" downstream.

A number is read on its field's *scale* (``core/scales``): a field scored 1–5 reads 4 as 8. The caller
works the scale out once per field (``scale_of`` over the field's options or values, or the mapping's
``scales``) and passes it with each cell; words, stars and fractions carry their own scale and ignore it.

Tool-neutral on purpose: every connector parses its cells, custom fields and columns through here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from moteur.core.scales import TEN, Scale, ScaleSource, guessed_warning, scale_of, to_ten
from moteur.mappings.schema import BoardMapping, fold

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


def _problem(field: str, shown: str, scale: Scale = TEN) -> tuple[None, str]:
    hint = _HINT if scale.native else f"{scale.text()} on this field, or low/medium/high"
    return None, f'{field} "{shown}" is not a score ({hint})'


def _on(number: float, scale: Scale) -> int | None:
    """A number on ``scale`` as a 1–10 score; the 1–10 scale rounds half up as ``_rounded``."""
    return _rounded(number) if scale.native else to_ten(number, scale)


def parse_score(
    value: object,
    words: Mapping[str, int],
    *,
    field: str = "score",
    stars_factor: int = 2,
    scale: Scale = TEN,
) -> tuple[int | None, str | None]:
    """``(score, warning)`` for one cell. Empty → ``(None, None)``; not a score → ``(None, warning)``.

    ``words`` maps words to scores, compared folded (as ``BoardMapping.words`` stores them), so ``FORT``,
    ``Élevé`` and ``eleve`` all match. ``field`` names the score in the warning
    (``impact "abc" is not a score (1–10 or low/medium/high)``); callers prefix the row or item. A number
    is read on ``scale`` (1–10 unless the field's scale says otherwise).
    """
    if value is None or isinstance(value, bool):
        return (None, None) if value is None else _problem(field, str(value).lower())
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None, None
        score = _on(float(value), scale)
        return (score, None) if score is not None else _problem(field, f"{value:g}", scale)
    if not isinstance(value, str):
        return _problem(field, str(value))
    text = value.strip()
    if not text:
        return None, None
    # The common case first: a plain integer, as most boards hold.
    if text.isascii() and text.isdigit():
        score = _on(int(text), scale)
        return (score, None) if score is not None else _problem(field, text, scale)
    number = parse_number(text)
    if number is not None:
        score = _on(number, scale)
        return (score, None) if score is not None else _problem(field, text, scale)
    folded = fold(text)
    # Keys are folded when they come from a mapping; the scan covers a caller's hand-made dict.
    word = words.get(folded)
    if word is None:
        word = next((score for key, score in words.items() if fold(key) == folded), None)
    if word is not None:
        return word, None
    fraction = _FRACTION.match(text)
    if fraction is not None:
        factor = 10 / int(fraction.group(2))
        score = _rounded(float(fraction.group(1).replace(",", ".")) * factor)
        return (score, None) if score is not None else _problem(field, text)
    stars = _stars(text, stars_factor)
    if stars is not None:
        score = _rounded(stars)
        return (score, None) if score is not None else _problem(field, text)
    return _problem(field, text)


SCORE_FIELDS = ("impact", "effort", "confidence")


def score_scales(
    mapping: BoardMapping,
    values: Mapping[str, Iterable[object]],
    *,
    options: Mapping[str, Iterable[object]] | None = None,
    names: Mapping[str, str] | None = None,
    known: Mapping[str, int] | None = None,
) -> tuple[dict[str, Scale], list[str]]:
    """The scale of each score field, and a warning per guessed one (``core/scales``).

    In order: the mapping's ``scales``; the field's ``options`` when it has some (an enum, list, status or
    dropdown field: its numeric options say the scale, word options mean 1–10); else a guess from the
    ``values`` the board holds. ``names`` names each field in the warning (``impact field "Impact (1-5)"``);
    ``known``: the guessed tops of the read being updated (an incremental read): they stand unless an item
    read again holds a number above them (then the guess is made again, and differs: a full read follows).
    """
    options = options or {}
    scales: dict[str, Scale] = {}
    warnings: list[str] = []
    for field in SCORE_FIELDS:
        stated = mapping.scale_for(field)
        if stated is not None:
            scales[field] = stated
            continue
        if field in options:
            scales[field] = scale_of(options[field], options=True)
            continue
        previous = (known or {}).get(field)
        if previous is not None and not _above(values.get(field, ()), previous):
            # A read of a few changed items: nothing above the board's guess, so the guess stands.
            guess = Scale(previous, ScaleSource.VALUES)
        else:
            guess = scale_of(values.get(field, ()))
        scales[field] = guess
        if guess.guessed:
            warnings.append(guessed_warning(field, (names or {}).get(field, field), guess))
    return scales, warnings


def column_scales(
    mapping: BoardMapping,
    index: Mapping[str, int],
    columns: Sequence[str],
    rows: Sequence[Sequence[object]] | Sequence[dict[str, Any]],
) -> tuple[dict[str, Scale], list[str]]:
    """A table's score columns' scales other than 1–10, from the mapping or the numbers they hold, and the
    warnings for guessed ones. ``index``: Action field → column position; ``rows``: cell lists (by position)
    or a document's items (by column name)."""
    at = {field: index[field] for field in SCORE_FIELDS if field in index}
    names = {field: columns[i] for field, i in at.items()}
    values: dict[str, list[object]] = {field: [] for field in at}
    for row in rows:
        for field, i in at.items():
            if isinstance(row, dict):
                values[field].append(row.get(names[field]))
            elif i < len(row):
                values[field].append(row[i])
    scales, warnings = score_scales(mapping, values, names=names)
    return {field: scale for field, scale in scales.items() if not scale.native}, warnings


def _above(values: Iterable[object], top: int) -> bool:
    return any(number > top for number in (parse_number(v) for v in values) if number is not None)


def read_on(scales: Mapping[str, Scale], scores: Mapping[str, int | None]) -> dict[str, int]:
    """``Action.scales``: the tops of the scales (other than 1–10) an item's present scores were read on."""
    return {
        field: scale.top
        for field, scale in scales.items()
        if not scale.native and scores.get(field) is not None
    }


def guessed_tops(scales: Mapping[str, Scale]) -> dict[str, int]:
    """The guessed scales, for a snapshot's ``native`` (an incremental read passes them back as ``known``)."""
    return {field: scale.top for field, scale in scales.items() if scale.guessed}
