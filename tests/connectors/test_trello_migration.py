"""What only Trello does as a migration target, over the sandbox: the full read (one ``/batch`` with
checklists and comments), a new board, every canonical field carried and read back at a counted cost, the
power-up-off fallback, and every request checked against Trello's OpenAPI spec. What every tool does (killed
runs resumed, commit-then-drop faults, archived items, lost links) is the migration contract
(``tests/migration/contract.py``, ``test_contract_trello.py``).

Runs go through ``migration.support.apply_plan``: the connector alone, so the counts are its own requests.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
from migration.support import apply_plan
from sandbox_connectors import connector_for

from moteur.connectors.trello import TrelloConnector
from moteur.connectors.trello.custom_values import trello_due
from moteur.connectors.trello.power_ups import CUSTOM_FIELDS_PLUGIN
from moteur.connectors.trello.target import TEXT_LIMIT, card_description, within_limit
from moteur.core.identity import split_identity
from moteur.core.migrate import canonical_fields
from moteur.core.model import BoardRef, Snapshot, Status, Tool
from moteur.core.ops import CreateItem, CreateSubitem, UpdateItem

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO / "tests" / "contract" / "fixtures")) / "trello"
SPEC_PATH = (
    Path(os.environ.get("MOTEUR_SPECS_DIR", REPO / "moteur" / "sandbox" / "contracts"))
    / "trello_openapi.json"
)
PLANKA = FIXTURES / "en_simple_project_board_planka_sample.json"
EUROPE = FIXTURES / "zh_europe_trip_2026_board.json"
needs_fixtures = pytest.mark.skipif(
    not PLANKA.exists(), reason=f"Trello export fixtures not found in {FIXTURES} (set MOTEUR_FIXTURES_DIR)"
)
Sandbox = Any  # tests/conftest.py


def _demo(sandbox: Sandbox, index: int = 0) -> BoardRef:
    return BoardRef(tool=Tool.TRELLO, board=sandbox.boards["trello"][index].split(":", 1)[1])


def _import(sandbox: Sandbox, path: Path) -> BoardRef:
    export = json.loads(path.read_text(encoding="utf-8"))
    answer = requests.post(f"{sandbox.url}/_sandbox/import/trello", json=export, timeout=30)
    answer.raise_for_status()
    return BoardRef(tool=Tool.TRELLO, board=answer.json()["id"])


def _writes(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [e for e in sandbox.requests() if e["tool"] == "trello" and e["method"] != "GET"]


def _new_board(port: TrelloConnector, name: str) -> BoardRef:
    return port.create_board(name)


def _exactly_once(source: Snapshot, target: Snapshot) -> None:
    """Every source card, check item and comment is on the target exactly once."""
    keys = Counter(a.extra.get("moteur_source") for a in target.actions)
    assert keys == Counter(a.key for a in source.actions)
    by_key = {a.extra["moteur_source"]: a for a in target.actions}
    for action in source.actions:
        copy = by_key[action.key]
        assert [(c.text, c.done) for c in copy.checklist] == [(c.text, c.done) for c in action.checklist]
        assert [c.text.split("] ", 1)[-1] for c in copy.comments] == [c.text for c in action.comments]


# -- the full read --------------------------------------------------------------------------------------


@needs_fixtures
def test_the_full_read_is_one_batch_with_checklists_and_comments(sandbox: Sandbox) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    ref = _import(sandbox, PLANKA)
    before = len(sandbox.requests())
    snapshot = port.read_full(ref)
    log = sandbox.requests()[before:]
    assert [e["path"] for e in log] == ["/batch"] and port.request_count() == 1
    routes = log[0]["query"]["urls"].split(",")  # Trello splits on every comma: ten routes, its maximum
    assert len(routes) == 10 and all(r.startswith("/") for r in routes)
    assert f"/boards/{ref.board}/boardPlugins" in routes  # the power-up read inside the same batch
    # Archived cards too (the plan leaves them out and counts them): the same cards as the board's export.
    assert sum(a.status is Status.ARCHIVED for a in snapshot.actions) == 1
    assert sum(len(a.checklist) for a in snapshot.actions) == 12
    assert sum(len(a.comments) for a in snapshot.actions) == 4
    commented = next(a for a in snapshot.actions if len(a.comments) > 1)
    dates = [c.date for c in commented.comments]
    assert dates == sorted(dates) and all(c.author for c in commented.comments)
    assert any(c.done for a in snapshot.actions for c in a.checklist)
    everything = port.read_full(ref, include_archived=True)
    assert len(everything.actions) == 10 == len(snapshot.actions)


def test_the_identity_footer_is_stripped_and_kept_in_extra(sandbox: Sandbox) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    ref = _new_board(port, "Footers")
    target = port.read_full(ref)
    op = CreateItem("asana:1:42", "Webinar", "Backlog", {"description": "Body **md**", "status": "todo"})
    [result] = port.apply_migration(target, [op], {}, on_created=lambda k, r: None)
    assert result.ok and result.created is not None
    [action] = port.read_full(ref).actions
    assert action.description == "Body **md**" and action.extra["moteur_source"] == "asana:1:42"
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()["trello"]
    assert split_identity(state["cards"][result.created.item]["desc"]) == ("Body **md**", "asana:1:42")


def test_a_check_item_without_a_name_is_created_untitled(sandbox: Sandbox) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    ref = _new_board(port, "Untitled")
    ops = [CreateItem("k:b:1", "Card", "L", {}), CreateSubitem("k:b:1#check:1", "k:b:1", " ", done=True)]
    results = port.apply_migration(port.read_full(ref), ops, {}, on_created=lambda k, r: None)
    assert all(r.ok for r in results)
    [card] = port.read_full(ref).actions
    assert [(c.text, c.done) for c in card.checklist] == [("(untitled)", True)]


# -- a new board ----------------------------------------------------------------------------------------


def test_a_new_board_has_no_default_lists_and_keeps_its_labels(sandbox: Sandbox) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    ref = port.create_board("Migrated", workspace="5f0000000000000000000abc")
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()["trello"]
    assert not [x for x in state["lists"].values() if x["idBoard"] == ref.board]
    assert len([x for x in state["labels"].values() if x["idBoard"] == ref.board]) == 6
    assert state["boards"][ref.board]["idOrganization"] == "5f0000000000000000000abc"
    assert [(e["method"], e["path"]) for e in _writes(sandbox)] == [
        ("POST", "/boards/"),
        ("POST", f"/boards/{ref.board}/boardPlugins"),  # the Custom Fields power-up turned on
    ]
    # Custom Fields is a board plugin (spec GET /boards/{id}/boardPlugins), never a value of powerUps.
    assert list(state["boardPlugins"][ref.board]) == [CUSTOM_FIELDS_PLUGIN]
    assert state["boards"][ref.board]["powerUps"] == []


def test_a_dropped_board_create_is_found_not_made_twice(sandbox: Sandbox) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    sandbox.set_faults(1.0, 2, ["commit_then_drop"])
    ref = port.create_board("Dropped once")
    sandbox.set_faults(0.0)
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()["trello"]
    assert [b["id"] for b in state["boards"].values() if b["name"] == "Dropped once"] == [ref.board]


# -- carrying every field -------------------------------------------------------------------------------


def test_the_demo_board_is_carried_field_by_field_and_a_rerun_writes_nothing(sandbox: Sandbox) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    source, board, links = port.read_full(_demo(sandbox)), _new_board(port, "Copy"), {}
    started = port.request_count()
    plan, results = apply_plan(port, source, board, links)
    used = port.request_count() - started
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    target = port.read_full(board, include_archived=True)
    writes = Counter((e["method"], e["path"].split("/")[1]) for e in _writes(sandbox))
    cards_with_fields = sum(
        1 for a in source.actions if {a.impact, a.effort, a.confidence, a.objective, a.channel} != {None}
    )
    assert writes[("POST", "cards")] == len(source.actions)
    assert writes[("PUT", "cards")] == cards_with_fields  # one customFields PUT per scored card
    lists, labels = len({a.bucket for a in source.actions}), len({t for a in source.actions for t in a.tags})
    assert writes[("POST", "lists")] == lists and writes[("POST", "labels")] == labels
    assert writes[("POST", "customFields")] == 5  # Impact, Effort, Confidence, Objective, Channel
    board_create = 2  # the POST /boards/ and its power-up, made before ``started``
    assert used == 1 + sum(writes.values()) - board_create  # the target's read (capabilities too) + writes
    by_key = {a.extra["moteur_source"]: a for a in target.actions}
    for action in source.actions:
        copy = by_key[action.key]
        assert (copy.title, copy.bucket) == (action.title, action.bucket)
        # Trello hides e-mails: a source assignee is a username, which the plan does not assign (a loss).
        assert canonical_fields(copy) == canonical_fields(action) | {"assignees": []}
    assert any("assignees" in loss.what for loss in plan.losses)
    in_use = {a.bucket for a in source.actions}
    assert [b.name for b in target.buckets] == [b.name for b in source.buckets if b.name in in_use]
    before = len(_writes(sandbox))
    again, rerun = apply_plan(port, source, board, links)
    assert again.empty and rerun == [] and len(_writes(sandbox)) == before


def test_assignees_are_matched_by_visible_e_mail_or_username_among_board_members(sandbox: Sandbox) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    board = _demo(sandbox)
    target = port.read_full(board)
    people = ["sandbox.user@example.com", "samtaylor", "nobody@example.com"]
    op = CreateItem("file:x.csv:1", "Assigned", target.buckets[0].name, {"assignees": people})
    [result] = port.apply_migration(target, [op], {}, on_created=lambda k, r: None)
    assert result.ok and result.created is not None
    card = next(a for a in port.read_full(board).actions if a.ref.item == result.created.item)
    assert card.assignees == ("sandbox.user@example.com", "samtaylor")


def test_an_update_is_one_card_put_and_one_fields_put(sandbox: Sandbox) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    board, links = _new_board(port, "Copy"), {}
    assert all(r.ok for r in apply_plan(port, port.read_full(_demo(sandbox)), board, links)[1])
    target = port.read_full(board, include_archived=True)
    action = target.actions[0]
    key = action.extra["moteur_source"]
    fields = {"status": "done", "tags": ["Urgent"], "impact": 9, "due": "2026-12-24", "quadrant": "Quick win"}
    before = len(_writes(sandbox))
    op = UpdateItem(key, action.ref, "Renamed", fields, bucket=target.buckets[-1].name)
    [result] = port.apply_migration(target, [op], dict(links), on_created=lambda k, r: None)
    assert result.ok, result.error
    writes = [(e["method"], e["path"].rsplit("/", 1)[-1]) for e in _writes(sandbox)[before:]]
    assert Counter(writes) == Counter(
        {("POST", "labels"): 2, ("PUT", action.ref.item): 1, ("PUT", "customFields"): 1}
    )
    changed = next(a for a in port.read_full(board).actions if a.ref == action.ref)
    assert (changed.title, changed.status, changed.tags, changed.impact) == (
        "Renamed",
        Status.DONE,
        ("Urgent",),
        9,
    )
    assert changed.annotations.quadrant == "Quick win" and changed.bucket == target.buckets[-1].name
    assert changed.due is not None and changed.due.isoformat() == "2026-12-24T12:00:00+00:00"


def test_without_the_power_up_scores_ride_as_labels_and_read_back(sandbox: Sandbox) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    calendar = _demo(sandbox, 1)  # "Content calendar": Custom Fields power-up off
    caps = port.capabilities(port.read_full(calendar))
    assert not caps.moteur_fields and any("power-up is off" in n for n in caps.notes)
    source, links = port.read_full(_demo(sandbox)), {}
    _, results = apply_plan(port, source, calendar, links)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert not [e for e in _writes(sandbox) if "customField" in e["path"]]
    by_key = {a.key: a for a in source.actions}
    copies = [a for a in port.read_full(calendar).actions if "moteur_source" in a.extra]
    assert len(copies) == len(by_key)
    for copy in copies:
        original = by_key[copy.extra["moteur_source"]]
        assert (copy.impact, copy.effort, copy.confidence) == (
            original.impact,
            original.effort,
            original.confidence,
        )
        assert (copy.objective, copy.channel) == (original.objective, original.channel)
    again, rerun = apply_plan(port, source, calendar, links)
    assert again.empty and rerun == []


def test_dues_keep_their_instant_and_a_date_lands_at_noon_utc() -> None:
    assert trello_due("2026-12-24T10:00:00+01:00") == "2026-12-24T09:00:00.000Z"
    assert trello_due("2026-12-24") == "2026-12-24T12:00:00.000Z"
    assert trello_due(None) is None


# -- a real export of a few hundred cards ---------------------------------------------------------------


@pytest.mark.skipif(not EUROPE.exists(), reason=f"{EUROPE.name} not found in {FIXTURES}")
def test_a_real_export_of_two_hundred_cards_migrates_and_reruns_with_zero_creates(sandbox: Sandbox) -> None:
    port = connector_for(Tool.TRELLO, sandbox.env)
    source = port.read_full(_import(sandbox, EUROPE), include_archived=True)
    board, links = _new_board(port, "Europe"), {}
    started, clock = port.request_count(), time.perf_counter()
    plan, results = apply_plan(port, source, board, links, include_archived=True)
    elapsed, requests_used = time.perf_counter() - clock, port.request_count() - started
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    _exactly_once(source, port.read_full(board, include_archived=True))
    assert len(source.actions) == 201 and plan.created == 201
    assert requests_used <= 4 + 2 * 201 + 40  # a POST per card, a PUT per archived card, lists and labels
    assert any("attachments" in loss.what for loss in plan.losses)
    print(f"\nEurope trip: 201 cards, {requests_used} requests, {elapsed:.2f} s")
    before = len(_writes(sandbox))
    again, rerun = apply_plan(port, source, board, links, include_archived=True)
    assert rerun == [] and again.empty and len(_writes(sandbox)) == before


# -- every request is one Trello documents ---------------------------------------------------------------

# Query keys Trello accepts that the spec's operation does not list (see test_trello_contract_spec.py).
SPEC_GAPS = {
    ("GET", "/boards/{id}/cards"): {"filter", "limit", "before", "since", "customFieldItems", "fields"},
    ("GET", "/lists/{id}/cards"): {"fields"},
}


@needs_fixtures
@pytest.mark.skipif(not SPEC_PATH.exists(), reason=f"trello_openapi.json not found at {SPEC_PATH}")
def test_every_request_of_a_migration_is_in_the_spec(sandbox: Sandbox) -> None:
    from connectors.test_trello_contract_spec import _calls, _templates

    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    templates = _templates(spec)
    port = connector_for(Tool.TRELLO, sandbox.env)
    source = port.read_full(_import(sandbox, PLANKA), include_archived=True)
    board, links = _new_board(port, "Spec"), {}
    sandbox.set_faults(0.3, 5, ["commit_then_drop"])  # so the lookups run too
    for _ in range(4):
        if all(r.ok for r in apply_plan(port, source, board, links, include_archived=True)[1]):
            break
    sandbox.set_faults(0.0)
    problems = []
    for method, path, query in _calls(sandbox.requests()):
        template = next((t for p, t in templates if p.match(path)), None)
        operation = spec["paths"].get(template or "", {}).get(method.lower())
        if operation is None:
            problems.append(f"{method} {path}: not in the spec")
            continue
        declared = operation.get("parameters", []) + spec["paths"][template].get("parameters", [])
        known = {p["name"] for p in declared if p.get("in") == "query"} | SPEC_GAPS.get(
            (method, template), set()
        )
        if set(query) - known:
            problems.append(f"{method} {template}: unknown query keys {sorted(set(query) - known)}")
    assert problems == []


def test_text_past_trellos_limit_is_cut_the_footer_kept() -> None:
    body = "x" * 20_000
    description = card_description(body, "asana:1:2")
    assert len(description) == TEXT_LIMIT and split_identity(description)[1] == "asana:1:2"
    assert (
        "cut at Trello" in description
        and card_description("short", "k:1:2") == "short\n\nmoteur-source: k:1:2"
    )
    assert len(within_limit("y" * 17_000)) == TEXT_LIMIT and within_limit("ok") == "ok"
