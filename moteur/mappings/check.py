"""A user's mapping against the board it is used with: every name the user's own file gives must be there.

A default name that a board lacks is normal (the packaged mapping lists many candidates). A name the user
wrote in their ``--mapping`` file and that names nothing on the board — a field or column no board field
has, a status word no list, section, group or status label holds — is almost always a typo or the wrong
board: the run stops with one line naming it (``ConfigError``, exit 2) rather than read every card as to-do
or every action as unscored.

Names compare as moteur compares names (``core/names``): ``Impact (1-5)`` is the field ``impact 1 5``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moteur.core.errors import ConfigError
from moteur.core.model import Status
from moteur.core.names import StatusWords, fold
from moteur.mappings.schema import BoardMapping

ALL_ROLES = ("impact", "effort", "confidence", "objective", "channel", "status", "due", "assignees", "tags")


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def unknown_names(
    mapping: BoardMapping,
    *,
    fields: Iterable[str],
    statuses: Iterable[str] | None,
    roles: Iterable[str] = ALL_ROLES,
) -> list[str]:
    """``key: "name"`` for each name of the user's file that the board lacks.

    ``fields``: the board's field / column names (Trello: custom fields, and the prefixes of ``Name: value``
    labels); ``statuses``: the names that carry a status (lists, sections, groups, status labels), None
    where status words are cell values that need not be on the board yet (a file);
    ``roles``: the Action fields this tool reads from a named field (Trello reads its title from the card).
    """
    user = mapping.user_layer
    if not user:
        return []
    have_fields = {fold(name) for name in fields}
    wanted = set(roles)
    problems: list[str] = []
    for section in ("fields", "scores"):
        table = user.get(section)
        if not isinstance(table, dict):
            continue
        for role, value in table.items():
            names = _names(value)
            if role in wanted and names and not any(fold(n) in have_fields for n in names):
                shown = " or ".join(f'"{n}"' for n in names)
                problems.append(f"{section}.{role}: no field {shown}")
    words = user.get("statuses")
    if isinstance(words, dict) and statuses is not None:
        names = [name for name in statuses if name]
        for word in words:
            matcher = StatusWords({str(word): Status.DONE})
            if not any(matcher.status_of(name) is not None for name in names):
                problems.append(f'statuses: no list, section, group or status label "{word}"')
    return problems


def check_names(
    mapping: BoardMapping,
    board: str,
    *,
    fields: Iterable[str],
    statuses: Iterable[str] | None,
    roles: Iterable[str] = ALL_ROLES,
) -> None:
    """Raise ``ConfigError`` (one line) when the user's mapping names something ``board`` does not have."""
    problems = unknown_names(mapping, fields=fields, statuses=statuses, roles=roles)
    if problems:
        source = mapping.source or "mapping"
        # One line, no hint line: the name and the board say what to check.
        raise ConfigError(f"{source}: {'; '.join(problems)} on board {board}")
