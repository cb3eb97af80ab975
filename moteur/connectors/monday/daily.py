"""monday.com's daily call cap: which one applies to the token's account, what is left of it today, and the
error that stops a run when it is used up.

Terms:

- *Daily cap*: the API calls an account may make in one UTC day. By plan: Free/Trial 200, Basic/Standard
  1,000, Pro 10,000 (soft), Enterprise 25,000 (soft); "All requests—even failed ones—count"; it "resets at
  midnight UTC"; past it monday answers ``DAILY_LIMIT_EXCEEDED`` [doc: support.monday.com/hc/en-us/articles/
  26471164460690-API-Rate-Limits]. The answer is an HTTP 429 with ``retry_in_seconds`` (≈3599
  in the one recorded: mondaycom/mcp ``utils/tests/error.utils.test.ts``) — a wait to the reset, which moteur
  does not sit through: the run stops with one line saying when the calls come back.
- *Plan*: ``account { tier is_during_trial plan { tier } }`` (both SDLs; a trial counts as Free). *Usage*:
  ``platform_api { daily_limit { total } daily_analytics { by_day { day usage } } }`` — monday's own figure
  of the cap and of today's calls (developer.monday.com/api-reference/reference/platform-api; its dashboard
  refreshes "approximately every 10 minutes", so today's usage may lag). Both ride on queries moteur sends
  anyway (``DAILY_FIELDS``), never on a request of their own.
- *Soft* caps (Pro, Enterprise) are planned as hard: monday does not say how far past them a call passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from moteur.core.errors import RemoteError
from moteur.core.phrase import Phrase

PLAN_DAILY_CALLS: dict[str, int] = {
    "free": 200,
    "trial": 200,
    "basic": 1_000,
    "standard": 1_000,
    "pro": 10_000,
    "enterprise": 25_000,
}
SOFT_CAPS = frozenset({"pro", "enterprise"})

DAILY_FIELDS = """
  account { tier is_during_trial plan { tier } }
  platform_api { daily_limit { total } daily_analytics { by_day { day usage } } }"""
"""Root fields a query adds to learn the daily cap and today's usage (valid in 2026-07 and 2026-10)."""


class DailyLimitExceeded(RemoteError):
    """The account's daily calls are used up (or a run would use them up): not retriable before midnight
    UTC."""

    def __init__(self, message: str, *, hint: str | None = None, retry_in: float | None = None) -> None:
        super().__init__(message, hint=hint, retriable=False)
        self.retry_in = retry_in  # seconds to the reset, as monday said (``used_up``)


@dataclass(frozen=True, slots=True)
class DailyCap:
    tier: str  # the plan's tier as monday names it ("pro"); "" when monday did not say
    cap: int | None  # calls a UTC day; None when neither the plan nor platform_api gives it
    used: int | None  # calls made today by the whole account, per platform_api; None when unknown
    trial: bool = False

    @property
    def remaining(self) -> int | None:
        if self.cap is None or self.used is None:
            return None
        return max(0, self.cap - self.used)

    @property
    def plan_name(self) -> str:
        if self.trial:
            return Phrase("a trial")
        return (
            Phrase("the {tier} plan", tier=self.tier.capitalize()) if self.tier else Phrase("an unknown plan")
        )

    def describe(self) -> str:
        """One line: "the Pro plan: 10,000 calls a day (a soft cap); 37 used today" (a ``Phrase``: English,
        said in the reader's language where shown)."""
        if self.cap is None:
            return Phrase("{plan}: daily call cap unknown", plan=self.plan_name)
        soft = Phrase(" (a soft cap)") if self.tier in SOFT_CAPS and not self.trial else ""
        used = "" if self.used is None else Phrase("; {used:,} used today", used=self.used)
        return Phrase(
            "{plan}: {cap:,} calls a day{soft}{used}",
            plan=self.plan_name,
            cap=self.cap,
            soft=soft,
            used=used,
        )


def parse_daily(data: Mapping[str, Any]) -> DailyCap | None:
    """The cap from an answer's ``account`` / ``platform_api`` (either may be missing or null); None if
    the answer carries neither."""
    account = data.get("account")
    platform = data.get("platform_api")
    if not isinstance(account, dict) and not isinstance(platform, dict):
        return None
    account = account if isinstance(account, dict) else {}
    plan: dict[str, Any] = account["plan"] if isinstance(account.get("plan"), dict) else {}
    tier = str(plan.get("tier") or account.get("tier") or "").casefold()
    trial = account.get("is_during_trial") is True
    cap = PLAN_DAILY_CALLS["trial"] if trial else PLAN_DAILY_CALLS.get(tier)
    used: int | None = None
    if isinstance(platform, dict):
        limit = platform.get("daily_limit")
        total = limit.get("total") if isinstance(limit, dict) else None
        if isinstance(total, int) and total > 0:
            cap = total  # monday's own figure: add-ons included
        analytics = platform.get("daily_analytics")
        by_day = analytics.get("by_day") if isinstance(analytics, dict) else None
        if isinstance(by_day, list):
            today = datetime.now(UTC).date().isoformat()
            days = [d for d in by_day if isinstance(d, dict) and isinstance(d.get("usage"), int)]
            used = sum(int(d["usage"]) for d in days if str(d.get("day", ""))[:10] == today)
    return DailyCap(tier, cap, used, trial)


def until_reset(now: datetime | None = None) -> float:
    """Seconds to the next midnight UTC."""
    moment = now or datetime.now(UTC)
    midnight = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - moment).total_seconds()


def duration(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def used_up(daily: DailyCap | None, retry_in: float | None = None) -> DailyLimitExceeded:
    """The error of a ``DAILY_LIMIT_EXCEEDED`` answer."""
    wait = retry_in if retry_in is not None else until_reset()
    cap = f" ({daily.plan_name}: {daily.cap:,} calls a day)" if daily is not None and daily.cap else ""
    return DailyLimitExceeded(
        f"monday.com's daily API call limit is used up{cap}; it resets at midnight UTC, in {duration(wait)}",
        hint="run again after the reset: what was written is kept and not sent twice",
        retry_in=retry_in,
    )


def would_exceed(daily: DailyCap, needed: int, left: int, what: str) -> DailyLimitExceeded:
    """The error of a run refused before writing: it needs more calls than today has left."""
    return DailyLimitExceeded(
        f"monday.com: {what} needs about {needed:,} API calls, but only {left:,} of today's "
        f"{daily.cap:,} are left ({daily.plan_name}); nothing was written",
        hint=f"run it after midnight UTC (in {duration(until_reset())}), or split it into smaller runs",
    )
