"""``moteur boards [TOOL]``: the boards and projects the credentials reach, as references ready to paste.

Without TOOL, every tool whose credentials are set is asked; a tool that fails (a rejected token) is
reported on stderr and the others are still listed, and the exit code is that failure's. With TOOL, that
tool must have credentials, and its failure is the command's error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from moteur.commands.context import settings_for
from moteur.core.errors import AuthError, MoteurError, UsageError
from moteur.core.model import BoardRef, Tool
from moteur.redaction import scrub
from moteur.settings import Settings
from moteur.views.terminal import plain

if TYPE_CHECKING:
    from moteur.cli import Output

Listing = list[tuple[BoardRef, str]]
NAMES = {Tool.TRELLO: "Trello", Tool.ASANA: "Asana", Tool.MONDAY: "monday.com"}
NOUNS = {Tool.TRELLO: "board", Tool.ASANA: "project", Tool.MONDAY: "board"}
CREDENTIAL_FIELDS = {
    Tool.TRELLO: ("trello_api_key", "trello_token"),
    Tool.ASANA: ("asana_token",),
    Tool.MONDAY: ("monday_token",),
}


def trello_boards(settings: Settings) -> Listing:
    from moteur.connectors.trello.account import reachable_boards
    from moteur.connectors.trello.transport import trello_client

    client = trello_client(settings)
    try:
        return reachable_boards(client)
    finally:
        client.close()


def asana_projects(settings: Settings) -> Listing:
    from moteur.connectors.asana.account import reachable_projects, whoami
    from moteur.connectors.asana.transport import asana_client

    client = asana_client(settings)
    try:
        return reachable_projects(client, whoami(client))
    finally:
        client.close()


def monday_boards(settings: Settings) -> Listing:
    from moteur.connectors.monday.account import reachable_boards
    from moteur.connectors.monday.transport import ComplexityPacer, MondayTransport, monday_client

    http, path = monday_client(settings)
    try:
        return reachable_boards(MondayTransport(http, path, ComplexityPacer(sleep=http.options.sleep)))
    finally:
        http.close()


LISTERS: dict[Tool, Callable[[Settings], Listing]] = {
    Tool.TRELLO: trello_boards,
    Tool.ASANA: asana_projects,
    Tool.MONDAY: monday_boards,
}


def chosen_tools(tool: str | None, settings: Settings) -> list[Tool]:
    """The named tool, or every tool with at least one credential set."""
    if tool is not None:
        name = tool.strip().lower().removesuffix(":").removesuffix(".com")
        if name not in {t.value for t in LISTERS}:
            raise UsageError(
                f"moteur boards {tool!r}: not a tool with boards", hint="write trello, asana or monday"
            )
        return [Tool(name)]
    found = [t for t, fields in CREDENTIAL_FIELDS.items() if any(getattr(settings, f) for f in fields)]
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
            listings[each] = LISTERS[each](settings)
        except MoteurError as exc:
            if tool is not None:
                raise
            errors.append((each, exc))
    if json_out:
        out.json(boards_json(listings, errors))
    else:
        render_boards(out, listings)
    for each, failure in errors:
        out.error(MoteurError(f"{NAMES[each]}: {failure.message}", hint=failure.hint))
    if listings and not json_out:
        out.info("Paste the references into `boards` in moteur.toml, then run `moteur doctor`.")
    return max((failure.exit_code for _, failure in errors), default=0)


def render_boards(out: Output, listings: dict[Tool, Listing]) -> None:
    for tool, listing in listings.items():
        noun = NOUNS[tool] + ("" if len(listing) == 1 else "s")
        out.out.print(Text(f"{NAMES[tool]} ({len(listing)} {noun})", style="bold"))
        if not listing:
            out.out.print(f"  (no {NOUNS[tool]} reachable with these credentials)", markup=False)
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
