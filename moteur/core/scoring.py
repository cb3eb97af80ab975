"""Scoring: the Impact/Effort quadrant, the ICE score and a one-line explanation of each verdict.

Terms:

- *High impact*: ``impact ≥ policy.impact_threshold``; *high effort*: ``effort ≥ policy.effort_threshold``
  (so with the default threshold 6, a 6 is high).
- *Quadrant*: quick win (high impact, low effort), big project (high, high), fill-in (low, low), time sink
  (low impact, high effort), unscored (impact or effort missing).
- *Ease*: ``11 − effort``, so the cheapest action (effort 1) has ease 10.
- *ICE*: with the ``product`` formula ``impact × confidence × ease`` (1–1000), with ``mean``
  ``(impact + confidence + ease) / 3`` rounded to one decimal (1–10). A missing confidence takes
  ``policy.default_confidence``. Unscored actions have no ICE.
- *Scored*: an action with its verdict. A plain slotted dataclass, because a run may score 100 000 actions.

Scoring is pure: same action and policy, same ``Scored``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from moteur.core.model import Action, Flag, Quadrant, Status
from moteur.core.phrase import Phrase
from moteur.core.policy import IceFormula, PlanningPolicy

# The words the explanation uses for each quadrant (lower case: it reads as a sentence). Phrases, so a view
# says them in the reader's language (``moteur.i18n.tr``); the JSON keeps the English.
VERDICT: dict[Quadrant, Phrase] = {
    Quadrant.QUICK_WIN: Phrase("quick win"),
    Quadrant.BIG_PROJECT: Phrase("big project"),
    Quadrant.FILL_IN: Phrase("fill-in"),
    Quadrant.TIME_SINK: Phrase("time sink"),
    Quadrant.UNSCORED: Phrase("to score"),
}

_CLOSED = frozenset(status for status in Status if status.is_closed)

# Indexed by (impact is high, effort is high).
_QUADRANTS: dict[tuple[bool, bool], Quadrant] = {
    (True, False): Quadrant.QUICK_WIN,
    (True, True): Quadrant.BIG_PROJECT,
    (False, False): Quadrant.FILL_IN,
    (False, True): Quadrant.TIME_SINK,
}


@dataclass(frozen=True, slots=True)
class Scored:
    """An action and its verdict: quadrant, ICE (None when unscored), attention flags, explanation."""

    action: Action
    quadrant: Quadrant
    ice: float | None
    flags: tuple[Flag, ...]
    explanation: Phrase

    @property
    def key(self) -> str:
        return self.action.ref.key


def format_ice(ice: float | None) -> str:
    """``512`` for 512.0, ``7.3`` for 7.3, ``-`` for None: how an ICE score reads in text."""
    if ice is None:
        return "-"
    return str(int(ice)) if ice == int(ice) else f"{ice:.1f}"


def quadrant_of(impact: int | None, effort: int | None, policy: PlanningPolicy) -> Quadrant:
    if impact is None or effort is None:
        return Quadrant.UNSCORED
    return _QUADRANTS[(impact >= policy.impact_threshold, effort >= policy.effort_threshold)]


def ice_of(impact: int, effort: int, confidence: int, formula: IceFormula) -> float:
    """The ICE score of a scored action; always a float (512.0), JSON-friendly."""
    ease = 11 - effort
    if formula is IceFormula.MEAN:
        return round((impact + confidence + ease) / 3, 1)
    return float(impact * confidence * ease)


def _missing(impact: int | None, effort: int | None) -> Phrase:
    if impact is None and effort is None:
        return Phrase("impact and effort missing")
    return Phrase("impact missing") if impact is None else Phrase("effort missing")


def _comparison(name: str, value: int, threshold: int, top: int | None = None) -> Phrase:
    # A score read on its field's own scale says so: "impact 8 (on 1–5) ≥ 6".
    scale = Phrase(" (on {low}–{top})", low=0 if top == 100 else 1, top=top) if top else ""
    sign = "≥" if value >= threshold else "<"
    if name == "impact":
        return Phrase(
            "impact {value}{scale} {sign} {threshold}",
            value=value,
            scale=scale,
            sign=sign,
            threshold=threshold,
        )
    return Phrase(
        "effort {value}{scale} {sign} {threshold}", value=value, scale=scale, sign=sign, threshold=threshold
    )


def _ice_text(
    impact: int, effort: int, confidence: int, ice: float, defaulted: bool, formula: IceFormula
) -> Phrase:
    ease = 11 - effort
    if formula is IceFormula.MEAN:
        text = f"ICE ({impact} + {confidence} + {ease}) / 3 = {ice:.1f}"
    else:
        text = f"ICE {impact} × {confidence} × {ease} = {format_ice(ice)}"
    if defaulted:
        return Phrase("{ice} (confidence defaulted to {confidence})", ice=text, confidence=confidence)
    return Phrase(text)  # figures and signs only: the same in every language


def _attention_flags(action: Action, quadrant: Quadrant) -> tuple[Flag, ...]:
    # A done or archived action needs nobody's attention any more, whatever its scores say.
    if action.status.is_closed:
        return ()
    flags: list[Flag] = []
    if quadrant is Quadrant.TIME_SINK:
        flags.append(Flag.STOP)
    elif quadrant is Quadrant.UNSCORED:
        flags.append(Flag.SCORE_ME)
    if action.objective is None or not action.objective.strip():
        flags.append(Flag.NO_OBJECTIVE)
    return tuple(flags)


def score(action: Action, policy: PlanningPolicy) -> Scored:
    """The verdict on one action, with an explanation such as
    ``impact 8 ≥ 6 and effort 3 < 6 → quick win; ICE 8 × 8 × 8 = 512``."""
    impact, effort = action.impact, action.effort
    quadrant = quadrant_of(impact, effort, policy)
    if impact is None or effort is None:
        return Scored(
            action=action,
            quadrant=quadrant,
            ice=None,
            flags=_attention_flags(action, quadrant),
            explanation=Phrase(
                "{missing} → {verdict}", missing=_missing(impact, effort), verdict=VERDICT[quadrant]
            ),
        )
    defaulted = action.confidence is None
    confidence = policy.default_confidence if action.confidence is None else action.confidence
    scales = action.scales
    impact_text = _comparison("impact", impact, policy.impact_threshold, scales.get("impact"))
    effort_text = _comparison("effort", effort, policy.effort_threshold, scales.get("effort"))
    verdict = Phrase(
        "{impact} and {effort} → {verdict}", impact=impact_text, effort=effort_text, verdict=VERDICT[quadrant]
    )
    ice = ice_of(impact, effort, confidence, policy.ice_formula)
    ice_text = _ice_text(impact, effort, confidence, ice, defaulted, policy.ice_formula)
    return Scored(
        action=action,
        quadrant=quadrant,
        ice=ice,
        flags=_attention_flags(action, quadrant),
        explanation=Phrase("{verdict}; {ice}", verdict=verdict, ice=ice_text),
    )


# What a verdict depends on besides the policy: impact, effort, confidence, closed, objective missing, and
# the scales the scores were read on (empty for 1–10 fields, the common case).
_VerdictKey = tuple[int | None, int | None, int | None, bool, bool, tuple[tuple[str, int], ...]]
_Verdict = tuple[Quadrant, float | None, tuple[Flag, ...], Phrase]


def score_all(actions: Iterable[Action], policy: PlanningPolicy) -> list[Scored]:
    """``[score(action, policy) for action in actions]``, with each distinct verdict computed once.

    A verdict depends on the three scores, whether the action is closed and whether it has an objective:
    at most a few thousand combinations, however many actions. Equal verdicts share their explanation
    string, which also keeps 100,000 scored actions small.
    """
    verdicts: dict[_VerdictKey, _Verdict] = {}
    scored: list[Scored] = []
    append = scored.append
    for action in actions:
        objective = action.objective
        key = (
            action.impact,
            action.effort,
            action.confidence,
            action.status in _CLOSED,
            objective is None or not objective.strip(),
            tuple(sorted(action.scales.items())) if action.scales else (),
        )
        verdict = verdicts.get(key)
        if verdict is None:
            first = score(action, policy)
            verdicts[key] = (first.quadrant, first.ice, first.flags, first.explanation)
            append(first)
        else:
            append(Scored(action, *verdict))
    return scored


def _instant(moment: datetime) -> float:
    # Created-at stamps are UTC; a naive one is read as UTC so aware and naive never fail to compare.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


PriorityKey = tuple[bool, float, bool, int, bool, float, str]


def priority_key(s: Scored, key: str | None = None) -> PriorityKey:
    """The packing order, total: ICE descending (None last), due day ascending (None last), created_at
    ascending (None last), then the action's key. Sorting the same actions in any order gives one order.

    ``key`` is the action's key when the caller already has it (building it costs as much as the rest).
    """
    action = s.action
    due = action.due
    day: date | None = due.date() if isinstance(due, datetime) else due
    created = action.created_at
    return (
        s.ice is None,
        -(s.ice or 0.0),
        day is None,
        day.toordinal() if day is not None else 0,
        created is None,
        _instant(created) if created is not None else 0.0,
        action.ref.key if key is None else key,
    )


def explanation_parts(s: Scored) -> tuple[Phrase, Phrase]:
    """The verdict (``impact 8 ≥ 6 and effort 3 < 6 → quick win``) and the ICE sum of an explanation; for an
    unscored action, its verdict twice (it has no ICE sum)."""
    params = s.explanation.params
    verdict, ice = params.get("verdict"), params.get("ice")
    if isinstance(verdict, Phrase) and isinstance(ice, Phrase):
        return verdict, ice
    return s.explanation, s.explanation
