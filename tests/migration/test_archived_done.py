"""The done state of archived cards: an archived card that was done (its due marked complete, or in a list
whose name means done) and one that was not each come back so from every tool — archived and done are
carried apart (``Action.archived_done``) — and a re-run then changes nothing. A file's status column holds
one state: the loss report says how many archived items lose their done state there.

The board is the real trip export (45 archived cards, 2 of them due-complete), with a due marked complete on
one archived card in three besides, as a person would in Trello: 16 done, 29 not.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from migration.support import TRIP, Sandbox, hop, import_trello, migrate, needs_fixtures, now
from moteur.connectors.migration import Capabilities
from moteur.core.migrate import plan_migration
from moteur.core.model import Action, BoardRef, ItemRef, Snapshot, Status, Tool
from moteur.core.ops import CreateItem, UpdateItem
from moteur.engine.migration_run import identity_of, prepare_migration
from moteur.engine.state import StateStore

NEW = {tool: BoardRef(tool=tool, board="new") for tool in Tool}
DONE_LOSS = "done state of archived items"


def _trello_auth(sandbox: Sandbox) -> dict[str, str]:
    return {"key": sandbox.env["MOTEUR_TRELLO_API_KEY"], "token": sandbox.env["MOTEUR_TRELLO_TOKEN"]}


def _trip_with_done_archived_cards(sandbox: Sandbox) -> BoardRef:
    """The trip board imported, with every third archived card's due marked complete (Trello's API)."""
    ref = import_trello(sandbox, TRIP)
    base, auth = sandbox.urls["trello"], _trello_auth(sandbox)
    cards = requests.get(f"{base}/boards/{ref.board}/cards/all", params=auth, timeout=10).json()
    lists = requests.get(f"{base}/boards/{ref.board}/lists", params={**auth, "filter": "all"}, timeout=10)
    closed = {x["id"] for x in lists.json() if x["closed"]}
    archived = sorted((c for c in cards if c["closed"] or c["idList"] in closed), key=lambda c: c["id"])
    for card in archived[::3]:
        answer = requests.put(
            f"{base}/cards/{card['id']}", params=auth, json={"dueComplete": True}, timeout=10
        )
        answer.raise_for_status()
    return ref


def _done_states(snapshot: Snapshot) -> dict[str, bool]:
    """Archived item (by its own key) -> whether it is done."""
    return {a.key: a.archived_done for a in snapshot.actions if a.status is Status.ARCHIVED}


def _by_source(snapshot: Snapshot) -> dict[str, Action]:
    return {key: a for a in snapshot.actions if (key := identity_of(a)) is not None}


def _due_complete_archived(sandbox: Sandbox, board: str) -> int:
    """Archived cards (archived themselves or in an archived list) with their due marked complete, as Trello
    counts them."""
    base, auth = sandbox.urls["trello"], _trello_auth(sandbox)
    cards = requests.get(f"{base}/boards/{board}/cards/all", params=auth, timeout=10).json()
    lists = requests.get(f"{base}/boards/{board}/lists", params={**auth, "filter": "all"}, timeout=10)
    closed = {x["id"] for x in lists.json() if x["closed"]}
    return sum(1 for c in cards if (c["closed"] or c["idList"] in closed) and c["dueComplete"])


@needs_fixtures
@pytest.mark.parametrize("tool", [Tool.ASANA, Tool.MONDAY, Tool.TRELLO])
def test_archived_cards_keep_their_done_state_there_and_back(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tool: Tool
) -> None:
    trello, middle = ports(Tool.TRELLO), ports(tool)
    src_ref = _trip_with_done_archived_cards(sandbox)
    source = trello.read_full(src_ref, include_archived=True)
    want = _done_states(source)
    done = sum(want.values())
    assert (len(want), done) == (45, 16)  # 15 marked, and 1 of the 2 the export has due-complete besides
    # There: each archived card is archived on the target, done when it was.
    mid_ref, prepared = hop(store, trello, src_ref, middle, NEW[tool], include_archived=True)
    assert DONE_LOSS not in {loss.what for loss in prepared.plan.losses}
    there = middle.read_full(mid_ref, include_archived=True)
    copies = _by_source(there)
    assert {k: copies[k].status for k in want} == dict.fromkeys(want, Status.ARCHIVED)
    assert {k: copies[k].archived_done for k in want} == want
    # And back to a new Trello board: as many archived cards due-complete as in the source.
    back = ports(Tool.TRELLO)
    end_ref, _ = hop(store, middle, mid_ref, back, NEW[Tool.TRELLO], include_archived=True)
    end = _by_source(back.read_full(end_ref, include_archived=True))
    assert {k: end[copies[k].key].archived_done for k in want} == want
    assert _due_complete_archived(sandbox, end_ref.board) == _due_complete_archived(sandbox, src_ref.board)


@needs_fixtures
def test_a_file_names_the_done_state_it_cannot_hold(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tmp_path: Path
) -> None:
    """A file's status column says archived or done, not both: the archived cards that were done are named
    in the loss report with their count, in the dry-run and the run; a re-run changes nothing."""
    trello, files = ports(Tool.TRELLO), ports(Tool.FILE)
    src_ref = _trip_with_done_archived_cards(sandbox)
    done = sum(_done_states(trello.read_full(src_ref, include_archived=True)).values())
    dst = BoardRef(tool=Tool.FILE, board=str(tmp_path / "trip.csv"))
    dry = prepare_migration(trello, src_ref, files, dst, store, include_archived=True, dry_run=True, now=now)
    prepared, outcome = migrate(store, trello, src_ref, files, dst, include_archived=True)
    assert outcome.ok
    for plan in (dry.plan, prepared.plan):
        loss = next(loss for loss in plan.losses if loss.what == DONE_LOSS)
        assert (loss.count, loss.fate) == (done, "not carried (read back as archived, not done)")
    again, rerun = migrate(store, trello, src_ref, files, dst, include_archived=True)
    assert (again.plan.created, again.plan.updated, rerun.creates) == (0, 0, 0)


# -- the plan, on its own ----------------------------------------------------------------------------------


def _card(item: str, status: Status, archived_done: bool = False) -> Action:
    ref = ItemRef(tool=Tool.TRELLO, board="b", item=item)
    return Action(ref=ref, title=item, status=status, archived_done=archived_done)


def _snapshot(tool: Tool, *actions: Action) -> Snapshot:
    return Snapshot(
        board=BoardRef(tool=tool, board="b" if tool is Tool.TRELLO else "t"), name="x", actions=actions
    )


def test_the_plan_writes_the_done_state_of_an_archived_item_and_then_settles() -> None:
    source = _snapshot(Tool.TRELLO, _card("a", Status.ARCHIVED, archived_done=True), _card("b", Status.DONE))
    copy = {
        name: Action(ref=ItemRef(tool=Tool.ASANA, board="t", item=str(n)), title=name, status=status)
        for n, (name, status) in enumerate((("a", Status.ARCHIVED), ("b", Status.DONE)))
    }
    links = {f"trello:b:{k}": a.ref for k, a in copy.items()}
    target = _snapshot(Tool.ASANA, *copy.values())
    plan = plan_migration(source, target, links, Capabilities(tool=Tool.ASANA), include_archived=True)
    (update,) = [op for op in plan.ops if isinstance(op, UpdateItem)]
    assert (update.key, dict(update.fields)) == ("trello:b:a", {"status": "archived", "archived_done": True})
    settled = target.model_copy(
        update={"actions": (copy["a"].model_copy(update={"archived_done": True}), copy["b"])}
    )
    again = plan_migration(source, settled, links, Capabilities(tool=Tool.ASANA), include_archived=True)
    assert (again.updated, again.unchanged) == (0, 2)


def test_a_target_without_it_names_the_done_state_it_loses() -> None:
    source = _snapshot(
        Tool.TRELLO,
        _card("a", Status.ARCHIVED, archived_done=True),
        _card("b", Status.ARCHIVED, archived_done=True),
        _card("c", Status.ARCHIVED),
    )
    caps = Capabilities(tool=Tool.FILE, archived_done=False)
    plan = plan_migration(source, _snapshot(Tool.FILE), {}, caps, include_archived=True)
    assert [(loss.what, loss.count) for loss in plan.losses] == [(DONE_LOSS, 2)]
    assert {op.fields["archived_done"] for op in plan.ops if isinstance(op, CreateItem)} == {False}
