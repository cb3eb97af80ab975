"""How moteur compares names: one folding function, and the status a list, section or label name means.

Every name a person types and moteur compares — a list, section, group or status label, a column or custom
field title, a score word, a quadrant or sprint label — goes through ``fold``. It reads a name as a person
does: case, accents, punctuation, emoji and decoration do not count.

``fold``: NFKD (so ``ＤＯＮＥ`` and ``²`` become ``DONE`` and ``2``), combining marks on Latin letters
dropped (``é`` → ``e``; marks of other scripts are kept, so Japanese ``ズ`` and ``ス`` stay two letters),
case-folded, every character that is neither a letter nor a digit (punctuation, symbols, emoji, ``_``,
``-``, spaces) read as a space, spaces collapsed:

==========================  ========================
name                        ``fold(name)``
==========================  ========================
``Done 🎉``                  ``done``
``✅ Fait``                  ``fait``
``DONE! 🙌🏽``                ``done``
``Terminé(e)s``             ``termine e s``
``En cours…``               ``en cours``
``À faire``                 ``a faire``
``to_do`` / ``To-Do``       ``to do``
``Date d'échéance``         ``date d echeance``
``6/18 (四) 維也納``          ``6 18 四 維也納``
``🎉``                       ``""`` (nothing left)
==========================  ========================

*Name key* (``name_key``): ``fold``, or when nothing is left (an emoji-only name), the name stripped and
case-folded, so ``🎉`` and ``🚀`` stay two names.

*Status words* (``StatusWords``): the mapping's ``statuses`` (``done: done``, ``en cours: doing``…). A name
means the status of

1. the word whose name key is the name's (``Done 🎉`` → ``done``), else
2. the longest word found in the name as whole folded tokens, where a name's token may add an inflection
   (``s``, ``e``, ``es``, ``x``) to the word's last letters: ``Terminé(e)s`` (``termine e s``) holds
   ``termine``; ``Tâches terminées`` holds ``terminee``; ``Sprint 2 – Done`` holds ``done``. A word right
   after a negation (``not``, ``no``, ``non``, ``pas``) does not count: ``Not done`` is no status. Between
   two words of the same length, the first in the name wins.

Anything else means no status (the caller reads it as to-do and says so). Matching costs a few
microseconds per distinct name; callers cache by name (boards have few lists, sections and labels).

``id_fold`` is the fold of moteur ≤ 0.x, frozen: file boards derive the id of a row without an id column
from its folded title, and those ids must never change.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from moteur.core.model import Status
from moteur.core.phrase import Phrase

# Inflections a token may add to a status word: plural and feminine (French and English), "x" (bureaux).
INFLECTIONS = ("s", "e", "es", "x")
NEGATIONS = frozenset({"not", "no", "non", "pas"})


def _latin(char: str) -> bool:
    # Basic Latin through Latin Extended-B, IPA, and Latin Extended Additional (Vietnamese): the letters
    # whose accents a French or English speaker reads past.
    code = ord(char)
    return code < 0x0250 or 0x1E00 <= code <= 0x1EFF


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """``text`` as moteur compares names (see the module docstring for the rule and examples)."""
    out: list[str] = []
    base_is_latin = True
    for char in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(char)
        if category[0] == "M":
            if not base_is_latin:
                out.append(char)  # a mark of another script is part of its letter
            continue
        if category[0] in "LN":
            base_is_latin = _latin(char)
            out.append(char)
        else:
            base_is_latin = True
            out.append(" ")
    folded = unicodedata.normalize("NFC", "".join(out)).casefold()
    return " ".join(folded.split())


def name_key(text: str) -> str:
    """``fold(text)``, or the stripped, case-folded text when folding leaves nothing (``🎉``)."""
    return fold(text) or unicodedata.normalize("NFKC", text).strip().casefold()


def same_name(a: str | None, b: str | None) -> bool:
    """Whether two names are one name for moteur (None is no name)."""
    if a is None or b is None:
        return a is b
    return name_key(a) == name_key(b)


@lru_cache(maxsize=4096)
def id_fold(text: str) -> str:
    """The frozen fold of moteur ≤ 0.x (accents off, case-folded, ``_``/``-`` as spaces). For ids only."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().replace("_", " ").replace("-", " ").split())


def _token_matches(token: str, word: str) -> bool:
    if token == word:
        return True
    return token.startswith(word) and token[len(word) :] in INFLECTIONS


class StatusWords:
    """The status each name means, from a mapping's status words (see the module docstring).

    Built once per mapping; ``status_of`` caches each name it is asked about.
    """

    def __init__(self, words: Mapping[str, Status]) -> None:
        self._exact: dict[str, Status] = {}
        phrases: list[tuple[tuple[str, ...], Status]] = []
        for word, status in words.items():
            self._exact.setdefault(name_key(word), status)
            tokens = tuple(fold(word).split())
            if tokens:
                phrases.append((tokens, status))
        # Longest first, so "not started" is tried before "started" and "to do" before "do".
        phrases.sort(key=lambda phrase: -len(phrase[0]))
        self._phrases = phrases
        self._cache: dict[str, Status | None] = {}

    def status_of(self, name: str | None) -> Status | None:
        """The status ``name`` means, or None when it names none."""
        if not name:
            return None
        found = self._cache.get(name, _MISSING)
        if found is _MISSING:
            found = self._cache[name] = self._match(name)
        return found  # type: ignore[return-value]

    def _match(self, name: str) -> Status | None:
        exact = self._exact.get(name_key(name))
        if exact is not None:
            return exact
        tokens = fold(name).split()
        best: tuple[int, int, Status] | None = None  # (-length, position, status)
        for phrase, status in self._phrases:
            if best is not None and len(phrase) < -best[0]:
                break  # phrases are longest first: nothing shorter can win
            for start in range(len(tokens) - len(phrase) + 1):
                if start and tokens[start - 1] in NEGATIONS:
                    continue
                if all(_token_matches(tokens[start + i], w) for i, w in enumerate(phrase)):
                    if best is None or (-len(phrase), start) < best[:2]:
                        best = (-len(phrase), start, status)
                    break
        return best[2] if best is not None else None


_MISSING = object()


def unmatched_warning(kind: str, names: Iterable[str], limit: int = 8) -> str:
    """The one line ``plan`` shows when no ``kind`` name (list, section, status label…) names a status.

    ``no list name means a status (to do, doing, done); read as to do: "Idées", "Semaine 1"; …`` — with the
    first ``limit`` names, and how to say what they mean.
    """
    unique = list(dict.fromkeys(n for n in names if n))
    shown = ", ".join(f'"{n}"' for n in unique[:limit])
    more = Phrase(" and {n} more", n=len(unique) - limit) if len(unique) > limit else ""
    # A phrase (English as the msgid; ``moteur.i18n.tr`` says it in the reader's language); the kind is one.
    kinds = {
        "list": Phrase("list"),
        "section": Phrase("section"),
        "status label": Phrase("status label"),
        "status": Phrase("status"),
    }
    return Phrase(
        "no {kind} name means a status (to do, doing, done); read as to do: {shown}{more}; "
        "say which mean doing or done under statuses: in a --mapping file",
        kind=kinds.get(kind, kind),
        shown=shown,
        more=more,
    )
