"""Score scales: a field that scores 1–5 (or 1–3, or 0–100) read on its own scale and brought to 1–10.

Terms:

- *Scale*: the range a score field's numbers live on, named by its top (2–100; 10 is moteur's own). moteur
  scores 1–10, so a number ``v`` on a scale topped at ``t`` reads as ``v × 10 / t`` rounded half up, at
  least 1: on 1–5, 1 → 2, 2 → 4, 3 → 6, 4 → 8, 5 → 10 — as the fraction "4/5" and four stars already read.
- *Known*: the scale comes from the mapping (``scales: {impact: 5}``) or from the field's own options (an
  enum, list, status or dropdown whose options are the numbers 1–5: its largest option is the top).
- *Guessed*: from the numbers the board holds, shown with a warning (a 1–10 field where nobody wrote more
  than 5 looks like a 1–5 one until someone does), and only on clear evidence: 1–3 or 1–5 when at least
  ``MIN_VALUES`` numbers, of at least ``MIN_DISTINCT`` different values, top out *exactly* at 3 or 5 (a
  column of 5s is a team's "medium" on 1–10, not a scale); 0–100 when most numbers are above 10 (one 11
  among fours is a typo, refused as before, not a percentage). Anything else is 1–10.
- The 1–10 scale changes nothing: numbers above 10 are refused (not a score) as they always were.

Pure and tool-neutral: every connector (Asana's too) computes a field's scale with ``scale_of`` and reads its
numbers with ``to_ten``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

MIN_VALUES = 10  # numbers needed before a small scale is guessed: a handful proves nothing
MIN_DISTINCT = 3  # different values needed: a scale in use spreads over it


class ScaleSource(StrEnum):
    MAPPING = "mapping"  # stated in the mapping file
    OPTIONS = "options"  # the field's options are numbers
    VALUES = "values"  # guessed from the numbers the board holds
    DEFAULT = "default"  # nothing said otherwise: 1–10


@dataclass(frozen=True, slots=True)
class Scale:
    top: int
    source: ScaleSource = ScaleSource.DEFAULT

    @property
    def guessed(self) -> bool:
        return self.source is ScaleSource.VALUES

    @property
    def native(self) -> bool:
        """True for the 1–10 scale: numbers are read as they are."""
        return self.top == 10

    def text(self) -> str:
        """``1–5``; ``0–100`` for percentages."""
        return f"{0 if self.top == 100 else 1}–{self.top}"


TEN = Scale(10)


def _numbers(values: Iterable[object]) -> list[float]:
    out: list[float] = []
    for value in values:
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip().replace(",", ".", 1))
            except ValueError:
                continue
        else:
            continue
        if not math.isnan(number) and not math.isinf(number) and number >= 0:
            out.append(number)
    return out


def _guess(numbers: list[float]) -> int:
    """The top the numbers a board holds show, on clear evidence only (module docstring); 10 otherwise."""
    largest = max(numbers)
    if largest > 10:
        above = sum(1 for n in numbers if n > 10)
        return 100 if largest <= 100 and above * 2 > len(numbers) else 10
    if largest in (3, 5) and len(numbers) >= MIN_VALUES and len(set(numbers)) >= MIN_DISTINCT:
        return int(largest)
    return 10


def scale_of(values: Iterable[object], *, options: bool = False) -> Scale:
    """The scale of a score field, from its option names (``options=True``: known, the largest option is the
    top) or from the values the board holds (guessed, ``_guess``). Texts that are not numbers are ignored
    (words have their own meaning); without any number the scale is 1–10."""
    numbers = _numbers(values)
    if not numbers:
        return TEN
    if options:
        largest = max(numbers)
        if not largest.is_integer() or not 2 <= largest <= 100 or largest == 10:
            return TEN
        return Scale(int(largest), ScaleSource.OPTIONS)
    top = _guess(numbers)
    return TEN if top == 10 else Scale(top, ScaleSource.VALUES)


def stated(top: int) -> Scale:
    """The scale a mapping states (``scales: {impact: 5}``)."""
    return Scale(top, ScaleSource.MAPPING)


def to_ten(value: float, scale: Scale) -> int | None:
    """``value`` on ``scale`` as a 1–10 score (half up, at least 1), or None when it is off the scale."""
    if math.isnan(value) or value < 0 or value > scale.top:
        return None
    if scale.native:
        return math.floor(value + 0.5) if value >= 1 else None
    return max(1, math.floor(value * 10 / scale.top + 0.5))


def scale_note(field: str, scale: Scale) -> str:
    """How ``plan`` says a field was read: ``impact read on 1–5 (from its options)``."""
    why = {
        ScaleSource.MAPPING: "as the mapping says",
        ScaleSource.OPTIONS: "from its options",
        ScaleSource.VALUES: "guessed from its values",
        ScaleSource.DEFAULT: "",
    }[scale.source]
    return f"{field} read on {scale.text()}" + (f" ({why})" if why else "")


def guessed_warning(field: str, name: str, scale: Scale) -> str:
    """The warning for a guessed scale, naming the native field and how to state it."""
    return (
        f'{field} field "{name}" read on {scale.text()} and brought to 1–10 (guessed: its numbers top out '
        f"at {scale.top}); say scales: {{{field}: {scale.top}}} in a --mapping file to confirm, or "
        f"{{{field}: 10}} to read the numbers as they are"
    )
