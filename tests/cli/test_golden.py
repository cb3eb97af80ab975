"""Golden files of the human output: the plan tables and the terraform-like dry-run.

Regenerate after a deliberate change with ``MOTEUR_UPDATE_GOLDEN=1 pytest tests/cli/test_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

GOLDEN = Path(__file__).parent / "golden"
Run = Any


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("MOTEUR_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with MOTEUR_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_plan_tables(workdir: Path, run: Run, language: str) -> None:
    (workdir / "moteur.toml").write_text(
        f'language = "{language}"\n[planning]\nfirst_sprint = 2026-11-30\ncapacity_per_sprint = 20\n'
        'closures = [["2026-12-24", "2027-01-01"]]\n',
        encoding="utf-8",
    )
    result = run("plan", "file:plan.csv", "--today=2026-12-01")
    assert result.code == 0
    check(f"plan_{language}.txt", result.out)


def test_dry_run_text(workdir: Path, run: Run) -> None:
    result = run("sync", "file:plan.csv", "--today=2026-12-01", "--dry-run")
    assert result.code == 0
    check("dry_run.txt", result.out)
