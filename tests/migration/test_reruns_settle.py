"""Re-runs settle: after a full migration every re-run plans nothing (0 created, 0 updated), for each pair
of tools on a real board carrying what re-runs used to rewrite (a due with milliseconds, custom fields,
archived cards); ``--map-users`` given on a re-run assigns the items already there; ``--name`` on a re-run
into a remembered ``TOOL:new`` target names the board reused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from migration.support import (
    SAMPLE,
    Sandbox,
    board,
    hop,
    import_trello,
    migrate,
    needs_fixtures,
    seed_trello_fields,
)
from moteur.core.migrate import comment_text
from moteur.core.model import BoardRef, Tool
from moteur.engine.state import StateStore

CHAINS = {
    "trello-asana-monday-trello": (Tool.ASANA, Tool.MONDAY, Tool.TRELLO),
    "trello-monday-asana-trello": (Tool.MONDAY, Tool.ASANA, Tool.TRELLO),
}
PRECISE_DUE = "2026-06-18T19:27:08.357Z"  # monday.com holds whole seconds


def _set_due(sandbox: Sandbox, card: str, due: str) -> None:
    auth = {"key": sandbox.env["MOTEUR_TRELLO_API_KEY"], "token": sandbox.env["MOTEUR_TRELLO_TOKEN"]}
    answer = requests.put(
        f"{sandbox.urls['trello']}/cards/{card}", params=auth, json={"due": due}, timeout=10
    )
    answer.raise_for_status()


@needs_fixtures
@pytest.mark.parametrize("chain", list(CHAINS))
def test_every_pair_of_tools_settles_on_a_real_board(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, chain: str
) -> None:
    """The two chains make the six ordered pairs of tools; ``hop`` compares each copy field by field and
    re-runs it: nothing to create, nothing to update."""
    ref, port = import_trello(sandbox, SAMPLE), ports(Tool.TRELLO)
    seed_trello_fields(sandbox, ref.board)
    cards = sorted(a.ref.item for a in port.read_full(ref).actions)
    _set_due(sandbox, cards[0], PRECISE_DUE)
    original = port.read_full(ref)
    for tool in CHAINS[chain]:
        nxt = ports(tool)
        ref, _ = hop(store, port, ref, nxt, BoardRef(tool=tool, board="new"), include_archived=True)
        port = nxt
    # Back on Trello after three hops: each comment with its original author and day, once.
    back = {a.title: [c.text for c in a.comments] for a in port.read_full(ref).actions}
    for action in original.actions:
        assert back[action.title] == [comment_text(c.author, c.date, c.text) for c in action.comments]


@pytest.mark.parametrize("tool", [Tool.MONDAY, Tool.ASANA])
def test_map_users_given_on_a_rerun_assigns_the_items_already_there(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tool: Tool
) -> None:
    src, dst = ports(Tool.TRELLO), ports(tool)
    src_ref, dst_ref = board(sandbox, Tool.TRELLO), BoardRef(tool=tool, board="new")
    first, _ = migrate(store, src, src_ref, dst, dst_ref)
    assigned = [a for a in first.source.actions if a.assignees]
    assert assigned and any(loss.what == "assignees without an e-mail" for loss in first.plan.losses)
    users = {
        "samtaylor": "sam.taylor@example.com",
        "camillemartin": "camille.martin@example.com",
        "leabernard": "lea.bernard@example.com",
        "hugopetit": "hugo.petit@example.com",
    }
    second, outcome = migrate(store, src, src_ref, dst, dst_ref, users=users)
    assert outcome.ok and second.plan.created == 0
    assert second.plan.updated == len(assigned), second.plan.ops
    assert not any(loss.what.startswith("assignees") for loss in second.plan.losses)
    copy = dst.read_full(second.target.board)
    by_title = {a.title: a for a in copy.actions}
    for action in assigned:
        assert by_title[action.title].assignees == tuple(users[who] for who in action.assignees)
    third, _ = migrate(store, src, src_ref, dst, dst_ref, users=users)
    assert (third.plan.created, third.plan.updated) == (0, 0)


@pytest.mark.parametrize("tool", [Tool.MONDAY, Tool.ASANA, Tool.TRELLO])
def test_name_on_a_rerun_into_a_remembered_new_board_names_the_board_reused(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tool: Tool
) -> None:
    src, dst = ports(Tool.TRELLO), ports(tool)
    src_ref, dst_ref = board(sandbox, Tool.TRELLO), BoardRef(tool=tool, board="new")
    first, _ = migrate(store, src, src_ref, dst, dst_ref, name="Copie A")
    assert not any("--name" in note for note in first.plan.notes)
    again, _ = migrate(store, src, src_ref, dst, dst_ref, name="Copie B")
    assert again.target.board == first.target.board
    (note,) = [n for n in again.plan.notes if "--name" in n]
    assert '"Copie B" not used' in note and '"Copie A"' in note and str(first.target.board) in note
    same, _ = migrate(store, src, src_ref, dst, dst_ref, name="Copie A")  # the name it has: nothing to say
    assert not any("--name" in n for n in same.plan.notes)
