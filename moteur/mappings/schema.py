"""The mapping model: how a board's native fields become Action fields, and where moteur's results go.

Terms defined here:

- *Mapping*: one mapping file (``moteur/mappings/<tool>.yaml``, or a user's ``--mapping`` file layered on
  it). It is data, validated once; a wrong key is named by the loader (``extra="forbid"``).
- *Field names*: for each Action field, the native names that may hold it — a CSV/JSON column, a monday
  column title, a Trello/Asana custom field name. Names are compared *folded* (see ``fold``): case, accents,
  ``_``/``-`` and repeated spaces do not matter, so ``Échéance``, ``echeance`` and ``ÉCHÉANCE`` are one name.
- *Score words*: words a person types instead of a number (``fort`` → 8); *stars* (``★★★★☆``) count
  ``stars_factor`` points each.
- *Write-back target*: where one of moteur's results (quadrant, sprint, ICE) is written on the tool: a
  column (files, monday), a label per value (Trello), a section per value (Asana), a custom field or a tag.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from moteur.core.model import Status, Tool


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """A name or word as moteur compares it: no accents, case-folded, ``_``/``-`` as spaces, spaces collapsed.

    Cached because the same few header names, status words and score words recur on every row.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().replace("_", " ").replace("-", " ").split())


def _frozen() -> ConfigDict:
    return ConfigDict(frozen=True, extra="forbid")


Names = tuple[str, ...]


def _names(value: Any) -> Any:
    # A single name in YAML (`title: Titre`) is as good as a one-element list.
    return (value,) if isinstance(value, str) else value


class FieldNames(BaseModel):
    """For each Action field, the native names (first match wins) that hold it."""

    model_config = _frozen()

    id: Names = ("id", "identifiant")
    title: Names = ("title", "titre", "name", "nom", "action")
    description: Names = ("description", "desc", "details")
    status: Names = ("status", "statut", "etat", "state")
    bucket: Names = ("bucket", "colonne", "column", "liste", "list", "section", "group", "groupe")
    objective: Names = ("objective", "objectif", "goal", "but")
    channel: Names = ("channel", "canal", "levier")
    due: Names = ("due", "due date", "deadline", "echeance", "date limite", "date d'echeance")
    assignees: Names = ("assignees", "assignee", "owner", "owners", "responsable", "responsables")
    tags: Names = ("tags", "tag", "labels", "etiquettes", "etiquette")

    @field_validator("*", mode="before")
    @classmethod
    def _one_name(cls, value: Any) -> Any:
        return _names(value)


class ScoreNames(BaseModel):
    """The native names of the three ICE inputs."""

    model_config = _frozen()

    impact: Names = ("impact",)
    effort: Names = ("effort", "effort points", "charge")
    confidence: Names = ("confidence", "confiance")

    @field_validator("*", mode="before")
    @classmethod
    def _one_name(cls, value: Any) -> Any:
        return _names(value)


DEFAULT_WORDS: dict[str, int] = {
    "very low": 1,
    "low": 3,
    "medium": 5,
    "high": 8,
    "very high": 10,
    "tres faible": 1,
    "faible": 3,
    "bas": 3,
    "basse": 3,
    "moyen": 5,
    "moyenne": 5,
    "fort": 8,
    "forte": 8,
    "haut": 8,
    "haute": 8,
    "eleve": 8,
    "elevee": 8,
    "tres fort": 10,
    "tres forte": 10,
    "tres eleve": 10,
    "tres elevee": 10,
}

DEFAULT_STATUSES: dict[str, Status] = {
    "todo": Status.TODO,
    "to do": Status.TODO,
    "backlog": Status.TODO,
    "a faire": Status.TODO,
    "doing": Status.DOING,
    "in progress": Status.DOING,
    "en cours": Status.DOING,
    "done": Status.DONE,
    "complete": Status.DONE,
    "completed": Status.DONE,
    "fait": Status.DONE,
    "termine": Status.DONE,
    "terminee": Status.DONE,
    "archived": Status.ARCHIVED,
    "archive": Status.ARCHIVED,
    "archivee": Status.ARCHIVED,
}


class TargetKind(StrEnum):
    COLUMN = "column"  # a file column, a monday column (by title)
    LABEL = "label"  # Trello: one managed label per value ("Quick win", "Sprint 3")
    SECTION = "section"  # Asana: one section per value
    CUSTOM_FIELD = "custom_field"  # a Trello/Asana custom field, by name
    TAG = "tag"  # Asana: one tag per value (the fallback when custom fields are unavailable)


