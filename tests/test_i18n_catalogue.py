"""The French catalogue is complete and in step with the code; the committed ``.mo`` is the ``.po`` compiled.

``make messages`` extracts, updates and compiles; these tests fail when someone adds or changes a message
without running it (a msgid of the code missing from the ``.po``), leaves an entry untranslated or fuzzy,
drops a ``{placeholder}`` in a translation, or edits the ``.po`` without compiling it. The extraction is the
Makefile's own: ``babel.cfg`` and the keywords of ``BABEL_KEYWORDS``.
"""

from __future__ import annotations

import gettext
import re
import shlex
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from moteur import i18n
from moteur.core.phrase import Phrase
from moteur.core.policy import Language

REPO = Path(__file__).resolve().parents[1]
LOCALES = REPO / "moteur" / "locale"
PO = LOCALES / "fr" / "LC_MESSAGES" / "moteur.po"
MO = PO.with_suffix(".mo")

Msgid = str | tuple[str, str]


def _catalogue() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, locale="fr")


def _entries(catalogue: Catalog) -> Iterator[Message]:
    return (m for m in catalogue if m.id)


def _key(message_id: str | tuple[str, ...] | list[str]) -> Msgid:
    return message_id if isinstance(message_id, str) else (message_id[0], message_id[1])


def _keywords() -> dict[str, object]:
    """gettext's own keywords and the Makefile's BABEL_KEYWORDS (``-k Phrase -k plural:2,3``)."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    line = re.search(r"^BABEL_KEYWORDS\s*:=\s*(.*)$", makefile, re.MULTILINE)
    assert line, "the Makefile defines BABEL_KEYWORDS"
    words = shlex.split(line.group(1))
    specs = [words[i + 1] for i, word in enumerate(words) if word == "-k"]
    return {**DEFAULT_KEYWORDS, **parse_keywords(specs)}


def _code_msgids() -> dict[Msgid, str]:
    """Every message the code marks, as ``make messages`` extracts it, with where it was found."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[Msgid, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(REPO / "moteur"), method_map, options_map, keywords=_keywords()
    ):
        found.setdefault(_key(message), f"moteur/{filename}:{lineno}")
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_of_the_code_is_in_the_po() -> None:
    code = _code_msgids()
    assert len(code) > 100, "the extraction found the code's messages"
    in_po = {_key(m.id) for m in _entries(_catalogue())}
    missing = {msgid: where for msgid, where in code.items() if msgid not in in_po}
    assert not missing, f"not in {PO.name} (run make messages, then translate): {missing}"
    stale = in_po - set(code)
    assert not stale, f"in {PO.name} but no longer in the code (run make messages): {sorted(map(str, stale))}"


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    catalogue = _catalogue()
    assert (catalogue.num_plurals, catalogue.plural_expr) == (2, "(n > 1)"), "French plural rule"
    untranslated, fuzzy = [], []
    for m in _entries(catalogue):
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        if not all(strings):
            untranslated.append(m.id)
        if m.fuzzy:
            fuzzy.append(m.id)
    assert not untranslated, f"untranslated in {PO.name}: {untranslated}"
    assert not fuzzy, f"fuzzy in {PO.name} (check the translation, remove the flag): {fuzzy}"
    assert not catalogue.obsolete, f"obsolete entries in {PO.name}: {list(catalogue.obsolete)}"


def test_translations_keep_every_placeholder() -> None:
    """A ``{field}`` lost or misspelt in a translation would raise at run time, in French only."""
    wrong = []
    for m in _entries(_catalogue()):
        ids = (m.id,) if isinstance(m.id, str) else tuple(m.id)
        strings = (m.string,) if isinstance(m.string, str) else tuple(m.string)
        for translated in strings:
            # The singular of a plural may leave out the count ("une étiquette"), never add a field.
            allowed = set().union(*(_fields(i) for i in ids))
            if not _fields(translated) <= allowed or (
                len(ids) == 1 and _fields(translated) != _fields(ids[0])
            ):
                wrong.append((m.id, translated))
    assert not wrong, wrong


def test_the_committed_mo_is_the_po_compiled() -> None:
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    catalogue = dict(compiled._catalog)  # type: ignore[attr-defined]
    catalogue.pop("", None)  # the header
    expected: dict[object, str] = {}
    for m in _entries(_catalogue()):
        if isinstance(m.id, str):
            expected[m.id] = m.string
        else:
            for index, text in enumerate(m.string):
                expected[(m.id[0], index)] = text
    assert catalogue == expected, "moteur.mo is not moteur.po compiled: run make messages"


def test_french_speaks_through_the_catalogue_and_english_is_the_msgids() -> None:
    try:
        i18n.set_language(Language.FR)
        assert i18n._("No changes.") == "Aucun changement."
        assert [i18n.ngettext("{n} closed day", "{n} closed days", n) for n in (0, 1, 2)] == [
            "{n} jour de fermeture",
            "{n} jour de fermeture",
            "{n} jours de fermeture",
        ]
        verdict = Phrase(
            "{missing} → {verdict}", missing=Phrase("impact missing"), verdict=Phrase("to score")
        )
        assert verdict == "impact missing → to score"  # the English text, for JSON and plan files
        assert i18n.tr(verdict) == "impact manquant → à évaluer"
        assert i18n.tr("Plan marketing") == "Plan marketing"  # board text is never looked up
        i18n.set_language(Language.EN)
        assert i18n._("No changes.") == "No changes."
        assert i18n.tr(verdict) == "impact missing → to score"
    finally:
        i18n.set_language(Language.EN)


def test_a_phrase_pickles_with_its_template() -> None:
    import pickle

    phrase = Phrase("pinned by hand to Sprint {index}", index=3)
    again = pickle.loads(pickle.dumps(phrase))
    assert (again, again.template, dict(again.params)) == (phrase, phrase.template, {"index": 3})


@pytest.mark.parametrize("language", list(Language))
def test_every_language_has_its_catalogue(language: Language) -> None:
    assert i18n.translations(language) is not None
