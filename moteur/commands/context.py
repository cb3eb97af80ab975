"""What every command needs first: settings loaded, secrets registered, board references parsed."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from moteur.core.errors import UsageError
from moteur.core.model import BoardRef, Tool
from moteur.core.refs import parse_ref
from moteur.i18n import set_language
from moteur.redaction import register_secret, register_url
from moteur.settings import (
    NO_CONFIG,
    Settings,
    TeamGroup,
    check_secrets,
    dotenv_warning,
    load_settings,
    near,
)


def settings_for(config: Path | None, *, warn: bool = True) -> Settings:
    """The settings of one command (each command calls this once, so a warning here shows once).

    ``warn=False``: no word about ``.env``'s mode (``init`` reads the settings only to list boards, and
    says it itself)."""
    settings = load_settings(config)
    set_language(settings.language)  # every message after this one speaks the configured language
    warning = dotenv_warning(settings.env_file) if settings.env_file and warn else None
    if warning:
        # .env holds tokens: say so when others can read it; on stderr, never failing the command.
        Console(stderr=True, highlight=False).print(f"warning: {warning}", markup=False)
    for secret in (
        settings.trello_api_key,
        settings.trello_token,
        settings.asana_token,
        settings.monday_token,
    ):
        if secret is not None:
            register_secret(secret.get_secret_value())
    # A proxy or mirror URL may carry user:password; no message may show it.
    for url in (settings.trello_url, settings.asana_url, settings.monday_url, settings.state_url):
        register_url(url)
    check_secrets(settings)
    return settings


# What a board id looks like, per tool: anything else (a path segment, "..", a query) is refused before a
# request is made, so a REF can never address another API route (``asana:123/../../users/me``).
_ID_SHAPES: dict[Tool, tuple[re.Pattern[str], str, str]] = {
    Tool.TRELLO: (
        re.compile(r"[0-9A-Za-z]+"),
        "a Trello board",
        "the board id or the shortLink of trello.com/b/<shortLink>/…",
    ),
    Tool.ASANA: (
        re.compile(r"[0-9]+"),
        "an Asana project",
        "the project gid: the number after /project/ in its URL",
    ),
    Tool.MONDAY: (re.compile(r"[0-9]+"), "a monday.com board", "the board id: the number in …/boards/<id>"),
}


def checked_ref(text: str) -> BoardRef:
    """``parse_ref``, then the id's shape checked (``UsageError``) and a file path written the one way
    (``./p.csv`` is ``p.csv``, as a person wrote it: ``init`` keeps it so; ``board_refs`` makes it canonical).
    """
    ref = parse_ref(text)
    if ref.tool is Tool.FILE:
        return BoardRef(tool=Tool.FILE, board=str(Path(ref.board)))
    shape = _ID_SHAPES.get(ref.tool)
    if shape is None:
        return ref
    pattern, noun, form = shape
    if not pattern.fullmatch(ref.board):
        raise UsageError(f"{text!r} does not name {noun}", hint=f"after {ref.tool.value}: write {form}")
    return ref


def canonical_file(ref: BoardRef) -> BoardRef:
    """A file board by its absolute path, symlinks resolved; any other REF as it is.

    A file is one board however it is named (``p.csv``, ``./p.csv``, its absolute path, a symlink to it):
    one lock, one state (``docs/state.md``).
    """
    if ref.tool is not Tool.FILE:
        return ref
    return BoardRef(tool=Tool.FILE, board=str(Path(ref.board).resolve()))


def board_refs(texts: Sequence[str], settings: Settings) -> list[BoardRef]:
    chosen = list(texts) or list(settings.boards)
    if not chosen:
        config = settings.config_file
        hint = (
            f"{NO_CONFIG} (or name a board: file:plan.csv, trello:<id>…)"
            if config is None
            else f"name one (e.g. file:plan.csv) or list them under `boards` in {near(config)}"
        )
        raise UsageError("no board given", hint=hint)
    refs: list[BoardRef] = []
    for text in chosen:
        ref = canonical_file(checked_ref(text))
        if ref not in refs:
            refs.append(ref)
    return refs


def team_groups(
    refs: Sequence[BoardRef], teams: Sequence[TeamGroup], names: Mapping[str, BoardRef] | None = None
) -> list[tuple[str, list[BoardRef]]]:
    """Boards planned together: each ``[[teams]]`` group shares one capacity; any other board is alone.

    ``names``: each REF as named → the board it names (``board_identity``), so a team that lists a Trello
    board by its shortLink finds it under its id."""
    groups: list[tuple[str, list[BoardRef]]] = []
    placed: set[BoardRef] = set()
    known = {text: str(ref) for text, ref in (names or {}).items()}
    for team in teams:
        named = {known.get(ref, ref) for ref in (_same_ref(text) for text in team.boards)}
        members = [r for r in refs if str(r) in named and r not in placed]
        if members:
            groups.append((team.name, members))
            placed.update(members)
    for ref in refs:
        if ref not in placed:
            groups.append((str(ref), [ref]))
    return groups


def _same_ref(text: str) -> str:
    """A board of ``[[teams]]`` written as ``board_refs`` writes it (a file by its absolute path)."""
    try:
        return str(canonical_file(checked_ref(text)))
    except UsageError:
        return text  # matches nothing; ``boards`` itself reports a bad REF


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
