"""Column values in monday.com's formats: what a write accepts, what is stored, and how it reads back.

Terms (per column type; "write" is a value in ``column_values`` / ``change_column_value``, "simple" is the
string ``change_simple_column_value`` takes; ``null``, ``""`` and ``{}`` clear a value):

=========== ================================================ ============================================
type        write (JSON / simple)                            stored ``value`` → ``text``
=========== ================================================ ============================================
status      ``{"label": "Done"}``, ``{"index": 1}`` / label  ``{"index": 1, "post_id": null, "changed_at"}``
                                                             → the label
dropdown    ``{"labels": [..]}``, ``{"ids": [..]}`` / "a, b" ``{"ids": [1, 2], "changed_at"}`` → "a, b"
numbers     ``"42"`` (a number is accepted too) / "42"       ``"42"`` → "42"
text        ``"hello"`` / same                               ``"hello"`` → "hello"
long_text   ``{"text": ".."}`` or a string / same            ``{"text": "..", "changed_at"}`` → the text
date        ``{"date": "2026-12-24", "time": "10:00:00"}``   ``{"date", "time", "icon": null, "changed_at"}``
            / "2026-12-24" or "2026-12-24 10:00:00"          → "2026-12-24 10:00" (time in UTC)
people      ``{"personsAndTeams": [{"id", "kind"}]}`` / ids  ``{"personsAndTeams": [..], "changed_at"}``
                                                             → the people's names, ", "-joined
checkbox    ``{"checked": "true"}`` (or ``true``) / —          ``{"checked": "true", "changed_at"}`` → "v"
=========== ================================================ ============================================

Sources: monday's "change column values" guide; the checkbox from monday's checkbox column reference
(``{"checked": "true"}`` checks it, ``null`` clears it; ``text`` is "v" when checked). A
status or dropdown label that does not exist is a ``ColumnValueException`` unless
``create_labels_if_missing`` is true, which adds it.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from moteur.sandbox.monday import errors
from moteur.sandbox.monday.store import Board, Column, MondayStore, iso

SUPPORTED_TYPES = ("status", "dropdown", "numbers", "text", "long_text", "date", "people", "checkbox")
"""Column types the emulator stores and renders (``name`` is the item name, not a value)."""

DEFAULT_STATUS_LABELS = {"0": "Working on it", "1": "Done", "2": "Stuck", "5": ""}
MAX_STATUS_LABELS = 40
"""monday's status column reference: "The status column has a limit of 40 labels"."""
STATUS_COLORS = ("#fdab3d", "#00c875", "#e2445c", "#579bfc", "#a25ddc", "#c4c4c4", "#037f4c", "#ff642e")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


def default_settings(column_type: str, defaults: dict[str, Any] | None) -> dict[str, Any]:
    """The settings of a new column; ``defaults`` is ``create_column``'s JSON (labels of status/dropdown)."""
    defaults = dict(defaults or {})
    defaults = defaults.get("settings", defaults)
    if column_type == "status":
        raw = defaults.get("labels") or DEFAULT_STATUS_LABELS
        if isinstance(raw, list):  # the newer list form: [{"label": .., "index"?: ..}] or plain strings
            raw = {
                str(e.get("index", i) if isinstance(e, dict) else i): (
                    e.get("label", "") if isinstance(e, dict) else str(e)
                )
                for i, e in enumerate(raw)
            }
        labels = {str(k): str(v) for k, v in dict(raw).items()}
        colors = {
            k: {"color": STATUS_COLORS[int(k) % len(STATUS_COLORS)], "border": "#c4c4c4"} for k in labels
        }
        return {"labels": labels, "labels_colors": colors, "done_colors": [1]}
    if column_type == "dropdown":
        raw_labels = defaults.get("labels") or []
        options = [
            {"id": int(e.get("id", i + 1)), "name": str(e.get("name", e.get("label", "")))}
            if isinstance(e, dict)
            else {"id": i + 1, "name": str(e)}
            for i, e in enumerate(raw_labels)
        ]
        settings: dict[str, Any] = {"hide_footer": False, "labels": options}
        # ``CreateDropdownColumnSettingsInput``: a dropdown may be limited to N labels (1: a single choice).
        if defaults.get("limit_select") is not None:
            settings["limit_select"] = bool(defaults["limit_select"])
        if defaults.get("label_limit_count") is not None:
            settings["label_limit_count"] = int(defaults["label_limit_count"])
        return settings
    return {}


def status_label_count(labels: dict[str, str]) -> int:
    """Labels of a status column, the blank one (index 5, no text) not counted."""
    return sum(1 for key, text in labels.items() if text or key != "5")


