"""The language of what moteur prints for people: gettext catalogues, chosen in one place.

English is the source language: every msgid is the English text, so English needs no catalogue and a
message missing from one reads in English rather than not at all. French is
``moteur/locale/fr/LC_MESSAGES/moteur.mo``, compiled from the ``.po`` beside it (``make messages`` extracts,
updates and compiles; ``tests/test_i18n_catalogue.py`` checks both are complete and in step).

- ``set_language(language)``: what every command calls once its settings are read (``language`` in
  ``moteur.toml``); ``_`` and ``ngettext`` then speak that language.
- ``gettext_in(language)`` / ``ngettext_in(language)``: the same for a view handed its language explicitly
  (``render_plan(console, evaluation, language)``), whatever the current one.
- ``tr(text, language)``: a core ``Phrase`` said in a language; any other text unchanged (board names, ids).
  A phrase that counts (``Phrase.counted``) takes the form the language's plural rule gives its count.
- ``N_``: mark a message to translate later, where it is shown.
- ``digits_in(text, language)``: a number written the English way (``1,500.5``) as ``language`` writes it.
  French groups thousands with a narrow no-break space (U+202F) and writes a decimal comma: ``1 500,5``.
  ``tr`` writes every number field of a phrase so (``{budget:,}``, ``{share:.1f}``); views write theirs
  with ``moteur.views.words.number``.

What stays English on purpose: ``--json`` outputs and plan files (keys and texts are for machines), and the
names moteur writes on boards (quadrant labels, ``moteur.core.labels``), which are board data, not messages.
"""

from __future__ import annotations

import gettext
import string
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

from moteur.core.phrase import N_, Phrase
from moteur.core.policy import Language

__all__ = [
    "DOMAIN",
    "N_",
    "_",
    "current_language",
    "digits_in",
    "gettext_in",
    "locale_dir",
    "ngettext",
    "ngettext_in",
    "set_language",
    "tr",
    "translations",
]

DOMAIN = "moteur"
NARROW_NO_BREAK_SPACE = "\u202f"  # groups French thousands: 1 500 (never cut at the end of a line)

_current: list[Language] = [Language.EN]


def locale_dir() -> Path:
    """``moteur/locale`` of the installed package (a plain directory: moteur is never run from a zip)."""
    return Path(str(resources.files("moteur") / "locale"))


@cache
def translations(language: Language) -> gettext.NullTranslations:
    """The catalogue of ``language``, read once; English is the msgids themselves.

    A missing French catalogue raises (``FileNotFoundError``): it ships in the package, so its absence is a
    broken install, better said at once than printed as English.
    """
    if language is Language.EN:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=locale_dir(), languages=[language.value])


def set_language(language: Language | str) -> None:
    """Speak ``language`` from now on (``_``, ``ngettext``, ``tr`` without a language)."""
    language = Language(language)
    translations(language)  # read it now: a broken install fails here, not in the middle of a run
    _current[0] = language


def current_language() -> Language:
    """The language moteur speaks now."""
    return _current[0]


def digits_in(text: str, language: Language) -> str:
    """``text``, a number written the English way (``1,500.5``), as ``language`` writes numbers."""
    if language is Language.FR:
        return text.translate({ord(","): NARROW_NO_BREAK_SPACE, ord("."): ","})
    return text


class _NumbersIn(string.Formatter):
    """``str.format`` that writes each number field as ``language`` writes numbers (``digits_in``)."""

    def __init__(self, language: Language) -> None:
        super().__init__()
        self.language = language

    def format_field(self, value: object, format_spec: str) -> str:
        text: str = super().format_field(value, format_spec)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return digits_in(text, self.language)
        return text


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(_current[0]).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n``, in the current language (French: 0 and 1 singular)."""
    return translations(_current[0]).ngettext(singular, plural, n)


def gettext_in(language: Language) -> Callable[[str], str]:
    """``_`` for a given language; bind it as ``_`` so the extractor finds the calls."""
    return translations(language).gettext


def ngettext_in(language: Language) -> Callable[[str, str, int], str]:
    return translations(language).ngettext


def tr(text: str, language: Language | None = None) -> str:
    """``text`` said in ``language`` (the current one by default) when it is a ``Phrase``; else as it is."""
    if not isinstance(text, Phrase):
        return text
    language = _current[0] if language is None else language
    catalogue = translations(language)
    if catalogue.__class__ is gettext.NullTranslations:
        return str.__str__(text)
    params = {
        name: tr(value, language) if isinstance(value, Phrase) else value
        for name, value in text.params.items()
    }
    if text.plural is not None and text.number is not None:
        count = text.params[text.number]
        assert isinstance(count, int)  # Phrase.counted checked it
        template = catalogue.ngettext(text.template, text.plural, count)
    else:
        template = catalogue.gettext(text.template)
    return _NumbersIn(language).format(template, **params)
