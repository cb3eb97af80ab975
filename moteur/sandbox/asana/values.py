"""Values as the Asana emulator checks and keeps them: custom field values (``PUT /tasks/{gid}``
``custom_fields``) and timestamps (``iso_ms``).

A number is kept as a float (rendered with the field's precision), an enum value as its option's gid, a
multi-enum as a list of gids, a text as itself (at most 1,024 characters), a date as
``{"date", "date_time"}``.
A value the field's type cannot take is a 400, as on Asana.

*Colours*: a tag's ``color`` is one of the spec's ``TagBase.color`` enum (or null), a project's one of
``ProjectBase.color`` (the same palette, plus ``none``); anything else is a 400 (``checked_colour``). An enum
option's ``color`` has no enum in the spec (``EnumOption.color``: a string, "Defaults to ``none``"), so the
emulator keeps what it is given.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from moteur.sandbox.asana.entities import CustomField
from moteur.sandbox.asana.errors import invalid_field

# asana_oas.yaml components.schemas.TagBase.color (and ProjectBase.color, which adds "none").
PALETTE = tuple(
    f"{shade}-{hue}"
    for shade in ("dark", "light")
    for hue in ("pink", "green", "blue", "red", "teal", "brown", "orange", "purple", "warm-gray")
)
PROJECT_PALETTE = (*PALETTE, "none")


def checked_colour(param: str, value: Any, palette: tuple[str, ...] = PALETTE) -> str | None:
    """``value`` when it is null or one of ``palette``; else 400 as Asana's enum validation answers."""
    if value is None or value in palette:
        return value if value is None else str(value)
    raise invalid_field(param, f"Must be one of {', '.join(palette)} or null, not {value!r}")


def iso_ms(moment: datetime) -> str:
    """Asana's timestamp format: UTC, milliseconds, ``Z`` (``2025-08-06T18:37:18.547Z``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def checked_value(field: CustomField, value: Any) -> Any:
    """What the store keeps for ``value`` (not None) of ``field``; 400 when the field cannot take it."""
    if field.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise invalid_field("custom_fields", f"Number value expected for {field.gid}")
        try:
            return float(value)
        except ValueError as exc:
            raise invalid_field("custom_fields", f"Number value expected for {field.gid}") from exc
    elif field.type == "enum":
        if str(value) not in field.enum_options:
            raise invalid_field("custom_fields", f"Not a valid enum option: {value}")
        return str(value)
    elif field.type == "multi_enum":
        values = [str(v) for v in (value if isinstance(value, list) else [value])]
        if any(v not in field.enum_options for v in values):
            raise invalid_field("custom_fields", f"Not a valid enum option: {value}")
        return values
    elif field.type == "date":
        return date_value(field, value)
    else:
        if not isinstance(value, str) or len(value) > 1024:
            raise invalid_field("custom_fields", f"Text value of at most 1024 characters for {field.gid}")
        return value


def date_value(field: CustomField, value: Any) -> dict[str, str | None]:
    """A date field's value as Asana keeps it: ``{"date": "YYYY-MM-DD", "date_time": None}`` for a day; for a
    moment the UTC instant in Asana's format (``2024-08-23T22:00:00.000Z``) and its UTC day (spec:
    ``CustomFieldResponse.date_value``)."""
    if not isinstance(value, dict) or not (value.get("date") or value.get("date_time")):
        raise invalid_field("custom_fields", f"Date value expected for {field.gid}")
    try:
        if value.get("date_time"):
            moment = datetime.fromisoformat(str(value["date_time"]).replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise ValueError("a date_time needs its offset")
            moment = moment.astimezone(UTC)
            return {"date": moment.date().isoformat(), "date_time": iso_ms(moment)}
        return {"date": date.fromisoformat(str(value["date"])).isoformat(), "date_time": None}
    except ValueError as exc:
        raise invalid_field("custom_fields", f"Date value expected for {field.gid}") from exc
