"""A board built like a team's (``built.py``): a ``Done 🎉`` list, an archived list, the team's own
``Sprint N`` labels, a 1–5 Impact field. Through the real CLI over the sandbox: statuses as a person reads
them, the team's labels never read as moteur's pins, ``plan`` and ``sync --dry-run`` agreeing on every
sprint (before a sync, after it, with a pin set by hand), finished cards never labelled, moteur's old
``Sprint N`` labels adopted, and the 1–5 field read on its scale.
"""

from __future__ import annotations

import os
from typing import Any

import requests

from boards.built import CARDS, built_board, card_id
from moteur.core.diff import Memory
from moteur.core.labels import is_own_sprint, parse_sprint, sprint_index, sprint_label
from moteur.core.sync import memory_of
from moteur.engine.state import ItemState, RunOutcome, StateStore

Cli = Any  # conftest.py
Sandbox = Any  # tests/conftest.py
TODAY = "--today=2026-12-01"  # sprint 1 starts on Monday 2026-11-30
FINISHED = ("Newsletter de rentrée", "Étude de cas", "Ancien salon")


def _sprints(payload: dict[str, Any]) -> dict[str, int | None]:
    return {a["title"]: a["sprint"] for a in payload["actions"]}


def _agree(cli: Cli, ref: str) -> dict[str, Any]:
    """``plan --json`` and ``sync --dry-run --json`` on ``ref``: the same status and sprint for every card,
    and every sprint the dry-run writes is the plan's; returns the dry-run's payload."""
    plan = cli("plan", ref, TODAY, "--json").json()
    dry = cli("sync", ref, TODAY, "--dry-run", "--json").json()
    assert {a["id"]: (a["status"], a["sprint"]) for a in plan["actions"]} == {
        a["id"]: (a["status"], a["sprint"]) for a in dry["actions"]
    }
    planned = {a["id"]: a["sprint"] for a in plan["actions"]}
    for change in dry["changes"]:
        if change["field"] == "sprint":
            assert sprint_index(change["after"]) == planned[change["item"]], change
    pinned = {p["item"]: sprint_index(p["sprint"]) for p in dry["pinned"]}
    assert all(planned[item] == index for item, index in pinned.items())
    return dry  # type: ignore[no-any-return]


def _labels_on_cards(sandbox: Sandbox) -> dict[str, set[str]]:
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()["trello"]
    names = {label_id: label["name"] for label_id, label in state["labels"].items()}
    titles = {card_id(c[0]): c[0] for c in CARDS}
    return {
        titles[cid]: {names[i] for i in card["idLabels"]}
        for cid, card in state["cards"].items()
        if cid in titles
    }


def _trello(sandbox: Sandbox, method: str, path: str, **params: str) -> Any:
    env = sandbox.env
    auth = {"key": env["MOTEUR_TRELLO_API_KEY"], "token": env["MOTEUR_TRELLO_TOKEN"]}
    answer = requests.request(method, f"{env['MOTEUR_TRELLO_URL']}{path}", params=auth | params, timeout=10)
    answer.raise_for_status()
    return answer.json()


def test_statuses_scales_and_the_teams_labels_as_a_person_reads_them(cli: Cli, import_board: Any) -> None:
    ref = import_board(built_board())
    result = cli("plan", ref, TODAY, "--json")
    assert 'confidence field "Confiance" read on 1–5' in result.err and "guessed" in result.err
    assert "Impact" not in result.err  # its options say its scale: nothing guessed
    actions = {a["title"]: a for a in result.json()["actions"]}
    assert {title: actions[title]["status"] for title in (*FINISHED, "Post LinkedIn", "Webinar SEO")} == {
        "Newsletter de rentrée": "done",  # "Done 🎉"
        "Étude de cas": "done",  # "Terminé(e)s"
        "Ancien salon": "archived",  # an open card in an archived list
        "Post LinkedIn": "doing",  # "En cours…"
        "Webinar SEO": "todo",
    }
    assert "Carte archivée" not in actions  # archived cards are not read for a plan
    # Impact options 1–5 brought to 1–10: a 5 is 10, a 3 is 6 (high at the default threshold 6).
    assert (actions["Webinar SEO"]["impact"], actions["Livre blanc"]["impact"]) == (10, 6)
    assert "impact 10 (on 1–5) ≥ 6" in actions["Webinar SEO"]["explanation"]
    assert actions["Livre blanc"]["quadrant"] == "quick_win"
    assert all(actions[t]["sprint"] is None for t in FINISHED)


