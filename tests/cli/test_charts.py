"""Charts a person reads at a glance, drawn by the real ``plan --chart`` as SVG.

matplotlib writes each text of an SVG as a comment before its glyphs, and the chart names its groups
(``sprint-3``, ``quadrant-quick_win``, ``closure``, ``holiday``, ``note``): the tests read both.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("matplotlib", reason="charts are the optional extra moteur[charts]")
Run = Any

LONG = "Refonte complète de la page tarifs avec comparateur interactif et témoignages clients"
PLAN = f"""id;titre;impact;effort;confiance;statut
a1;{LONG};8;3;7;à faire
a2;Webinar SEO;8;4;7;à faire
a3;Audit technique du site vitrine;7;5;6;à faire
a4;Salon professionnel;3;9;5;à faire
a5;Livre blanc;;5;;à faire
a6;Programme ambassadeurs;;;;à faire
a7;Newsletter de rentrée;7;2;8;fait
a8;Série d'articles SEO « guide d'achat »;6;8;6;à faire
a9;Vidéo témoignage client;7;7;5;à faire
"""
CONFIG = """[planning]
first_sprint = 2026-11-30
sprint_weeks = 1
horizon = 6
capacity_per_sprint = 5
closures = [["2026-12-24", "2027-01-01"]]
"""


@pytest.fixture
def charts(workdir: Path, run: Run) -> tuple[str, str]:
    (workdir / "plan.csv").write_text(PLAN, encoding="utf-8")
    (workdir / "moteur.toml").write_text(CONFIG, encoding="utf-8")
    result = run("plan", "file:plan.csv", "--today=2026-12-01", "--chart=matrix.svg")
    assert result.code == 0, result.err
    matrix = (workdir / "matrix.svg").read_text(encoding="utf-8")
    load = (workdir / "matrix-load.svg").read_text(encoding="utf-8")
    return matrix, load


def fills(svg: str, group: str) -> set[str]:
    """The fill colours of every SVG group whose id is ``group`` (a regular expression)."""
    found: set[str] = set()
    for match in re.finditer(rf'<g id="({group})">(.*?)</g>', svg, re.S):
        found |= set(re.findall(r"fill:\s*(#[0-9a-fA-F]{6})", match.group(2)))
    return found


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours: 1 (the same) to 21 (black on white)."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def texts(svg: str) -> list[str]:
    return [t.strip() for t in re.findall(r"<!-- (.*?) -->", svg)]


def test_sprint_colours_never_melt_into_a_quadrant(charts: tuple[str, str]) -> None:
    matrix, _ = charts
    backgrounds = fills(matrix, r"quadrant-\w+")
    points = fills(matrix, r"sprint-\d+|not-planned")
    assert len(backgrounds) == 4 and len(points) >= 3, (backgrounds, points)
    for point in points:
        for background in backgrounds:
            assert contrast(point, background) >= 3.0, (point, background)


def test_titles_are_cut_at_a_word_and_given_whole_in_the_table(charts: tuple[str, str]) -> None:
    matrix, _ = charts
    shown = texts(matrix)
    (label,) = [t for t in shown if re.fullmatch(r"\d+ Refonte.*", t)]
    assert label.endswith("…") and len(label) < len(LONG)
    words = label.split(" ", 1)[1].removesuffix("…").split()
    assert words == LONG.split()[: len(words)], label  # whole words only: none cut in the middle
    # The table beside the matrix gives the same number the full title, wrapped at words.
    number = label.split()[0]
    start = next(
        i for i, t in enumerate(shown) if t.startswith(f"{number} ") and "Refonte" in t and t != label
    )
    table = " ".join(shown[start : start + 3])
    assert " ".join(LONG.split()) in " ".join(table.split()), table


def test_unscored_and_done_actions_are_counted_in_a_note(charts: tuple[str, str]) -> None:
    matrix, _ = charts
    assert '<g id="note">' in matrix
    note = next(t for t in texts(matrix) if "without impact or effort" in t)
    assert note.startswith("2 open actions without impact or effort are not placed")
    assert "1 done or archived action is not shown" in note


def test_closures_and_holidays_shade_the_load_chart(charts: tuple[str, str]) -> None:
    _, load = charts
    assert '<g id="closure">' in load and '<g id="holiday">' in load
    shown = texts(load)
    assert "closure" in shown and "public holiday" in shown  # the legend says what the shading is
    assert "Christmas Day" in shown or any("Noël" in t for t in shown)
