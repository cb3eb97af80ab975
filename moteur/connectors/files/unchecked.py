"""Building pydantic models from values already checked, without validation: the file board's fast path.

A file read builds two models per row (an ItemRef and an Action) from cells it has parsed and checked field
by field; pydantic's validation would check them again, and even ``model_construct`` spends most of its time
on defaults the reader always fills. With 100,000 rows that is seconds; building the instance directly
takes a fraction. ``_fast_path_holds`` checks once, at import, that this pydantic builds models the way this
module assumes; otherwise everything falls back to ``model_construct``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from moteur.core.model import Annotations

_ModelT = TypeVar("_ModelT", bound=BaseModel)
_SlotSetter = Callable[[object, object], None]


def _slot_setters() -> tuple[_SlotSetter, _SlotSetter, _SlotSetter, _SlotSetter] | None:
    """The setters of the four slots of a BaseModel instance (None on a pydantic without them).

    ``_builder`` sets them through their descriptors: ``object.__setattr__`` looks each one up through the
    class's MRO on every call, three times slower, and 100,000 rows make 200,000 models.
    """
    try:
        slots = BaseModel.__dict__
        return (
            slots["__dict__"].__set__,
            slots["__pydantic_fields_set__"].__set__,
            slots["__pydantic_extra__"].__set__,
            slots["__pydantic_private__"].__set__,
        )
    except (KeyError, AttributeError):
        return None


_SETTERS = _slot_setters()


def _builder(model: type[_ModelT]) -> Callable[[dict[str, Any]], _ModelT]:
    # What ``model_construct`` does, minus its per-field default handling: ``values`` holds every field.
    set_dict, set_fields_set, set_extra, set_private = _SETTERS  # type: ignore[misc]  # None: _FAST is False
    new = model.__new__
    every_field = set(model.model_fields)
    size = len(every_field)
    # A field added to the model after its caller was written gets its default (a factory's called for each
    # instance), so the read still builds whole models; only a call that lacks a field pays for it.
    fields = list(model.model_fields)
    optional = {name: info for name, info in model.model_fields.items() if not info.is_required()}
    # A frozen model's instances share one fields set: each has every field set, and a frozen model never
    # adds to it (``model_copy`` copies it before updating). A set of Action's 21 names is 1.2 KB: one per
    # action would be a third of the memory of a 100,000-row read. A mutable model adds to its own set on
    # assignment, so each of its instances gets a copy.
    share = bool(model.model_config.get("frozen"))

    def build(values: dict[str, Any]) -> _ModelT:
        if len(values) != size:  # in the model's order, as pydantic would lay them out
            values = {
                name: values[name]
                if name in values
                else optional[name].get_default(call_default_factory=True)
                for name in fields
            }
        instance = new(model)
        set_dict(instance, values)
        set_fields_set(instance, every_field if share else set(every_field))
        set_extra(instance, None)
        set_private(instance, None)
        return instance

    return build


def _fast_path_holds() -> bool:
    """Whether this pydantic builds models the way ``_builder`` assumes: equal to a validated instance, and
    a ``model_copy`` with updates leaves the other instances' (shared) fields set alone."""
    values: dict[str, Any] = {"quadrant": "Quick win", "sprint": None, "ice": 1.0}
    if _SETTERS is None:
        return False
    try:
        build = _builder(Annotations)
        fast, other = build(dict(values)), build(dict(values))
        copied = fast.model_copy(update={"sprint": "Sprint 2"})
        return (
            fast == Annotations(**values)
            and fast.model_dump() == values
            and hash(fast) is not None
            and copied.sprint == "Sprint 2"
            and other.model_fields_set == set(values)
        )
    except Exception:
        return False


_FAST = _fast_path_holds()


def unchecked_builder(model: type[_ModelT]) -> Callable[[dict[str, Any]], _ModelT]:
    """A function making ``model`` instances from values already checked field by field, skipping
    pydantic's validation; the values should hold every field (one left out gets its default, at a cost).
    Get it once and call it per row: that saves a
    lookup per instance. Falls back to ``model_construct`` on a pydantic whose model internals differ from
    what this module assumes."""
    if _FAST:
        return _builder(model)
    return lambda values: model.model_construct(**values)
