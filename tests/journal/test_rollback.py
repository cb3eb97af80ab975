"""Issue 16, item 2: a rollback that tells the truth. It counts only the undos that landed, lists each one
that failed with its reason, exits 1 when any failed and then leaves the run not "rolled_back"; a value a
person changed since that run is left alone (their edit wins), said so, and not counted as undone."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from sandbox_connectors import connector_for

from journal.support import TODAY, Sandbox, environment, last_run, moteur
from moteur.core.model import Action, BoardRef, Snapshot, Tool
from moteur.engine.state import OpStatus, RunOutcome, StateStore


def _trello(sandbox: Sandbox, method: str, path: str, **params: str) -> None:
    env = sandbox.env
    auth = {"key": env["MOTEUR_TRELLO_API_KEY"], "token": env["MOTEUR_TRELLO_TOKEN"]}
    url = f"{env['MOTEUR_TRELLO_URL']}{path}"
    requests.request(method, url, params={**auth, **params}, timeout=10).raise_for_status()


def _relabel(sandbox: Sandbox, snapshot: Snapshot, card: Action, old: str, new: str) -> dict[str, str]:
    """A person swaps ``card``'s quadrant label ``old`` for ``new`` in Trello; the labels' ids by name."""
    ids = {str(x["name"]): str(x["id"]) for x in snapshot.native["labels"]}
    labels = [ids[new] if i == ids[old] else i for i in snapshot.native["card_labels"][card.ref.item]]
    _trello(sandbox, "PUT", f"/cards/{card.ref.item}", idLabels=",".join(labels))
    return ids


def _synced(sandbox: Sandbox, env: dict[str, str]) -> tuple[str, Snapshot]:
    """The Trello demo board after a first sync, run in a process of its own: its ~70 requests do not count
    against this process's Trello rate limiter (100 requests per 10 s), which the rest of the test uses."""
    ref = sandbox.boards["trello"][0]
    command = [sys.executable, "-m", "moteur", "sync", ref, "--today", TODAY, "--quiet"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    board = BoardRef(tool=Tool.TRELLO, board=ref.split(":", 1)[1])
    return ref, connector_for(Tool.TRELLO, sandbox.env).read(board)


def test_an_undo_that_fails_is_reported_and_never_counted(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ref, snapshot = _synced(sandbox, environment(sandbox, tmp_path, monkeypatch))
    # A person swaps one card's quadrant label; the next sync puts moteur's back (a quadrant is derived).
    card = next(a for a in snapshot.actions if a.annotations.quadrant == "Quick win")
    ids = _relabel(sandbox, snapshot, card, "Quick win", "Time sink")
    assert moteur(capsys, "sync", ref, "--today", TODAY, "--quiet")[0] == 0
    second = last_run(capsys)
    assert second["counts"]["applied"] == 1, second  # that label alone: "Time sink" -> "Quick win"
    # Then the "Time sink" label is deleted from the board: the undo has nothing to put back.
    _trello(sandbox, "DELETE", f"/labels/{ids['Time sink']}")

    code, out, err = moteur(capsys, "rollback", str(second["id"]))
    assert code == 1
    assert "undid 0 of 1 change." in out, out  # not "undid 1": it undid none
    assert re.search(r'failed: ".+": quadrant not undone: .*Time sink', err), err
    with StateStore(f"sqlite:///{tmp_path / 'state.db'}") as store:
        assert store.run(second["id"]).outcome is RunOutcome.OK  # not "rolled_back"
        assert [e.status for e in store.journal(second["id"]) if e.item_key] == [OpStatus.APPLIED]
        (undo,) = store.journal(last_run(capsys)["id"])
        assert undo.status is OpStatus.FAILED and "Time sink" in (undo.error or "")


PLAN = """id;title;impact;effort;confidence;objective
a1;Webinar SEO;8;3;7;leads
a2;Refonte du site;9;9;6;leads
a3;Post LinkedIn;4;2;5;awareness
"""


def test_a_value_changed_since_is_left_alone_and_the_rest_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    plan = tmp_path / "plan.csv"
    plan.write_text(PLAN, encoding="utf-8")
    assert moteur(capsys, "sync", "file:plan.csv", "--today", TODAY, "--quiet")[0] == 0
    first = last_run(capsys)
    # A person rewrites one quadrant cell of the file by hand.
    synced = plan.read_text(encoding="utf-8")
    assert ";Quick win;" in synced
    plan.write_text(synced.replace(";Quick win;", ";Fill-in;", 1), encoding="utf-8")

    code, out, err = moteur(capsys, "rollback", str(first["id"]))
    assert code == 0, err
    landed = first["counts"]["applied"]
    assert f"undid {landed - 1} of {landed} changes" in out, out
    assert '"Webinar SEO": quadrant left alone (changed since that run)' in out
    rows = [line.split(";") for line in plan.read_text(encoding="utf-8").splitlines()]
    header = rows[0]
    cells = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [(c["quadrant"], c["sprint"], c["ice"]) for c in cells] == [
        ("Fill-in", "", ""),
        ("", "", ""),
        ("", "", ""),
    ]
    with StateStore(f"sqlite:///{tmp_path / 'state.db'}") as store:
        assert store.run(first["id"]).outcome is RunOutcome.ROLLED_BACK
