"""The review's alignment section: effort planned and done per objective and per channel against the target
shares of ``[[objectives]]``, the actions tied to none, the objectives actions name that ``[[objectives]]``
does not, and the leading indicators (KPI, target, actual) recorded per action.

*Planned*: the open actions the plan puts in a sprint of the horizon; *done*: the actions done since the first
sprint of the velocity window (or since the history knows done days, if later). Each table's rows add up to
its total: the configured objectives in their order, then the other names met, then "none".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from moteur.core.history import indicators
from moteur.core.names import name_key
from moteur.core.objectives import Objective, objective_of, target_shares
from moteur.core.review_context import ReviewContext, figure, percent, share
from moteur.core.review_model import AlignmentSection, Indicator, ShareRow
from moteur.core.scoring import priority_key


def _rows(
    planned: dict[str | None, float],
    done: dict[str | None, float] | None,
    targets: dict[str, Objective],
    shares: dict[str, float],
    named: Sequence[str],
) -> list[ShareRow]:
    """One row per configured name (in their order), then the other names met, then "none" (if any)."""
    planned_total = sum(planned.values())
    done_total = sum(done.values()) if done is not None else 0.0
    others = sorted(
        {k for k in [*planned, *(done or {})] if k is not None and k not in targets}, key=name_key
    )
    keys: list[str | None] = [*named, *others]
    if None in planned or (done is not None and None in done):
        keys.append(None)
    rows = []
    for key in keys:
        objective = targets.get(key) if key is not None else None
        done_effort = figure(done.get(key, 0.0)) if done is not None else None
        rows.append(
            ShareRow(
                name=key,
                configured=objective is not None,
                target_share=round(shares[key], 3) if objective and key in shares else None,
                planned_effort=figure(planned.get(key, 0.0)),
                planned_share=share(planned.get(key, 0.0), planned_total),
                done_effort=done_effort,
                done_share=share(done_effort, done_total) if done_effort is not None else None,
                kpi=objective.kpi if objective else None,
                kpi_target=objective.target if objective else None,
            )
        )
    return rows


class _Channels:
    """Channel names as first met, so "SEO" and "seo" on two cards are one row (names compare folded)."""

    def __init__(self) -> None:
        self._spelled: dict[str, str] = {}

    def __call__(self, text: str | None) -> str | None:
        if text is None or not text.strip():
            return None
        return self._spelled.setdefault(name_key(text), text.strip())


def alignment(ctx: ReviewContext, objectives: Sequence[Objective]) -> AlignmentSection:
    configured = {o.name: o for o in objectives}

    def tied(text: str | None) -> str | None:
        return objective_of(text, objectives)  # "Leads" on a card is the objective "leads"

    channel = _Channels()
    planned_obj: dict[str | None, float] = defaultdict(float)
    planned_chan: dict[str | None, float] = defaultdict(float)
    for s in ctx.open:
        if ctx.sprint_of.get(s.key) is not None:
            planned_obj[tied(s.action.objective)] += float(s.action.effort or 0)
            planned_chan[channel(s.action.channel)] += float(s.action.effort or 0)
    done_obj: dict[str | None, float] | None = None
    done_chan: dict[str | None, float] | None = None
    done_since: date | None = None
    named_on_actions = {tied(s.action.objective) for s in ctx.evaluation.scored}
    if not ctx.history.empty:
        done_since = ctx.calendar.sprint_start(ctx.current - ctx.window)
        if ctx.history.done_since is not None:
            done_since = max(done_since, ctx.history.done_since)
        done_obj, done_chan = defaultdict(float), defaultdict(float)
        for row in ctx.history.done_between(done_since, ctx.today):
            done_obj[tied(row.objective)] += float(row.effort or 0)
            done_chan[channel(row.channel)] += float(row.effort or 0)
            named_on_actions.add(tied(row.objective))
    named = [o.name for o in objectives]
    by_objective = _rows(planned_obj, done_obj, configured, target_shares(objectives), named)
    unknown = sorted((n for n in named_on_actions if n is not None and n not in configured), key=name_key)
    return AlignmentSection(
        planned_total=figure(sum(planned_obj.values())),
        done_total=figure(sum(done_obj.values())) if done_obj is not None else None,
        done_since=done_since,
        by_objective=by_objective,
        by_channel=_rows(planned_chan, done_chan, {}, {}, []),
        no_objective=[
            ctx.line(s) for s in sorted(ctx.open, key=priority_key) if tied(s.action.objective) is None
        ],
        unknown_objectives=unknown if objectives else [],
        indicators=_indicators(ctx),
    )


def _indicators(ctx: ReviewContext) -> list[Indicator]:
    found = []
    for s in ctx.evaluation.scored:
        kpi, target, actual = indicators(s.action)
        if kpi is None and target is None and actual is None:
            continue
        reached = percent(actual, target) if actual is not None and target else None
        found.append(
            Indicator(action=ctx.line(s), kpi=kpi or "", target=target, actual=actual, percent=reached)
        )
    return found
