"""A user's mapping against the board it is used with: a name it gives that the board lacks stops the run
with one line naming it (exit 2); ``scales`` states a score field's scale instead of a guess."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from boards.built import built_board

Cli = Any  # conftest.py
TODAY = "--today=2026-12-01"


def _mapping(text: str) -> None:
    Path("map.yaml").write_text("tool: trello\n" + text, encoding="utf-8")
    Path("moteur.toml").write_text('mappings = { trello = "map.yaml" }\n', encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("statuses:\n  Livré: done\n", 'statuses: no list, section, group or status label "Livré"'),
        ("scores:\n  impact: [Valeur, Poids]\n", 'scores.impact: no field "Valeur" or "Poids"'),
        ("fields:\n  objective: Objectif trimestriel\n", 'fields.objective: no field "Objectif trimestriel"'),
    ],
)
@pytest.mark.parametrize("command", [("plan", "--json"), ("sync", "--dry-run")])
def test_a_name_the_board_lacks_is_one_line_and_exit_2(
    cli: Cli, import_board: Any, text: str, named: str, command: tuple[str, str]
) -> None:
    ref = import_board(built_board())
    _mapping(text)
    result = cli(command[0], ref, TODAY, command[1])
    assert result.code == 2, result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and named in lines[0] and "map.yaml" in lines[0] and ref in lines[0], result.err
    assert "Traceback" not in result.err


def test_names_the_board_has_are_fine_however_they_are_written(cli: Cli, import_board: Any) -> None:
    ref = import_board(built_board())
    _mapping("statuses:\n  backlog: doing\n  terminé: done\nscores:\n  confidence: [CONFIANCE]\n")
    result = cli("plan", ref, TODAY, "--json")
    actions = {a["title"]: a for a in result.json()["actions"]}
    assert actions["Webinar SEO"]["status"] == "doing"  # "Backlog 📥" is "backlog"


def test_a_stated_scale_replaces_the_guess(cli: Cli, import_board: Any) -> None:
    ref = import_board(built_board())
    _mapping("scales:\n  confidence: 5\n  impact: 10\n")
    result = cli("plan", ref, TODAY, "--json")
    assert "guessed" not in result.err
    actions = {a["title"]: a for a in result.json()["actions"]}
    # Impact stated 1–10: the option "5" is 5; Confiance stated 1–5: its 4 is 8.
    assert (actions["Webinar SEO"]["impact"], actions["Webinar SEO"]["confidence"]) == (5, 8)
