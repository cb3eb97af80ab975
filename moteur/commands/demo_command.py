"""``moteur demo``: the whole idea in a minute, with no account and no network.

It starts the sandbox in-process with its demo seed (one marketing board on each of Trello, Asana and
monday.com), then for each board: the priority matrix and sprint plan, ``sync --dry-run`` (the plan of
changes), ``sync``, and a second dry-run that says ``No changes.``. Everything it writes (the state database,
a config) lives in a temporary directory that is removed at the end.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from moteur.commands.plan_command import run_plan
from moteur.commands.review_command import run_demo_review
from moteur.commands.sync_command import run_sync
from moteur.core.policy import Language
from moteur.i18n import _, set_language
from moteur.runtime import current
from moteur.settings import TOKEN_PAGES

if TYPE_CHECKING:
    from moteur.views.output import Output

TOOLS = ("trello", "asana", "monday")
TOOL_NAMES = {"trello": "Trello", "asana": "Asana", "monday": "monday.com"}


def connect_lines() -> tuple[str, ...]:
    """How to go on with a real board, in the current language."""
    return (
        _(
            "Trello:  MOTEUR_TRELLO_API_KEY + MOTEUR_TRELLO_TOKEN in .env, then: "
            "moteur sync trello:<id> --dry-run"
        ),
        _("         (a key, then its token: {page})").format(page=TOKEN_PAGES["trello"]),
        _("Asana:   MOTEUR_ASANA_TOKEN in .env, then: moteur sync asana:<project gid> --dry-run"),
        _("         (a personal access token: {page})").format(page=TOKEN_PAGES["asana"]),
        _("monday:  MOTEUR_MONDAY_TOKEN in .env, then: moteur sync monday:<board id> --dry-run"),
        _("         (a personal API token: {page})").format(page=_(TOKEN_PAGES["monday"])),
        _("Or try the same walkthrough on the sandbox: see the README, “Try it without an account”."),
    )


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the demo only, and put back what was there."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def demo_config(directory: Path, today: date, language: Language) -> Path:
    monday = today - timedelta(days=today.weekday())
    path = directory / "moteur.toml"
    path.write_text(
        f'language = "{language.value}"\n'
        "[planning]\n"
        f"first_sprint = {monday.isoformat()}\n"
        "sprint_weeks = 2\nhorizon = 4\ncapacity_per_sprint = 30\n"
        f'closures = [["{today.year}-12-24", "{today.year + 1}-01-01"]]\n',
        encoding="utf-8",
    )
    return path


def run_demo(out: Output, *, today: date, language: Language) -> int:
    from moteur.sandbox.serve import start_sandbox

    set_language(language)
    steps = len(TOOLS) * 4
    with (
        tempfile.TemporaryDirectory(prefix="moteur-demo-") as tmp,
        # The sandbox keeps the vendors' rate limits on the run's clock, the one moteur paces itself by.
        start_sandbox(seed="demo", rate_limits=True, clock=current().clock) as sandbox,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=out.err,
            disable=not out.show_progress,
            transient=True,
        ) as progress,
    ):
        config = demo_config(Path(tmp), today, language)
        env = {**sandbox.env, "MOTEUR_STATE_URL": f"sqlite:///{Path(tmp) / 'state.db'}"}
        task = progress.add_task("demo", total=steps)
        worst = 0
        with environment(env):
            for tool in TOOLS:
                refs = sandbox.boards.get(tool) or []
                if not refs:
                    out.warn(_("the sandbox has no {tool} demo board; skipped").format(tool=TOOL_NAMES[tool]))
                    progress.advance(task, 4)
                    continue
                ref = refs[0]
                out.out.print(Panel(f"{TOOL_NAMES[tool]} — {ref}", style="bold"))
                progress.update(task, description=_("{tool}: priority matrix").format(tool=TOOL_NAMES[tool]))
                run_plan(out, [ref], config=config, today=today, json_out=False, chart=None)
                progress.advance(task)
                out.out.rule(f"moteur sync {ref} --dry-run")
                progress.update(task, description=_("{tool}: dry-run").format(tool=TOOL_NAMES[tool]))
                worst = max(worst, _sync(out, ref, config, today, dry_run=True))
                progress.advance(task)
                out.out.rule(f"moteur sync {ref}")
                progress.update(task, description=_("{tool}: sync").format(tool=TOOL_NAMES[tool]))
                worst = max(worst, _sync(out, ref, config, today, dry_run=False, quiet_plan=True))
                progress.advance(task)
                out.out.rule(f"moteur sync {ref} --dry-run " + _("(again)"))
                progress.update(task, description=_("{tool}: second dry-run").format(tool=TOOL_NAMES[tool]))
                worst = max(worst, _sync(out, ref, config, today, dry_run=True))
                progress.advance(task)
            # The follow-up meeting's report of the boards just synced, kept after the demo (docs/review.md).
            shown = [found[0] for tool in TOOLS if (found := sandbox.boards.get(tool))]
            review = run_demo_review(out, shown, config, today)
    out.out.print()
    out.out.print(
        Text(_("Connect a real board"), style="bold")
        + Text(_(" (tokens go in the environment or .env, never on the command line):"))
    )
    for line in connect_lines():
        out.out.print(f"  {line}", markup=False)
    out.out.print()
    said = _("The follow-up review of the demo boards (moteur review): {path}").format(path=review)
    out.out.print(said, markup=False, soft_wrap=True)  # a path is never cut
    return worst


def _sync(
    out: Output, ref: str, config: Path, today: date, *, dry_run: bool, quiet_plan: bool = False
) -> int:
    return run_sync(
        out,
        [ref],
        config=config,
        today=today,
        dry_run=dry_run,
        json_out=False,
        plan_out=None,
        detailed_exitcode=False,
        replan=False,
        force=False,
        show_plan=not quiet_plan,
        max_items=6,
    )
