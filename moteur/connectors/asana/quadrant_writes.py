"""The write a quadrant op becomes on Asana, by ``quadrants.Place`` — and the one write moteur refuses.

- A quadrant ``UpdateFields`` rides in the task's ``PUT`` with Sprint and ICE (``Place.FIELD``,
  ``writer.py``). In the companion project (``Place.COMPANION``, or ``Place.FIELD`` once the workspace turned
  out to have no custom fields: a 402 this run, as the sprint then goes to a tag) it is ``addProject`` into
  the section of its value, or ``removeProject`` for None. The companion's quadrant is a value a task may lack
  (it is not in the companion before the first sync), not the task's bucket: so it travels as
  ``UpdateFields``, whose old value None is a real one, and the rollback of the run that first added a task
  there takes it out again.
- A quadrant ``MoveItem`` is a move between sections of the team's project: what a plan makes only when the
  project is moteur's to arrange (``Place.IN_PLACE``), and its rollback. ``POST /sections/{gid}/addTask``
  into the section named, which must exist (moteur never creates one of the team's to move a task back
  into). Outside ``in_place`` it is refused unless the task sits in a section moteur made (a quadrant's): a
  task is never moved out of a section the team put it in.
- A ``SetTags`` (``Place.TAG``) is the writer's tag path.

Every write here is idempotent (adding a task to the project or section it is in leaves it there), so a
batch holding them may be resent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from moteur.connectors.asana.companion import CompanionProject
from moteur.connectors.asana.quadrants import Place
from moteur.connectors.asana.schema import ProjectSchema, fold
from moteur.core.labels import quadrant_from_name
from moteur.core.ops import ItemOp, MoveItem, UpdateFields

Routed = tuple[str, str, dict[str, Any]]  # method, path, data of one batch action


@dataclass
class QuadrantWrites:
    place: Place
    schema: ProjectSchema  # the team's project
    companion: CompanionProject | None
    sections: Mapping[str, str | None]  # task gid -> its section in the team's project, as read

    def holds(self, name: str) -> bool:
        """Whether ``name`` (an ``EnsureField``'s) is the companion project that holds the quadrants."""
        there = self.companion is not None and fold(name) == fold(self.companion.name)
        return self.place is Place.COMPANION and there

    def ensure_companion(self, quadrants: Sequence[str]) -> None:
        """The companion project, with a section for each of ``quadrants`` (given in quadrant order)."""
        if self.companion is None:
            raise LookupError("the companion project of this project is not known")
        self.companion.ensure()
        for name in quadrants:
            self.companion.ensure_section(name)

    def route(self, task: str, op: ItemOp) -> Routed | None:
        """The write for quadrant op ``op`` of ``task``, or None when the writer's own path takes it (a field
        value in the task's PUT, tags). Raises ``LookupError`` for a write moteur does not make."""
        if op.field != "quadrant":
            return None
        if isinstance(op, UpdateFields):
            fallback = self.place is Place.FIELD and not self.schema.fields_on
            return self._companion(task, op.after) if self.place is Place.COMPANION or fallback else None
        if not isinstance(op, MoveItem):
            return None
        current = self.sections.get(task) or ""
        if self.place is not Place.IN_PLACE and quadrant_from_name(current) is None:
            raise LookupError(
                f'the task "{op.title}" is in the team\'s section "{current}": moteur moves a task only out '
                "of a section it made, unless the mapping says the project is its to arrange (quadrant: "
                "{kind: section, in_place: true})"
            )
        if op.after is None:
            raise LookupError(
                f'no section is recorded to move "{op.title}" back to (the run that moved it did not record '
                "the section it left): move it back by hand"
            )
        section = self.schema.section(op.after)
        if section is None:
            raise LookupError(f'the section "{op.after}" does not exist in the project')
        return "POST", f"/sections/{section}/addTask", {"task": task}

    def _companion(self, task: str, section: str | None) -> Routed:
        if self.companion is None:
            raise LookupError("the companion project of this project is not known")
        return self.companion.placement(task, section)