class Target(BaseModel):
    """Where one result is written. ``name`` is the column or custom field; per-value kinds need none.

    ``field_type`` is the native type to create the field/column with when it is absent (monday:
    ``status``, ``dropdown``, ``text``, ``numbers``; Asana/Trello custom fields: ``enum``, ``list``,
    ``number``, ``text``).
    ``fallback`` is used when the tool refuses the target (e.g. Asana custom fields on a free workspace).
    """

    model_config = _frozen()

    kind: TargetKind = TargetKind.COLUMN
    name: str | None = None
    field_type: str | None = None
    fallback: Target | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # `quadrant: Quadrant` in YAML means a column named "Quadrant".
        return {"kind": TargetKind.COLUMN, "name": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _named(self) -> Target:
        if self.kind in (TargetKind.COLUMN, TargetKind.CUSTOM_FIELD) and not (self.name or "").strip():
            raise ValueError(f"a {self.kind.value} target needs a name")
        return self


class Writeback(BaseModel):
    """Where quadrant, sprint and ICE go; ``null`` in the file means "do not write it"."""

    model_config = _frozen()

    quadrant: Target | None = Target(name="quadrant")
    sprint: Target | None = Target(name="sprint")
    ice: Target | None = Target(name="ice")

    def targets(self) -> dict[str, Target]:
        """The annotations written, by name (``quadrant``/``sprint``/``ice``)."""
        pairs = {"quadrant": self.quadrant, "sprint": self.sprint, "ice": self.ice}
        return {name: target for name, target in pairs.items() if target is not None}


class BoardMapping(BaseModel):
    """One mapping file, validated. ``words`` and ``statuses`` keys are stored folded."""

    model_config = _frozen()

    tool: Tool
    fields: FieldNames = FieldNames()
    scores: ScoreNames = ScoreNames()
    words: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_WORDS))
    stars_factor: int = Field(default=2, ge=1, le=10)
    statuses: dict[str, Status] = Field(default_factory=lambda: dict(DEFAULT_STATUSES))
    list_separators: str = Field(default=",;", min_length=1)
    writeback: Writeback = Writeback()

    @field_validator("words")
    @classmethod
    def _words(cls, value: dict[str, int]) -> dict[str, int]:
        for word, score in value.items():
            if not 1 <= score <= 10:
                raise ValueError(f'word "{word}" maps to {score}; a score is 1–10')
        return {fold(word): score for word, score in value.items()}

    @field_validator("statuses")
    @classmethod
    def _statuses(cls, value: dict[str, Status]) -> dict[str, Status]:
        return {fold(word): status for word, status in value.items()}

    @model_validator(mode="after")
    def _names_unique(self) -> BoardMapping:
        # One native name feeding two Action fields would make a column's meaning depend on key order.
        owner: dict[str, str] = {}
        for field, names in self.field_names().items():
            for name in names:
                key = fold(name)
                if key in owner and owner[key] != field:
                    raise ValueError(f'the name "{name}" is given for both {owner[key]} and {field}')
                owner[key] = field
        return self

    def field_names(self) -> dict[str, Names]:
        """Every Action field moteur reads, with its native names: plain fields, scores, then annotations.

        Annotations are read from their write-back column/field so a re-read sees what was written.
        """
        names: dict[str, Names] = dict(self.fields.model_dump())
        names.update(self.scores.model_dump())
        for annotation, target in self.writeback.targets().items():
            if target.name:
                names[annotation] = (target.name,)
        return names

    def column_for(self, native_names: list[str]) -> dict[str, str]:
        """Match native names (a file's header, a board's columns) to Action fields: field → native name.

        Per field, the first of its mapping names found wins; unmatched native names are left out (they
        become ``Action.extra``).
        """
        by_fold: dict[str, str] = {}
        for native in native_names:
            by_fold.setdefault(fold(native), native)
        found: dict[str, str] = {}
        for field, names in self.field_names().items():
            for name in names:
                match = by_fold.get(fold(name))
                if match is not None:
                    found[field] = match
                    break
        return found


# The name other modules and briefs use; `BoardMapping` avoids shadowing collections.abc.Mapping.
Mapping = BoardMapping
