"""A file board against the user's mapping: a column the user's mapping names and the file lacks stops the run
with one line naming it (exit 2), as on Trello, Asana and monday.com; a column that is optional by default
and absent is no error; a file whose status cells mean no status says so once, naming them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from files.conftest import Run

TODAY = "--today=2026-12-01"
CSV = "titre;impact;effort;statut\nWebinar SEO;8;3;à faire\nRefonte;9;9;fait\n"


def _mapping(workdir: Path, text: str) -> None:
    (workdir / "map.yaml").write_text("tool: file\n" + text, encoding="utf-8")
    (workdir / "moteur.toml").write_text('mappings = { file = "map.yaml" }\n', encoding="utf-8")


@pytest.mark.parametrize("suffix", ["csv", "json", "yaml"])
@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("fields:\n  objective: Objectif trimestriel\n", 'fields.objective: no field "Objectif trimestriel"'),
        ("scores:\n  effort: [Charge, Jours]\n", 'scores.effort: no field "Charge" or "Jours"'),
        ("fields:\n  due: [Livraison]\n", 'fields.due: no field "Livraison"'),
    ],
)
@pytest.mark.parametrize("command", [("plan", "--json"), ("sync", "--dry-run")])
def test_a_column_the_mapping_names_and_the_file_lacks_is_one_line_and_exit_2(
    workdir: Path, run: Run, suffix: str, text: str, named: str, command: tuple[str, str]
) -> None:
    rows = [{"titre": "Webinar SEO", "impact": 8, "effort": 3, "statut": "à faire"}]
    content = {
        "csv": CSV,
        "json": json.dumps(rows),
        "yaml": "- titre: Webinar SEO\n  impact: 8\n  effort: 3\n",
    }
    (workdir / f"plan.{suffix}").write_text(content[suffix], encoding="utf-8")
    _mapping(workdir, text)
    result = run(command[0], f"file:plan.{suffix}", TODAY, command[1])
    assert result.code == 2, result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert named in lines[0] and "map.yaml" in lines[0] and f"plan.{suffix}" in lines[0], lines[0]
    assert "Traceback" not in result.err


def test_names_the_file_has_however_written_and_defaults_it_lacks_are_fine(workdir: Path, run: Run) -> None:
    (workdir / "plan.csv").write_text(CSV, encoding="utf-8")
    # "ÉTAT" is not a column, but the user's list also names "Statut", which is; objective, channel, due,
    # assignees… are absent and were never named by the user: no error.
    _mapping(
        workdir,
        "fields:\n  status: [ÉTAT, Statut]\nscores:\n  impact: [IMPACT !]\nstatuses:\n  bloqué: doing\n",
    )
    result = run("plan", "file:plan.csv", TODAY, "--json")
    assert result.code == 0, result.err
    statuses = {a["title"]: a["status"] for a in json.loads(result.out)["actions"]}
    assert statuses == {"Webinar SEO": "todo", "Refonte": "done"}


def test_status_cells_that_mean_no_status_are_named_once(workdir: Path, run: Run) -> None:
    rows = "".join(f"Action {n};5;5;{word}\n" for n, word in enumerate(["Idée", "Semaine 1", "Idée"] * 4))
    (workdir / "plan.csv").write_text("titre;impact;effort;statut\n" + rows, encoding="utf-8")
    result = run("plan", "file:plan.csv", TODAY, "--json")
    assert result.code == 0, result.err
    lines = [line for line in result.err.splitlines() if "status" in line]
    assert len(lines) == 1, result.err
    assert '"Idée"' in lines[0] and '"Semaine 1"' in lines[0] and "read as to do" in lines[0]


def test_one_unknown_status_among_known_ones_names_its_row(workdir: Path, run: Run) -> None:
    # "bloqué" was the example until it became a known word (started); nothing means "to discuss".
    (workdir / "plan.csv").write_text(CSV + "Livre blanc;4;2;à discuter\n", encoding="utf-8")
    result = run("plan", "file:plan.csv", TODAY, "--json")
    assert result.code == 0, result.err
    assert 'row 4 ("Livre blanc"): status "à discuter" is unknown; read as todo' in result.err
    assert "means a status" not in result.err
