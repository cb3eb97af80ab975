"""Column values by type: the typed serialiser (what a write sends) and parser (what a read means).

A *column value* on the write side is the JSON monday expects for one column in ``column_values``
(monday's "change column values" guide), per column type::

    status     {"label": "Quick win"}                 dropdown  {"labels": ["Sprint 3"]}
    numbers    "512" (a string)                        rating    {"rating": 4}
    text       "leads"                                 long_text {"text": "…"}
    date       {"date": "2026-12-24"} (+ "time": "HH:MM:SS", UTC)
    people     {"personsAndTeams": [{"id": 123, "kind": "person"}]}

``None`` clears a value of any type and is sent as JSON ``null``. The whole ``column_values`` map travels as
one JSON-encoded string (``encode_values``), in a GraphQL variable, never inside the document.

On the read side a *cell* is one entry of ``column_values`` as ``documents.ITEM_FIELDS`` asks it; ``parse``
turns it into a Python value: a status label, a tuple of dropdown labels, a float, a ``date`` (a date-only
value stays a date) or an aware UTC ``datetime`` (a value with a time), a tuple of people names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from moteur.mappings.scores import parse_number

JsonValue = Any  # what json.dumps accepts


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    kind: str = "person"  # "person" or "team"


def serialise(column_type: str, value: object) -> JsonValue:
    """The write form of ``value`` for a column of ``column_type``; ``None`` (or ``""``) clears it.

    Raises ``ValueError`` for a value the type cannot hold (a word in a numbers column, an unknown type).
    """
    if value is None or value == "" or value == ():
        return None
    if column_type == "status":
        return {"label": str(value)}
    if column_type == "dropdown":
        labels = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
        return {"labels": labels}
    if column_type == "numbers":
        number = parse_number(value)
        if number is None:
            raise ValueError(f"{value!r} is not a number")
        return str(int(number)) if number.is_integer() else repr(number)
    if column_type == "rating":
        number = parse_number(value)
        if number is None or not number.is_integer():
            raise ValueError(f"{value!r} is not a rating")
        return {"rating": int(number)}
    if column_type == "text":
        return str(value)
    if column_type == "long_text":
        return {"text": str(value)}
    if column_type == "date":
        return _date(value)
    if column_type == "people":
        people = value if isinstance(value, list | tuple) else [value]
        return {"personsAndTeams": [_person(p) for p in people]}
    raise ValueError(f"moteur does not write {column_type} columns")


def _date(value: object) -> JsonValue:
    if isinstance(value, datetime):
        # monday keeps a date's time in UTC; a naive datetime is taken as UTC already.
        moment = value.astimezone(UTC) if value.tzinfo is not None else value
        return {"date": moment.date().isoformat(), "time": moment.strftime("%H:%M:%S")}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, str):
        return _date(datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value))
    raise ValueError(f"{value!r} is not a date")


def _person(value: object) -> dict[str, Any]:
    if isinstance(value, Person):
        return {"id": value.id, "kind": value.kind}
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return {"id": int(value), "kind": "person"}
    raise ValueError(f"{value!r} is not a monday person id")


def encode_values(values: Mapping[str, JsonValue]) -> str:
    """``column_values`` as the JSON text monday's ``JSON!`` scalar expects."""
    return json.dumps(dict(values), ensure_ascii=False, separators=(",", ":"))


# -- reading --------------------------------------------------------------------------------------------


def split_labels(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def parse(cell: Mapping[str, Any]) -> object:
    """The meaning of one cell (see the module docstring); ``None`` for an empty cell."""
    kind = str(cell.get("type") or "")
    text = cell.get("text")
    text = text if isinstance(text, str) else ""
    if kind == "status":
        label = cell.get("label")
        return (label if isinstance(label, str) else text) or None
    if kind == "dropdown":
        values = cell.get("values")
        if isinstance(values, list):
            return tuple(str(v["label"]) for v in values if isinstance(v, dict) and v.get("label"))
        return split_labels(text)
    if kind in ("numbers", "rating"):
        return parse_number(text)
    if kind == "date":
        return parse_date(cell.get("date"), cell.get("time")) if "date" in cell else parse_date_text(text)
    if kind == "people":
        return split_labels(text)
    return text or None


def parse_date(day: object, time: object) -> date | datetime | None:
    """A date-only value stays a ``date``; with a time it is an aware UTC ``datetime``."""
    if not isinstance(day, str) or not day:
        return None
    if isinstance(time, str) and time:
        return datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=UTC)
    return date.fromisoformat(day)


def parse_date_text(text: str) -> date | datetime | None:
    """A date cell's ``text`` ("2026-12-24" or "2026-12-24 10:00", the time in UTC)."""
    day, _, time = text.strip().partition(" ")
    return parse_date(day, time or None)
