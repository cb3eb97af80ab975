"""Objectives: the priorities the strategy names (``[[objectives]]`` in ``moteur.toml``) and their shares.

Terms:

- *Objective*: a name, and either a ``weight`` (relative: 2 is twice 1) or a ``share`` (the percentage of the
  effort it should get, 0–100); optionally the KPI it moves (``kpi = "MQL / month"``) and its ``target``.
- *Target share*: an objective's share of the effort, from 0 to 1: its ``share`` / 100, or its weight over the
  sum of the weights. Shares that add up to less than 100 leave the rest to no objective in particular.
- *Tied to*: an action's ``objective`` text names an objective when both fold to the same name
  (``core/names.fold``: case, accents and punctuation do not matter). A name no objective has is kept as it
  is (listed by the review, never dropped).

Pure and validated once; the errors speak to a person (``settings_errors`` adds where the value came from).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from moteur.core.names import fold


class Objective(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    weight: float | None = Field(default=None, gt=0)
    share: float | None = Field(default=None, ge=0, le=100)
    kpi: str | None = None
    target: float | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Objective:
        if self.weight is not None and self.share is not None:
            raise ValueError(
                f'objective "{self.name}" has both a weight and a share; give one: weight = 2 or share = 40'
            )
        return self

    @property
    def key(self) -> str:
        return fold(self.name)


def check_objectives(objectives: Sequence[Objective]) -> list[Objective]:
    """``objectives`` when they can be used together, else ``ValueError`` in a person's words."""
    seen: dict[str, str] = {}
    for objective in objectives:
        if objective.key in seen:
            raise ValueError(
                f'objectives "{seen[objective.key]}" and "{objective.name}" are the same name; '
                "give each objective once"
            )
        seen[objective.key] = objective.name
    weighted = [o.name for o in objectives if o.weight is not None]
    shared = [o.name for o in objectives if o.share is not None]
    if weighted and shared:
        raise ValueError(
            f'objective "{weighted[0]}" has a weight and "{shared[0]}" a share; '
            "use weight on every objective or share on every one"
        )
    total = sum(o.share or 0 for o in objectives)
    if total > 100 + 1e-9:
        raise ValueError(f"the objectives' shares add up to {total:g}%, more than 100%")
    return list(objectives)


def target_shares(objectives: Iterable[Objective]) -> dict[str, float]:
    """Each objective's target share of the effort, 0–1, by its name as written (0 when none is given)."""
    listed = list(objectives)
    weights = sum(o.weight or 0 for o in listed)
    shares: dict[str, float] = {}
    for o in listed:
        if o.share is not None:
            shares[o.name] = o.share / 100
        elif o.weight is not None and weights > 0:
            shares[o.name] = o.weight / weights
        else:
            # No weight and no share anywhere: the objectives share the effort evenly.
            even = not any(x.weight is not None or x.share is not None for x in listed)
            shares[o.name] = 1 / len(listed) if even else 0.0
    return shares


def objective_of(text: str | None, objectives: Iterable[Objective]) -> str | None:
    """The name of the objective ``text`` names (folded match), else ``text`` itself; None for no text."""
    if text is None or not text.strip():
        return None
    key = fold(text)
    for objective in objectives:
        if objective.key == key:
            return objective.name
    return text.strip()
