"""Sentences the core builds for people, in English, that a view can say in another language.

A *phrase* is an English ``str`` that remembers how it was made: its *template* (the gettext msgid, with
``{name}`` fields) and its *parameters*. Everything that treats it as text — the JSON outputs, the plan file,
tests, logs — reads the English sentence and needs no change; a view that prints for a person passes it
through ``moteur.i18n.tr``, which looks the template up in the catalogue and fills in the parameters, each
one translated in turn when it is a phrase itself (``quick win`` inside ``… → {verdict}``).

Why a ``str`` and not a code with parameters that only the views turn into words: the reasons travel as
``str`` through the plan, the ops, ``--plan-out`` files and the JSON (whose keys and texts stay English for
machines), and the English text *is* the catalogue's msgid. A phrase keeps that one source and keeps the core
pure: no catalogue is read here, ``Phrase`` and ``N_`` only mark text for the extractor (``make messages``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import PlainValidator


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it (it is translated where it is shown)."""
    return message


class Phrase(str):
    """``template.format(**params)``, carrying ``template`` and ``params`` (see the module docstring).

    Equal to, and hashed as, its English text; parameters that are phrases are translated with it.
    """

    template: str
    params: Mapping[str, object]
    plural: str | None  # a counting phrase's template for many (``counted``); ``template`` is for one
    number: str | None  # the parameter holding the count

    def __new__(cls, template: str, /, **params: object) -> Phrase:
        self = super().__new__(cls, template.format(**params))
        self.template = template
        self.params = params
        self.plural = None
        self.number = None
        return self

    @classmethod
    def counted(cls, one: str, many: str, number: str, /, **params: object) -> Phrase:
        """``one`` or ``many``, as the count in ``params[number]`` asks: ``≈ 1 request``, ``≈ 14 requests``.

        English says ``one`` for 1 only; a view says it in its language with that language's own rule
        (gettext's ``ngettext``: French says ``0 requête``). The extractor knows ``counted`` as a keyword
        whose first two arguments are the two forms.
        """
        count = params[number]
        if not isinstance(count, int):
            raise TypeError(f"{number} must be the count (an int), not {count!r}")
        self = cls(one if count == 1 else many, **params)
        self.template, self.plural, self.number = one, many, number
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # str's own pickling would rebuild it from the English text alone, as a template without fields.
        return (_rebuild, (self.template, dict(self.params), self.plural, self.number))


def _rebuild(
    template: str, params: dict[str, object], plural: str | None = None, number: str | None = None
) -> Phrase:
    if plural is not None and number is not None:
        return Phrase.counted(template, plural, number, **params)
    return Phrase(template, **params)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("text expected")
    return value  # as it is: a phrase stays a phrase (pydantic would make it a plain str)


# A model field that holds text moteur may have written as a phrase (``Snapshot.warnings``).
Text = Annotated[str, PlainValidator(_text)]
