"""The command line: every command, and the one place errors become messages and exit codes.

Exit codes: 0 success / no changes; 1 failed while running; 2 usage or configuration error; 3 authentication
or permission error; 4 a ``--detailed-exitcode`` dry-run with pending changes.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from moteur.core.errors import MoteurError, UsageError
from moteur.redaction import scrub

app = typer.Typer(
    name="moteur",
    help="Score, plan and write back a team's actions in Trello, Asana, monday.com or a file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
sandbox_app = typer.Typer(help="Run the offline emulators of the Trello, Asana and monday.com APIs.")
app.add_typer(sandbox_app, name="sandbox")

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="moteur.toml to read (default: $MOTEUR_CONFIG, then ./moteur.toml)."),
]
TodayOpt = Annotated[str | None, typer.Option("--today", help="Plan as if today were YYYY-MM-DD.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Say more (never secrets).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors and the result.")]


class Output:
    """Where a command writes: results on stdout, progress and diagnostics on stderr."""

    def __init__(self, *, verbose: bool = False, quiet: bool = False, json_mode: bool = False) -> None:
        no_color = bool(os.environ.get("NO_COLOR"))
        self.out = Console(no_color=no_color, highlight=False, soft_wrap=False)
        if not self.out.is_terminal:
            # Piped or captured output: wide enough for the sprint table, the same on every machine.
            self.out = Console(no_color=no_color, highlight=False, soft_wrap=False, width=120)
        self.err = Console(stderr=True, no_color=no_color, highlight=False, soft_wrap=True)
        self.verbose = verbose
        self.quiet = quiet
        self.json_mode = json_mode
        logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, stream=sys.stderr)

    @property
    def show_progress(self) -> bool:
        return not self.quiet and not self.json_mode and self.err.is_terminal

    def info(self, text: str) -> None:
        if not self.quiet:
            self.err.print(text)

    def warn(self, text: str) -> None:
        self.err.print(f"[yellow]warning:[/yellow] {scrub(text)}", highlight=False)

    def json(self, payload: Any) -> None:
        """Print JSON on stdout: indented at a terminal, compact (~10× faster to encode) in a pipe.

        A top-level value that is an iterator is streamed as an array, one element at a time, so that
        100,000 actions never sit in memory twice (as dicts and as one big string).
        """
        indent = 2 if sys.stdout.isatty() else None
        if not isinstance(payload, dict) or not any(isinstance(v, Iterator) for v in payload.values()):
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=indent) + "\n")
            return
        write = sys.stdout.write
        write("{")
        for n, (key, value) in enumerate(payload.items()):
            write(("," if n else "") + json.dumps(key) + ":")
            if isinstance(value, Iterator):
                write("[")
                for m, element in enumerate(value):
                    write(("," if m else "") + json.dumps(element, ensure_ascii=False))
                write("]")
            else:
                write(json.dumps(value, ensure_ascii=False, indent=indent))
        write("}\n")


def parse_today(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--today {text!r} is not a date", hint="write it as YYYY-MM-DD") from None


@app.command()
def plan(
    refs: Annotated[list[str], typer.Argument(help="Boards: file:PATH, trello:ID, asana:GID, monday:ID.")],
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
        run_plan(out, refs, config=config, today=parse_today(today), json_out=json_out, chart=chart)


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
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """List past runs: id, start, end, boards, counts, outcome."""
    from moteur.commands.runs_command import run_runs

    out = Output(verbose=verbose, quiet=quiet, json_mode=json_out)
    run_runs(out, config=config, json_out=json_out, limit=limit)


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
    language: Annotated[str, typer.Option(help="en | fr")] = "fr",
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
    from moteur.commands.doctor_command import run_doctor

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


@sandbox_app.command("serve")
def sandbox_serve(
    host: Annotated[str, typer.Option(help="Loopback address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 0,
    seed: Annotated[str, typer.Option(help="demo | empty | bulk:N")] = "demo",
    fault_rate: Annotated[float, typer.Option(help="Share of requests that meet a fault.")] = 0.0,
    fault_seed: Annotated[int, typer.Option(help="Seed of the fault generator.")] = 0,
    latency_ms: Annotated[int, typer.Option(help="Added latency per request.")] = 0,
    rate_limits: Annotated[str, typer.Option(help="on | off")] = "on",
    asana_tier: Annotated[str, typer.Option(help="paid | free")] = "paid",
    strict: Annotated[
        bool, typer.Option("--strict/--lenient", help="Refuse what the vendors' own contracts refuse.")
    ] = True,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Serve the emulators on loopback; the first stdout line is JSON with the URLs, tokens and boards."""
    from moteur.sandbox.serve import serve_forever

    if rate_limits not in ("on", "off"):
        raise UsageError(f"--rate-limits {rate_limits!r}", hint="write on or off")
    if asana_tier not in ("paid", "free"):
        raise UsageError(f"--asana-tier {asana_tier!r}", hint="write paid or free")
    serve_forever(
        host=host,
        port=port,
        seed=seed,
        fault_rate=fault_rate,
        fault_seed=fault_seed,
        latency_ms=latency_ms,
        rate_limits=rate_limits == "on",
        asana_tier=asana_tier,
        strict=strict,
    )


def _print_error(exc: MoteurError) -> None:
    err = Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")), highlight=False, soft_wrap=True)
    err.print(f"[bold red]error:[/bold red] {scrub(exc.message)}", highlight=False, markup=True)
    if exc.hint:
        err.print(f"  → {scrub(exc.hint)}", highlight=False, markup=False)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app; turn every error into one message and a documented exit code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, prog_name="moteur")  # standalone: usage errors exit 2 with click's message
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except MoteurError as exc:
        _print_error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted")
        return 130
    except Exception as exc:  # the last line of defence: no traceback, no secret
        if "-v" in args or "--verbose" in args:
            import traceback

            sys.stderr.write(scrub("".join(traceback.format_exception(exc))))
        Console(stderr=True).print(
            f"internal error: {type(exc).__name__}: {scrub(str(exc))} (rerun with --verbose and report it)",
            markup=False,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
