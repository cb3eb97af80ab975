"""The boards ``moteur init`` offers: when tokens are already set (the environment or ``.env``), the boards
and projects they reach, so a person picks them (by number, interactively) or pastes them, rather than
looking ids up in URLs. Without tokens nothing is asked of any service; a tool that fails is a warning, and
``init`` goes on: its job is the files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from moteur.commands.boards_command import ACCOUNT_TOOLS, credentials_set, reachable
from moteur.commands.context import settings_for
from moteur.connectors.base import describe
from moteur.core.errors import MoteurError
from moteur.redaction import scrub
from moteur.views.terminal import clean_text

if TYPE_CHECKING:
    from moteur.views.output import Output

Reachable = list[tuple[str, str]]  # (ref, name), as `moteur boards` lists them


def one_line(name: str) -> str:
    """A board's name fit for one line of a terminal or of a TOML comment."""
    return " ".join(clean_text(name).split())


def reachable_boards(out: Output) -> Reachable:
    """Every board the tokens already set reach; [] when none is set or the settings cannot be read."""
    try:
        settings = settings_for(None, warn=False)  # registers the tokens with the scrubber, too
    except MoteurError:
        return []  # a broken moteur.toml (init --force replaces it) or token: init says nothing of boards
    found: Reachable = []
    for tool in ACCOUNT_TOOLS:
        if not credentials_set(tool, settings, every=True):
            continue
        try:
            listing = reachable(tool, settings)
        except MoteurError as exc:
            out.warn(scrub(f"{describe(tool).name}: cannot list the boards: {exc.message}"))
            continue
        found.extend((str(ref), one_line(name)) for ref, name in listing)
    return found


def of_tool(reachable: Reachable, tool: str) -> Reachable:
    return [(ref, name) for ref, name in reachable if ref.startswith(f"{tool}:")]


def numbered(listing: Reachable) -> str:
    """``  1. trello:6a96…  Plan marketing`` lines, for a question that takes numbers."""
    width = max((len(ref) for ref, _ in listing), default=0)
    return "\n".join(f"  {n}. {ref.ljust(width)}  {name}" for n, (ref, name) in enumerate(listing, 1))


def picked(part: str, listing: Sequence[tuple[str, str]]) -> str | None:
    """The ref of number ``part`` of ``listing``; None when ``part`` is not one of its numbers.

    A long number is an id (Asana gids and monday ids are numbers too), never a position.
    """
    if part.isdigit() and len(part) <= 3 and 1 <= int(part) <= len(listing):
        return listing[int(part) - 1][0]
    return None


def toml_comment(reachable: Reachable) -> list[str]:
    """Comment lines for ``moteur.toml``: the boards found, ready to be copied into ``boards``."""
    if not reachable:
        return []
    lines = ["# The boards your tokens reach (moteur init listed them): copy the ones to plan into boards."]
    lines.extend(f'#   "{ref}",  # {name}' for ref, name in reachable)
    return lines
