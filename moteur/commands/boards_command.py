"""``moteur boards [TOOL]``: the boards and projects the credentials reach, as references ready to paste.

Without TOOL, every tool whose credentials are set is asked; a tool that fails (a rejected token) is
reported on stderr and the others are still listed, and the exit code is that failure's. With TOOL, that
tool must have credentials, and its failure is the command's error.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from moteur.commands.context import settings_for
from moteur.connectors.base import connector_for, describe
from moteur.core.errors import AuthError, MoteurError, UsageError
from moteur.core.model import Tool
from moteur.core.ports import Listing
from moteur.redaction import scrub
from moteur.settings import Settings
from moteur.views.terminal import plain

if TYPE_CHECKING:
    from moteur.views.output import Output

ACCOUNT_TOOLS = (Tool.TRELLO, Tool.ASANA, Tool.MONDAY)  # the tools with accounts (a file has none)


def credentials_set(tool: Tool, settings: Settings, *, every: bool = False) -> bool:
    """Whether any (or ``every``) of the settings ``tool`` needs is set."""
    present = [bool(getattr(settings, c.field)) for c in describe(tool).credentials]
    return all(present) if every else any(present)


def reachable(tool: Tool, settings: Settings) -> Listing:
    """The boards ``tool``'s credentials reach, through its connector."""
    connector = connector_for(tool, settings)
    try:
        return connector.reachable_boards()
    finally:
        connector.close()


def chosen_tools(tool: str | None, settings: Settings) -> list[Tool]:
    """The named tool, or every tool with at least one credential set."""
    if tool is not None:
        name = tool.strip().lower().removesuffix(":").removesuffix(".com")
        if name not in {t.value for t in ACCOUNT_TOOLS}:
            raise UsageError(
                f"moteur boards {tool!r}: not a tool with boards", hint="write trello, asana or monday"
            )
        return [Tool(name)]
    found = [t for t in ACCOUNT_TOOLS if credentials_set(t, settings)]
    if not found:
        raise AuthError(  # a missing token exits 3, as in every command
            "no credentials set for Trello, Asana or monday.com",
            hint="put MOTEUR_TRELLO_API_KEY and MOTEUR_TRELLO_TOKEN, MOTEUR_ASANA_TOKEN or "
            "MOTEUR_MONDAY_TOKEN in .env (see `moteur init`)",
        )
    return found


def run_boards(out: Output, tool: str | None, *, config: Path | None, json_out: bool) -> int:
    settings = settings_for(config)
    tools = chosen_tools(tool, settings)
    listings: dict[Tool, Listing] = {}
    errors: list[tuple[Tool, MoteurError]] = []
    for each in tools:
        try:
            listings[each] = reachable(each, settings)
        except MoteurError as exc:
            if tool is not None:
                raise
            errors.append((each, exc))
    if json_out:
        out.json(boards_json(listings, errors))
    else:
        render_boards(out, listings)
    for each, failure in errors:
        out.error(MoteurError(f"{describe(each).name}: {failure.message}", hint=failure.hint))
    if listings and not json_out:
        out.info("Paste the references into `boards` in moteur.toml, then run `moteur doctor`.")
    return max((failure.exit_code for _, failure in errors), default=0)


def render_boards(out: Output, listings: dict[Tool, Listing]) -> None:
    for tool, listing in listings.items():
        about = describe(tool)
        noun = about.board + ("" if len(listing) == 1 else "s")
        out.out.print(Text(f"{about.name} ({len(listing)} {noun})", style="bold"))
        if not listing:
            out.out.print(f"  (no {about.board} reachable with these credentials)", markup=False)
        width = max((len(str(ref)) for ref, _ in listing), default=0)
        for ref, name in listing:
            out.out.print(plain(f"  {str(ref).ljust(width)}  {name}"))  # names come from the services


def boards_json(listings: dict[Tool, Listing], errors: list[tuple[Tool, MoteurError]]) -> dict[str, Any]:
    return {
        "boards": [
            {"tool": tool.value, "ref": str(ref), "name": name}
            for tool, listing in listings.items()
            for ref, name in listing
        ],
        "errors": [
            {"tool": tool.value, "error": scrub(exc.message), "hint": scrub(exc.hint or "")}
            for tool, exc in errors
        ],
    }
