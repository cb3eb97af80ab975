"""What ``moteur doctor`` shows: one line per check (or one JSON object), and its exit code."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from moteur.commands.context import settings_for
from moteur.commands.doctor_command import diagnose
from moteur.core.checks import Check
from moteur.i18n import _, tr
from moteur.redaction import scrub
from moteur.settings import Settings
from moteur.settings_keys import SECRETS
from moteur.views.words import plural

if TYPE_CHECKING:
    from moteur.views.output import Output


def exit_code(checks: list[Check]) -> int:
    """0 when nothing failed; 3 when a token is missing or refused (as for every command); else 1."""
    return max((c.code for c in checks if c.fails), default=0)


def payload(settings: Settings, checks: list[Check]) -> dict[str, object]:
    """The ``--json`` object: the verdict, the checks, the files read and the effective settings."""
    values = settings.model_dump(mode="json", exclude=set(SECRETS))
    code = exit_code(checks)
    return {
        "ok": code == 0,
        "exit_code": code,
        "checks": [asdict(c) for c in checks],
        "config_file": str(settings.config_file) if settings.config_file else None,
        "env_file": str(settings.env_file.absolute()) if settings.env_file else None,
        # A URL may carry user:password (a PostgreSQL state database): scrubbed like every message.
        "settings": {k: scrub(v) if isinstance(v, str) else v for k, v in values.items()},
    }


def run_doctor(out: Output, *, config: Path | None, json_out: bool) -> int:
    settings = settings_for(config)
    checks = diagnose(settings)
    if json_out:
        out.json(payload(settings, checks))
    else:
        for c in checks:
            out.out.print(render(c))
        failed = sum(c.fails for c in checks)
        summary = (
            _("{checks} failed.").format(checks=plural(failed, "check", "checks"))
            if failed
            else _("All checks passed.")
        )
        out.out.print(Text(summary, style="bold red" if failed else "bold green"))
    return exit_code(checks)


def render(check: Check) -> Text:
    mark, style = ("✓", "green") if check.ok else ("!", "yellow") if check.warning else ("✗", "red")
    line = Text.assemble((mark, style), " ", tr(check.check))
    if check.detail:
        line.append(f" — {tr(check.detail)}")
    if check.fix and not check.ok:
        line.append("\n    " + _("fix: {fix}").format(fix=tr(check.fix)), style="dim")
    return line
