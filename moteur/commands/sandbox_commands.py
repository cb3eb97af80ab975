"""``moteur sandbox serve`` and ``moteur sandbox env``: the offline emulators, and their environment handed
to a shell without a race (``moteur/sandbox/env_file.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moteur.commands.options import QuietOpt, VerboseOpt
from moteur.core.errors import UsageError

sandbox_app = typer.Typer(help="Run the offline emulators of the Trello, Asana and monday.com APIs.")


@sandbox_app.command("serve")
def sandbox_serve(
    host: Annotated[
        str, typer.Option(help="Address to bind: loopback, unless --allow-remote.")
    ] = "127.0.0.1",
    allow_remote: Annotated[
        bool,
        typer.Option("--allow-remote", help="Let --host be an address other machines reach (tests only)."),
    ] = False,
    port: Annotated[int, typer.Option(help="Port, 0 to 65535 (0: any free port).")] = 0,
    seed: Annotated[str, typer.Option(help="demo | empty | bulk:N (N up to 100000)")] = "demo",
    fault_rate: Annotated[float, typer.Option(help="Share of requests that meet a fault, 0 to 1.")] = 0.0,
    fault_seed: Annotated[int, typer.Option(help="Seed of the fault generator.")] = 0,
    latency_ms: Annotated[int, typer.Option(help="Added latency per request.")] = 0,
    rate_limits: Annotated[str, typer.Option(help="on | off")] = "on",
    asana_tier: Annotated[str, typer.Option(help="paid | free")] = "paid",
    strict: Annotated[
        bool, typer.Option("--strict/--lenient", help="Refuse what the vendors' own contracts refuse.")
    ] = True,
    env_file: Annotated[
        Path | None,
        typer.Option(
            "--env-file",
            help="Also write the environment to FILE once listening (removed on exit); "
            'load it with: eval "$(moteur sandbox env FILE)".',
        ),
    ] = None,
    verbose: VerboseOpt = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="With --env-file: no JSON line on stdout.")
    ] = False,
) -> None:
    """Serve the emulators on loopback until Ctrl-C or SIGTERM; the first stdout line is JSON with the URLs,
    tokens and boards."""
    from moteur.sandbox.serve import check_options, serve_forever

    if rate_limits not in ("on", "off"):
        raise UsageError(f"--rate-limits {rate_limits!r}", hint="write on or off")
    if asana_tier not in ("paid", "free"):
        raise UsageError(f"--asana-tier {asana_tier!r}", hint="write paid or free")
    bind = check_options(
        host=host,
        allow_remote=allow_remote,
        port=port,
        seed=seed,
        fault_rate=fault_rate,
        latency_ms=latency_ms,
    )
    if env_file is not None and not env_file.absolute().parent.is_dir():
        raise UsageError(f"--env-file {env_file}: no such directory", hint="create it, or name another file")
    serve_forever(
        host=bind,
        port=port,
        seed=seed,
        fault_rate=fault_rate,
        fault_seed=fault_seed,
        latency_ms=latency_ms,
        rate_limits=rate_limits == "on",
        asana_tier=asana_tier,
        strict=strict,
        allow_remote=allow_remote,
        env_file=env_file,
        # The JSON line is the result, unless the file is (then --quiet keeps a pasted walkthrough tidy).
        announce=not (quiet and env_file is not None),
    )


@sandbox_app.command("env")
def sandbox_env(
    file: Annotated[Path, typer.Argument(help="The file of `sandbox serve --env-file FILE`.")] = Path(
        "sandbox.env"
    ),
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the sandbox to listen.")] = 30.0,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Wait until the sandbox of FILE listens, then print its variables as `export` lines, for
    eval "$(moteur sandbox env sandbox.env)". Exit 1 if it does not answer within --timeout."""
    from moteur.sandbox.env_file import exports, wait_for

    if not timeout >= 0:  # NaN too
        raise UsageError(f"--timeout {timeout:g}", hint="write a number of seconds, 0 or more")
    typer.echo(exports(wait_for(file, timeout)), nl=False)
