"""One ``sync`` of three boards is one run, and one ``rollback`` (itself one run) puts every board back as the
sandbox held it.

The ground truth is the sandbox's own state (``support.board_items``), not moteur's read: after the rollback,
each board shows exactly what it showed before the sync (volatile stamps aside).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journal.support import TODAY, Sandbox, board_items, environment, last_run, moteur


def test_one_rollback_puts_three_boards_back_as_they_were(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    environment(sandbox, tmp_path, monkeypatch)
    refs = [sandbox.boards[tool][0] for tool in ("trello", "asana", "monday")]
    before = {ref: board_items(sandbox, *ref.split(":", 1)) for ref in refs}

    code, out, err = moteur(capsys, "sync", *refs, "--today", TODAY)
    assert code == 0, err
    run = last_run(capsys)
    assert run["boards"] == refs and run["outcome"] == "ok"
    assert out.rstrip().endswith(f"; run {run['id']}.")
    # Asana's writes land in the companion project and custom fields, which its view here leaves out.
    changed = [ref for ref in refs if board_items(sandbox, *ref.split(":", 1)) != before[ref]]
    assert changed == [refs[0], refs[2]]

    code, out, err = moteur(capsys, "rollback", str(run["id"]))
    assert code == 0, err
    landed = run["counts"]["applied"]
    assert f"undid {landed} of {landed} changes." in out
    assert {ref: board_items(sandbox, *ref.split(":", 1)) for ref in refs} == before
    code, out, err = moteur(capsys, "runs", "--json", "--all")
    assert code == 0, err
    listed = json.loads(out)["runs"]
    assert [r["outcome"] for r in listed if r["id"] == run["id"]] == ["rolled_back"]
    (undo,) = [r for r in listed if r["command"] == f"rollback {run['id']}"]  # one, as the sync was one
    assert undo["boards"] == refs and undo["counts"]["applied"] == landed