def write_value(
    column: Column,
    raw: Any,
    *,
    simple: bool,
    create_labels: bool,
    store: MondayStore,
    now: float,
    board: Board | None = None,
) -> Any:
    """The stored value for a write of ``raw`` (already JSON-decoded), or ``None`` to clear the value.

    ``board``: the board the value is written on (who may be assigned there); None only when seeding."""
    if raw is None or raw == "" or raw == {}:
        return None
    changed_at = iso(now).replace("Z", "+00:00")
    kind = column.type
    if kind == "status":
        return {"index": _status_index(column, raw, create_labels), "post_id": None, "changed_at": changed_at}
    if kind == "dropdown":
        return {"ids": _dropdown_ids(column, raw, create_labels), "changed_at": changed_at}
    if kind == "numbers":
        text = str(raw).strip()
        if isinstance(raw, bool) or not (isinstance(raw, int | float | str) and _NUMBER.match(text)):
            raise errors.column_value("invalid value - the value must be a number", column.id, kind)
        return text
    if kind == "text":
        if isinstance(raw, dict | list):
            raise errors.column_value("invalid value - text column expects a string", column.id, kind)
        return str(raw)
    if kind == "long_text":
        long_text = raw.get("text") if isinstance(raw, dict) else raw
        if not isinstance(long_text, str):
            raise errors.column_value('invalid value - long text expects {"text": ...}', column.id, kind)
        return {"text": long_text, "changed_at": changed_at}
    if kind == "date":
        day, time = _date_parts(column, raw)
        return {"date": day, "time": time, "icon": None, "changed_at": changed_at}
    if kind == "people":
        return {"personsAndTeams": _people(column, raw, store, board), "changed_at": changed_at}
    if kind == "checkbox":
        checked = raw.get("checked") if isinstance(raw, dict) else None
        if checked not in (True, "true", False, "false"):
            raise errors.column_value('invalid value - checkbox expects {"checked": "true"}', column.id, kind)
        return {"checked": "true", "changed_at": changed_at} if checked in (True, "true") else None
    raise errors.column_value(f"the sandbox does not store {kind} columns", column.id, kind)


def _status_index(column: Column, raw: Any, create_labels: bool) -> int:
    labels: dict[str, str] = column.settings.setdefault("labels", {})
    if isinstance(raw, dict) and "index" in raw:
        if str(raw["index"]) not in labels:
            raise errors.column_value("invalid value - index does not exist in column", column.id, "status")
        return int(raw["index"])
    label = raw.get("label") if isinstance(raw, dict) else raw
    if not isinstance(label, str):
        raise errors.column_value(
            'invalid value - status expects {"label"} or {"index"}', column.id, "status"
        )
    for key, existing in labels.items():
        if existing == label:
            return int(key)
    if not create_labels:
        raise errors.column_value("invalid value - label does not exist in column", column.id, "status")
    if status_label_count(labels) >= MAX_STATUS_LABELS:
        raise errors.MondayError(
            "ColumnValueException",
            f"invalid value - a status column holds at most {MAX_STATUS_LABELS} labels, "
            f'"{label}" would be label {status_label_count(labels) + 1}',
            {"column_id": column.id, "column_type": "status"},
        )
    taken = {int(i) for i in labels}
    index = next(i for i in range(len(taken) + 1) if i not in taken and i != 5)  # 5 is the blank label
    labels[str(index)] = label
    column.settings.setdefault("labels_colors", {})[str(index)] = {
        "color": STATUS_COLORS[index % len(STATUS_COLORS)],
        "border": "#c4c4c4",
    }
    return index


def _dropdown_ids(column: Column, raw: Any, create_labels: bool) -> list[int]:
    options: list[dict[str, Any]] = column.settings.setdefault("labels", [])
    if isinstance(raw, dict) and "ids" in raw:
        known = {o["id"] for o in options}
        ids = [int(i) for i in raw["ids"]]
        if any(i not in known for i in ids):
            raise errors.column_value("invalid value - dropdown id does not exist", column.id, "dropdown")
        return ids
    if isinstance(raw, dict) and "labels" in raw:
        names = [str(n) for n in raw["labels"]]
    elif isinstance(raw, str):
        names = [part.strip() for part in raw.split(",") if part.strip()]
    else:
        raise errors.column_value(
            'invalid value - dropdown expects {"labels"} or {"ids"}', column.id, "dropdown"
        )
    limit = column.settings.get("label_limit_count") if column.settings.get("limit_select") else None
    if isinstance(limit, int) and len(names) > limit:
        raise errors.column_value(
            f"invalid value - this dropdown takes at most {limit} labels", column.id, "dropdown"
        )
    ids = []
    for name in names:
        option = next((o for o in options if o["name"] == name), None)
        if option is None:
            if not create_labels:
                raise errors.column_value(
                    "invalid value - dropdown label does not exist", column.id, "dropdown"
                )
            option = {"id": max((o["id"] for o in options), default=0) + 1, "name": name}
            options.append(option)
        ids.append(option["id"])
    return ids


