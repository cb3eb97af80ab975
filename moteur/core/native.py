"""A connector's own state in ``Snapshot.native``: typed by the connector, carried by core unread.

Terms defined here:

- *Native state*: what a connector needs, beyond the actions, to write to the board it read and to read it
  again cheaply: Trello's label and custom field ids, an Asana project's section gids, monday's column ids,
  a file's delimiter. Each connector declares it as a subclass of ``NativeState`` (a pydantic model, in
  ``connectors/<tool>/native.py``) and gets it back with ``of(snapshot)``, never by string keys. The
  snapshot holds its JSON form (``dump()``): a board cache stays plain JSON, and core moves the state about
  without knowing one field of it.
- *Board-level part*: each field of a native state is by default a part of the board, like its lists or
  custom fields: the cached actions were mapped through it, so a change refuses an incremental read
  (``board_kept``). A field whose annotation carries a ``Kept`` mark is not a part of the board:
  ``card_labels: Annotated[dict[str, list[str]], Kept.PER_ITEM]``.
- *Old layout*: a native state cached before its model changed. It no longer validates (unknown fields are
  refused, required ones missing), so the cache is unusable and the board is read in full
  (``engine/incremental_read.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import Enum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from moteur.core.model import Action, Snapshot


class Kept(Enum):
    """How an incremental read keeps a native field that is not a part of the board."""

    PER_ITEM = "per item"  # keyed by item id, merged item by item (Trello's card labels)
    GATHERED = "gathered"  # gathered from the items read: the cached and fresh reads' union (Asana's tags)
    UNKEPT = "unkept"  # the fresh read's, never compared: how the board was read (monday's page count)


class NativeState(BaseModel):
    """A connector's state in ``Snapshot.native`` (see the module doc). The base holds nothing: the state of
    a connector that keeps none."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def of(cls, snapshot: Snapshot) -> Self:
        """The state a read of this connector left in ``snapshot``; a ``ValidationError`` when it holds
        another (an old layout, another connector's)."""
        return cls.model_validate(snapshot.native)

    @classmethod
    def of_read(cls, snapshot: Snapshot) -> Self | None:
        """As ``of``; None for a snapshot no read made (built by a caller: a board just created)."""
        return cls.of(snapshot) if snapshot.native else None

    @classmethod
    def fits(cls, snapshot: Snapshot) -> bool:
        """Whether ``snapshot`` holds a state of this model (a cached one: not an old layout)."""
        try:
            cls.of(snapshot)
        except ValidationError:
            return False
        return True

    @classmethod
    def kept(cls, how: Kept) -> tuple[str, ...]:
        """The fields marked ``how``, in the model's order."""
        return tuple(name for name, info in cls.model_fields.items() if how in info.metadata)

    def dump(self) -> dict[str, Any]:
        """The JSON form ``Snapshot.native`` holds."""
        return self.model_dump(mode="json")


def merged(
    cached: Snapshot,
    fresh: Snapshot,
    *,
    changed: Iterable[str],
    removed: Iterable[str] = (),
    per_item: Iterable[str] = (),
    seen: Iterable[str] = (),
) -> Snapshot:
    """``cached`` with the ``changed`` item ids' actions taken from ``fresh`` and the ``removed`` dropped.

    ``fresh`` is a snapshot mapped from the board-level parts just read plus the changed items only, so its
    board-level parts (name, buckets, fields, native) are the current ones and replace the cached. An item
    id in ``changed`` that ``fresh`` lacks is gone (deleted, archived, moved off the board). Cached order is
    kept; new items come after, in ``fresh``'s order.

    ``per_item`` names native fields keyed by item id (``Kept.PER_ITEM``): merged like the actions.
    ``seen`` names native dicts gathered from the items (``Kept.GATHERED``): their union, and
    ``Snapshot.tags`` then is the union of both snapshots' tags.
    """
    changed = set(changed)
    dropped = changed | set(removed)
    by_item = {a.ref.item: a for a in fresh.actions}
    actions: list[Action] = []
    for action in cached.actions:
        if action.ref.item in by_item:
            actions.append(by_item.pop(action.ref.item))
        elif action.ref.item not in dropped:
            actions.append(action)
    actions.extend(by_item.values())
    native = dict(fresh.native)
    for key in per_item:
        entries = {k: v for k, v in dict(cached.native.get(key) or {}).items() if k not in dropped}
        native[key] = entries | dict(fresh.native.get(key) or {})
    tags = fresh.tags
    for key in seen:
        native[key] = dict(cached.native.get(key) or {}) | dict(fresh.native.get(key) or {})
        tags = tuple(dict.fromkeys((*cached.tags, *fresh.tags)))
    return fresh.model_copy(update={"actions": tuple(actions), "native": native, "tags": tags})


def board_kept(cached: Snapshot, fresh: Snapshot, *, skip: Iterable[str] = ()) -> bool:
    """True when every board-level part the cache knew is still there, unchanged, in ``fresh``.

    The cached actions were mapped through the board's lists/sections/groups, labels, fields and options
    as they were then: a renamed or removed one changes what unchanged items map to, and no change feed
    names those items. So a changed part refuses the cursor (a full read follows). An *added* part cannot
    change an item that does not mention it — an item that starts to is itself in the feed — so additions
    (moteur creating its labels, sections or columns on a first sync) keep the incremental read.
    ``skip`` names the native fields that are not parts of the board (marked ``Kept``).
    """
    if not _contains(cached.buckets, fresh.buckets) or not set(cached.fields) <= set(fresh.fields):
        return False
    ignored = set(skip)
    for key, value in cached.native.items():
        if key in ignored:
            continue
        now = fresh.native.get(key)
        if isinstance(value, list):
            if not isinstance(now, list) or not _contains(value, now):
                return False
        elif value is not None and value != now:
            return False
    return True


def _contains(old: Iterable[object], new: Iterable[object]) -> bool:
    def text(entry: object) -> str:
        plain = entry.model_dump(mode="json") if isinstance(entry, BaseModel) else entry
        return json.dumps(plain, sort_keys=True, default=str)

    return {text(e) for e in old} <= {text(e) for e in new}
