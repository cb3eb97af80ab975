"""Each connector's ``read_changes`` over the sandbox: a read of changes gives the snapshot a full read gives,
for a handful of requests, and says when it cannot (a refused cursor)."""

from __future__ import annotations

import pytest

from incremental.support import TOOLS, Sandbox, board_of, connector, delete_item, log_size, same, set_impact
from moteur.core.ports import ChangeSet


@pytest.mark.parametrize("tool", TOOLS)
def test_a_read_of_no_changes_costs_one_request_and_equals_the_full_read(sandbox: Sandbox, tool: str) -> None:
    port = connector(tool, sandbox.env)
    ref = board_of(sandbox, tool)
    assert port.describe().incremental
    cursor = port.cursor_of(ref)
    assert cursor
    full = port.read(ref)
    before = log_size(sandbox, tool)
    changes = port.read_changes(ref, full, cursor)
    assert isinstance(changes, ChangeSet)
    assert log_size(sandbox, tool) - before == changes.requests == 1
    assert same(changes.snapshot, full)


@pytest.mark.parametrize("tool", TOOLS)
def test_twenty_changed_scores_are_read_again_in_a_few_requests(sandbox: Sandbox, tool: str) -> None:
    port = connector(tool, sandbox.env)
    ref = board_of(sandbox, tool)
    cursor = port.cursor_of(ref)
    full = port.read(ref)
    changed = [a.ref.item for a in full.actions[:20]]
    for item in changed:
        set_impact(sandbox, tool, full, item, 1)
    before = log_size(sandbox, tool)
    changes = port.read_changes(ref, full, cursor)
    assert changes is not None
    # Trello and Asana: the feed + the 20 items ten to a batch; monday: one filtered items_page.
    assert log_size(sandbox, tool) - before == changes.requests <= (1 if tool == "monday" else 3)
    assert {a.ref.item for a in changes.snapshot.actions if a.impact == 1} >= set(changed)
    assert same(changes.snapshot, port.read(ref))
    # The next read starts after these changes: nothing new to read again but the cursor's own second.
    again = port.read_changes(ref, changes.snapshot, changes.cursor)
    assert again is not None and again.requests == 1
    assert same(again.snapshot, changes.snapshot)


@pytest.mark.parametrize("tool", ["trello", "asana"])
def test_a_deleted_item_leaves_the_snapshot(sandbox: Sandbox, tool: str) -> None:
    port = connector(tool, sandbox.env)
    ref = board_of(sandbox, tool)
    cursor = port.cursor_of(ref)
    full = port.read(ref)
    gone = full.actions[3].ref.item
    delete_item(sandbox, tool, gone)
    changes = port.read_changes(ref, full, cursor)
    assert changes is not None
    assert gone not in {a.ref.item for a in changes.snapshot.actions}
    assert len(changes.snapshot.actions) == len(full.actions) - 1
    assert same(changes.snapshot, port.read(ref))


def test_monday_refuses_its_cursor_when_an_item_was_deleted(sandbox: Sandbox) -> None:
    # A filtered items_page cannot show a deleted item; the board's items_count can tell one left.
    port = connector("monday", sandbox.env)
    ref = board_of(sandbox, "monday")
    cursor = port.cursor_of(ref)
    full = port.read(ref)
    delete_item(sandbox, "monday", full.actions[3].ref.item)
    assert port.read_changes(ref, full, cursor) is None


def test_an_expired_asana_sync_token_is_refused(sandbox: Sandbox) -> None:
    port = connector("asana", sandbox.env)
    ref = board_of(sandbox, "asana")
    full = port.read(ref)
    assert port.read_changes(ref, full, "0123456789abcdef0123456789abcdef") is None


