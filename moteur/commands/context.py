"""What every command needs first: settings loaded, secrets registered, board references parsed."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from moteur.core.errors import UsageError
from moteur.core.model import BoardRef
from moteur.core.refs import parse_ref
from moteur.redaction import register_secret
from moteur.settings import Settings, TeamGroup, dotenv_warning, load_settings


def settings_for(config: Path | None) -> Settings:
    """The settings of one command (each command calls this once, so a warning here shows once)."""
    warning = dotenv_warning()
    if warning:
        # .env holds tokens: say so when others can read it (issue 9); on stderr, never failing the command.
        Console(stderr=True, highlight=False).print(f"warning: {warning}", markup=False)
    settings = load_settings(config)
    for secret in (
        settings.trello_api_key,
        settings.trello_token,
        settings.asana_token,
        settings.monday_token,
    ):
        if secret is not None:
            register_secret(secret.get_secret_value())
    return settings


def board_refs(texts: Sequence[str], settings: Settings) -> list[BoardRef]:
    chosen = list(texts) or list(settings.boards)
    if not chosen:
        raise UsageError(
            "no board given",
            hint="name one (e.g. file:plan.csv) or list them under `boards` in moteur.toml",
        )
    refs: list[BoardRef] = []
    for text in chosen:
        ref = parse_ref(text)
        if ref not in refs:
            refs.append(ref)
    return refs


def team_groups(refs: Sequence[BoardRef], teams: Sequence[TeamGroup]) -> list[tuple[str, list[BoardRef]]]:
    """Boards planned together: each ``[[teams]]`` group shares one capacity; any other board is alone."""
    groups: list[tuple[str, list[BoardRef]]] = []
    placed: set[BoardRef] = set()
    for team in teams:
        members = [r for r in refs if str(r) in team.boards and r not in placed]
        if members:
            groups.append((team.name, members))
            placed.update(members)
    for ref in refs:
        if ref not in placed:
            groups.append((str(ref), [ref]))
    return groups


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a command builds its (acyclic) model of many actions.

    With 100,000 actions Python's collector rescans the growing heap again and again: about 40% of the
    planning time. Reference counting still frees everything; the collector runs once at the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
