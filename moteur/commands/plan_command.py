"""``moteur plan``: read boards, score and plan, show tables or JSON. Writes nothing."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from moteur.commands.context import board_refs, settings_for, team_groups
from moteur.connectors.base import open_connector
from moteur.core.evaluate import Evaluation, evaluate
from moteur.core.model import Action
from moteur.views.plan_json import plan_json_chunks
from moteur.views.plan_tables import render_plan
from moteur.views.terminal import json_safe, plain

if TYPE_CHECKING:
    from moteur.cli import Output


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
    evaluations: list[tuple[str, Evaluation]] = []
    for name, group in team_groups(refs, settings.teams):
        group_actions = [a for ref in group for a in actions[str(ref)]]
        evaluations.append(
            (name, evaluate(group_actions, settings.planning, today, language=settings.language))
        )
    if chart is not None:
        from moteur.views.chart import draw_load, draw_matrix

        policy = settings.planning
        draw_matrix(
            evaluations[0][1],
            chart,
            settings.language,
            impact_threshold=policy.impact_threshold,
            effort_threshold=policy.effort_threshold,
        )
        load_path = chart.with_name(f"{chart.stem}-load{chart.suffix}")
        draw_load(evaluations[0][1], load_path, settings.language)
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
