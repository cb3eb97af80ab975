"""``moteur migrate`` end to end over the sandbox: dry-run then run then re-run through the CLI, and a run
killed with SIGKILL in the middle of its writes that the same command, run again, finishes.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sandbox_connectors import connector_for

from migration.support import (
    REPO,
    TRIP,
    Sandbox,
    needs_fixtures,
)
from moteur.cli import main
from moteur.core.model import BoardRef, Tool
from moteur.engine.migration_run import (
    identity_of,
)
from moteur.engine.state import StateStore

# -- never doubled: crashes, lost links, dry-runs, faults --------------------------------------------------


def _cli_env(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's environment: the sandbox's credentials and URLs, a state database and a working directory
    of the test's own."""
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def test_cli_migrate_to_a_new_project_then_rerun(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _cli_env(sandbox, tmp_path, monkeypatch)
    source = sandbox.boards["trello"][0]
    before = len(sandbox.requests())
    assert main(["migrate", source, "asana:new", "--dry-run", "--json"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert [e for e in sandbox.requests()[before:] if e["mutating"]] == []
    assert preview["target"] == "asana:new" and preview["created"] > 0
    assert main(["migrate", source, "asana:new", "--json", "--name", "Copie"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["target"].startswith("asana:") and first["target"] != "asana:new"
    assert (first["created"], first["failed"]) == (preview["created"], [])
    assert main(["migrate", source, "asana:new", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["target"] == first["target"]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, first["created"])
    # A --name the re-run cannot give: the dry-run and the run say which board it continues into.
    reused = f'"Copie" ({first["target"]})'
    for dry in (["--dry-run"], []):
        assert main(["migrate", source, "asana:new", "--name", "Autre", *dry]) == 0
        out = " ".join(capsys.readouterr().out.split())  # the console wraps long lines
        said = 'note: --name "Autre" not used: this migration continues into the board an earlier run made, '
        assert said + reused in out
    assert "Migrated to " + first["target"] + ": 0 created, 0 updated" in out


def test_dry_run_into_a_new_project_names_the_assignees_it_could_not_assign(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _cli_env(sandbox, tmp_path, monkeypatch)
    rows = [{"title": "Webinar", "bucket": "To do", "assignees": "nobody@example.org", "Budget": 1200}]
    (tmp_path / "plan.json").write_text(json.dumps(rows), encoding="utf-8")
    assert main(["migrate", "file:plan.json", "asana:new", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert "assignees unknown on the target: 1 item" in out
    assert "not on the target, so not assigned: nobody@example.org" in out
    assert 'custom fields to create or extend (1): "Budget"' in out
    assert 'note: the new project is shared with the team "Marketing"' in out  # "Démo" is an organization
    assert "every action is to score" not in err  # scores are copied where there are some, not needed


def test_rollback_of_a_migration_run_says_what_undoes_it_and_changes_nothing(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _cli_env(sandbox, tmp_path, monkeypatch)
    (tmp_path / "plan.json").write_text(json.dumps([{"title": "Webinar"}]), encoding="utf-8")
    assert main(["migrate", "file:plan.json", "file:copy.json", "--json"]) == 0
    run = json.loads(capsys.readouterr().out)["run"]
    assert main(["rollback", str(run)]) == 2
    err = capsys.readouterr().err
    assert f"run {run} is a migration into file:" in err and "moteur-source:" in err
    assert main(["runs", "--json", "--all"]) == 0
    (record,) = [r for r in json.loads(capsys.readouterr().out)["runs"] if r["id"] == run]
    assert record["outcome"] != "rolled_back"


def _links_committed(db: Path) -> int:
    """Item links the (killed) process committed, read without opening the store while it may migrate it."""
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            row = conn.execute(
                "SELECT count(*) FROM links WHERE target_board NOT LIKE 'migrate-target:%'"
            ).fetchone()
    except sqlite3.OperationalError:
        return 0  # the database or its tables do not exist yet
    return int(row[0])


@needs_fixtures
def test_kill_9_during_the_writes_then_the_same_command_finishes_it(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "state.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTEUR_")} | sandbox.env
    env |= {"MOTEUR_STATE_URL": f"sqlite:///{db}", "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    args = ["migrate", f"file:{TRIP}", "asana:new", "--include-archived", "--json"]
    sandbox.app.latency_ms = 15  # long enough a run to kill it in the middle
    process = subprocess.Popen(
        [sys.executable, "-m", "moteur.cli", *args], env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while _links_committed(db) < 20 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    sandbox.app.latency_ms = 0
    killed_at = _links_committed(db)
    assert 20 <= killed_at < 201 + 29, f"the kill came at {killed_at} links: not in the middle of the writes"
    for name, value in env.items():
        if name.startswith("MOTEUR_"):
            monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    # The dead run's lease still holds the board (at most LEASE_SECONDS); let it run out as waiting would.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE locks SET expires_at = '2000-01-01T00:00:00.000000+00:00'")
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] == []
    with StateStore(f"sqlite:///{db}") as store:
        (board,) = store.links("migrate-target:asana").values()
    assert result["target"] == board
    asana = connector_for(Tool.ASANA, sandbox.env)
    try:
        target = asana.read_full(
            BoardRef(tool=Tool.ASANA, board=board.split(":", 1)[1]), include_archived=True
        )
    finally:
        asana.close()
    per_source = Counter(identity_of(a) for a in target.actions)
    assert len(per_source) == 201 and set(per_source.values()) == {1}
    assert sum(len(a.comments) for a in target.actions) == 29
