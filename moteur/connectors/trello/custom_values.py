"""A Trello board's own custom fields in a migration: their kinds, their values in canonical form, and the
``customFieldItems`` that write them back.

Terms:

- *Role-less field*: a custom field that no role of ``trello.yaml`` reads (impact / effort / confidence,
  objective / channel, the ICE write-back field, any other write-back field). A migration carries it as it
  is (``Snapshot.custom_fields``, values in ``Action.extra["field:<name>"]``).
- *Kind*: Trello's ``number`` / ``text`` / ``date`` / ``list`` (one choice among options: ``ENUM``) have a
  counterpart in every tool; ``checkbox`` (and any type Trello adds) is ``OTHER``, reported as a loss.
- *Canonical value* (``core/model.CustomField``): a number for ``number`` (Trello stores "8" or "2.5"),
  the option's text for ``list``, ISO text for ``date``, a string for ``text``. Trello's date fields always
  hold an instant: one at exactly 12:00:00.000 UTC reads back as the date alone, because that is where this
  port writes a date-only value (as it does date-only dues), so a date survives Trello → anything → Trello.
- *Custom Fields power-up*: without it Trello refuses every custom field write (403); ``Capabilities`` then
  declare no custom field kind, so the plan reports them lost instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from moteur.connectors.trello.board_schema import BoardSchema, _text
from moteur.core.errors import SkippableError
from moteur.core.model import CustomField, FieldKind, Snapshot, parse_due
from moteur.core.ops import EnsureField
from moteur.mappings.schema import BoardMapping, WriteTargetKind, fold

KINDS = {"number": FieldKind.NUMBER, "text": FieldKind.TEXT, "date": FieldKind.DATE, "list": FieldKind.ENUM}
TRELLO_TYPES = {kind: trello_type for trello_type, kind in KINDS.items()}
CARRIED_KINDS = frozenset(KINDS.values())
NOON = (12, 0, 0, 0)


def role_names(mapping: BoardMapping) -> set[str]:
    """The folded names of the custom fields a role reads or writes (never a migration's own field)."""
    names = mapping.field_names()
    out = {
        fold(n)
        for role in ("impact", "effort", "confidence", "objective", "channel")
        for n in names.get(role, ())
    }
    for target in mapping.writeback.targets().values():
        if target.kind is WriteTargetKind.CUSTOM_FIELD and target.name:
            out.add(fold(target.name))
    ice = mapping.writeback.ice
    out.add(fold(ice.name if ice is not None and ice.name else "ICE"))
    return out


def _options(field: Mapping[str, Any]) -> tuple[str, ...]:
    options = [o for o in field.get("options") or [] if isinstance(o, dict)]
    options.sort(key=lambda o: float(o.get("pos") or 0))
    return tuple(str((o.get("value") or {}).get("text", "")) for o in options)


def custom_fields(fields: Iterable[Mapping[str, Any]], mapping: BoardMapping) -> list[Mapping[str, Any]]:
    """The role-less field definitions, in Trello's order (``pos``)."""
    roles = role_names(mapping)
    chosen = [f for f in fields if f.get("id") and fold(str(f.get("name", ""))) not in roles]
    return sorted(chosen, key=lambda f: float(f.get("pos") or 0))


def canonical_date(text: str) -> str | None:
    """A Trello instant as ISO text in UTC; 12:00:00.000 UTC is read as the date alone (see module doc)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    if (moment.hour, moment.minute, moment.second, moment.microsecond) == NOON:
        return moment.date().isoformat()
    return moment.isoformat()


def trello_due(value: object) -> str | None:
    """A canonical due as Trello stores it: UTC with milliseconds; a date-only due at 12:00 UTC."""
    due = parse_due(value)
    if due is None:
        return None
    if isinstance(due, datetime):
        moment = (due if due.tzinfo else due.replace(tzinfo=UTC)).astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return f"{due.isoformat()}T12:00:00.000Z"


def trello_date(value: object) -> str | None:
    """``trello_due`` for a custom date field's value; None for what is not a date."""
    try:
        return trello_due(value)
    except ValueError:
        return None


def _number(text: str) -> int | float | str:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text  # not a number after all: kept as written (the plan compares it as text)


def canonical_value(field: Mapping[str, Any], item: Mapping[str, Any]) -> Any:
    """One card's value of ``field`` in canonical form (None when empty)."""
    if field.get("type") == "list":
        wanted = str(item.get("idValue") or "")
        for option in field.get("options") or []:
            if isinstance(option, dict) and str(option.get("id")) == wanted:
                return str((option.get("value") or {}).get("text", "")) or None
        return None
    value = item.get("value")
    if not isinstance(value, dict) or not value:
        return None
    raw = next(iter(value.values()))
    if raw in (None, ""):
        return None
    kind = field.get("type")
    if kind == "number":
        return _number(str(raw))
    if kind == "date":
        return canonical_date(str(raw)) or str(raw)
    return str(raw)


def with_custom_fields(
    snapshot: Snapshot,
    fields: Iterable[Mapping[str, Any]],
    cards: Mapping[str, Mapping[str, Any]],
    mapping: BoardMapping,
) -> Snapshot:
    """``snapshot`` with its role-less fields in ``custom_fields`` and each card's values, canonical, in
    ``extra["field:<name>"]`` (the sync mapping's raw ``field:`` entries replaced)."""
    chosen = custom_fields(fields, mapping)
    by_id = {str(f["id"]): f for f in chosen}
    described = tuple(
        CustomField(
            name=str(f.get("name", "")),
            kind=KINDS.get(str(f.get("type")), FieldKind.OTHER),
            options=_options(f) if f.get("type") == "list" else (),
        )
        for f in chosen
    )
    names = {fold(str(f.get("name", ""))) for f in chosen}
    actions = []
    for action in snapshot.actions:
        extra = {
            k: v for k, v in action.extra.items() if not (k.startswith("field:") and fold(k[6:]) in names)
        }
        card = cards.get(action.ref.item) or {}
        for item in card.get("customFieldItems") or []:
            field = by_id.get(str(item.get("idCustomField"))) if isinstance(item, dict) else None
            if field is None:
                continue
            value = canonical_value(field, item)
            if value is not None:
                extra[f"field:{field.get('name', '')}"] = value
        actions.append(action.model_copy(update={"extra": extra}))
    return snapshot.model_copy(update={"actions": tuple(actions), "custom_fields": described})


# -- writing ------------------------------------------------------------------------------------------------


def ensure_custom_field(schema: BoardSchema, op: EnsureField) -> None:
    """The field ``op.name`` of ``op.field_kind`` (created, or the same-named one reused) with every option of
    ``op.options`` (the missing ones added through the options route)."""
    trello_type = TRELLO_TYPES.get(op.field_kind)
    if trello_type is None:
        raise SkippableError(f'Trello has no custom field type for "{op.name}" ({op.field_kind.value})')
    if not schema.custom_fields_on:
        raise SkippableError(
            f'the board\'s Custom Fields power-up is off: the field "{op.name}" cannot be made'
        )
    found = schema.field((op.name,))
    if found is None:
        found = schema.ensure_field(op.name, trello_type, op.options)
    elif found.get("type") != trello_type:
        kind = found.get("type")
        raise SkippableError(
            f'the board\'s custom field "{found.get("name")}" is a {kind} field, not {trello_type}'
        )
    for option in op.options if trello_type == "list" else ():
        schema.option_id(found, option, exact=True)


def custom_item(schema: BoardSchema, name: str, value: object) -> dict[str, Any]:
    """The ``customFieldItems`` entry that sets the custom field ``name`` to a canonical ``value`` (None
    clears). A list option that does not exist yet is added to the field first."""
    field = schema.field((name,))
    if field is None:
        raise LookupError(f'the custom field "{name}" does not exist on the board')
    item: dict[str, Any] = {"idCustomField": str(field["id"])}
    kind = field.get("type")
    if kind == "list":
        item["idValue"] = "" if value in (None, "") else schema.option_id(field, str(value), exact=True)
        return item
    if value in (None, ""):
        item["value"] = ""
        return item
    if kind == "number":
        if isinstance(value, bool) or not isinstance(_number(_text(value)), int | float):
            raise ValueError(f'the custom field "{name}" holds numbers, not "{value}"')
        item["value"] = {"number": _text(value)}
    elif kind == "date":
        when = trello_date(value)
        if when is None:
            raise ValueError(f'the custom field "{name}" holds dates, not "{value}"')
        item["value"] = {"date": when}
    elif kind == "text":
        item["value"] = {"text": str(value)}
    else:
        raise ValueError(f'the custom field "{name}" is a {kind} field: it cannot hold "{value}"')
    return item
