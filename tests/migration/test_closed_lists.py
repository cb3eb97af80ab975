"""Closed lists: a Trello target gets them closed (created closed, or an open one of that name closed, and
one reopened in the source reopened), a re-run changes nothing, and Trello itself lists them as closed. Asana
has no closed section and the monday.com port archives no group: there the loss report names the archived
lists with the number of cards in them, and the cards are archived each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from migration.support import TRIP, Sandbox, board, hop, import_trello, needs_fixtures
from moteur.connectors.migration import Capabilities
from moteur.core.migrate import plan_migration
from moteur.core.model import Action, BoardRef, Bucket, ItemRef, Snapshot, Status, Tool
from moteur.core.ops import EnsureBucket, MoveItem
from moteur.engine.state import StateStore

NEW = {tool: BoardRef(tool=tool, board="new") for tool in Tool}
OPENED = "created open on the target, their items archived"


def _lists(sandbox: Sandbox, board: str) -> dict[str, bool]:
    """List name -> closed, as Trello answers (every list, closed ones too)."""
    auth = {"key": sandbox.env["MOTEUR_TRELLO_API_KEY"], "token": sandbox.env["MOTEUR_TRELLO_TOKEN"]}
    answer = requests.get(
        f"{sandbox.urls['trello']}/boards/{board}/lists", params={**auth, "filter": "all"}, timeout=10
    )
    answer.raise_for_status()
    return {x["name"]: x["closed"] for x in answer.json()}


def _closed_names(snapshot: Snapshot) -> set[str]:
    return {b.name for b in snapshot.buckets if b.closed}


@needs_fixtures
def test_closed_lists_stay_closed_from_trello_to_trello(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore
) -> None:
    """The trip board's 8 closed lists (7 names) are closed on the copy, its open lists open."""
    trello = ports(Tool.TRELLO)
    src_ref = import_trello(sandbox, TRIP)
    source = trello.read_full(src_ref, include_archived=True)
    closed = _closed_names(source)
    used = {a.bucket for a in source.actions if a.bucket}
    assert len(closed) == 7 and closed <= used
    ref, prepared = hop(store, trello, src_ref, ports(Tool.TRELLO), NEW[Tool.TRELLO], include_archived=True)
    assert not [loss for loss in prepared.plan.losses if loss.fate == OPENED]
    assert _lists(sandbox, ref.board) == {name: name in closed for name in used}
    # A third copy, from the copy: still closed.
    again, _ = hop(
        store, ports(Tool.TRELLO), ref, ports(Tool.TRELLO), NEW[Tool.TRELLO], include_archived=True
    )
    assert _lists(sandbox, again.board) == {name: name in closed for name in used}


@needs_fixtures
@pytest.mark.parametrize("tool", [Tool.ASANA, Tool.MONDAY])
def test_a_target_without_closed_lists_names_them_and_they_come_back_open(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tool: Tool
) -> None:
    """32 cards in 7 archived lists: named with that count at the hop that opens them; the cards stay
    archived there and back on Trello, in open lists."""
    trello, middle = ports(Tool.TRELLO), ports(tool)
    src_ref = import_trello(sandbox, TRIP)
    source = trello.read_full(src_ref, include_archived=True)
    closed = _closed_names(source)
    in_closed = [a for a in source.actions if a.bucket in closed]
    mid_ref, prepared = hop(store, trello, src_ref, middle, NEW[tool], include_archived=True)
    losses = {loss.what: loss for loss in prepared.plan.losses}
    loss = losses[f"archived lists ({len(closed)})"]
    assert (loss.count, loss.fate) == (len(in_closed), OPENED) == (32, OPENED)
    there = middle.read_full(mid_ref, include_archived=True)
    assert not _closed_names(there)
    assert all(a.status is Status.ARCHIVED for a in there.actions if a.bucket in closed)
    end_ref, back = hop(store, middle, mid_ref, ports(Tool.TRELLO), NEW[Tool.TRELLO], include_archived=True)
    assert not [loss for loss in back.plan.losses if loss.fate == OPENED]
    assert not any(_lists(sandbox, end_ref.board).values())


# -- the plan, on its own ----------------------------------------------------------------------------------

