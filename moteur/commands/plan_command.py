"""``moteur plan``: read boards, score and plan, show tables or JSON. Writes nothing.

The sprints are the ones ``sync`` would write: the plan applies what the state database remembers — pins set
by hand, open actions kept in the current sprint (``core/stable_plan``) — read-only, and only when the
database exists (a first ``plan`` creates no state file).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from moteur.commands.context import board_refs, settings_for, team_groups
from moteur.connectors.base import open_connector
from moteur.core.evaluate import Evaluation
from moteur.core.model import Action, BoardRef
from moteur.core.plan import Memory
from moteur.core.stable_plan import plan_with_memory
from moteur.core.state import StateStore, default_state_url
from moteur.core.sync import memory_of
from moteur.views.plan_json import plan_json_chunks
from moteur.views.plan_tables import render_plan
from moteur.views.terminal import json_safe, plain

if TYPE_CHECKING:
    from moteur.cli import Output
    from moteur.settings import Settings


def remembered_memory(settings: Settings, refs: list[BoardRef]) -> dict[str, Memory]:
    """What moteur last wrote on each item of ``refs``, from the state database when one exists."""
    from sqlalchemy.engine import make_url

    url = settings.state_url or default_state_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and (not parsed.database or not Path(parsed.database).exists()):
        return {}  # no state yet: nothing remembered, and no file created by a command that writes nothing
    with StateStore(url) as store:
        return {k: m for ref in refs for k, m in memory_of(store.item_states(str(ref))).items()}


def run_plan(
    out: Output, texts: list[str], *, config: Path | None, today: date, json_out: bool, chart: Path | None
) -> None:
    settings = settings_for(config)
    refs = board_refs(texts, settings)
    actions: dict[str, list[Action]] = {}
    for ref in refs:
        connector = open_connector(ref, settings)
        try:
            snapshot = connector.read(ref)
        finally:
            connector.close()
        for warning in snapshot.warnings:
            out.warn(f"{ref}: {warning}")
        actions[str(ref)] = list(snapshot.actions)
    memory = remembered_memory(settings, refs)
    evaluations: list[tuple[str, Evaluation]] = []
    for name, group in team_groups(refs, settings.teams):
        group_actions = [a for ref in group for a in actions[str(ref)]]
        evaluation, _pins = plan_with_memory(
            group_actions, memory, settings.planning, today, language=settings.language
        )
        evaluations.append((name, evaluation))
    if chart is not None:
        from moteur.views.chart import draw_matrix
        from moteur.views.chart_load import draw_load

        policy = settings.planning
        draw_matrix(
            evaluations[0][1],
            chart,
            settings.language,
            impact_threshold=policy.impact_threshold,
            effort_threshold=policy.effort_threshold,
        )
        load_path = chart.with_name(f"{chart.stem}-load{chart.suffix}")
        draw_load(evaluations[0][1], load_path, settings.language, closures=policy.closures)
        out.info(f"priority matrix written to {chart}, sprint load to {load_path}")
    if json_out:
        # The text ``out.json(plan_payload(evaluations))`` would print (indented at a terminal, like it),
        # written from precomputed fragments: with 100,000 actions, json.dumps per action costs a second.
        indent = 2 if sys.stdout.isatty() else None
        for chunk in plan_json_chunks(evaluations, indent=indent):
            sys.stdout.write(json_safe(chunk))
        return
    for name, evaluation in evaluations:
        if len(evaluations) > 1:
            out.out.rule(plain(name))
        render_plan(out.out, evaluation, settings.language)
