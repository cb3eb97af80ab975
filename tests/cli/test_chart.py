"""``plan --chart``: the priority matrix and the sprint load are drawn to files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("matplotlib", reason="charts are the optional extra moteur[charts]")
Run = Any


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plan_draws_the_matrix_and_the_load(workdir: Path, run: Run, suffix: str) -> None:
    result = run("plan", "file:plan.csv", "--today=2026-12-01", f"--chart=matrix{suffix}")
    assert result.code == 0, result.err
    assert (workdir / f"matrix{suffix}").stat().st_size > 5_000
    assert (workdir / f"matrix-load{suffix}").stat().st_size > 2_000
    if suffix == ".svg":
        text = (workdir / "matrix.svg").read_text(encoding="utf-8")
        assert "QUICK WIN" in text and "Webinar SEO" in text


def test_an_unknown_picture_type_is_a_usage_error(workdir: Path, run: Run) -> None:
    result = run("plan", "file:plan.csv", "--chart=matrix.bmp")
    assert result.code == 2
    assert "unknown picture type" in result.err
