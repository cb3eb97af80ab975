"""Small words of human output: a count with the noun that agrees with it, and how an absent value reads.

``plural(1, "conflict", "conflicts")`` is ``1 conflict``; ``plural(0, …)`` is ``0 conflicts``. The two
forms are passed whole (never a noun plus "s") through gettext's ``ngettext`` (``moteur.i18n``), whose
plural rule per language decides (French says ``0 conflit``); the extractor knows ``plural`` as a keyword
whose 2nd and 3rd arguments are the singular and the plural.

``NONE`` is what every human output prints where a value is absent: ``(none)``, never ``None``.

``number(1500)`` is ``1,500`` in English and ``1 500`` in French (a narrow no-break space groups the
thousands); ``number(2.5, places=1)`` is ``2.5`` and ``2,5``.
"""

from __future__ import annotations

from moteur.core.policy import Language
from moteur.i18n import N_, _, current_language, digits_in, ngettext

NONE = N_("(none)")  # in a sentence: _(NONE)


def plural(count: int, one: str, many: str) -> str:
    """``count`` and the form of the noun that agrees with it: ``1 request``, ``14 requests``."""
    return f"{count} {ngettext(one, many, count)}"


def number(value: float, places: int = 0, language: Language | None = None) -> str:
    """``value`` with its thousands grouped and ``places`` decimals, as ``language`` (by default the current
    one) writes numbers."""
    return digits_in(f"{value:,.{places}f}", language or current_language())


def shown(value: object) -> str:
    """A value as human output prints it: quoted text, a number as is, ``(none)`` when absent."""
    if value is None:
        return _(NONE)
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


__all__ = ["NONE", "number", "plural", "shown"]
