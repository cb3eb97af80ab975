"""The one name comparison (``core/names``): the fold's table of examples, its properties, and status words
matched as a person reads a list, section or label name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moteur.core.model import Status
from moteur.core.names import StatusWords, fold, id_fold, name_key, same_name
from moteur.mappings.schema import DEFAULT_STATUSES

WORDS = StatusWords(DEFAULT_STATUSES)


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Done 🎉", "done"),
        ("✅ Fait", "fait"),
        ("DONE! 🙌🏽", "done"),
        ("Terminé(e)s", "termine e s"),
        ("En cours…", "en cours"),
        ("À faire", "a faire"),
        ("to_do", "to do"),
        ("To-Do", "to do"),
        ("Date d'échéance", "date d echeance"),
        ("ＤＯＮＥ", "done"),
        ("  Sprint   3 · 2026-12-14 ", "sprint 3 2026 12 14"),
        ("6/18 (四) 維也納", "6 18 四 維也納"),
        ("クローズ", "クローズ"),
        ("🎉", ""),
    ],
)
def test_fold_reads_a_name_as_a_person_does(name: str, folded: str) -> None:
    assert fold(name) == folded


def test_marks_of_other_scripts_are_kept() -> None:
    # Japanese voiced marks make other letters: ズ is not ス (only Latin accents are read past).
    assert fold("クローズ") != fold("クロース")
    assert fold("Ελλάδα") == "ελλάδα"


def test_an_emoji_only_name_keeps_its_own_key() -> None:
    assert name_key("🎉") != name_key("🚀") and same_name("🎉", "🎉")
    assert same_name("Quick-win", "quick win") and same_name(None, None) and not same_name("x", None)


@given(st.text(max_size=40))
def test_fold_is_idempotent_and_blind_to_spacing_and_punctuation(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == " ".join(folded.split())
    assert fold(f"  {text}!! ") == folded


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40))
def test_fold_is_blind_to_case(text: str) -> None:
    assert fold(text.upper()) == fold(text.lower()) == fold(text)


def test_the_id_fold_never_changes() -> None:
    """File boards hash it into row ids: it is frozen, punctuation and all."""
    assert id_fold("Livre blanc (v2) — Été !") == "livre blanc (v2) — ete !"


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("Done 🎉", Status.DONE),
        ("✅ Fait", Status.DONE),
        ("DONE!", Status.DONE),
        ("Terminé(e)s", Status.DONE),
        ("Tâches terminées", Status.DONE),
        ("Faites", Status.DONE),
        ("En cours…", Status.DOING),
        ("In Progress 🚧", Status.DOING),
        ("TODO 📚", Status.TODO),
        ("À faire", Status.TODO),
        ("Backlog 📥", Status.TODO),
        ("Sprint 2 – Done", Status.DONE),
        ("Archivée", Status.ARCHIVED),
        ("Not done", None),  # a negation: no status
        ("Undone", None),  # a whole word, never a piece of one
        ("BRAINSTORM 🤔", None),
        ("6/18 (四) 維也納", None),
        ("", None),
    ],
)
def test_a_name_means_the_status_of_the_word_it_holds(name: str, status: Status | None) -> None:
    assert WORDS.status_of(name) is status


def test_the_longest_word_wins_then_the_first() -> None:
    words = StatusWords({"started": Status.DOING, "not started": Status.TODO, "done": Status.DONE})
    assert words.status_of("Not started yet") is Status.TODO
    assert words.status_of("Started → Done") is Status.DOING


def test_an_emoji_status_word_matches_an_emoji_list() -> None:
    words = StatusWords({"✅": Status.DONE})
    assert words.status_of("✅") is Status.DONE and words.status_of("🎉") is None