TRELLO = Capabilities(tool=Tool.TRELLO, closed_buckets=True)


def _board(tool: Tool, board: str, buckets: tuple[Bucket, ...], *actions: Action) -> Snapshot:
    return Snapshot(board=BoardRef(tool=tool, board=board), name=board, buckets=buckets, actions=actions)


def _card(bucket: str, status: Status = Status.ARCHIVED) -> Action:
    return Action(
        ref=ItemRef(tool=Tool.TRELLO, board="b", item=bucket), title=bucket, bucket=bucket, status=status
    )


def test_the_plan_closes_creates_closed_and_reopens_lists() -> None:
    source = _board(
        Tool.TRELLO,
        "b",
        (
            Bucket(id="1", name="Old", closed=True),
            Bucket(id="2", name="Gone", closed=True),
            Bucket(id="3", name="Back"),
        ),
        _card("Old"),
        _card("Gone"),
        _card("Back", Status.TODO),
    )
    target = _board(Tool.TRELLO, "t", (Bucket(id="8", name="Old"), Bucket(id="9", name="Back", closed=True)))
    plan = plan_migration(source, target, {}, TRELLO, include_archived=True)
    buckets = [op for op in plan.ops if isinstance(op, EnsureBucket)]
    assert buckets == [
        EnsureBucket("Old", 0, closed=True),
        EnsureBucket("Gone", 1, closed=True),
        EnsureBucket("Back", 2, closed=False),
    ]
    assert plan.buckets_to_create == ("Gone",)  # the other two are there: closed and reopened
    assert not [loss for loss in plan.losses if loss.fate == OPENED]
    settled = _board(
        Tool.TRELLO,
        "t",
        (
            Bucket(id="8", name="Old", closed=True),
            Bucket(id="7", name="Gone", closed=True),
            Bucket(id="9", name="Back"),
        ),
    )
    assert [
        op
        for op in plan_migration(source, settled, {}, TRELLO, include_archived=True).ops
        if isinstance(op, EnsureBucket)
    ] == []


def test_a_target_that_cannot_close_a_list_names_it() -> None:
    source = _board(Tool.TRELLO, "b", (Bucket(id="1", name="Old", closed=True),), _card("Old"))
    plan = plan_migration(
        source, _board(Tool.ASANA, "t", ()), {}, Capabilities(tool=Tool.ASANA), include_archived=True
    )
    assert [op for op in plan.ops if isinstance(op, EnsureBucket)] == [EnsureBucket("Old", 0)]
    assert [(loss.what, loss.count, loss.fate) for loss in plan.losses] == [("archived lists (1)", 1, OPENED)]


# -- a sync never writes into a closed list ----------------------------------------------------------------


def test_a_sync_moves_no_card_into_a_closed_list(sandbox: Sandbox, ports: Callable[[Tool], Any]) -> None:
    """A list closed on the board (as a migration leaves it) is not where a sync's move lands: the sync's
    ``EnsureBucket`` makes an open list of that name, and the card goes there."""
    trello = ports(Tool.TRELLO)
    ref = board(sandbox, Tool.TRELLO)
    snapshot = trello.read(ref)
    card = snapshot.actions[0]
    shut = next(b for b in snapshot.buckets if b.name != card.bucket and not b.closed)
    base = sandbox.urls["trello"]
    auth = {"key": sandbox.env["MOTEUR_TRELLO_API_KEY"], "token": sandbox.env["MOTEUR_TRELLO_TOKEN"]}
    requests.put(f"{base}/lists/{shut.id}", params=auth, json={"closed": True}, timeout=10).raise_for_status()
    snapshot = trello.read(ref)
    move = MoveItem(card.ref, card.title, "status", card.bucket, shut.name)
    results = trello.apply(snapshot, [EnsureBucket(shut.name)], [move])
    assert all(r.ok for r in results), results
    moved = requests.get(f"{base}/cards/{card.ref.item}", params=auth, timeout=10).json()
    assert moved["idList"] != shut.id
    lists = requests.get(
        f"{base}/boards/{ref.board}/lists", params={**auth, "filter": "all"}, timeout=10
    ).json()
    assert [x["closed"] for x in lists if x["name"] == shut.name] == [True, False]