def test_a_new_trello_card_is_added_and_a_moved_one_follows_its_list(sandbox: Sandbox) -> None:
    import requests

    port = connector("trello", sandbox.env)
    ref = board_of(sandbox, "trello")
    cursor = port.cursor_of(ref)
    full = port.read(ref)
    env = sandbox.env
    auth = {"key": env["MOTEUR_TRELLO_API_KEY"], "token": env["MOTEUR_TRELLO_TOKEN"]}
    lists = [b.id for b in full.buckets if not b.closed]
    card = {**auth, "idList": lists[0], "name": "Nouveau"}
    created = requests.post(f"{env['MOTEUR_TRELLO_URL']}/cards", params=card, timeout=10)
    created.raise_for_status()
    moved = full.actions[0].ref.item
    requests.put(
        f"{env['MOTEUR_TRELLO_URL']}/cards/{moved}", params={**auth, "idList": lists[-1]}, timeout=10
    ).raise_for_status()
    changes = port.read_changes(ref, full, cursor)
    assert changes is not None
    assert "Nouveau" in {a.title for a in changes.snapshot.actions}
    assert same(changes.snapshot, port.read(ref))


@pytest.mark.parametrize("tool", ["trello", "asana"])
def test_a_renamed_list_or_section_refuses_the_cursor(sandbox: Sandbox, tool: str) -> None:
    # The cached actions name their bucket as it was: a rename touches them all, and no feed names them.
    import requests

    port = connector(tool, sandbox.env)
    ref = board_of(sandbox, tool)
    cursor = port.cursor_of(ref)
    full = port.read(ref)
    bucket = next(a.bucket for a in full.actions if a.bucket)
    bucket_id = next(b.id for b in full.buckets if b.name == bucket)
    env = sandbox.env
    if tool == "trello":
        auth = {"key": env["MOTEUR_TRELLO_API_KEY"], "token": env["MOTEUR_TRELLO_TOKEN"]}
        url = f"{env['MOTEUR_TRELLO_URL']}/lists/{bucket_id}"
        requests.put(url, params={**auth, "name": "Renommée"}, timeout=10).raise_for_status()
    else:
        requests.put(
            f"{env['MOTEUR_ASANA_URL']}/sections/{bucket_id}",
            json={"data": {"name": "Renommée"}},
            headers={"Authorization": f"Bearer {env['MOTEUR_ASANA_TOKEN']}"},
            timeout=10,
        ).raise_for_status()
    assert port.read_changes(ref, full, cursor) is None


def test_board_kept_accepts_additions_and_refuses_renames() -> None:
    from moteur.core.model import BoardRef, Bucket, Snapshot, Tool
    from moteur.core.native import board_kept

    ref = BoardRef(tool=Tool.TRELLO, board="b")
    cached = Snapshot(
        board=ref,
        name="B",
        buckets=(Bucket(id="1", name="À faire"),),
        fields=("Impact",),
        native={
            "labels": [{"id": "l1", "name": "Quick win"}],
            "ice_field_id": None,
            "card_labels": {"c": []},
        },
    )
    added = cached.model_copy(
        update={
            "buckets": (*cached.buckets, Bucket(id="2", name="Fait")),
            "fields": ("Impact", "ICE"),
            "native": {
                "labels": [{"id": "l1", "name": "Quick win"}, {"id": "l2", "name": "Sprint 1"}],
                "ice_field_id": "f9",
                "card_labels": {},
            },
        }
    )
    assert board_kept(cached, added, skip=("card_labels",))
    renamed = added.model_copy(update={"buckets": (Bucket(id="1", name="Backlog"),)})
    assert not board_kept(cached, renamed, skip=("card_labels",))
    relabelled = added.model_copy(update={"native": {**added.native, "labels": [{"id": "l1", "name": "QW"}]}})
    assert not board_kept(cached, relabelled, skip=("card_labels",))


@pytest.mark.perf  # a 2,000-item board per tool
@pytest.mark.parametrize("tool", TOOLS)
def test_a_no_op_read_of_a_2000_item_board_costs_a_handful_of_requests(sandbox: Sandbox, tool: str) -> None:
    sandbox.reset("bulk:2000")
    port = connector(tool, sandbox.env)
    ref = board_of(sandbox, tool)
    cursor = port.cursor_of(ref)
    full = port.read(ref)
    assert len(full.actions) == 2000
    changes = port.read_changes(ref, full, cursor)
    assert changes is not None and same(changes.snapshot, full)
    # monday: the seed stamps all 2,000 items in one second, and the rule includes the cursor's second, so
    # they are all read again (4 pages): the worst case. Real boards spread their stamps; Trello and Asana
    # read their change feed only.
    assert changes.requests <= (4 if tool == "monday" else 1)
