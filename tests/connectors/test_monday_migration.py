"""What only monday.com does as a migration target, over the sandbox (real HTTP): read in full, carry every
field to a new board and read it back equal at a counted cost, re-run without a create, a new board's
workspace, a changed item updated in place. What every tool does (killed runs resumed, commit-then-drop
faults, archived items, lost links) is the migration contract (``tests/migration/contract.py``,
``test_contract_monday.py``).

Runs go through ``migration.support.apply_plan``: the core's own plan over the connector's capabilities, as
in a real run, without the orchestrator, so the counts are the connector's own requests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from migration.support import apply_plan
from sandbox_connectors import connector_for

from connectors.contract import mutating
from moteur.connectors.monday import MondayConnector
from moteur.core.errors import NotFound
from moteur.core.migrate import canonical_fields
from moteur.core.model import BoardRef, ItemRef, Snapshot, Tool
from moteur.core.ops import AddComment, CreateSubitem, MigrationOp, UpdateItem

Sandbox = Any  # tests/conftest.py


def demo_ref(sandbox: Sandbox) -> BoardRef:
    return BoardRef(tool=Tool.MONDAY, board=sandbox.boards["monday"][0].split(":", 1)[1])


def enrich_source(connector: MondayConnector, ref: BoardRef) -> Snapshot:
    """The demo board with subitems (some done), comments, a datetime due and a second assignee added."""
    source = connector.read_full(ref)
    own = {a.key: a.ref for a in source.actions}
    ops: list[MigrationOp] = []
    for n, action in enumerate(source.actions[:12]):
        ops += [
            CreateSubitem(f"{action.key}#seed-check:1", action.key, f"Brief {n}", done=True),
            CreateSubitem(f"{action.key}#seed-check:2", action.key, f"Relire {n}", done=False),
            AddComment(f"{action.key}#seed-comment:1", action.key, f"Premier jet prêt ({n})\nÀ relire."),
        ]
    first = source.actions[0]
    ops.append(
        UpdateItem(
            key=first.key,
            target=first.ref,
            title=first.title,
            fields={
                "due": "2026-12-24T10:30:00+01:00",
                "assignees": ["owner@example.com", "nobody@example.org"],
            },
        )
    )
    results = connector.apply_migration(source, ops, own, on_created=lambda _k, _r: None)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return connector.read_full(ref)


def test_read_full_is_one_query_plus_the_assignees_emails_and_the_accounts_people(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.MONDAY, sandbox.env)
    snapshot = connector.read_full(demo_ref(sandbox))
    roots = [e["root_fields"] for e in sandbox.requests() if e["tool"] == "monday"]
    # The people who can be assigned there (a target's ``capabilities``), with the board's members and cap.
    assert roots == [["complexity", "boards"], ["users"], ["users", "boards", "account", "platform_api"]]
    assigned = [a for a in snapshot.actions if a.assignees]
    assert assigned and all("@" in who for a in assigned for who in a.assignees)
    assert all(a.checklist == () and a.comments == () for a in snapshot.actions)
    assert set(snapshot.native["children"]) == {a.ref.item for a in snapshot.actions}


def test_a_new_board_receives_every_field_and_a_rerun_sends_nothing(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.MONDAY, sandbox.env)
    source = enrich_source(connector, demo_ref(sandbox))
    first = source.actions[0]
    assert first.due == datetime(2026, 12, 24, 9, 30, tzinfo=UTC)  # the same moment, kept in UTC
    assert first.assignees == ("owner@example.com",)  # the unknown e-mail is not assigned
    board = connector.create_board("Plan marketing (copie)")
    before, links, ticks = connector.request_count(), {}, []
    migration, results = apply_plan(connector, source, board, links, progress=ticks.append)
    sent = connector.request_count() - before
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    assert sum(ticks) == len(migration.ops) and len(ticks) > 5  # the progress bar moves batch by batch
    assert (migration.created, migration.subitems, migration.comments) == (40, 24, 12)
    assert migration.losses == ()
    # 2 reads of the new board (items, activity log), 1 for the account's people (the same read), 1 schema
    # query, 1 for the 4 groups, 1 for the columns, ⌈40/20⌉ items, 1 + 1 + 1 + ⌈23/25⌉ subitems (the first
    # reveals the subitems board, which then gets a status column, and its done state), ⌈12/25⌉ comments.
    assert sent == 2 + 1 + 1 + 1 + 1 + 2 + 4 + 1, sent

    target = connector.read_full(board)
    assert [b.name for b in target.buckets] == [b.name for b in source.buckets]
    by_source = {a.extra["moteur_source"]: a for a in target.actions}
    assert set(by_source) == {a.key for a in source.actions}
    for action in source.actions:
        copy = by_source[action.key]
        assert (copy.title, copy.bucket) == (action.title, action.bucket)
        wanted, found = canonical_fields(action), canonical_fields(copy)
        assert found == wanted, action.title
        assert [(c.text, c.done) for c in copy.checklist] == [(c.text, c.done) for c in action.checklist]
        assert [c.text for c in copy.comments] == [
            f"[{c.author} — {c.date.date().isoformat() if c.date else ''}] {c.text}" for c in action.comments
        ]
    dated = [a for a in target.actions if isinstance(a.due, date) and not isinstance(a.due, datetime)]
    assert dated  # a date-only due stays a date

    again, results = apply_plan(connector, source, board, links)
    assert (again.created, again.updated, again.ops) == (0, 0, ())
    assert results == []
    count = len(mutating(sandbox.requests(), "monday"))
    apply_plan(connector, source, board, {})  # the state lost: links rebuilt from the Description column
    assert len(mutating(sandbox.requests(), "monday")) == count


def test_create_board_goes_to_the_named_or_only_workspace(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.MONDAY, sandbox.env)
    board = connector.create_board("Nouveau", "Marketing")
    state = sandbox.app.emulators["monday"].state() if hasattr(sandbox.app, "emulators") else None
    if state is not None:
        made = next(b for b in state["boards"] if b["id"] == board.board)
        assert made["workspace_id"] and made["groups"] == [] and made["item_ids"] == []
    assert connector.read_full(board).actions == ()
    with pytest.raises(NotFound, match="no workspace"):
        connector.create_board("Ailleurs", "Ventes")


def test_a_1200_item_board_reads_in_full_in_three_pages(sandbox: Sandbox) -> None:
    sandbox.reset("bulk:1200")
    connector = connector_for(Tool.MONDAY, sandbox.env)
    snapshot = connector.read_full(demo_ref(sandbox))
    assert len(snapshot.actions) == 1200
    roots = [e["root_fields"][-1] for e in sandbox.requests() if e["tool"] == "monday"]
    assert roots[:3] == ["boards", "next_items_page", "next_items_page"]
    # The assignees' e-mails, when anyone is assigned; then the account's people (who it can assign).
    assert roots[3:] in (["platform_api"], ["users", "platform_api"])


def test_a_changed_source_item_is_updated_in_place_and_moved(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.MONDAY, sandbox.env)
    ref = demo_ref(sandbox)
    source = connector.read_full(ref)
    board = connector.create_board("Suivi")
    links: dict[str, ItemRef] = {}
    apply_plan(connector, source, board, links)
    item = source.actions[5]
    other = next(b.name for b in source.buckets if b.name != item.bucket)
    change = UpdateItem(
        key=item.key,
        target=item.ref,
        title=item.title + " (v2)",
        fields={"description": "Nouveau brief", "impact": 9, "tags": ["seo", "v2"], "status": "doing"},
        bucket=other,
    )
    own = {a.key: a.ref for a in source.actions}
    assert connector.apply_migration(source, [change], own, on_created=lambda _k, _r: None)[0].ok
    changed = connector.read_full(ref)
    before = len(mutating(sandbox.requests(), "monday"))
    migration, results = apply_plan(connector, changed, board, links)
    assert (migration.created, migration.updated) == (0, 1) and all(r.ok for r in results)
    writes = mutating(sandbox.requests(), "monday")[before:]
    assert [e["root_fields"] for e in writes] == [["change_multiple_column_values"], ["move_item_to_group"]]
    copy = next(a for a in connector.read_full(board).actions if a.extra.get("moteur_source") == item.key)
    assert (copy.title, copy.bucket, copy.description, copy.impact) == (
        item.title + " (v2)",
        other,
        "Nouveau brief",
        9,
    )
    # (todo -> doing is not written again: the core's plan reads a target's todo as "doing" unchanged.)
    assert sorted(copy.tags) == ["seo", "v2"]
