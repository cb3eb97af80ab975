"""The containers moteur writes into on an Asana project, found by name or created once.

- *Section* (``EnsureBucket``): reused when the project has one of that name (any case); else created with
  ``POST /projects/{gid}/sections``, placed after the nearest quadrant section before it in quadrant order
  (or before the nearest one after it, or at the top), so the quadrants read in order.
- *Custom field* (``EnsureField``): reused from the project, else from the workspace (same name), else
  created with ``POST /custom_fields``; then put on the project (``addCustomFieldSetting``). An enum field's
  options are added as values appear (``POST /custom_fields/{gid}/enum_options``).
- *Tag* (``EnsureTag`` and the sprint fallback): reused from the workspace, else ``POST /tags``.

*Ambiguous create*: after a create that may have been applied (``AmbiguousWrite``), the object is looked up
by name before it is ever created again (``connectors/create_once.py``), so a dropped connection never leaves
a duplicate.

*Fields off*: a 402 (``PremiumRequired``) means the workspace has no custom fields; ``fields_on`` turns
False for the rest of the connector's life and the writer falls back to tags.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from moteur.connectors.asana.native import AsanaNative, AsanaSection
from moteur.connectors.asana.reader import FIELD_PROPERTIES, list_all, list_workspace
from moteur.connectors.asana.transport import PremiumRequired
from moteur.connectors.create_once import ensure_once
from moteur.connectors.http import HttpClient
from moteur.core.colours import palette
from moteur.core.errors import MoteurError, SkippableError
from moteur.core.labels import QUADRANT_ORDER, quadrant_from_name
from moteur.core.model import BoardRef, FieldKind, Snapshot, Tool
from moteur.core.names import name_key

SUBTYPES = {
    FieldKind.NUMBER: "number",
    FieldKind.ENUM: "enum",
    FieldKind.TEXT: "text",
    FieldKind.DATE: "date",
}
# Asana's tag palette (asana_oas.yaml ``TagBase.color`` enum: dark-/light- pink, green, blue, red, teal,
# brown, orange, purple, warm-gray) has no plain names and no yellow: the nearest of its colours for each
# neutral one (labels.py). Yellow becomes "dark-brown", which Asana renders as a golden yellow (#eec300 in a
# public map of its palette, gist danilopolani/fa836996b17354c260fb7a093a4badd1); only enum values are taken.
TAG_COLOURS = {"green": "dark-green", "blue": "dark-blue", "yellow": "dark-brown", "red": "dark-red"}
TAG_COLOURS |= {"sky": "light-blue"}
PREMIUM_HINT = 'custom fields need a premium Asana workspace; set asana_tier = "free" to use tags instead'


def fold(name: str) -> str:
    """A section, field, option or tag name as moteur compares names (``core/names.name_key``)."""
    return name_key(name)


def email_key(email: str) -> str:
    """An e-mail address as Asana matches people: stripped and case-folded (never name-folded)."""
    return email.strip().casefold()


def _data(answer: Any) -> dict[str, Any]:
    data = answer.get("data") if isinstance(answer, dict) else None
    return data if isinstance(data, dict) else {}


def _options(field: dict[str, Any]) -> dict[str, str]:
    return {
        fold(str(o.get("name"))): str(o.get("gid"))
        for o in field.get("enum_options") or []
        if isinstance(o, dict) and o.get("enabled", True)
    }


class ProjectSchema:
    """Sections, custom fields and tags of one project, by folded name, kept current as the run creates."""

    def __init__(self, client: HttpClient, snapshot: Snapshot, *, fields_on: bool) -> None:
        state = AsanaNative.of(snapshot)
        self.client = client
        self.project: str = state.project
        self.workspace: str = state.workspace
        self.fields_on = fields_on
        self.sections: list[tuple[str, str]] = [(s.name, s.gid) for s in state.sections]
        self.fields: dict[str, dict[str, Any]] = {}
        for f in state.fields:
            options = {fold(name): gid for name, gid in f.options.items()}
            self.fields.setdefault(fold(f.name), {**f.model_dump(), "options": options})
        self.tags: dict[str, str] = {fold(name): gid for name, gid in state.tags.items()}
        # Folded tag name -> its colour (None: none), where a read or a create told it.
        self.tag_colours: dict[str, str | None] = {fold(n): c for n, c in snapshot.tag_colours.items()}
        self._workspace_tags_read = False

    @classmethod
    def of_sections(
        cls, client: HttpClient, project: str, workspace: str, sections: Iterable[tuple[str, str]]
    ) -> ProjectSchema:
        """The sections of another project (the companion, ``companion.py``), as (name, gid) pairs."""
        native = AsanaNative(
            project=project,
            workspace=workspace,
            sections=tuple(AsanaSection(name=n, gid=g) for n, g in sections),
        )
        snapshot = Snapshot(board=BoardRef(tool=Tool.ASANA, board=project), name="", native=native.dump())
        return cls(client, snapshot, fields_on=False)

    # -- shared -----------------------------------------------------------------------------------------

    def _premium(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except PremiumRequired as exc:
            self.fields_on = False
            raise PremiumRequired(exc.message, hint=PREMIUM_HINT) from exc

    # -- sections ---------------------------------------------------------------------------------------

    def section(self, name: str) -> str | None:
        return next((gid for have, gid in self.sections if fold(have) == fold(name)), None)

    def _anchor(self, name: str) -> dict[str, str]:
        """Where a new quadrant section goes so the quadrant sections keep quadrant order."""
        quadrant = quadrant_from_name(name)
        if quadrant is None or not self.sections:
            return {}
        rank = QUADRANT_ORDER.index(quadrant)
        placed = [(QUADRANT_ORDER.index(q), gid) for n, gid in self.sections if (q := quadrant_from_name(n))]
        before = [gid for r, gid in placed if r < rank]
        after = [gid for r, gid in placed if r > rank]
        if before:
            return {"insert_after": before[-1]}
        if after:
            return {"insert_before": after[0]}
        return {"insert_before": self.sections[0][1]}

    def ensure_section(self, name: str) -> str:
        found = self.section(name)
        if found is not None:
            return found
        anchor = self._anchor(name)

        def create() -> None:
            answer = self.client.request_json(
                "POST",
                f"/projects/{self.project}/sections",
                json={"data": {"name": name, **anchor}},
                what=f'section "{name}"',
            )
            self._place(name, str(_data(answer)["gid"]), anchor)

        def find() -> bool:
            listed = list_all(
                self.client, f"/projects/{self.project}/sections", {"opt_fields": "name"}, "sections"
            )
            self.sections = [(str(s.get("name") or ""), str(s.get("gid"))) for s in listed]
            return self.section(name) is not None

        ensure_once(create, find)
        return self.section(name) or ""

    def _place(self, name: str, gid: str, anchor: dict[str, str]) -> None:
        gids = [g for _, g in self.sections]
        if "insert_after" in anchor:
            index = gids.index(anchor["insert_after"]) + 1
        elif "insert_before" in anchor:
            index = gids.index(anchor["insert_before"])
        else:
            index = len(gids)
        self.sections.insert(index, (name, gid))

    # -- custom fields ----------------------------------------------------------------------------------

    def field(self, name: str) -> dict[str, Any] | None:
        return self.fields.get(fold(name))

    def ensure_field(
        self,
        name: str,
        kind: FieldKind,
        options: tuple[str, ...] = (),
        *,
        precision: int | None = None,
        strict: bool = False,
    ) -> dict[str, Any]:
        """The project's field ``name`` (any case), else the workspace's put on the project, else a new one
        (a new number field shows ``precision`` decimals, 1 by default); then the options it lacks. With
        ``strict`` a field of that name but another type is refused (a migration's ``EnsureField``); without,
        it is used as it is (moteur's own fields keep the type a person gave them)."""
        if not self.fields_on:
            raise PremiumRequired(f'Asana: the custom field "{name}" cannot be created', hint=PREMIUM_HINT)
        field = self.field(name)
        if field is None:
            field = self._premium(lambda: self._field_on_project(name, kind, options, precision))
        if strict and field["subtype"] != SUBTYPES[kind]:
            raise MoteurError(
                f'Asana: the custom field "{field["name"]}" holds {field["subtype"] or "something else"}, '
                f"not {SUBTYPES[kind]}"
            )
        for option in options:
            self.ensure_option(field, option)
        return field

    def _field_on_project(
        self, name: str, kind: FieldKind, options: tuple[str, ...], precision: int | None = None
    ) -> dict[str, Any]:
        found: dict[str, Any] = {}

        def lookup() -> bool:
            for f in list_workspace(self.client, self.workspace, "custom_fields"):
                if fold(str(f.get("name") or "")) == fold(name):
                    found.update(f)
                    return True
            return False

        def create() -> None:
            body: dict[str, Any] = {
                "workspace": self.workspace,
                "name": name,
                "resource_subtype": SUBTYPES[kind],
            }
            if kind is FieldKind.NUMBER:
                body["precision"] = 1 if precision is None else precision  # ICE like 8.3 is shown as written
            if kind is FieldKind.ENUM:
                body["enum_options"] = [{"name": o} for o in options]
            try:
                answer = self.client.request_json(
                    "POST", "/custom_fields", json={"data": body}, what=f'field "{name}"'
                )
            except PremiumRequired:
                raise
            except SkippableError:
                # Most often: a field of that name already exists in the workspace. Reuse it.
                if not lookup():
                    raise
                return
            found.update(_data(answer))

        ensure_once(create, lookup)
        field = {
            "gid": str(found["gid"]),
            "name": str(found.get("name") or name),
            "subtype": str(found.get("resource_subtype") or SUBTYPES[kind]),
            "options": _options(found),
        }
        try:
            self.client.request_json(
                "POST",
                f"/projects/{self.project}/addCustomFieldSetting",
                json={"data": {"custom_field": field["gid"]}},
                what=f'field "{name}" on project {self.project}',
                idempotent=True,  # adding a field twice is refused, never duplicated
            )
        except SkippableError as exc:
            if "already" not in str(exc).casefold():
                raise
        self.fields[fold(name)] = field
        return field

    def ensure_option(self, field: dict[str, Any], name: str) -> str:
        options: dict[str, str] = field["options"]
        if fold(name) in options:
            return options[fold(name)]
        gid = str(field["gid"])

        def create() -> None:
            answer = self._premium(
                lambda: self.client.request_json(
                    "POST",
                    f"/custom_fields/{gid}/enum_options",
                    json={"data": {"name": name}},
                    what=f'option "{name}" of field "{field["name"]}"',
                )
            )
            options[fold(name)] = str(_data(answer)["gid"])

        def find() -> bool:
            answer = self.client.request_json(
                "GET", f"/custom_fields/{gid}", params={"opt_fields": ",".join(FIELD_PROPERTIES)}
            )
            options.update(_options(_data(answer)))
            return fold(name) in options

        ensure_once(create, find)
        return options[fold(name)]

    # -- tags -------------------------------------------------------------------------------------------

    def _read_workspace_tags(self) -> None:
        if not self._workspace_tags_read:
            for tag in list_workspace(self.client, self.workspace, "tags"):
                key = fold(str(tag.get("name") or ""))
                if key not in self.tags:
                    self.tags[key] = str(tag.get("gid"))
                    self.tag_colours[key] = str(tag["color"]) if tag.get("color") else None
            self._workspace_tags_read = True

    def ensure_tag(self, name: str, colour: str | None = None) -> str:
        if fold(name) not in self.tags:
            self._read_workspace_tags()  # one read: a tag no task of this project carries may exist
        if fold(name) in self.tags:
            return self.tags[fold(name)]

        def create() -> None:
            body: dict[str, Any] = {"workspace": self.workspace, "name": name}
            if colour in TAG_COLOURS:
                body["color"] = TAG_COLOURS[colour]
            elif colour in palette(Tool.ASANA):  # a migration's colour, already Asana's (``core/colours``)
                body["color"] = colour
            answer = self.client.request_json("POST", "/tags", json={"data": body}, what=f'tag "{name}"')
            self.tags[fold(name)] = str(_data(answer)["gid"])
            self.tag_colours[fold(name)] = body.get("color")

        def find() -> bool:
            self._workspace_tags_read = False
            self._read_workspace_tags()
            return fold(name) in self.tags

        ensure_once(create, find)
        return self.tags[fold(name)]
