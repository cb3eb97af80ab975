"""Score scales (``core/scales``, ``mappings/scores``): a field scored 1–5, 1–3 or 0–100 read on its own scale
and brought to 1–10; known from the mapping or the options, guessed from values only on clear evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from moteur.connectors.files import FileBoard
from moteur.core.scales import TEN, Scale, ScaleSource, scale_note, scale_of, to_ten
from moteur.mappings.loader import load_mapping, parse_mapping
from moteur.mappings.scores import parse_score, read_on, score_scales

SPREAD_5 = [1, 2, 3, 4, 5, 2, 3, 4, 5, 1]  # ten numbers, five values, topping out at 5


@pytest.mark.parametrize(
    ("values", "options", "scale"),
    [
        (["1", "2", "3", "4", "5"], True, Scale(5, ScaleSource.OPTIONS)),
        (["1", "2", "3", "4"], True, Scale(4, ScaleSource.OPTIONS)),
        (["low", "medium", "high"], True, TEN),  # words carry their own meaning
        (list(range(1, 11)), True, TEN),
        (SPREAD_5, False, Scale(5, ScaleSource.VALUES)),
        ([1, 2, 3] * 4, False, Scale(3, ScaleSource.VALUES)),
        ([5] * 12, False, TEN),  # a team's "medium" everywhere, not a scale
        ([1, 2, 5], False, TEN),  # too few numbers to say
        ([4, 2, 11], False, TEN),  # one 11 among small numbers: a typo, not a percentage
        ([40, 55, 80, 7], False, Scale(100, ScaleSource.VALUES)),
        ([], False, TEN),
    ],
)
def test_the_scale_of_a_field(values: list[object], options: bool, scale: Scale) -> None:
    assert scale_of(values, options=options) == scale


@pytest.mark.parametrize(
    ("value", "top", "score"),
    [(1, 5, 2), (2, 5, 4), (3, 5, 6), (4, 5, 8), (5, 5, 10), (6, 5, None), (2, 3, 7), (3, 3, 10),
     (55, 100, 6), (0, 100, 1), (7, 10, 7), (0.5, 10, None), (11, 10, None)],
)  # fmt: skip
def test_a_number_is_brought_to_1_10(value: float, top: int, score: int | None) -> None:
    assert to_ten(value, Scale(top)) == score


def test_parse_score_reads_numbers_on_the_scale_and_words_as_they_are() -> None:
    five = Scale(5, ScaleSource.OPTIONS)
    assert parse_score("4", {}, scale=five) == (8, None)
    assert parse_score(4.0, {}, scale=five) == (8, None)
    assert parse_score("fort", {"fort": 8}, scale=five) == (8, None)
    assert parse_score("4/5", {}, scale=five) == (8, None)
    assert parse_score("6", {}, field="impact", scale=five) == (
        None,
        'impact "6" is not a score (1–5 on this field, or low/medium/high)',
    )


def test_the_mapping_states_a_scale_and_it_wins() -> None:
    mapping = parse_mapping({"tool": "trello", "scales": {"impact": 5, "effort": 10}}, "m.yaml")
    scales, warnings = score_scales(
        mapping,
        {"impact": [1, 2], "effort": SPREAD_5, "confidence": SPREAD_5},
        names={"confidence": "Confiance"},
    )
    assert scales["impact"] == Scale(5, ScaleSource.MAPPING) and scales["effort"].native
    assert scales["confidence"] == Scale(5, ScaleSource.VALUES)
    assert warnings == [
        'confidence field "Confiance" read on 1–5 and brought to 1–10 (guessed: its numbers top out at 5); '
        "say scales: {confidence: 5} in a --mapping file to confirm, or {confidence: 10} to read the numbers "
        "as they are"
    ]
    assert read_on(scales, {"impact": 8, "effort": 3, "confidence": None}) == {"impact": 5}
    assert scale_note("impact", scales["impact"]) == "impact read on 1–5 (as the mapping says)"


def test_a_guess_stands_through_a_few_items_read_again_unless_they_go_above_it() -> None:
    mapping = load_mapping("trello")
    scales, _ = score_scales(mapping, {"impact": [1, 2]}, known={"impact": 5})
    assert scales["impact"] == Scale(5, ScaleSource.VALUES)
    scales, _ = score_scales(mapping, {"impact": [1, 8]}, known={"impact": 5})
    assert scales["impact"] == TEN


def test_a_bad_scale_in_a_mapping_is_named() -> None:
    with pytest.raises(Exception, match=r'scales: .*"channel" has no scale'):
        parse_mapping({"tool": "trello", "scales": {"channel": 5}}, "m.yaml")
    with pytest.raises(Exception, match=r"scales: .*impact: a scale tops out at 2 to 100"):
        parse_mapping({"tool": "trello", "scales": {"impact": 1000}}, "m.yaml")


def _csv(tmp_path: Path, impacts: list[int], name: str = "plan.csv") -> Path:
    rows = "".join(f"Action {n};{impact};3;fait\n" if n == 0 else f"Action {n};{impact};3;à faire\n"
                   for n, impact in enumerate(impacts))  # fmt: skip
    path = tmp_path / name
    path.write_text("titre;impact;effort;statut\n" + rows, encoding="utf-8")
    return path


def test_a_file_column_scored_1_5_is_read_on_its_scale(tmp_path: Path) -> None:
    snapshot = FileBoard(_csv(tmp_path, SPREAD_5), load_mapping("file")).read()
    assert [a.impact for a in snapshot.actions[:5]] == [2, 4, 6, 8, 10]
    assert snapshot.actions[0].scales == {"impact": 5} and snapshot.actions[0].status.value == "done"
    assert [w for w in snapshot.warnings if "guessed" in w] == [
        'impact field "impact" read on 1–5 and brought to 1–10 (guessed: its numbers top out at 5); say '
        "scales: {impact: 5} in a --mapping file to confirm, or {impact: 10} to read the numbers as they are"
    ]


def test_a_file_column_read_as_the_mapping_says(tmp_path: Path) -> None:
    mapping_file = tmp_path / "map.yaml"
    mapping_file.write_text("tool: file\nscales:\n  impact: 10\n", encoding="utf-8")
    snapshot = FileBoard(_csv(tmp_path, SPREAD_5), load_mapping("file", mapping_file)).read()
    assert [a.impact for a in snapshot.actions[:5]] == [1, 2, 3, 4, 5] and snapshot.warnings == ()
