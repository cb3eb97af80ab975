"""The planning policy: the ``[planning]`` table of ``moteur.toml`` as a validated, frozen model.

A *policy* is every knob of scoring and sprint planning. It is data: the core reads it, never the
environment. ``settings.py`` builds it from flags, environment and files.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class IceFormula(StrEnum):
    PRODUCT = "product"  # impact × confidence × ease (1–1000)
    MEAN = "mean"  # (impact + confidence + ease) / 3 (1–10)


class Language(StrEnum):
    EN = "en"
    FR = "fr"


# The language when the settings name none, for every command, ``init`` and ``demo`` alike: English, the
# source language of the messages. It also names the quadrants moteur writes on boards, so a default that
# changed would rename the labels of every team that never chose: a French team writes ``language = "fr"``
# (``init`` asks).
DEFAULT_LANGUAGE = Language.EN


DateRange = tuple[date, date]


def _check_ranges(ranges: list[DateRange], what: str) -> list[DateRange]:
    for start, end in ranges:
        if end < start:
            raise ValueError(f"{what} {start.isoformat()} → {end.isoformat()} ends before it starts")
    return ranges


class TeamMember(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    email: str | None = None
    points_per_day: float = Field(default=1.0, ge=0)
    vacations: list[DateRange] = Field(default_factory=list)

    @field_validator("vacations")
    @classmethod
    def _vacations(cls, value: list[DateRange]) -> list[DateRange]:
        return _check_ranges(value, "vacation")


class PlanningPolicy(BaseModel):
    """Scoring thresholds, ICE formula and the sprint calendar.

    ``first_sprint`` is the Monday sprint 1 starts; None means the Monday of the week of ``today``.
    Sprint numbers count from it and never shift, so "Sprint 7" names the same weeks on every run.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    first_sprint: date | None = None
    sprint_weeks: int = Field(default=2, ge=1, le=4)
    horizon: int = Field(default=6, ge=1, le=52)
    country: str = "FR"
    subdivision: str | None = None
    closures: list[DateRange] = Field(default_factory=list)
    capacity_per_sprint: float = Field(default=20.0, ge=0)
    # "fixed": capacity_per_sprint (or the team's points per day); "velocity": measured from the history,
    # the mean of the last velocity_sprints finished sprints (core/velocity, docs/history.md).
    capacity: Literal["fixed", "velocity"] = "fixed"
    velocity_sprints: int = Field(default=3, ge=1, le=26)
    impact_threshold: int = Field(default=6, ge=1, le=10)
    effort_threshold: int = Field(default=6, ge=1, le=10)
    default_confidence: int = Field(default=5, ge=1, le=10)
    ice_formula: IceFormula = IceFormula.PRODUCT
    team: list[TeamMember] = Field(default_factory=list)

    @field_validator("closures")
    @classmethod
    def _closures(cls, value: list[DateRange]) -> list[DateRange]:
        return _check_ranges(value, "closure")

    @model_validator(mode="after")
    def _monday(self) -> PlanningPolicy:
        if self.first_sprint is not None and self.first_sprint.weekday() != 0:
            day = self.first_sprint.strftime("%A")
            raise ValueError(
                f"first_sprint {self.first_sprint.isoformat()} is a {day}; sprints start on a Monday"
            )
        return self
