"""monday.com's daily call limit, per account and plan, as the emulator keeps it.

Terms:

- *Daily cap*: the calls an account may make in one UTC day, by plan: Free/Trial 200, Basic/Standard
  1,000, Pro 10,000 (soft), Enterprise 25,000 (soft) [doc: support.monday.com/hc/en-us/articles/
  26471164460690-API-Rate-Limits; developer.monday.com/api-reference/docs/rate-limits]. "All requests—even
  failed ones—count"; the count "resets at midnight UTC". Past it monday answers HTTP 429
  ``{"errors": [{"message": "Daily limit exceeded", "extensions": {"code": "DAILY_LIMIT_EXCEEDED",
  "retry_in_seconds": 3599}}]}`` (the answer recorded in mondaycom/mcp
  ``packages/agent-toolkit/src/utils/tests/error.utils.test.ts``); the emulator's ``retry_in_seconds`` is
  the time left to midnight UTC on its wall clock.
- *Soft* (Pro, Enterprise): monday may let an account past it; the emulator does not (the conservative
  reading for a client: plan as if it were hard).
- What ``platform_api { daily_limit { base total } daily_analytics { by_day { day usage } last_updated } }``
  answers comes from the same counter (developer.monday.com/api-reference/reference/platform-api).

The cap is enforced when the emulator enforces rate limits, or once a test chose a plan (``set_plan``);
the tests' shared sandbox runs without rate limits and never meets a cap it did not ask for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

PLAN_DAILY_CALLS: dict[str, int] = {
    "free": 200,
    "trial": 200,
    "basic": 1_000,
    "standard": 1_000,
    "pro": 10_000,
    "enterprise": 25_000,
}


def daily_cap(account: dict[str, Any]) -> int | None:
    """The account's daily cap from its plan (a trial counts as Free); None for a tier not in the table."""
    if account.get("is_during_trial"):
        return PLAN_DAILY_CALLS["trial"]
    plan = account.get("plan") or {}
    tier = str(plan.get("tier") or account.get("tier") or "").casefold()
    return PLAN_DAILY_CALLS.get(tier)


def seconds_to_midnight(now: float) -> int:
    moment = datetime.fromtimestamp(now, UTC)
    midnight = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((midnight - moment).total_seconds()))


@dataclass
class DailyCalls:
    """The account's calls per UTC day (every authenticated request counts, refused ones too)."""

    enforced: bool = False
    by_day: dict[str, int] = field(default_factory=dict)

    def count(self, account: dict[str, Any], now: float) -> int | None:
        """Count one call at wall time ``now``; the seconds to wait (to midnight UTC) when past the cap."""
        day = datetime.fromtimestamp(now, UTC).date().isoformat()
        self.by_day[day] = self.by_day.get(day, 0) + 1
        cap = daily_cap(account)
        if self.enforced and cap is not None and self.by_day[day] > cap:
            return seconds_to_midnight(now)
        return None

    def platform_api(self, account: dict[str, Any], now: float) -> dict[str, Any]:
        """The ``platform_api`` object: the cap and the usage by day (newest first, 14 days)."""
        cap = daily_cap(account)
        days = sorted(self.by_day.items(), reverse=True)[:14]
        return {
            "daily_limit": {"base": cap, "total": cap},
            "daily_analytics": {
                "by_day": [{"day": day, "usage": usage} for day, usage in days],
                "last_updated": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        }
