"""The sprint anchor: the Monday "Sprint 1" starts, chosen once so sprint numbers never shift.

Terms defined here:

- *Anchor*: the ``first_sprint`` every command plans with. Where it comes from (its *source*):
  ``setting`` — ``first_sprint`` of ``[planning]`` (the file or ``MOTEUR_PLANNING__FIRST_SPRINT``), which
  always wins; ``state`` — not set, so the first run that planned sprints (``plan``, ``sync``, ``sync
  --dry-run``) took the Monday of the week it ran in and kept it in the state database's ``meta`` table, with
  the time it did; ``week`` — not set and not kept (the state database could not be written): this run
  numbers from the Monday of its own week, as moteur did before it kept an anchor.
- The anchor is moteur's own state, not a board's: ``plan`` and ``sync --dry-run`` write it too (they still
  write nothing to any board), so the numbers they show are the numbers a later ``sync`` writes. One anchor
  per state database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from moteur.core.calendar import week_start
from moteur.core.errors import StateError
from moteur.core.policy import PlanningPolicy
from moteur.engine.state import StateStore
from moteur.i18n import _

Source = Literal["setting", "state", "week"]  # see the module docstring

ANCHOR_KEY = "first_sprint"
SINCE_KEY = "first_sprint_kept_at"


@dataclass(frozen=True, slots=True)
class SprintAnchor:
    """The Monday sprint 1 starts, where it came from, and what the state database keeps (if anything)."""

    first_sprint: date
    source: Source
    kept: date | None = None
    kept_at: datetime | None = None
    problem: str | None = None  # why the anchor could not be kept (source "week")

    @property
    def differs(self) -> bool:
        """The setting names another Monday than the one the state keeps: the setting wins."""
        return self.source == "setting" and self.kept is not None and self.kept != self.first_sprint

    def policy(self, policy: PlanningPolicy) -> PlanningPolicy:
        """``policy`` with this anchor as its ``first_sprint``."""
        if policy.first_sprint == self.first_sprint:
            return policy
        return policy.model_copy(update={"first_sprint": self.first_sprint})

    def describe(self) -> str:
        """``Sprint 1 starts on Monday 2026-11-30 (kept in the state database since 2026-12-01)``, in the
        current language."""
        day = self.first_sprint.isoformat()
        if self.differs and self.kept is not None:
            text = _(
                "Sprint 1 starts on Monday {day} (first_sprint in the settings; the state database keeps "
                "{kept}, the setting wins)"
            )
            return text.format(day=day, kept=self.kept.isoformat())
        if self.source == "setting":
            return _("Sprint 1 starts on Monday {day} (first_sprint in the settings)").format(day=day)
        if self.source == "state" and self.kept_at is not None:
            text = _("Sprint 1 starts on Monday {day} (kept in the state database since {since})")
            return text.format(day=day, since=f"{self.kept_at:%Y-%m-%d}")
        if self.source == "state":
            return _("Sprint 1 starts on Monday {day} (kept in the state database)").format(day=day)
        text = _(
            "Sprint 1 starts on Monday {day} (this week: not kept, the state database cannot be written)"
        )
        return text.format(day=day)

    def as_json(self) -> dict[str, str | None]:
        return {
            "date": self.first_sprint.isoformat(),
            "source": self.source,
            "kept": self.kept.isoformat() if self.kept else None,
            "kept_at": self.kept_at.isoformat() if self.kept_at else None,
        }


def kept_anchor(store: StateStore) -> tuple[date | None, datetime | None]:
    """The anchor the state database keeps and since when (None, None when it keeps none)."""
    found = store.meta([ANCHOR_KEY, SINCE_KEY])
    day = found.get(ANCHOR_KEY)
    since = found.get(SINCE_KEY)
    return (
        date.fromisoformat(day) if day else None,
        datetime.fromisoformat(since) if since else None,
    )


def sprint_anchor(
    store: StateStore | None, setting: date | None, today: date, now: datetime, *, keep: bool = True
) -> SprintAnchor:
    """The anchor of this run: the setting; else the one the state keeps; else this week's, kept now.

    ``store`` None: no state database to read (the setting or this week's Monday). ``keep`` False: read
    only (``doctor``). A state database that cannot be written gives this week's Monday, with the reason.
    """
    kept, kept_at = kept_anchor(store) if store is not None else (None, None)
    if setting is not None:
        return SprintAnchor(setting, "setting", kept, kept_at)
    if kept is not None:
        return SprintAnchor(kept, "state", kept, kept_at)
    monday = week_start(today)
    if store is None or not keep:
        return SprintAnchor(monday, "week")
    try:
        stored = store.keep_meta({ANCHOR_KEY: monday.isoformat(), SINCE_KEY: now.isoformat()})
    except StateError as exc:
        return SprintAnchor(monday, "week", problem=exc.message)
    day = date.fromisoformat(stored[ANCHOR_KEY])
    since = datetime.fromisoformat(stored[SINCE_KEY]) if stored.get(SINCE_KEY) else None
    return SprintAnchor(day, "state", day, since)