def _date_parts(column: Column, raw: Any) -> tuple[str, str | None]:
    if isinstance(raw, dict):
        day, time = raw.get("date"), raw.get("time")
    elif isinstance(raw, str):
        day, _, time = raw.strip().partition(" ")
        time = time or None
    else:
        day, time = None, None
    try:
        date.fromisoformat(str(day))
    except ValueError:
        raise errors.column_value("invalid value - date expects YYYY-MM-DD", column.id, "date") from None
    if time is not None and not _TIME.match(str(time)):
        raise errors.column_value("invalid value - time expects HH:MM:SS", column.id, "date")
    if time is not None and len(str(time)) == 5:
        time = f"{time}:00"
    return str(day), time


def _people(column: Column, raw: Any, store: MondayStore, board: Board | None) -> list[dict[str, Any]]:
    if isinstance(raw, dict) and isinstance(raw.get("personsAndTeams"), list):
        entries = raw["personsAndTeams"]
    elif isinstance(raw, str):
        entries = [{"id": part.strip(), "kind": "person"} for part in raw.split(",") if part.strip()]
    else:
        raise errors.column_value('invalid value - people expects {"personsAndTeams"}', column.id, "people")
    out = []
    for entry in entries:
        person_id, kind = str(entry.get("id", "")), entry.get("kind", "person")
        if kind not in ("person", "team") or (kind == "person" and person_id not in store.users):
            raise errors.MondayError(
                "InvalidUserIdException", "The user does not exist", {"user_id": person_id}
            )
        if kind == "person" and board is not None and store.assignable(store.users[person_id], board):
            raise errors.MondayError(
                "ColumnValueException",
                f"invalid value - unable to assign person with id: {person_id}",
                {"column_id": column.id, "column_validation_error_code": "invalidPersonAssignment"},
            )
        out.append({"id": int(person_id), "kind": kind})
    return out


# -- reading back -------------------------------------------------------------------------------------


def value_json(stored: Any) -> str | None:
    """``column_values.value``: the stored value as a JSON string (``null`` when empty)."""
    return None if stored is None else json.dumps(stored, ensure_ascii=False)


def text_of(column: Column, stored: Any, store: MondayStore) -> str | None:
    """``column_values.text`` as monday renders it (``""`` for an empty value of most types)."""
    if stored is None:
        return ""
    kind = column.type
    if kind == "status":
        return str(column.settings.get("labels", {}).get(str(stored["index"]), ""))
    if kind == "dropdown":
        names = {o["id"]: o["name"] for o in column.settings.get("labels", [])}
        return ", ".join(names.get(i, "") for i in stored["ids"])
    if kind == "long_text":
        return str(stored["text"])
    if kind == "date":
        return str(stored["date"]) + (f" {stored['time'][:5]}" if stored.get("time") else "")
    if kind == "people":
        return ", ".join(
            store.users[str(p["id"])].name for p in stored["personsAndTeams"] if str(p["id"]) in store.users
        )
    if kind == "checkbox":
        return "v"
    return str(stored)


def typed_fields(column: Column, stored: Any, store: MondayStore) -> dict[str, Any]:
    """The fields of the typed fragments (``... on StatusValue {label}`` and the like)."""
    kind = column.type
    if kind == "status":
        index = None if stored is None else stored["index"]
        label = None if index is None else column.settings.get("labels", {}).get(str(index))
        return {"index": index, "label": label, "is_done": index in column.settings.get("done_colors", [1])}
    if kind == "dropdown":
        names = {o["id"]: o["name"] for o in column.settings.get("labels", [])}
        ids = [] if stored is None else stored["ids"]
        return {"values": [{"id": str(i), "label": names.get(i, "")} for i in ids]}
    if kind == "numbers":
        return {"number": None if stored is None else float(stored)}
    if kind == "date":
        return {
            "date": None if stored is None else stored["date"],
            "time": None if stored is None else stored["time"],
        }
    if kind == "checkbox":
        return {"checked": stored is not None}
    if kind == "people":
        return {
            "persons_and_teams": None
            if stored is None
            else [{"id": str(p["id"]), "kind": p["kind"]} for p in stored["personsAndTeams"]]
        }
    return {}


GRAPHQL_TYPE = {
    "status": "StatusValue",
    "dropdown": "DropdownValue",
    "numbers": "NumbersValue",
    "text": "TextValue",
    "long_text": "LongTextValue",
    "date": "DateValue",
    "people": "PeopleValue",
    "checkbox": "CheckboxValue",
}
"""The concrete GraphQL type of a column value, per column type."""
