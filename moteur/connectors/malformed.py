"""One malformed item never stops a read: it is skipped, named in a warning, and the run goes on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from moteur.core.model import Action

# What a mapping raises on a card/task/item whose JSON is not what the API documents.
MALFORMED = (KeyError, TypeError, ValueError, ValidationError, AttributeError)


def well_formed(
    raw_items: Iterable[Any],
    build: Callable[[dict[str, Any]], Action],
    *,
    noun: str,
    id_key: str,
    warnings: list[str],
) -> Iterator[tuple[dict[str, Any], Action]]:
    """``(raw, action)`` for every item ``build`` can map; a warning naming each one it cannot."""
    for index, raw in enumerate(raw_items):
        try:
            if not isinstance(raw, dict):
                raise TypeError(f"a {type(raw).__name__} instead of an object")
            action = build(raw)
        except MALFORMED as exc:
            who = raw.get(id_key) if isinstance(raw, dict) else f"#{index + 1}"
            reason = str(exc).splitlines()[0][:120] or type(exc).__name__
            warnings.append(f"{noun} {who}: skipped, its JSON is malformed ({reason})")
            continue
        yield raw, action