def test_plan_and_dry_run_agree_and_the_teams_sprint_labels_are_not_pins(cli: Cli, import_board: Any) -> None:
    ref = import_board(built_board())
    dry = _agree(cli, ref)
    assert dry["pinned"] == []
    changed = {c["title"] for c in dry["changes"] if c["item"] is not None}
    assert not changed & set(FINISHED), "a finished card would be labelled"
    sprints = [c["after"] for c in dry["changes"] if c["field"] == "sprint"]
    assert sprints and all(is_own_sprint(s) for s in sprints)
    assert sprint_label(1, parse_sprint("Sprint 1 · 2026-11-30").start) in sprints  # type: ignore[union-attr,arg-type]


def test_after_a_sync_the_teams_labels_stay_and_plan_still_agrees(
    cli: Cli, import_board: Any, sandbox: Sandbox
) -> None:
    ref = import_board(built_board())
    assert cli("sync", ref, TODAY).code == 0
    labels = _labels_on_cards(sandbox)
    for title in FINISHED:  # finished cards keep only what the team put on them
        team = next(c[5] for c in CARDS if c[0] == title)
        assert labels[title] == {team}, title
    assert "Sprint 2" in labels["Webinar SEO"] and "Quick win" in labels["Webinar SEO"]
    assert any(is_own_sprint(name) for name in labels["Webinar SEO"])
    again = _agree(cli, ref)
    assert again["changes"] == [] and again["pinned"] == []


def test_a_sprint_set_by_hand_is_a_pin_in_both_plan_and_dry_run(
    cli: Cli, import_board: Any, sandbox: Sandbox
) -> None:
    ref = import_board(built_board())
    assert cli("sync", ref, TODAY).code == 0
    board = ref.removeprefix("trello:")
    later = sprint_label(5, parse_sprint("Sprint 5 · 2027-01-25").start)  # type: ignore[union-attr,arg-type]
    label = _trello(sandbox, "POST", "/labels", idBoard=board, name=later, color="black")
    card = card_id("Webinar SEO")
    own = {lb["id"] for lb in _trello(sandbox, "GET", f"/boards/{board}/labels") if is_own_sprint(lb["name"])}
    kept = [i for i in _trello(sandbox, "GET", f"/cards/{card}")["idLabels"] if i not in own]
    _trello(sandbox, "PUT", f"/cards/{card}", idLabels=",".join([*kept, label["id"]]))
    dry = _agree(cli, ref)
    assert [(p["title"], p["sprint"]) for p in dry["pinned"]] == [("Webinar SEO", later)]
    assert _sprints(dry)["Webinar SEO"] == 5


def test_moteurs_old_sprint_labels_are_adopted(cli: Cli, import_board: Any, sandbox: Sandbox) -> None:
    """A board synced by moteur before its labels carried a date: "Sprint 1" labels the state says moteur
    wrote are moteur's — never pins — and the next sync relabels those cards with the own form."""
    ref = import_board(built_board())
    assert cli("sync", ref, TODAY).code == 0
    board = ref.removeprefix("trello:")
    first = sprint_label(1, parse_sprint("Sprint 1 · 2026-11-30").start)  # type: ignore[union-attr,arg-type]
    (old,) = [lb for lb in _trello(sandbox, "GET", f"/boards/{board}/labels") if lb["name"] == first]
    _trello(sandbox, "PUT", f"/labels/{old['id']}", name="Sprint 1")  # how moteur named it then
    with StateStore(os.environ["MOTEUR_STATE_URL"]) as store:
        states = store.item_states(ref)
        memory: dict[str, Memory] = memory_of(states)
        adopted = [k for k, m in memory.items() if m.written.get("sprint") == first]
        run = store.start_run("sync", [ref], False, _now())
        rewritten = [
            ItemState(
                k, states[k].version, states[k].content_hash, {**states[k].written, "sprint": "Sprint 1"}
            )
            for k in adopted
        ]
        store.finish_run(run, outcome=RunOutcome.OK, counts={}, item_states=rewritten, board=ref, now=_now())
    assert adopted
    dry = _agree(cli, ref)
    assert dry["pinned"] == []
    relabelled = {(c["item"], c["before"], c["after"]) for c in dry["changes"] if c["field"] == "sprint"}
    assert relabelled == {(k.rsplit(":", 1)[-1], "Sprint 1", first) for k in adopted}
    assert cli("sync", ref, TODAY).code == 0
    labels = _labels_on_cards(sandbox)
    for key in adopted:
        title = next(c[0] for c in CARDS if card_id(c[0]) == key.rsplit(":", 1)[-1])
        assert first in labels[title] and "Sprint 1" not in labels[title], title
    assert "Sprint 2" in labels["Webinar SEO"]  # the team's own label is never touched
    assert _agree(cli, ref)["changes"] == []


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)
