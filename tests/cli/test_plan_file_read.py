"""The file board builds its Actions without pydantic validation and with one shared ``fields set`` per
model (memory: 100,000 actions). These tests pin that such actions behave as validated ones do."""

from __future__ import annotations

from pathlib import Path

from moteur.connectors.files.board import FileBoard
from moteur.core.model import Action
from moteur.mappings.loader import load_mapping

CSV = """id;titre;impact;effort;confiance;objectif;échéance;statut;notes
a1;Webinar SEO;8;3;7;leads;2026-12-18;à faire;garder
a2;Refonte du site;9;9;;leads;24/12/2026;en cours;
a3;Post LinkedIn;4;2;;;;fait;x
"""


def read(tmp_path: Path) -> tuple[Action, ...]:
    path = tmp_path / "plan.csv"
    path.write_text(CSV, encoding="utf-8")
    return FileBoard(path, load_mapping("file")).read().actions


def test_read_actions_equal_validated_ones(tmp_path: Path) -> None:
    for action in read(tmp_path):
        validated = Action.model_validate(action.model_dump())
        assert action == validated
        assert action.model_fields_set == validated.model_fields_set
        assert hash(action.annotations) == hash(validated.annotations)


def test_a_copy_with_updates_leaves_the_other_actions_alone(tmp_path: Path) -> None:
    """Regression guard: the shared fields set must never be updated in place by ``model_copy``."""
    first, second, _ = read(tmp_path)
    before = set(second.model_fields_set)
    copied = first.model_copy(update={"title": "Renamed"})
    assert copied.title == "Renamed" and first.title == "Webinar SEO"
    assert second.model_fields_set == before
    assert first.annotations.model_copy(update={"sprint": "Sprint 3"}).sprint == "Sprint 3"
    assert second.annotations.sprint is None
