"""The dry-run says where an Asana project's quadrant goes, and why: a "Quadrant" custom field where the
workspace has custom fields, a companion project "<project> · Priorities" (a section per quadrant) on a free
workspace — never "custom field" for the companion project."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from moteur.cli import main
from moteur.sandbox.serve import start_sandbox

TODAY = "--today=2026-09-14"
COMPANION = "Plan marketing · Priorities"


@pytest.fixture(scope="module")
def free_server() -> Iterator[Any]:
    with start_sandbox(seed="demo", rate_limits=False, asana_tier="free") as handle:
        yield handle


def _dry_run(server: Any, tier: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    board = server.app.emulators["asana"].add_team_project()  # "Plan marketing", with the team's sections
    for name, value in server.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_ASANA_TIER", tier)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)
    return main(["sync", f"asana:{board}", TODAY, "--dry-run", *extra])


def test_a_free_workspace_shows_the_companion_project_and_why(
    free_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    free_server.app.reset("demo")
    assert _dry_run(free_server, "free", tmp_path, monkeypatch) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert (
        f'+ companion project "{COMPANION}" (a section per quadrant; free workspace: no custom fields)' in out
    )
    assert "1 companion project will be created" in out
    assert f'custom field "{COMPANION}"' not in out


def test_a_workspace_with_custom_fields_shows_the_quadrant_field(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _dry_run(sandbox, "paid", tmp_path, monkeypatch) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert '+ custom field "Quadrant" (enum)' in out
    assert "companion project" not in out.split("read in")[0]  # the plan's blocks, before the estimate


def test_the_json_changes_still_name_the_companion_project(
    free_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    free_server.app.reset("demo")
    assert _dry_run(free_server, "free", tmp_path, monkeypatch, "--json") == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    assert [c["title"] for c in changes if c["item"] is None and c["title"] == COMPANION] == [COMPANION]
