"""Where an Asana project's quadrants go (``Place``), chosen from the mapping and the workspace's tier.

A task's section in the team's project is the team's workflow (Backlog, In progress…): moteur never moves a
task out of it unless the mapping says the project is moteur's to arrange. The places, and why:

- ``FIELD`` — the single-select custom field "Quadrant" of the project: the default where the workspace has
  custom fields. Its value rides in the ``PUT /tasks/{gid}`` that already carries Sprint and ICE (one PUT can
  set many fields), so it costs no request of its own, and it shows on every card of the
  team's board and as a column of its list, in the option's colour. ``asana.yaml``: ``{kind: custom_field,
  name: Quadrant, field_type: enum, fallback: {kind: section}}``.
- ``COMPANION`` — a section per quadrant in a companion project "<project> · Priorities" ("· Priorités" in
  French), each task multi-homed there with ``POST /tasks/{gid}/addProject {project, section}`` (a task's
  ``memberships`` list one section per project, independent of each other: spec ``TaskAddProjectRequest``,
  ``memberships``). The fallback on a free workspace, where custom fields answer 402, and what ``{kind:
  section}`` asks for on any tier. A first sync costs one ``addProject`` per task (what moving it into a
  quadrant section of the project cost before) plus the project and its sections, once.
- ``IN_PLACE`` — a section per quadrant in the team's project itself, tasks moved there with ``POST
  /sections/{gid}/addTask`` ("This will remove the task from other sections of the project", spec): only with
  ``{kind: section, in_place: true}``, for a project that is moteur's to arrange. The section a task leaves is
  recorded as the op's old value, so a rollback puts it back.
- ``TAG`` — a tag per quadrant (``{kind: tag}``); ``NONE`` — not written (``quadrant: null``).
"""

from __future__ import annotations

from enum import StrEnum

from moteur.core.phrase import Phrase
from moteur.mappings.schema import BoardMapping, WriteTargetKind


class Place(StrEnum):
    FIELD = "field"
    COMPANION = "companion"
    IN_PLACE = "in_place"
    TAG = "tag"
    NONE = "none"


def place_of(mapping: BoardMapping, *, fields_on: bool) -> Place:
    """Where the quadrant goes for ``mapping``, on a workspace with custom fields (``fields_on``) or not."""
    target = mapping.writeback.quadrant
    if target is not None and target.kind is WriteTargetKind.CUSTOM_FIELD and not fields_on:
        target = target.fallback
    if target is None:
        return Place.NONE
    if target.kind is WriteTargetKind.SECTION:
        return Place.IN_PLACE if target.in_place else Place.COMPANION
    if target.kind in (WriteTargetKind.TAG, WriteTargetKind.LABEL):
        return Place.TAG
    return Place.FIELD


def quadrant_field(mapping: BoardMapping) -> str:
    """The name of the custom field a paid workspace holds the quadrant in ("Quadrant" by default)."""
    target = mapping.writeback.quadrant
    if target is not None and target.kind is WriteTargetKind.CUSTOM_FIELD and target.name:
        return target.name
    return "Quadrant"


def describe(place: Place, *, project: str, field: str, companion: str, exists: bool, free: bool) -> str:
    """One line for the dry-run: where the quadrant goes on this project, and why there (a ``Phrase``)."""
    if place is Place.FIELD:
        return Phrase(
            'quadrant → the custom field "{field}" of "{project}" (in the same update as Sprint and ICE); '
            "the team's sections are left as they are",
            field=field,
            project=project,
        )
    if place is Place.COMPANION:
        made = "" if exists else Phrase(", created by this run")
        why = (
            Phrase("a free workspace has no custom fields")
            if free
            else Phrase("the mapping asks for sections")
        )
        return Phrase(
            'quadrant → sections of the companion project "{companion}"{made}, each task also added there '
            '({why}); the team\'s sections in "{project}" are left as they are',
            companion=companion,
            made=made,
            why=why,
            project=project,
        )
    if place is Place.IN_PLACE:
        return Phrase(
            'quadrant → sections of "{project}" itself (in_place: true): tasks leave the sections the team '
            "put them in; each one's section is recorded so a rollback puts it back",
            project=project,
        )
    if place is Place.TAG:
        return Phrase("quadrant → a tag per quadrant on each task; the team's sections are left as they are")
    return Phrase("quadrant → not written (quadrant: null in the mapping)")
