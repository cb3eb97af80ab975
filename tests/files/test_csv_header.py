"""A CSV whose header is not its first line — a title line, blank lines, a spreadsheet's empty rows above it —
is read the same by every reader of a file board, through one CSV document model (``files/csv_text.py``):
``plan file:``, ``migrate file:`` from it, and a migration into it, which appends under that header, keeps
the lines above it as written and, run again, finds the rows it wrote.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from files.conftest import Run
from moteur.connectors.files.csv_text import CsvDocument
from moteur.core.model import Tool
from moteur.mappings.loader import load_mapping

TODAY = "--today=2026-12-01"
HEADER = "titre;impact;effort;statut\n"
ROWS = "Webinar SEO;8;3;à faire\nRefonte du site;9;9;fait\nLivre blanc;5;4;en cours\n"
STATUSES = {"Webinar SEO": "todo", "Refonte du site": "done", "Livre blanc": "doing"}
ABOVE = {
    "nothing": "",
    "a title line": "Plan marketing T1 2026\n",
    "a title and blank lines": "Plan marketing T1 2026\n\n\n",
    "a spreadsheet's title and empty rows": "Plan marketing T1 2026;;;\n;;;\n",
    "a title with commas": "Plan marketing, T1 2026, version 2\n\n",
}


def _planned(run: Run, ref: str) -> list[dict[str, Any]]:
    result = run("plan", ref, TODAY, "--json")
    assert result.code == 0, result.err
    actions: list[dict[str, Any]] = json.loads(result.out)["actions"]
    return actions


@pytest.mark.parametrize("above", ABOVE.values(), ids=list(ABOVE))
def test_plan_and_migrate_read_the_same_actions_whatever_is_above_the_header(
    workdir: Path, run: Run, above: str
) -> None:
    (workdir / "plan.csv").write_text(above + HEADER + ROWS, encoding="utf-8")
    planned = _planned(run, "file:plan.csv")
    assert {a["title"]: a["status"] for a in planned} == STATUSES
    assert {a["title"]: (a["impact"], a["effort"]) for a in planned}["Webinar SEO"] == (8, 3)
    migrated = run("migrate", "file:plan.csv", "file:copy.json")
    assert migrated.code == 0, migrated.err
    copy = json.loads((workdir / "copy.json").read_text(encoding="utf-8"))["actions"]
    assert {a["title"]: a["status"] for a in copy} == STATUSES
    assert [a["title"] for a in copy] == [a["title"] for a in planned]


@pytest.mark.parametrize("above", list(ABOVE.values())[1:], ids=list(ABOVE)[1:])
def test_a_migration_into_a_csv_with_lines_above_its_header_appends_under_it_once(
    workdir: Path, run: Run, above: str
) -> None:
    (workdir / "source.csv").write_text(HEADER + ROWS, encoding="utf-8")
    target = workdir / "suivi.csv"
    target.write_text(above + "titre;statut;note\nDéjà là;à faire;garder\n", encoding="utf-8")
    first = run("migrate", "file:source.csv", "file:suivi.csv")
    assert first.code == 0, first.err
    written = target.read_text(encoding="utf-8")
    assert written.startswith(above + "titre;statut;note;"), written  # widened in place, lines above kept
    assert "Déjà là;à faire;garder" in written
    planned = _planned(run, "file:suivi.csv")
    assert {a["title"]: a["status"] for a in planned} == {"Déjà là": "todo", **STATUSES}
    again = run("migrate", "file:source.csv", "file:suivi.csv")
    assert again.code == 0, again.err
    assert target.read_text(encoding="utf-8") == written  # the rows it wrote were found: nothing twice


def test_a_header_is_looked_for_near_the_top_only(workdir: Path, run: Run) -> None:
    """Ten lines of notes, then a line naming a title column: not taken for the header (a file without a
    header is refused, as before, rather than read from a row far down)."""
    notes = "".join(f"note {n}\n" for n in range(10))
    (workdir / "plan.csv").write_text(notes + HEADER + ROWS, encoding="utf-8")
    result = run("plan", "file:plan.csv", TODAY, "--json")
    assert result.code == 2, result.err
    assert "no title column" in result.err and "note 0" in result.err


def test_a_sync_writes_its_columns_into_the_header_below_a_title_line(workdir: Path, run: Run) -> None:
    above = "Plan marketing T1 2026;;;\n\n"
    (workdir / "plan.csv").write_text(above + HEADER + ROWS, encoding="utf-8")
    result = run("sync", "file:plan.csv", TODAY)
    assert result.code == 0, result.err
    lines = (workdir / "plan.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    assert "".join(lines[:2]) == above  # the lines above the header, as written
    assert lines[2].startswith(HEADER.rstrip("\n") + ";") and "quadrant" in lines[2]
    assert {a["title"]: a["quadrant"] for a in _planned(run, "file:plan.csv")}["Webinar SEO"]
    assert run("sync", "file:plan.csv", TODAY).out.count("No changes") == 1  # read back as written


@pytest.mark.parametrize(
    ("text", "delimiter", "header_at"),
    [
        ("Plan, T1; version 2\n\ntitle\timpact\teffort\nWebinar, SEO; live\t8\t3\n", "\t", 2),
        ('"Suivi"\n"titre","impact"\n"Webinar; SEO","8"\n', ",", 1),
        ("titre\nWebinar SEO\n", ",", 0),  # one column: no delimiter in it
        (";;;\n\n", ";", None),  # nothing but blank rows: no header (the reader says the file is empty)
    ],
    ids=["tabs under a title with commas", "quoted", "one column", "blank"],
)
def test_the_document_finds_the_header_and_reads_its_delimiter_from_it(
    text: str, delimiter: str, header_at: int | None
) -> None:
    document = CsvDocument(text, "plan.csv", load_mapping(Tool.FILE, None), editable=True)
    assert (document.delimiter, document.header_at) == (delimiter, header_at)
    assert document.text() == text  # nothing edited: the same bytes
