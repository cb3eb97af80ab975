"""What the migration tests share: the real Trello exports, a migration run through the orchestrator
(``migrate``) or at the connector alone (``apply_plan``), the field-by-field comparison of a source and its
copy (``differences``, ``hop``), custom fields on a Trello board. Connectors over the sandbox come from
``tests/sandbox_connectors.py``."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from moteur.connectors.migration import Capabilities
from moteur.connectors.trello.power_ups import CUSTOM_FIELDS_PLUGIN
from moteur.core.identity import split_identity
from moteur.core.migrate import (
    CUT_NOTE,
    MigrationPlan,
    comment_text,
    fold_name,
    plan_migration,
    same_custom_value,
)
from moteur.core.model import Action, BoardRef, ItemRef, Snapshot, Status, Tool
from moteur.core.ops import OpResult
from moteur.engine.migration_run import (
    MigrationOutcome,
    PreparedMigration,
    apply_prepared,
    identity_of,
    prepare_migration,
)
from moteur.engine.state import StateStore

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO / "tests" / "contract" / "fixtures")) / "trello"
SAMPLE = FIXTURES / "en_simple_project_board_planka_sample.json"
TRIP = FIXTURES / "zh_europe_trip_2026_board.json"
CLIPKIT = FIXTURES / "ja_clipkit_board.json"
needs_fixtures = pytest.mark.skipif(not SAMPLE.exists(), reason=f"Trello exports not found in {FIXTURES}")
Sandbox = Any  # tests/conftest.py


def now() -> datetime:
    return datetime.now(UTC)


def migrate(
    store: StateStore,
    src: Any,
    src_ref: BoardRef,
    dst: Any,
    dst_ref: BoardRef,
    *,
    must_succeed: bool = False,
    **kw: Any,
) -> tuple[PreparedMigration, MigrationOutcome]:
    """One run as ``moteur migrate`` makes it: prepared (``kw``: ``include_archived``, ``name``, ``users``,
    ``dry_run``…) then applied under the target's lock, every create linked in ``store`` as it lands;
    ``must_succeed``: fails the test, naming the failed ops, unless every op succeeded."""
    prepared = prepare_migration(src, src_ref, dst, dst_ref, store, now=now, **kw)
    outcome = apply_prepared(prepared, dst, store, now=now, owner="test")
    if must_succeed:
        assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
    return prepared, outcome


def apply_plan(
    connector: Any,
    source: Snapshot,
    board: BoardRef,
    links: dict[str, ItemRef],
    *,
    include_archived: bool = False,
    progress: Callable[[int], None] | None = None,
) -> tuple[MigrationPlan, list[OpResult]]:
    """One run at the connector alone, without the orchestrator or a state store, so that a test counts only
    the target's own requests: read ``board`` in full, take the links ``links`` holds and those the target's
    identity footers give back, plan against the connector's capabilities, apply; each create is added to
    ``links`` (the state's links table) as it lands."""
    target = connector.read_full(board, include_archived=True)
    found = {key: a.ref for a in target.actions if (key := identity_of(a)) is not None}
    targets = {**found, **links}
    plan = plan_migration(
        source, target, targets, connector.capabilities(target), include_archived=include_archived
    )
    results: list[OpResult] = connector.apply_migration(
        target, plan.ops, dict(targets), on_created=links.__setitem__, progress=progress
    )
    return plan, results


def board(sandbox: Sandbox, tool: Tool, index: int = 0) -> BoardRef:
    return BoardRef(tool=tool, board=sandbox.boards[tool.value][index].split(":", 1)[1])


def import_trello(sandbox: Sandbox, export: Path) -> BoardRef:
    body = json.loads(export.read_text(encoding="utf-8"))
    answer = requests.post(f"{sandbox.url}/_sandbox/import/trello", json=body, timeout=30)
    answer.raise_for_status()
    return BoardRef(tool=Tool.TRELLO, board=answer.json()["id"])


# -- comparing a source and its copy, field by field ---------------------------------------------------------


def carried(source: Snapshot, include_archived: bool = False) -> list[Action]:
    closed = {b.name for b in source.buckets if b.closed}
    return [
        a
        for a in source.actions
        if include_archived or (a.status is not Status.ARCHIVED and (a.bucket or "") not in closed)
    ]


def copies(target: Snapshot) -> dict[str, list[Action]]:
    found: dict[str, list[Action]] = {}
    for action in target.actions:
        key = identity_of(action)
        if key is not None:
            found.setdefault(key, []).append(action)
    return found


def differences(
    source: Snapshot, target: Snapshot, caps: Capabilities, include_archived: bool = False
) -> list[str]:
    """Every field of every carried item that the target could hold and does not hold as the source."""
    found = copies(target)
    problems: list[str] = []
    for a in carried(source, include_archived):
        there = found.get(a.key, [])
        if len(there) != 1:
            problems.append(f"{a.title!r}: {len(there)} copies")
            continue
        t = there[0]

        def check(name: str, want: object, have: object, item: Action = a) -> None:
            if want != have:
                problems.append(f"{item.title!r} {name}: {want!r} -> {have!r}")

        check("title", a.title, t.title)
        if a.bucket:
            check("bucket", a.bucket, t.bucket)
        have_text = split_identity(t.description)[0]
        if caps.description_limit is not None and have_text.endswith(CUT_NOTE):  # cut by the plan, on purpose
            check(
                "description (cut)", True, a.description.startswith(have_text.removesuffix(CUT_NOTE).rstrip())
            )
        else:
            check("description", " ".join(a.description.split()), " ".join(have_text.split()))
        check("closed", a.status.is_closed, t.status.is_closed)
        if caps.archived_done:
            check("done when archived", a.archived_done, t.archived_done)
        if a.due is not None and (caps.due_date_only or caps.due_datetime):
            check("due day", a.due_day, t.due_day)
        if caps.tags:
            check("tags", set(a.tags), set(t.tags))
        if caps.scores:
            check("scores", (a.impact, a.effort, a.confidence), (t.impact, t.effort, t.confidence))
        if caps.objective_channel:
            check("objective/channel", (a.objective, a.channel), (t.objective, t.channel))
        if caps.moteur_fields:
            check(
                "quadrant/sprint",
                (a.annotations.quadrant, a.annotations.sprint),
                (t.annotations.quadrant, t.annotations.sprint),
            )
        if caps.assignees and not set(t.assignees) <= set(a.assignees):
            problems.append(f"{a.title!r} assignees: {a.assignees} -> {t.assignees}")
        if caps.subitems:
            check(
                "checklist", [(c.text, c.done) for c in a.checklist], [(c.text, c.done) for c in t.checklist]
            )
        if caps.custom_fields:
            carried_fields = {
                fold_name(f.name): f.kind for f in source.custom_fields if f.kind in caps.custom_fields
            }
            have = {fold_name(k[6:]): v for k, v in t.extra.items() if k.startswith("field:")}
            for name, value in a.extra.items():
                kind = carried_fields.get(fold_name(name[6:])) if name.startswith("field:") else None
                if kind is not None and not same_custom_value(kind, value, have.get(fold_name(name[6:]))):
                    problems.append(f"{a.title!r} {name}: {value!r} -> {have.get(fold_name(name[6:]))!r}")
        if caps.comments:
            want = [comment_text(c.author, c.date, c.text) for c in a.comments]
            have = [c.text for c in t.comments]
            # Extra comments (assignees a single-assignee target could not take) come after the source's.
            check("comments", want, have[: len(want)])
    return problems


def hop(
    store: StateStore, src: Any, src_ref: BoardRef, dst: Any, dst_ref: BoardRef, **kw: Any
) -> tuple[BoardRef, PreparedMigration]:
    """Migrate, compare field by field, re-run (nothing created, nothing updated); return the target."""
    prepared, outcome = migrate(store, src, src_ref, dst, dst_ref, **kw)
    assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
    target_ref = prepared.target.board
    include = bool(kw.get("include_archived"))
    target = dst.read_full(target_ref, include_archived=True)
    assert differences(prepared.source, target, dst.capabilities(target), include) == []
    again, rerun = migrate(store, src, src_ref, dst, dst_ref, **kw)
    assert again.target.board == target_ref  # TOOL:new is remembered
    assert (again.plan.created, again.plan.subitems, again.plan.comments, rerun.creates) == (0, 0, 0, 0)
    assert again.plan.updated == 0, [op for op in again.plan.ops][:3]
    return target_ref, prepared


# -- custom fields on a Trello board, as a person would add them -------------------------------------------

STAGES = ("Idea", "Live", "Done")
TRELLO_FIELD_TYPES = {
    "Budget": "number",
    "Stage": "list",
    "Brief": "text",
    "Launch": "date",
    "Approved": "checkbox",
}


def seed_trello_fields(sandbox: Sandbox, board: str) -> dict[str, str]:
    """Role-less fields on a Trello board (number, list, text, date, checkbox) with values on its first two
    cards (by id), through Trello's own API (the Custom Fields power-up turned on first when it is off);
    returns the field and option ids by name."""
    base = sandbox.urls["trello"]
    auth = {"key": sandbox.env["MOTEUR_TRELLO_API_KEY"], "token": sandbox.env["MOTEUR_TRELLO_TOKEN"]}
    plugins = requests.get(f"{base}/boards/{board}/boardPlugins", params=auth, timeout=10).json()
    if not any(p.get("idPlugin") == CUSTOM_FIELDS_PLUGIN for p in plugins):  # an imported export has none
        on = {**auth, "idPlugin": CUSTOM_FIELDS_PLUGIN}
        requests.post(f"{base}/boards/{board}/boardPlugins", params=on, timeout=10).raise_for_status()
    ids: dict[str, str] = {}
    for name, kind in TRELLO_FIELD_TYPES.items():
        body: dict[str, Any] = {
            "idModel": board,
            "modelType": "board",
            "name": name,
            "type": kind,
            "pos": "bottom",
        }
        if kind == "list":
            body["options"] = [{"value": {"text": t}, "pos": 16384 * (n + 1)} for n, t in enumerate(STAGES)]
        answer = requests.post(f"{base}/customFields", params=auth, json=body, timeout=10)
        answer.raise_for_status()
        ids[name] = answer.json()["id"]
        if kind == "list":
            ids.update({t: o["id"] for t, o in zip(STAGES, answer.json()["options"], strict=True)})
    cards = requests.get(f"{base}/boards/{board}/cards", params=auth, timeout=10).json()
    first, second = sorted(cards, key=lambda c: c["id"])[:2]
    values = {
        first["id"]: [
            {"idCustomField": ids["Budget"], "value": {"number": "1200"}},
            {"idCustomField": ids["Stage"], "idValue": ids["Live"]},
            {"idCustomField": ids["Brief"], "value": {"text": "Cibler les DAF"}},
            {"idCustomField": ids["Launch"], "value": {"date": "2026-12-18T12:00:00.000Z"}},
            {"idCustomField": ids["Approved"], "value": {"checked": "true"}},
        ],
        second["id"]: [
            {"idCustomField": ids["Budget"], "value": {"number": "2.5"}},
            {"idCustomField": ids["Stage"], "idValue": ids["Idea"]},
            {"idCustomField": ids["Launch"], "value": {"date": "2026-12-24T10:00:00.000Z"}},
        ],
    }
    for card, items in values.items():
        answer = requests.put(
            f"{base}/cards/{card}/customFields", params=auth, json={"customFieldItems": items}, timeout=10
        )
        answer.raise_for_status()
    return ids
