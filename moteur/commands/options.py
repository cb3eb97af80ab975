"""The options every command spells the same way (``--config``, ``--today``, ``--json``, ``-v``, ``-q``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from moteur.core.errors import UsageError

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="moteur.toml to read (default: $MOTEUR_CONFIG, then ./moteur.toml)."),
]
TodayOpt = Annotated[str | None, typer.Option("--today", help="Plan as if today were YYYY-MM-DD.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Say more (never secrets).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors and the result.")]


def parse_today(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--today {text!r} is not a date", hint="write it as YYYY-MM-DD") from None
