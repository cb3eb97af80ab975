"""Create once: the one rule every connector follows after a create that may have been applied.

*Ambiguous create*: a ``POST`` (or a mutation) whose answer never came — the connection dropped or timed out
after the request was sent (``AmbiguousWrite``, raised by the HTTP layer, which never retries a create
blindly). The object may exist. Sending the create again could make a second list, label, field, card or
board, so the object is first looked up (by name, by identity footer, under its parent: the caller's
``find``), and only created again when the look-up does not find it. After ``CREATE_TRIES`` sends in all the
last ``AmbiguousWrite`` is raised: the caller reports that op as failed and the next run looks again.

``create_all_once`` is the same rule for creates sent several to one request (monday's aliased mutations):
after an ambiguous failure, of the whole request or of one entry, the entries still pending are looked up
first and only those not found are sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from moteur.connectors.http import AmbiguousWrite

T = TypeVar("T")
E = TypeVar("E")
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


@dataclass(frozen=True)
class Sent(Generic[T]):
    """What one request of several creates answered, by position in the list sent. A position in none of
    the three was refused for good: ``failed`` says why."""

    made: Mapping[int, T]  # created: the new object
    unsure: Mapping[int, str] = field(default_factory=dict)  # failed in a way that may have applied it
    again: Mapping[int, str] = field(default_factory=dict)  # refused as a whole, nothing made: send again
    failed: Mapping[int, str] = field(default_factory=dict)


def create_all_once(
    entries: Sequence[E],
    send: Callable[[list[E]], Sent[T]],
    find: Callable[[list[E]], Mapping[int, T]],
    made: Callable[[E, T], None],
    tries: int = CREATE_TRIES,
) -> dict[int, str]:
    """``create_once`` for creates sent several to a request (monday's aliased mutations).

    ``send`` the entries still to make; after an ambiguous failure (the request's: ``AmbiguousWrite``, or one
    entry's: ``Sent.unsure``) ``find`` those entries first (by position in the list it is given) and send
    only the ones it does not find. ``made`` is told each object the moment it is created or found (the
    caller links it then). Answers why each entry not made was not, by its position in ``entries``."""
    pending = list(range(len(entries)))
    errors: dict[int, str] = {}
    last, look = "not sent", False
    for _ in range(tries):
        if look:
            found = find([entries[i] for i in pending])
            for j, obj in found.items():
                made(entries[pending[j]], obj)
            pending = [i for j, i in enumerate(pending) if j not in found]
        if not pending:
            break
        try:
            answer = send([entries[i] for i in pending])
        except AmbiguousWrite as exc:
            last, look = str(exc), True
            continue
        again: list[int] = []
        look = False
        for j, i in enumerate(pending):
            if j in answer.made:
                made(entries[i], answer.made[j])
            elif j in answer.unsure:
                again.append(i)
                last, look = answer.unsure[j], True
            elif j in answer.again:
                again.append(i)
                last = answer.again[j]
            else:
                errors[i] = answer.failed.get(j, "not created")
        pending = again
    errors.update(dict.fromkeys(pending, last))
    return errors
