"""monday.com columns as a migration's custom fields: which columns are custom, their kinds, their values.

Terms:

- *Custom column*: a column of the board that no role reads (``migration_columns.role_columns``: the sync
  mapping's roles, moteur's own quadrant / sprint / ICE columns, and the Description that holds the identity
  footer), other than the item's name and the subitems column (subitems travel as checklists). When two
  custom columns share a title (compared as the mapping compares titles), the first one is the field.
- *Kind*, by column type: numbers and rating → NUMBER; text and long_text → TEXT; date → DATE; status →
  ENUM (its labels, in index order, are the options); a dropdown whose settings limit it to one label
  (``limit_select`` with ``label_limit_count`` 1, as ``create_dropdown_column`` sets them) → ENUM too; any
  other (a multi-select dropdown, people, checkbox, formula, link, mirror…) → OTHER, which a migration
  reports as not carried.
- *Canonical value* (``Action.extra["field:<title>"]``): a number (an int when whole), a label, ISO text for
  a date (a date stays a date, "2026-12-24"; with a time, "2026-12-24T10:00:00+00:00": monday keeps the
  time in UTC), a string; an OTHER column's value is its text (only counted as a loss).
- *New column*: what ``EnsureField`` creates: numbers / text / date / status (with the options as labels).
  A choice of more than 40 options cannot be a status column — "The status column has a limit of 40
  labels" (developer.monday.com, status column reference) — and becomes a dropdown limited to one label
  (``limit_select`` / ``label_limit_count`` 1, ``CreateDropdownColumnSettingsInput`` in both SDLs), which
  reads back as the same single choice. monday's dropdown reference publishes no label limit (none was
  found); the plan reports the change ("field X has 41 options: created as a single-choice dropdown").
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from moteur.connectors.monday import columns
from moteur.connectors.monday.migration_columns import role_columns, status_labels
from moteur.core.model import CustomField, FieldKind
from moteur.mappings.schema import BoardMapping, fold
from moteur.mappings.scores import parse_number

NOT_FIELDS = frozenset({"name", "subtasks"})  # the item's own name; its subitems (carried as checklists)
KIND_OF_TYPE: dict[str, FieldKind] = {
    "numbers": FieldKind.NUMBER,
    "rating": FieldKind.NUMBER,
    "text": FieldKind.TEXT,
    "long_text": FieldKind.TEXT,
    "date": FieldKind.DATE,
    "status": FieldKind.ENUM,
}
NEW_TYPE: dict[FieldKind, str] = {
    FieldKind.NUMBER: "numbers",
    FieldKind.TEXT: "text",
    FieldKind.DATE: "date",
    FieldKind.ENUM: "status",
}
BLANK_INDEX = 5  # monday's empty status label
MAX_STATUS_LABELS = 40  # "The status column has a limit of 40 labels" (monday's status column reference)


def settings_of(column: Mapping[str, Any]) -> dict[str, Any]:
    settings = column.get("settings")
    if isinstance(settings, str):
        try:
            settings = json.loads(settings)
        except ValueError:
            return {}
    return settings if isinstance(settings, dict) else {}


def _single_dropdown(column: Mapping[str, Any]) -> bool:
    settings = settings_of(column)
    return bool(settings.get("limit_select")) and settings.get("label_limit_count") == 1


def kind_of(column: Mapping[str, Any]) -> FieldKind:
    kind = str(column.get("type", ""))
    if kind == "dropdown" and _single_dropdown(column):
        return FieldKind.ENUM
    return KIND_OF_TYPE.get(kind, FieldKind.OTHER)


def options_of(column: Mapping[str, Any]) -> tuple[str, ...]:
    """An ENUM column's options in the tool's order (status labels by index, dropdown labels in order)."""
    if column.get("type") == "status":
        return tuple(label for label in status_labels(column) if label)
    if column.get("type") == "dropdown":
        labels = settings_of(column).get("labels") or []
        names = [str(e.get("name", e.get("label", ""))) if isinstance(e, dict) else str(e) for e in labels]
        return tuple(n for n in names if n)
    return ()


def custom_columns(mapping: BoardMapping, board_columns: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The custom columns of a board, in board order (see *Custom column*)."""
    roles = {str(c.get("id")) for c in role_columns(mapping, [dict(c) for c in board_columns]).values()}
    found: list[dict[str, Any]] = []
    titles: set[str] = set()
    for column in board_columns:
        title = fold(str(column.get("title", "")))
        if str(column.get("id")) in roles or column.get("type") in NOT_FIELDS or title in titles:
            continue
        titles.add(title)
        found.append(dict(column))
    return found


