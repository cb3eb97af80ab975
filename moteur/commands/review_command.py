"""``moteur review``: the follow-up meeting's one-page report, as a self-contained HTML file or as JSON.

It reads the boards and plans them as ``plan`` does — the same memory (pins, keeps), the same sprint anchor,
the same capacity (``capacity = "velocity"`` included) — then reads the history the state database keeps and
builds one ``Review`` per planning group (``core/review``). It writes nothing to any board nor to the state:
no history is recorded, no anchor kept (a later ``plan`` or ``sync`` does both). See ``docs/review.md``.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from moteur.commands.context import board_refs, settings_for, team_groups
from moteur.commands.history_run import sized_groups
from moteur.commands.plan_command import read_boards, remembered_memory, sqlite_file_missing
from moteur.commands.sprint_anchor import sprint_anchor
from moteur.core.errors import UsageError
from moteur.core.evaluate import Evaluation
from moteur.core.history import History
from moteur.core.policy import PlanningPolicy
from moteur.core.review import build_review
from moteur.core.review_model import Review
from moteur.core.stable_plan import plan_with_memory
from moteur.engine.state import StateStore, default_state_url
from moteur.views.review_charts import charts, have_charts, matrix_points
from moteur.views.review_html import ReviewPage, render_html, review_json

if TYPE_CHECKING:
    from moteur.settings import Settings
    from moteur.views.output import Output

DEFAULT_OUT = Path("review.html")
NO_HISTORY = History(since=None, days=())


def existing_state(settings: Settings) -> StateStore | None:
    """The state database when there is one; None for a SQLite file not created yet (nothing is created)."""
    url = settings.state_url or default_state_url()
    if sqlite_file_missing(url):
        return None
    return StateStore(url)


def build_reviews(
    out: Output, settings: Settings, texts: list[str], today: date, sprint: int | None
) -> list[tuple[Review, Evaluation, PlanningPolicy]]:
    """One review per planning group, with the evaluation and policy ``plan`` would use for it: the same
    memory, sprint anchor, groups and capacity (see ``plan_command.run_plan``), read-only."""
    read = read_boards(out, settings, board_refs(texts, settings))
    refs = read.refs
    named = {str(ref): board for ref, board in read.read_as.items()}
    groups = team_groups(refs, settings.teams, named)
    store = existing_state(settings)
    try:
        memory = remembered_memory(store, refs)
        anchor = sprint_anchor(store, settings.planning.first_sprint, today, datetime.now(UTC), keep=False)
        policy = anchor.policy(settings.planning)
        sized = sized_groups(store, groups, policy, today, settings.language)
        histories = {
            name: store.history([str(r) for r in group]) if store is not None else NO_HISTORY
            for name, group in groups
        }
    finally:
        if store is not None:
            store.close()
    window = settings.planning.velocity_sprints
    reviews = []
    for name, group in groups:
        group_policy = sized[name].policy
        group_actions = [a for ref in group for a in read.actions[str(ref)]]
        evaluation, _pins = plan_with_memory(
            group_actions, memory, group_policy, today, language=settings.language
        )
        review = build_review(
            evaluation,
            histories[name],
            group_policy,
            today,
            objectives=settings.objectives,
            window=window,
            sprint=sprint,
            # A board planned alone is named as its tool names it; a [[teams]] group by its name.
            team=read.names.get(name) or name,
            boards=[str(r) for r in group],
            language=settings.language,
        )
        reviews.append((review, evaluation, group_policy))
    return reviews


def run_review(
    out: Output,
    texts: list[str],
    *,
    config: Path | None,
    today: date,
    sprint: int | None,
    out_path: Path | None,
    json_out: bool,
) -> int:
    if sprint is not None and sprint < 1:
        raise UsageError(f"--sprint {sprint}: sprints count from 1", hint="write --sprint 1 or more")
    settings = settings_for(config)
    built = build_reviews(out, settings, texts, today, sprint)
    if json_out:
        out.json(review_json([review for review, _, _ in built]))
        if out_path is None:
            return 0
    path = out_path or DEFAULT_OUT
    write_review(path, built, settings, today)
    out.info(f"review written to {path.resolve()}")
    for review, _, _ in built:
        if review.filling:
            waiting = ", ".join(section.value for section in review.filling)
            out.info(f"{review.team}: {waiting} start filling after the next runs of moteur sync or plan")
    return 0


def write_review(
    path: Path, built: list[tuple[Review, Evaluation, PlanningPolicy]], settings: Settings, today: date
) -> None:
    """Render the page and write it (its directory must exist)."""
    if not path.parent.is_dir():
        raise UsageError(f"--out {path}: no directory {path.parent}", hint="create it, or write another path")
    language = settings.language
    pages = [
        ReviewPage(
            review,
            charts(review, evaluation, policy, language),
            [point for point, _ in matrix_points(evaluation)],
        )
        for review, evaluation, policy in built
    ]
    html = render_html(pages, language, today, charts_missing=not have_charts())
    path.write_text(html, encoding="utf-8")


def demo_review_path() -> Path:
    """Where ``moteur demo`` leaves its review: beside the system's temporary files, not in the directory it
    runs in (the demo leaves nothing there), and not in its own temporary directory (removed at the end)."""
    return Path(tempfile.gettempdir()) / "moteur-demo" / "review.html"


def run_demo_review(out: Output, refs: list[str], config: Path, today: date) -> Path:
    """The demo's last step: the review of its boards, written to ``demo_review_path``."""
    path = demo_review_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    settings = settings_for(config)
    write_review(path, build_reviews(out, settings, refs, today, None), settings, today)
    return path
