"""The leading indicators of an action (KPI, target, actual) reach the history from a plan file's columns,
under English or French names, or the names a user's mapping gives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from moteur.cli import main
from moteur.core.history import ActionDay
from moteur.engine.state import StateStore

DAY = date(2026, 9, 14)
CSV = (
    "id;titre;statut;impact;effort;objectif;indicateur;cible;réel\n"
    "A1;Séquence de relance;à faire;8;3;Leads;MQL / mois;120;87,5\n"
    "A2;Refonte du blog;en cours;6;5;Notoriété;;;\n"
)


@pytest.fixture
def board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'state.db'}"
    monkeypatch.setenv("MOTEUR_STATE_URL", url)
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    (tmp_path / "plan.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "moteur.toml").write_text("[planning]\nfirst_sprint = 2026-09-07\n", encoding="utf-8")
    return "file:plan.csv", url


def recorded(url: str, tmp: Path) -> dict[str, ActionDay]:
    """The last recorded day of each action of plan.csv (moteur names a file board by its full path)."""
    with StateStore(url) as store:
        return dict(store.history([f"file:{tmp / 'plan.csv'}"]).latest())


def test_french_indicator_columns_are_recorded(board: tuple[str, str], tmp_path: Path) -> None:
    ref, url = board
    assert main(["sync", ref, "--today", DAY.isoformat(), "--quiet"]) == 0
    a1, a2 = (row for _, row in sorted(recorded(url, tmp_path).items()))
    assert (a1.kpi, a1.target, a1.actual, a1.objective) == ("MQL / mois", 120.0, 87.5, "Leads")
    assert (a2.kpi, a2.target, a2.actual) == (None, None, None)


def test_a_mapping_names_the_indicators(board: tuple[str, str], tmp_path: Path) -> None:
    ref, url = board
    (tmp_path / "plan.csv").write_text(
        CSV.replace("indicateur;cible;réel", "KPI clé;Objectif chiffré;Résultat")
    )
    (tmp_path / "mine.yaml").write_text(
        "indicators:\n  kpi: [KPI clé]\n  target: [Objectif chiffré]\n  actual: [Résultat]\n",
        encoding="utf-8",
    )
    with (tmp_path / "moteur.toml").open("a", encoding="utf-8") as toml:
        toml.write('[mappings]\nfile = "mine.yaml"\n')
    assert main(["plan", ref, "--today", DAY.isoformat(), "--json"]) == 0  # no state yet: records nothing
    assert main(["sync", ref, "--today", DAY.isoformat(), "--quiet"]) == 0
    a1 = min(recorded(url, tmp_path).items())[1]
    assert (a1.kpi, a1.target, a1.actual) == ("MQL / mois", 120.0, 87.5)