def custom_fields(
    mapping: BoardMapping, board_columns: Sequence[Mapping[str, Any]]
) -> tuple[CustomField, ...]:
    fields = []
    for column in custom_columns(mapping, board_columns):
        kind = kind_of(column)
        options = options_of(column) if kind is FieldKind.ENUM else ()
        fields.append(CustomField(name=str(column.get("title", "")), kind=kind, options=options))
    return tuple(fields)


def canonical(cell: Mapping[str, Any], column: Mapping[str, Any]) -> Any:
    """The canonical value of one cell of a custom column (see *Canonical value*); None when empty."""
    kind = kind_of(column)
    meaning = columns.parse(cell)
    if meaning in (None, "", ()):
        return None
    if kind is FieldKind.NUMBER:
        number = parse_number(meaning) if not isinstance(meaning, float) else meaning
        if number is None:
            return None
        return int(number) if float(number).is_integer() else float(number)
    if kind is FieldKind.DATE:
        return meaning.isoformat() if hasattr(meaning, "isoformat") else str(meaning)
    if kind is FieldKind.ENUM:
        return str(meaning[0]) if isinstance(meaning, tuple) else str(meaning)
    text = cell.get("text")
    return str(text) if text else None


def custom_values(item: Mapping[str, Any], custom: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``field:<title>`` → canonical value, for the item's non-empty custom cells."""
    by_id = {str(c.get("id")): c for c in custom}
    found: dict[str, Any] = {}
    for cell in item.get("column_values") or []:
        column = by_id.get(str(cell.get("id")))
        if column is None:
            continue
        value = canonical(cell, column)
        if value is not None:
            found[f"field:{column.get('title', '')}"] = value
    return found


# -- writing ------------------------------------------------------------------------------------------


def cell(column: Mapping[str, Any], value: Any) -> Any:
    """The write form of a canonical value for a custom column (None clears); ValueError if it cannot hold it.

    An ENUM value that is not yet a label is sent as a label all the same: the mutations that carry it set
    ``create_labels_if_missing``, so monday adds the label rather than dropping the value.
    """
    kind = str(column.get("type", ""))
    if value is None or value == "":
        return None
    if kind == "dropdown":
        return columns.serialise("dropdown", [str(value)])
    if kind in ("text", "long_text") and isinstance(value, float) and value.is_integer():
        value = int(value)
    if kind in ("text", "long_text", "status"):
        value = str(value)
    return columns.serialise(kind, value)


def custom_cells(
    values: Mapping[str, Any], custom: Sequence[Mapping[str, Any]], *, creating: bool
) -> tuple[dict[str, Any], list[str]]:
    """Column id → write form for ``fields["custom"]`` (values by field name); what could not be written."""
    by_title = {fold(str(c.get("title", ""))): c for c in custom}
    cells: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in values.items():
        if creating and value in (None, ""):
            continue
        column = by_title.get(fold(name))
        if column is None:
            problems.append(f'custom field "{name}": no such column on the board')
            continue
        if kind_of(column) is FieldKind.OTHER:
            problems.append(f'custom field "{name}": the column is a {column.get("type")} column')
            continue
        try:
            cells[str(column["id"])] = cell(column, value)
        except ValueError as exc:
            problems.append(f'custom field "{name}" "{value}": {exc}')
    return cells, problems


def new_column(name: str, kind: FieldKind, options: Sequence[str]) -> dict[str, Any]:
    """``create_column``'s variables (title, type, defaults) for a new custom field.

    A status column's labels go in ``defaults`` as monday documents them for ``create_column``
    (``{"labels": {"<index>": "<label>"}}``), in the options' order, index 5 (the blank label) left out.
    Past ``MAX_STATUS_LABELS`` options: a dropdown, ``{"settings": {"labels": [{"id", "name"}…]}}`` as the
    dropdown reference shows ``create_column`` defaults, limited to one selected label.
    """
    defaults = None
    if kind is FieldKind.ENUM and len(options) > MAX_STATUS_LABELS:
        labels_list = [{"id": i, "name": label} for i, label in enumerate(options, start=1)]
        settings = {"labels": labels_list, "limit_select": True, "label_limit_count": 1}
        return {"t": name, "c": "dropdown", "d": json.dumps({"settings": settings}, ensure_ascii=False)}
    if kind is FieldKind.ENUM and options:
        indexes = (i for i in range(len(options) + 1) if i != BLANK_INDEX)
        labels = {str(index): label for index, label in zip(indexes, options, strict=False)}
        defaults = json.dumps({"labels": labels}, ensure_ascii=False)
    return {"t": name, "c": NEW_TYPE[kind], "d": defaults}
