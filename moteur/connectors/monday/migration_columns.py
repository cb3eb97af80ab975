"""Where a migration puts each canonical field on a monday.com board, and the value it sends there.

Terms:

- *Role*: a canonical migration field (``core/ops.py`` ``MIGRATION_FIELDS``) that lives in a column:
  description, status, due, tags, assignees, the three scores, objective, channel, quadrant, sprint, ICE.
- *Role column*: the board's column for a role, found by title through the mapping's names (``monday.yaml``:
  "Statut" or "Status" → status, "Échéance" or "Due date" → due…), whatever its type, so a migration into a
  team's board reuses its columns; when none exists, the run creates one with ``NEW_COLUMNS``' title and type,
  named so that a later read maps it back to the same role.
- *Cell*: the write form of one value for one column (``columns.serialise`` by the column's type). A value
  the column cannot hold (a word in a numbers column) is left out and reported, never sent.

Status: the item's status (todo / doing / done / archived) becomes the column's first label that the
mapping reads as that status ("fait", "Done"…; an archived one a done label when it was done, ``is_done``,
else a to-do one), else monday's default words
("To do", "Working on it", "Done"), created on the fly (``create_labels_if_missing``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from moteur.connectors.monday import columns
from moteur.connectors.monday.writer import STATUS_COLOURS
from moteur.core.identity import with_identity
from moteur.core.labels import QUADRANT_COLOURS, QUADRANT_NAMES, QUADRANT_ORDER
from moteur.core.model import Status
from moteur.core.ops import is_done
from moteur.core.policy import Language
from moteur.mappings.schema import BoardMapping, fold

# role -> (title of a new column, its monday type)
NEW_COLUMNS: dict[str, tuple[str, str]] = {
    "description": ("Description", "long_text"),
    "status": ("Status", "status"),
    "due": ("Due date", "date"),
    "tags": ("Tags", "dropdown"),
    "assignees": ("Owner", "people"),
    "impact": ("Impact", "numbers"),
    "effort": ("Effort", "numbers"),
    "confidence": ("Confidence", "numbers"),
    "objective": ("Objective", "text"),
    "channel": ("Channel", "text"),
    "quadrant": ("Quadrant", "status"),
    "sprint": ("Sprint", "dropdown"),
    "ice": ("ICE", "numbers"),
}
DEFAULT_STATUS_WORDS = {Status.TODO: "To do", Status.DOING: "Working on it", Status.DONE: "Done"}
SUBITEM_STATUS = ("Status", "status")


def new_columns(mapping: BoardMapping) -> dict[str, tuple[str, str]]:
    """``NEW_COLUMNS`` with moteur's own columns named as the mapping's write-back names them."""
    found = dict(NEW_COLUMNS)
    for role, target in mapping.writeback.targets().items():
        if role in found and target.name:
            found[role] = (target.name, target.field_type or found[role][1])
    return found


def role_columns(mapping: BoardMapping, board_columns: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """role -> the board's column holding it (see *Role column*)."""
    by_title = {fold(str(c.get("title", ""))): c for c in reversed(board_columns)}  # first one wins
    titles = mapping.column_for([str(c.get("title", "")) for c in board_columns])
    found = {role: by_title[fold(title)] for role, title in titles.items() if role in NEW_COLUMNS}
    for role, (title, _) in new_columns(mapping).items():
        if role not in found and fold(title) in by_title:
            found[role] = by_title[fold(title)]
    return found


def column_defaults(role: str, column_type: str, language: Language) -> str | None:
    """``create_column``'s ``defaults``: the quadrant labels with their colours; nothing for the others."""
    if role != "quadrant" or column_type != "status":
        return None
    labels, used = [], set()
    for quadrant in QUADRANT_ORDER:
        colour, index = STATUS_COLOURS.get(QUADRANT_COLOURS[quadrant], ("american_gray", 17))
        while index in used or index == 5:  # 5 is monday's blank label
            index += 1
        used.add(index)
        labels.append({"label": QUADRANT_NAMES[language][quadrant], "color": colour, "index": index})
    return json.dumps({"labels": labels}, ensure_ascii=False)


def status_labels(column: Mapping[str, Any]) -> list[str]:
    """The labels of a status column, from its settings (the index→label map or the newer list form)."""
    settings = column.get("settings")
    if isinstance(settings, str):
        try:
            settings = json.loads(settings)
        except ValueError:
            return []
    labels = settings.get("labels") if isinstance(settings, dict) else None
    if isinstance(labels, dict):
        return [
            str(v) for _, v in sorted(labels.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0)
        ]
    if isinstance(labels, list):
        return [str(e.get("label", "")) if isinstance(e, dict) else str(e) for e in labels]
    return []


def status_label(column: Mapping[str, Any], status: str, mapping: BoardMapping) -> str:
    wanted = Status.DONE if status == Status.ARCHIVED else Status(status)
    for label in status_labels(column):
        if label and mapping.status_of(label) is wanted:
            return label
    return DEFAULT_STATUS_WORDS[wanted]


def cells(
    fields: Mapping[str, Any],
    key: str,
    role_column: Mapping[str, Mapping[str, Any]],
    mapping: BoardMapping,
    users: Mapping[str, int],
    *,
    creating: bool,
) -> tuple[dict[str, Any], list[str]]:
    """Column id -> write form for ``fields`` of source item ``key``, and what could not be written.

    On a create, empty values are left out (the cell is empty anyway); on an update, they clear the cell.
    The description always carries the identity footer.
    """
    values: dict[str, Any] = {}
    problems: list[str] = []
    for role, value in fields.items():
        column = role_column.get(role)
        if column is None:
            continue
        if role == "description":
            value = with_identity(str(value or ""), key)
        if role == "status" and value == Status.ARCHIVED:  # archived by ``archive_item``: its label says done
            value = Status.DONE if is_done(fields) else Status.TODO
        if creating and value in (None, "", [], ()):
            continue
        kind = str(column.get("type", ""))
        try:
            values[str(column["id"])] = _cell(role, kind, value, column, mapping, users)
        except ValueError as exc:
            problems.append(f'{role} "{value}": {exc}')
    if creating and "description" in role_column and "description" not in fields:
        values[str(role_column["description"]["id"])] = _cell(
            "description",
            str(role_column["description"].get("type")),
            with_identity("", key),
            {},
            mapping,
            users,
        )
    return {k: v for k, v in values.items() if not (creating and v is None)}, problems


def _cell(
    role: str,
    kind: str,
    value: Any,
    column: Mapping[str, Any],
    mapping: BoardMapping,
    users: Mapping[str, int],
) -> Any:
    if value in (None, "", [], ()):
        return None
    if role == "status" and kind == "status":
        return {"label": status_label(column, str(value), mapping)}
    if role == "assignees":
        ids = [users[e.casefold()] for e in value if e.casefold() in users]
        if kind == "people":
            return columns.serialise("people", [columns.Person(i) for i in ids]) if ids else None
        value = list(value)
    if kind in ("text", "long_text") and isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    if kind in ("text", "long_text", "status") and isinstance(value, float) and value.is_integer():
        value = int(value)
    if kind == "status" and isinstance(value, list | tuple):
        value = value[0]
    if kind == "date" and not isinstance(value, str):
        value = value.isoformat()
    return columns.serialise(kind, value)
