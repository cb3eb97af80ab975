"""The mapping model: how a board's native fields become Action fields, and where moteur's results go.

Terms defined here:

- *Mapping*: one mapping file (``moteur/mappings/<tool>.yaml``, or a user's ``--mapping`` file layered on
  it). It is data, validated once; a wrong key is named by the loader (``extra="forbid"``).
- *Field names*: for each Action field, the native names that may hold it — a CSV/JSON column, a monday
  column title, a Trello/Asana custom field name. Names are compared *folded* (``core/names.fold``): case,
  accents, punctuation, emoji and repeated spaces do not matter, so ``Échéance``, ``echeance`` and
  ``ÉCHÉANCE !`` are one name.
- *Status words*: ``statuses`` maps words to a status; a list, section, group or status label means the
  status of the word it is or holds (``Done 🎉``, ``Terminé(e)s``: see ``core/names.StatusWords``).
- *Scales*: ``scales`` states the top of a score field's scale (``impact: 5`` reads 1–5 and brings it to
  1–10); a field not named there is read on its options' scale, else guessed from its values
  (``core/scales``).
- *User names*: the names a user's ``--mapping`` file itself gives (not the packaged defaults). Each must
  exist on the board it is used with (``check_names``), else the run stops with one line naming it.
- *Score words*: words a person types instead of a number (``fort`` → 8); *stars* (``★★★★☆``) count
  ``stars_factor`` points each.
- *Write-back target*: where one of moteur's results (quadrant, sprint, ICE) is written on the tool: a
  column (files, monday), a label per value (Trello), a section per value (Asana), a custom field or a tag.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from moteur.core.model import Status, Tool
from moteur.core.names import StatusWords, fold, name_key
from moteur.core.scales import Scale, stated

__all__ = ["BoardMapping", "Mapping", "fold", "name_key"]  # ``fold`` is core's, re-exported for connectors


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


class IndicatorNames(BaseModel):
    """The native names of an action's leading indicator: which KPI it moves, its target and its actual.

    Not roles of the read (the connectors carry these fields as they carry any other: ``Action.extra``
    under ``field:<name>``, ``column:<title>`` or the file's column name); ``core/history.indicators``
    finds them there by these names, so a migration still carries them as they are.
    """

    model_config = _frozen()

    kpi: Names = ("kpi", "indicator", "indicateur", "metric", "metrique")
    target: Names = ("target", "cible", "valeur cible")
    actual: Names = ("actual", "reel", "realise", "resultat")

    @field_validator("*", mode="before")
    @classmethod
    def _one_name(cls, value: Any) -> Any:
        return _names(value)

    def folded(self) -> dict[str, str]:
        """Folded native name → ``kpi`` / ``target`` / ``actual`` (the first role naming it wins)."""
        found: dict[str, str] = {}
        for role, names in self.model_dump().items():
            for name in names:
                found.setdefault(fold(name), role)
        return found


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
    "tres bas": 1,
    "tres basse": 1,
    "modere": 5,
    "moderee": 5,
    "important": 8,
    "importante": 8,
    "tres important": 10,
    "tres importante": 10,
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
    # other usual forms: waiting is to do, blocked or in review is started, finished or delivered is done
    "a venir": Status.TODO,
    "en attente": Status.TODO,
    "on hold": Status.TODO,
    "waiting": Status.TODO,
    "bloque": Status.DOING,
    "blocked": Status.DOING,
    "en revision": Status.DOING,
    "in review": Status.DOING,
    "fini": Status.DONE,
    "finished": Status.DONE,
    "acheve": Status.DONE,
    "livre": Status.DONE,
    "clos": Status.DONE,
    "closed": Status.DONE,
    "archived": Status.ARCHIVED,
    "archive": Status.ARCHIVED,
    "archivee": Status.ARCHIVED,
}


class WriteTargetKind(StrEnum):
    COLUMN = "column"  # a file column, a monday column (by title)
    LABEL = "label"  # Trello: one managed label per value ("Quick win", "Sprint 3")
    SECTION = "section"  # Asana: one section per value
    CUSTOM_FIELD = "custom_field"  # a Trello/Asana custom field, by name
    TAG = "tag"  # Asana: one tag per value (the fallback when custom fields are unavailable)


class WriteTarget(BaseModel):
    """Where one result is written. ``name`` is the column or custom field; per-value kinds need none.

    ``field_type`` is the native type to create the field/column with when it is absent (monday:
    ``status``, ``dropdown``, ``text``, ``numbers``; Asana/Trello custom fields: ``enum``, ``list``,
    ``number``, ``text``).
    ``fallback`` is used when the tool refuses the target (e.g. Asana custom fields on a free workspace).
    ``in_place`` (Asana sections only) says the project is moteur's to arrange: each task is moved into the
    section of its value in the project itself, out of whatever section the team put it in. Off by default:
    the quadrant then goes to the sections of a companion project, the team's sections left as they are
    (``connectors/asana/companion.py``).
    """

    model_config = _frozen()

    kind: WriteTargetKind = WriteTargetKind.COLUMN
    name: str | None = None
    field_type: str | None = None
    fallback: WriteTarget | None = None
    in_place: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # `quadrant: Quadrant` in YAML means a column named "Quadrant".
        return {"kind": WriteTargetKind.COLUMN, "name": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _named(self) -> WriteTarget:
        if (
            self.kind in (WriteTargetKind.COLUMN, WriteTargetKind.CUSTOM_FIELD)
            and not (self.name or "").strip()
        ):
            raise ValueError(f"a {self.kind.value} target needs a name")
        if self.in_place and self.kind is not WriteTargetKind.SECTION:
            raise ValueError("in_place is for a section target only (an Asana project moteur may arrange)")
        return self


class Writeback(BaseModel):
    """Where quadrant, sprint and ICE go; ``null`` in the file means "do not write it"."""

    model_config = _frozen()

    quadrant: WriteTarget | None = WriteTarget(name="quadrant")
    sprint: WriteTarget | None = WriteTarget(name="sprint")
    ice: WriteTarget | None = WriteTarget(name="ice")

    def targets(self) -> dict[str, WriteTarget]:
        """The annotations written, by name (``quadrant``/``sprint``/``ice``)."""
        pairs = {"quadrant": self.quadrant, "sprint": self.sprint, "ice": self.ice}
        return {name: target for name, target in pairs.items() if target is not None}


class BoardMapping(BaseModel):
    """One mapping file, validated. ``words`` and ``statuses`` keys are stored folded."""

    model_config = _frozen()

    tool: Tool
    fields: FieldNames = FieldNames()
    scores: ScoreNames = ScoreNames()
    indicators: IndicatorNames = IndicatorNames()
    words: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_WORDS))
    stars_factor: int = Field(default=2, ge=1, le=10)
    statuses: dict[str, Status] = Field(default_factory=lambda: dict(DEFAULT_STATUSES))
    list_separators: str = Field(default=",;", min_length=1)
    scales: dict[str, int] = Field(default_factory=dict)
    writeback: Writeback = Writeback()
    # What a user's own file said (names, statuses), to check against the board; set by the loader.
    _user: dict[str, Any] = PrivateAttr(default_factory=dict)
    _source: str = PrivateAttr(default="")

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
        # ``name_key``, not ``fold``: an emoji-only list name ("✅") can be a status word too.
        return {name_key(word): status for word, status in value.items()}

    @field_validator("scales")
    @classmethod
    def _scales(cls, value: dict[str, int]) -> dict[str, int]:
        for field, top in value.items():
            if field not in ("impact", "effort", "confidence"):
                raise ValueError(f'"{field}" has no scale; scales are for impact, effort and confidence')
            if not 2 <= top <= 100:
                raise ValueError(f"{field}: a scale tops out at 2 to 100 (5 for 1–5, 100 for percentages)")
        return value

    def remember_user(self, user: dict[str, Any], source: str) -> None:
        """Record what the user's own file said (the loader calls it), for ``check.check_names``."""
        self._user = user
        self._source = source

    @property
    def user_layer(self) -> dict[str, Any]:
        """The user's own mapping file as loaded (empty for the packaged default)."""
        return self._user

    @property
    def source(self) -> str:
        """The user's mapping file, or "" for the packaged default."""
        return self._source

    @cached_property
    def status_words(self) -> StatusWords:
        """The matcher of list/section/status names to statuses (built once per mapping)."""
        return StatusWords(self.statuses)

    def status_of(self, name: str | None) -> Status | None:
        """The status a list, section, group or status label name means, or None (see ``StatusWords``)."""
        return self.status_words.status_of(name)

    def scale_for(self, field: str) -> Scale | None:
        """The scale the mapping states for a score field, or None (then options or values decide)."""
        top = self.scales.get(field)
        return stated(top) if top is not None else None

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
        for role, names in self.indicators.model_dump().items():
            for name in names:
                if fold(name) in owner:
                    raise ValueError(f'the name "{name}" is given for both {owner[fold(name)]} and {role}')
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
