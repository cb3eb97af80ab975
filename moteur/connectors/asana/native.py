"""What the Asana connector keeps in ``Snapshot.native`` (``core/native.py``): the project's ids and settings
its writers and its incremental reads need.

Terms defined here:

- *Known*: what a read knows of the companion project (``companion.py``): its gid, the sections seen (from
  the tasks' memberships, which name the section too), whether its sections were listed, whether it was
  looked up by name and not found.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from moteur.connectors.asana.quadrants import Place
from moteur.core.native import Kept, NativeState

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class AsanaSection(BaseModel):
    model_config = _FROZEN

    gid: str
    name: str = ""


class AsanaField(BaseModel):
    """A custom field of the project: its gid, name, subtype and enabled options (name -> gid)."""

    model_config = _FROZEN

    gid: str
    name: str = ""
    subtype: str = ""
    options: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class Known:
    """What a read knows of the companion project (see the module doc)."""

    gid: str | None = None
    name: str = ""
    sections: tuple[tuple[str, str], ...] = ()  # (name, gid), in project order once ``listed``
    listed: bool = False
    searched: bool = False  # looked up by name by this read, and not found: none to look up again

    def names(self, place: Place | None) -> tuple[str, ...]:
        """What ``Snapshot.fields`` lists for it: its name, once it exists and quadrants go there (so the
        plan creates it only when it does not)."""
        return (self.name,) if place is Place.COMPANION and self.gid is not None else ()

    def carried(self, older: Known) -> Known:
        """This read's knowledge with what ``older`` (the cached read) knew of the same project added."""
        if older.gid is None or (self.gid is not None and self.gid != older.gid):
            return self
        have = {gid for _, gid in older.sections}
        sections = (*older.sections, *(s for s in self.sections if s[1] not in have))
        return replace(older, sections=sections)


class AsanaNative(NativeState):
    project: str
    workspace: str
    fields_on: bool = True  # custom fields can be written (not a free workspace)
    sections: tuple[AsanaSection, ...] = ()
    fields: tuple[AsanaField, ...] = ()
    # The tags seen on the tasks read (name -> gid): the union of the reads an incremental read merges.
    tags: Annotated[dict[str, str], Kept.GATHERED] = Field(default_factory=dict)
    # Each task's tag gids, by task gid: merged task by task by an incremental read.
    task_tags: Annotated[dict[str, list[str]], Kept.PER_ITEM] = Field(default_factory=dict)
    team: str | None = None
    companion: Annotated[Known, Kept.UNKEPT] = Known()  # seen through the tasks read
    quadrant_place: Place | None = None  # where the quadrant was read from
    # The workspace's people (folded e-mail -> user gid), read by a full read (``read_full``: who a
    # migration target can assign); None when not read, or too many to list cheaply.
    users: Annotated[dict[str, str] | None, Kept.UNKEPT] = None
    # Guessed scales are part of how every task was read: a change refuses an incremental read.
    scales: dict[str, int] = Field(default_factory=dict)
