"""``moteur plan``: read boards, score and plan, show tables or JSON. Writes nothing.

The sprints are the ones ``sync`` would write: the plan applies what the state database remembers — pins set
by hand, open actions kept in the current sprint (``core/stable_plan``) — read-only. The one thing it may
write there is the sprint anchor (``sprint_anchor``) when ``first_sprint`` is not set: the first ``plan``
fixes "Sprint 1", creating the state database if needed; with ``first_sprint`` set, a first ``plan`` creates
no state file.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from moteur.commands.board_identity import remember_boards
from moteur.commands.context import board_refs, settings_for, team_groups
from moteur.commands.history_run import capacity_json, capacity_line, record_day, sized_groups
from moteur.commands.sprint_anchor import sprint_anchor
from moteur.connectors.base import open_connector
from moteur.core.diff import Memory
from moteur.core.errors import StateError
from moteur.core.evaluate import Evaluation
from moteur.core.model import Action, BoardRef, Snapshot
from moteur.core.phrase import Phrase
from moteur.core.stable_plan import plan_with_memory
from moteur.core.sync import memory_of
from moteur.engine.state import StateStore, default_state_url
from moteur.i18n import tr
from moteur.views.plan_json import plan_json_chunks
from moteur.views.plan_tables import render_plan
from moteur.views.terminal import json_safe, plain

if TYPE_CHECKING:
    from moteur.settings import Settings
    from moteur.views.output import Output


def sqlite_file_missing(url: str) -> bool:
    """Whether ``url`` names a SQLite file that does not exist yet (opening it would create it)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and (
        not parsed.database or not Path(parsed.database).exists()
    )


def plan_state(out: Output, settings: Settings) -> StateStore | None:
    """The state database, when there is one to read or an anchor to keep; None otherwise.

    With ``first_sprint`` set, a missing SQLite file stays missing (nothing remembered, nothing to keep).
    Without it the database is opened, created if needed, to keep the anchor; if that fails, the plan
    still runs, numbered from this week, and says so.
    """
    url = settings.state_url or default_state_url()
    missing = sqlite_file_missing(url)
    if missing and settings.planning.first_sprint is not None:
        return None
    try:
        return StateStore(url)
    except StateError as exc:
        if not missing:
            raise
        out.warn(Phrase("sprint numbers count from this week only: {problem}", problem=exc.message))
        return None


def remembered_memory(store: StateStore | None, refs: list[BoardRef]) -> dict[str, Memory]:
    """What moteur last wrote on each item of ``refs``, from the state database when one exists."""
    if store is None:
        return {}
    return {k: m for ref in refs for k, m in memory_of(store.item_states(str(ref))).items()}


@dataclass(frozen=True)
class ReadBoards:
    """The boards as read, in the order named: each REF as named → the board it was read as (a Trello
    shortLink reads as its id, ``board_identity``), and each board's snapshot."""

    read_as: dict[BoardRef, BoardRef]
    snapshots: list[Snapshot]

    @property
    def refs(self) -> list[BoardRef]:
        """Each board once, by the ref it was read as."""
        return list(dict.fromkeys(self.read_as.values()))

    @property
    def actions(self) -> dict[str, list[Action]]:
        return {str(s.board): list(s.actions) for s in self.snapshots}

    @property
    def names(self) -> dict[str, str]:
        return {str(s.board): s.name for s in self.snapshots}


def read_boards(out: Output, settings: Settings, refs: list[BoardRef]) -> ReadBoards:
    """Every board read once as ``plan`` reads it (its warnings on stderr); ``review`` reads the same way."""
    read = ReadBoards({}, [])
    for ref in refs:
        connector = open_connector(ref, settings)
        try:
            snapshot = connector.read(ref)
        finally:
            connector.close()
        for warning in snapshot.warnings:
            out.warn(f"{ref}: {tr(warning)}")
        read.snapshots.append(snapshot)
        read.read_as[ref] = snapshot.board
    return read


def run_plan(
    out: Output, texts: list[str], *, config: Path | None, today: date, json_out: bool, chart: Path | None
) -> None:
    settings = settings_for(config)
    read = read_boards(out, settings, board_refs(texts, settings))
    snapshots, actions, read_as, refs = read.snapshots, read.actions, read.read_as, read.refs
    store = plan_state(out, settings)
    evaluations: list[tuple[str, Evaluation]] = []
    try:
        if store is not None:
            remember_boards(store, snapshots)
        memory = remembered_memory(store, refs)
        anchor = sprint_anchor(store, settings.planning.first_sprint, today, datetime.now(UTC))
        policy = anchor.policy(settings.planning)
        groups = team_groups(refs, settings.teams, {str(named): board for named, board in read_as.items()})
        sized = sized_groups(store, groups, policy, today, settings.language)
        for name, group in groups:
            group_actions = [a for ref in group for a in actions[str(ref)]]
            evaluation, _pins = plan_with_memory(
                group_actions, memory, sized[name].policy, today, language=settings.language
            )
            evaluations.append((name, evaluation))
        if store is not None:  # a read is moteur's own state to keep, not a write to a board
            record_day(store, snapshots, evaluations, today, settings)
    finally:
        if store is not None:
            store.close()
    if anchor.problem:
        out.warn(Phrase("sprint numbers count from this week only: {problem}", problem=anchor.problem))
    capacity = sized[evaluations[0][0]].choice
    if chart is not None:
        from moteur.views.chart import draw_matrix
        from moteur.views.chart_load import draw_load

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
        for chunk in plan_json_chunks(
            evaluations,
            indent=indent,
            first_sprint=anchor.as_json(),
            capacity=capacity_json(capacity),
            team_capacity={name: capacity_json(group_size.choice) for name, group_size in sized.items()},
        ):
            sys.stdout.write(json_safe(chunk))
        return
    out.out.print(plain(anchor.describe()), highlight=False)  # the header: where Sprint 1 starts
    for name, group_size in sized.items():  # and which capacity sized the sprints, and why
        line = capacity_line(group_size.choice)
        out.out.print(plain(f"{name}: {line}" if len(sized) > 1 else line), highlight=False)
    for name, evaluation in evaluations:
        if len(evaluations) > 1:
            out.out.rule(plain(name))
        render_plan(out.out, evaluation, settings.language)
