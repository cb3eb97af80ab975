"""Scores as people type them, and the mapping files that say how to read them."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moteur.core.errors import ConfigError
from moteur.core.model import Status, Tool
from moteur.mappings.loader import has_packaged_mapping, load_mapping
from moteur.mappings.schema import DEFAULT_WORDS, BoardMapping, WriteTarget, WriteTargetKind, fold
from moteur.mappings.scores import parse_number, parse_score

WORDS = load_mapping(Tool.FILE).words


@pytest.mark.parametrize(
    ("value", "score"),
    [
        (7, 7),
        ("7", 7),
        (" 7 ", 7),
        ("7.0", 7),
        (7.0, 7),
        ("7,5", 8),  # French decimal comma; halves round up
        ("6.5", 7),
        (6.4, 6),
        ("1", 1),
        ("10", 10),
        ("9,6", 10),
        ("low", 3),
        ("Medium", 5),
        ("HIGH", 8),
        ("faible", 3),
        ("moyen", 5),
        ("fort", 8),
        ("Élevé", 8),
        ("eleve", 8),
        ("très fort", 10),
        ("★★★★☆", 8),
        ("★★★★★", 10),
        ("★☆☆☆☆", 2),
        ("⭐⭐⭐", 6),
        ("⭐️⭐️", 4),  # with the emoji variation selector
        ("4/5", 8),
        ("7/10", 7),
    ],
)
def test_a_score_is_read_from_numbers_words_and_stars(value: object, score: int) -> None:
    assert parse_score(value, WORDS, field="impact") == (score, None)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_empty_cell_is_no_score_and_no_warning(value: object) -> None:
    assert parse_score(value, WORDS) == (None, None)


@pytest.mark.parametrize(
    ("value", "shown"),
    [("abc", "abc"), (0, "0"), (11, "11"), ("11", "11"), ("0,2", "0,2"), ("10,6", "10,6"),
     ("beaucoup", "beaucoup"), ("☆☆☆☆☆", "☆☆☆☆☆"), ("★★★★★★", "★★★★★★"), (True, "true"),
     ("-3", "-3"), ("6/5", "6/5")],
)  # fmt: skip
def test_anything_else_is_no_score_with_a_warning_naming_the_value(value: object, shown: str) -> None:
    score, warning = parse_score(value, WORDS, field="impact")
    assert score is None
    assert warning == f'impact "{shown}" is not a score (1–10 or low/medium/high)'


def test_words_from_a_hand_made_dict_match_ignoring_case_and_accents() -> None:
    assert parse_score("ÉNORME", {"énorme": 10}) == (10, None)


def test_a_custom_star_factor_scales_stars() -> None:
    assert parse_score("★★★", WORDS, stars_factor=3) == (9, None)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=10))
def test_every_integer_score_reads_as_itself_in_every_spelling(score: int) -> None:
    for spelling in (score, str(score), f"{score}.0", f"{score},0", float(score)):
        assert parse_score(spelling, WORDS) == (score, None)


@settings(max_examples=80, deadline=None)
@given(st.floats(min_value=-50, max_value=50, allow_nan=False))
def test_a_number_is_a_score_exactly_when_it_lies_in_1_to_10(number: float) -> None:
    score, warning = parse_score(number, WORDS)
    if 1 <= number <= 10:
        assert score == math.floor(number + 0.5) and warning is None
    else:
        assert score is None and warning is not None


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=12))
def test_parse_score_never_raises_and_always_returns_a_score_or_says_why(text: str) -> None:
    score, warning = parse_score(text, WORDS)
    assert score is None or 1 <= score <= 10
    assert (score is None) == (warning is not None or not text.strip())


def test_parse_number_reads_french_decimals_and_refuses_the_rest() -> None:
    assert parse_number("12,5") == 12.5
    assert parse_number("448") == 448.0
    assert parse_number("1\u202f000") == 1000.0  # narrow no-break space, as French locales write
    assert parse_number("abc") is None
    assert parse_number(True) is None
    assert parse_number("") is None


# -- mapping files -----------------------------------------------------------------------------------


def test_the_packaged_file_mapping_loads_with_french_aliases() -> None:
    assert has_packaged_mapping(Tool.FILE)
    mapping = load_mapping("file")
    assert mapping.tool is Tool.FILE
    assert mapping.statuses[fold("Terminé")] is Status.DONE
    assert mapping.words == {fold(word): score for word, score in DEFAULT_WORDS.items()}
    found = mapping.column_for(
        ["Identifiant", "TITRE", "Échéance", "Confiance", "Étiquettes", "ICE", "autre"]
    )
    assert found == {
        "id": "Identifiant",
        "title": "TITRE",
        "due": "Échéance",
        "confidence": "Confiance",
        "tags": "Étiquettes",
        "ice": "ICE",
    }


def test_a_user_file_is_layered_on_the_default(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(
        "words: {énorme: 10}\nfields: {title: [Intitulé]}\nwriteback: {sprint: Itération, ice: null}\n",
        encoding="utf-8",
    )
    mapping = load_mapping(Tool.FILE, path)
    assert mapping.words["enorme"] == 10 and mapping.words["fort"] == 8
    assert mapping.fields.title == ("Intitulé",)
    assert mapping.fields.due == load_mapping(Tool.FILE).fields.due
    assert mapping.writeback.sprint == WriteTarget(kind=WriteTargetKind.COLUMN, name="Itération")
    assert mapping.writeback.ice is None
    assert set(mapping.writeback.targets()) == {"quadrant", "sprint"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("writeback: {quadrnt: q}\n", "writeback.quadrnt: unknown key"),
        ("scores: {impact: [x], urgency: [y]}\n", "scores.urgency: unknown key"),
        ("words: {fort: 12}\n", 'word "fort" maps to 12'),
        ("stars_factor: 0\n", "stars_factor:"),
        ("statuses: {bloqué: blocked}\n", "statuses.bloqué:"),
        ("fields: {title: [Nom], channel: [nom]}\n", 'the name "nom" is given for both title and channel'),
        ("writeback: {quadrant: {kind: custom_field}}\n", "a custom_field target needs a name"),
        ("tool: trello\n", 'the file is for "trello"'),
        ("- just\n- a list\n", "a mapping file is a YAML table"),
        ("words: {fort: [\n", "not valid YAML at line"),
    ],
)
def test_a_bad_mapping_file_is_a_config_error_naming_the_file_and_key(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_mapping(Tool.FILE, path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_a_missing_mapping_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_mapping(Tool.FILE, tmp_path / "nope.yaml")


def test_an_unknown_tool_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match='unknown tool "jira"'):
        load_mapping("jira")


def test_a_target_is_a_column_name_or_a_kind() -> None:
    assert WriteTarget.model_validate("Quadrant") == WriteTarget(kind=WriteTargetKind.COLUMN, name="Quadrant")
    label = WriteTarget.model_validate({"kind": "label"})
    assert label.kind is WriteTargetKind.LABEL and label.name is None
    tagged = WriteTarget.model_validate(
        {"kind": "custom_field", "name": "Sprint", "field_type": "enum", "fallback": {"kind": "tag"}}
    )
    assert tagged.fallback == WriteTarget(kind=WriteTargetKind.TAG)


def test_every_tool_has_a_usable_default_mapping() -> None:
    for tool in Tool:
        assert isinstance(load_mapping(tool), BoardMapping)
