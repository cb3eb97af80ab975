"""The command line: every command, and the one place errors become messages and exit codes.

Exit codes: 0 success / no changes; 1 failed while running; 2 usage or configuration error; 3 a token missing,
refused or not allowed (the same in every command); 4 a ``--detailed-exitcode`` dry-run with pending changes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main

from moteur.commands.options import ConfigOpt, JsonOpt, QuietOpt, TodayOpt, VerboseOpt, parse_today
from moteur.commands.sandbox_commands import sandbox_app
from moteur.core.errors import MoteurError, UsageError
from moteur.core.policy import DEFAULT_LANGUAGE
from moteur.i18n import set_language
from moteur.redaction import scrub
from moteur.runtime import installed
from moteur.views.output import Output, console, documented, print_error
from moteur.views.terminal import clean_text

__all__ = ["Output", "app", "main"]

app = typer.Typer(
    name="moteur",
    help="Score, plan and write back a team's actions in Trello, Asana, monday.com or a file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(sandbox_app, name="sandbox")


def _print_version(value: bool) -> None:
    if value:
        from moteur import __version__  # the one version (the wheel's metadata reads the same attribute)

        typer.echo(f"moteur {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    # The options given before the command name; --version is eager, so it answers without a command.
    pass


@app.command()
def plan(
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Boards: file:PATH, trello:ID, asana:GID, monday:ID (default: `boards` of the config)."
        ),
    ] = None,
    config: ConfigOpt = None,
    today: TodayOpt = None,
    json_out: JsonOpt = False,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Draw the priority matrix to a .png or .svg file.")
    ] = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Score the actions of one or more boards and plan them into sprints. Writes nothing."""
    from moteur.commands.context import gc_paused
    from moteur.commands.plan_command import run_plan

    out = Output(verbose=verbose, quiet=quiet, json_mode=json_out)
    with gc_paused():
        run_plan(out, refs or [], config=config, today=parse_today(today), json_out=json_out, chart=chart)


@app.command()
def review(
    refs: Annotated[
        list[str] | None, typer.Argument(help="Boards (default: `boards` of the config).")
    ] = None,
    sprint: Annotated[
        int | None, typer.Option("--sprint", help="The sprint to review (default: the current one).")
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write the HTML report there (default: review.html).")
    ] = None,
    config: ConfigOpt = None,
    today: TodayOpt = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write the follow-up meeting's report: the sprint, what is late and why, velocity, alignment."""
    from moteur.commands.review_command import run_review

    out = Output(verbose=verbose, quiet=quiet, json_mode=json_out)
    code = run_review(
        out,
        refs or [],
        config=config,
        today=parse_today(today),
        sprint=sprint,
        out_path=out_path,
        json_out=json_out,
    )
    raise typer.Exit(code)


@app.command()
def sync(
    refs: Annotated[
        list[str] | None, typer.Argument(help="Boards (default: `boards` of the config).")
    ] = None,
    config: ConfigOpt = None,
    today: TodayOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show every change; write nothing.")] = False,
    json_out: JsonOpt = False,
    plan_out: Annotated[Path | None, typer.Option("--plan-out", help="Save the plan for `apply`.")] = None,
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="With --dry-run: exit 4 when there are changes.")
    ] = False,
    replan: Annotated[bool, typer.Option("--replan", help="Drop the sprints people pinned by hand.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Go on even if a board suddenly reads as empty.")
    ] = False,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Draw the planned priority matrix to a .png or .svg file.")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Read every item, not only what changed since the last run.")
    ] = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write each action's quadrant, sprint and ICE back to its board (or show it with --dry-run)."""
    from moteur.commands.context import gc_paused
    from moteur.commands.sync_command import run_sync

    if detailed_exitcode and not dry_run:
        # A real sync's exit code says whether it worked; 4 ("changes pending") only means so for a plan.
        hint = "run: moteur sync --dry-run --detailed-exitcode"
        raise UsageError("--detailed-exitcode needs --dry-run", hint=hint)
    out = Output(verbose=verbose, quiet=quiet, json_mode=json_out)
    with gc_paused():
        code = run_sync(
            out,
            refs or [],
            config=config,
            today=parse_today(today),
            dry_run=dry_run,
            json_out=json_out,
            plan_out=plan_out,
            detailed_exitcode=detailed_exitcode,
            replan=replan,
            force=force,
            chart=chart,
            full=full,
        )
    if plan_out is not None and code in (0, 4) and plan_out.is_file():
        out.info(f"plan saved to {plan_out}; apply exactly it with: moteur apply {plan_out}")
    raise typer.Exit(code)


