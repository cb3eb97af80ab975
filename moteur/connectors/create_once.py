"""Create once: the one rule every connector follows after a create that may have been applied.

*Ambiguous create*: a ``POST`` (or a mutation) whose answer never came — the connection dropped or timed out
after the request was sent (``AmbiguousWrite``, raised by the HTTP layer, which never retries a create
blindly). The object may exist. Sending the create again could make a second list, label, field, card or
board, so the object is first looked up (by name, by identity footer, under its parent: the caller's
``find``), and only created again when the look-up does not find it. After ``CREATE_TRIES`` sends in all the
last ``AmbiguousWrite`` is raised: the caller reports that op as failed and the next run looks again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from moteur.connectors.http import AmbiguousWrite

T = TypeVar("T")
CREATE_TRIES = 4  # sends of one create in all; each one after the first follows a look-up that found nothing


def create_once(create: Callable[[], T], find: Callable[[], T | None], tries: int = CREATE_TRIES) -> T:
    """``create()``; after an ambiguous failure ``find()`` first, and create again only if not found."""
    for attempt in range(1, tries + 1):
        try:
            return create()
        except AmbiguousWrite:
            found = find()
            if found is not None:
                return found
            if attempt == tries:
                raise
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def ensure_once(create: Callable[[], None], present: Callable[[], bool], tries: int = CREATE_TRIES) -> None:
    """``create_once`` for a create that records what it made itself: ``present()`` says whether a look-up
    (which records what it finds) found the object."""

    def created() -> bool:
        create()
        return True

    create_once(created, lambda: True if present() else None, tries)