@app.command()
def migrate(
    source: Annotated[
        str, typer.Argument(metavar="SRC", help="trello:ID, asana:GID, monday:ID or file:PATH.")
    ],
    target: Annotated[str, typer.Argument(metavar="DST", help="The same, or TOOL:new for a new board.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show counts, structure and losses; write nothing.")
    ] = False,
    json_out: JsonOpt = False,
    include_archived: Annotated[
        bool, typer.Option("--include-archived", help="Carry archived items too, archived/done.")
    ] = False,
    name: Annotated[str | None, typer.Option("--name", help="Name of a TOOL:new board.")] = None,
    workspace: Annotated[
        str | None, typer.Option("--workspace", help="Workspace of a TOOL:new board.")
    ] = None,
    map_users: Annotated[
        Path | None, typer.Option("--map-users", help="YAML/CSV: source user → target e-mail.")
    ] = None,
    config: ConfigOpt = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Copy a board to another tool or file; re-running it updates, never doubles, and resumes."""
    from moteur.commands.migrate_command import run_migrate

    out = Output(verbose=verbose, quiet=quiet, json_mode=json_out)
    code = run_migrate(
        out,
        source,
        target,
        config=config,
        dry_run=dry_run,
        json_out=json_out,
        include_archived=include_archived,
        name=name,
        workspace=workspace,
        map_users=map_users,
    )
    raise typer.Exit(code)


@app.command()
def apply(
    plan_file: Annotated[Path, typer.Argument(help="A plan saved by `sync --dry-run --plan-out FILE`.")],
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Apply exactly a saved plan; items changed since it was made are skipped and named."""
    from moteur.commands.sync_command import run_apply

    out = Output(verbose=verbose, quiet=quiet, json_mode=json_out)
    raise typer.Exit(run_apply(out, plan_file, config=config, json_out=json_out))


@app.command()
def runs(
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
    limit: Annotated[int, typer.Option("--limit", help="How many runs to list.")] = 20,
    show_all: Annotated[bool, typer.Option("--all", help="Also list the runs that changed nothing.")] = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """List past runs: id, start, end, boards, counts, outcome (runs that changed nothing: with --all)."""
    from moteur.commands.runs_command import run_runs

    out = Output(verbose=verbose, quiet=quiet, json_mode=json_out)
    run_runs(out, config=config, json_out=json_out, limit=limit, show_all=show_all)


@app.command()
def rollback(
    run_id: Annotated[int, typer.Argument(help="The run to undo (see `moteur runs`).")],
    config: ConfigOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be undone.")] = False,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Undo a run's changes where the value is still what that run wrote."""
    from moteur.commands.runs_command import run_rollback

    out = Output(verbose=verbose, quiet=quiet, json_mode=json_out)
    raise typer.Exit(run_rollback(out, run_id, config=config, dry_run=dry_run, json_out=json_out))


@app.command()
def demo(
    today: TodayOpt = None,
    language: Annotated[str, typer.Option(help="en | fr")] = DEFAULT_LANGUAGE.value,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Run the whole thing on the sandbox's demo boards: no account, no network, nothing left behind."""
    from moteur.commands.demo_command import run_demo
    from moteur.core.policy import Language

    if language not in ("en", "fr"):
        raise UsageError(f"--language {language!r}", hint="write en or fr")
    out = Output(verbose=verbose, quiet=quiet)
    raise typer.Exit(run_demo(out, today=parse_today(today), language=Language(language)))


@app.command()
def init(
    non_interactive: Annotated[
        bool, typer.Option("--non-interactive", help="Ask nothing: write the commented defaults.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing moteur.toml.")] = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write moteur.toml (tools, boards, sprints, holidays) and a .env with the token names to fill in."""
    from moteur.commands.init_command import run_init

    out = Output(verbose=verbose, quiet=quiet)
    raise typer.Exit(run_init(out, Path.cwd(), non_interactive=non_interactive, force=force))


@app.command()
def doctor(
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Check credentials, boards, write permissions, custom fields and the state database; write nothing."""
    from moteur.commands.doctor_report import run_doctor

    out = Output(verbose=verbose, quiet=quiet, json_mode=json_out)
    raise typer.Exit(run_doctor(out, config=config, json_out=json_out))


@app.command()
def boards(
    tool: Annotated[
        str | None, typer.Argument(help="trello, asana or monday (default: every tool with credentials).")
    ] = None,
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """List the boards and projects the credentials reach, as references ready to paste into moteur.toml."""
    from moteur.commands.boards_command import run_boards

    out = Output(verbose=verbose, quiet=quiet, json_mode=json_out)
    raise typer.Exit(run_boards(out, tool, config=config, json_out=json_out))


@cache
def _command() -> Callable[..., Any]:
    """The click command of ``app``, built once per process. Typer builds it from every command's signature
    each time ``app`` is called: a program (or a test) that calls ``main`` many times would pay that each
    time. Calling the command directly skips typer's pretty traceback hook, which ``main`` never lets act:
    it turns every exception into one line."""
    return typer.main.get_command(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app; turn every error into one message and a documented exit code."""
    args = sys.argv[1:] if argv is None else argv
    # Until a command has read its settings (which may say "fr"), moteur speaks the default language.
    set_language(DEFAULT_LANGUAGE)
    try:
        # One runtime for the run (time, and the rate limiters its connectors share per token); a caller that
        # installed its own (a test's virtual clock) keeps it.
        with installed():
            _command()(args=args, prog_name="moteur")  # standalone: usage errors exit 2 with click's message
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except MoteurError as exc:
        print_error(exc)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        # Ctrl-C: 130. A signal the run turned into an interrupt (core.errors.Interrupted) carries its own
        # code (143 for SIGTERM) and message.
        code = getattr(exc, "exit_code", 130)
        console(stderr=True).print(clean_text(str(getattr(exc, "message", "interrupted"))), markup=False)
        return code if isinstance(code, int) else 130
    except Exception as exc:  # the last line of defence: no traceback, no secret
        known = documented(exc)
        if known is not None:
            print_error(known)
            return known.exit_code
        if "-v" in args or "--verbose" in args:
            import traceback

            sys.stderr.write(clean_text(scrub("".join(traceback.format_exception(exc)))))
        line = f"internal error: {type(exc).__name__}: {scrub(str(exc))} (rerun with --verbose and report it)"
        console(stderr=True, soft_wrap=True).print(clean_text(line), markup=False)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
