"""Custom fields and checklist changes through the Asana migration port, over the sandbox and the real core:
a JSON file with number / text / date columns into a new project (fields made once, values set in the
create bodies, a re-run that writes nothing), a changed value and a ticked checklist entry carried as
exactly those updates, a project's enum / date / multi-select fields carried to another project and to a
JSON file, and the workspace's e-mails as the capabilities' ``emails``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sandbox_connectors import connector_for

from moteur.connectors.asana import AsanaConnector
from moteur.connectors.files.connector import FileConnector
from moteur.core.model import BoardRef, FieldKind, Tool
from moteur.core.refs import parse_ref
from moteur.engine.migration_run import MigrationOutcome, apply_prepared, prepare_migration
from moteur.engine.state import StateStore
from moteur.sandbox.demo_data import DEMO_MEMBERS
from moteur.settings import Settings

Sandbox = Any  # tests/conftest.py
ITEMS = [
    {
        "title": "Webinar SEO",
        "bucket": "Idées",
        "Budget": 1500,
        "Brief": "Ouvrir sur le cas client",
        "Launch": "2026-12-18",
        "Stage": "draft",
        "checklist": [{"text": "Slides", "done": False}, {"text": "Invitations", "done": True}],
    },
    {"title": "Livre blanc", "bucket": "Production", "Budget": 320.75, "Launch": "2027-01-05T09:30:00+00:00"},
    {"title": "Newsletter", "bucket": "Idées", "Brief": "Trois liens", "Stage": "review"},
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore(f"sqlite:///{tmp_path / 'state.db'}") as opened:
        yield opened


def run(store: StateStore, src: Any, src_ref: BoardRef, dst: Any, dst_ref: BoardRef) -> MigrationOutcome:
    prepared = prepare_migration(src, src_ref, dst, dst_ref, store, now=_now)
    return apply_prepared(prepared, dst, store, now=_now, owner="test")


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def write_source(path: Path, items: list[dict[str, Any]]) -> BoardRef:
    path.write_text(json.dumps({"name": "Plan", "actions": items}, ensure_ascii=False), encoding="utf-8")
    return BoardRef(tool=Tool.FILE, board=str(path))


def asana_writes(sandbox: Sandbox, since: int) -> list[dict[str, Any]]:
    return [e for e in sandbox.requests()[since:] if e["tool"] == "asana" and e["mutating"]]


def inner(entries: list[dict[str, Any]]) -> list[str]:
    """The "METHOD path" of every write: a batch's actions one by one, gids as {gid}."""
    import re

    calls = [a for e in entries for a in (e["root_fields"] if e["path"] == "/batch" else [])]
    calls += [f"{e['method']} {e['path']}" for e in entries if e["path"] != "/batch"]
    return [re.sub(r"\d{6,}", "{gid}", c) for c in calls]


def test_a_json_file_with_custom_columns_into_a_new_project(
    sandbox: Sandbox, store: StateStore, tmp_path: Path
) -> None:
    source_path = tmp_path / "plan.json"
    source = write_source(source_path, ITEMS)
    files, asana = FileConnector(Settings()), connector_for(Tool.ASANA, sandbox.env)
    since = len(sandbox.requests())
    first = run(store, files, source, asana, parse_ref("asana:new"))
    assert not first.failures, first.failures
    calls = inner(asana_writes(sandbox, since))
    # Four fields made once each, put on the project; the values ride in the creates (no PUT of a task).
    assert calls.count("POST /custom_fields") == 4
    assert calls.count("POST /projects/{gid}/addCustomFieldSetting") == 4
    assert not [c for c in calls if c.startswith("PUT /tasks/")]
    board = first.prepared.target.board
    read = asana.read_full(board)
    kinds = {f.name: f.kind for f in read.custom_fields}
    assert kinds == {
        "Budget": FieldKind.NUMBER,
        "Brief": FieldKind.TEXT,
        "Launch": FieldKind.DATE,
        "Stage": FieldKind.TEXT,  # a file has no single choice: its column is text
    }
    by_title = {a.title: a for a in read.actions}
    assert {k: v for k, v in by_title["Webinar SEO"].extra.items() if k.startswith("field:")} == {
        "field:Budget": 1500,
        "field:Brief": "Ouvrir sur le cas client",
        "field:Launch": "2026-12-18",
        "field:Stage": "draft",
    }
    assert by_title["Livre blanc"].extra["field:Budget"] == 320.75  # the field has the decimals it needs
    assert by_title["Livre blanc"].extra["field:Launch"] == "2027-01-05T09:30:00+00:00"
    assert [(c.text, c.done) for c in by_title["Webinar SEO"].checklist] == [
        ("Slides", False),
        ("Invitations", True),
    ]

    since = len(sandbox.requests())
    again = run(store, files, source, asana, parse_ref("asana:new"))
    plan = again.prepared.plan
    assert (again.creates, plan.updated, plan.unchanged, again.failures) == (0, 0, 3, [])
    assert asana_writes(sandbox, since) == []

    # A changed value and a ticked entry in the source: exactly those two writes, in one batch.
    items = json.loads(json.dumps(ITEMS))
    items[0]["Budget"] = 1800
    items[0]["checklist"][0]["done"] = True
    write_source(source_path, items)
    since = len(sandbox.requests())
    changed = run(store, files, source, asana, board)
    assert not changed.failures, changed.failures
    assert (changed.prepared.plan.updated, changed.prepared.plan.subitem_updates) == (1, 1)
    writes = asana_writes(sandbox, since)
    assert [e["path"] for e in writes] == ["/batch"]
    assert sorted(inner(writes)) == ["PUT /tasks/{gid}", "PUT /tasks/{gid}"]
    webinar = next(a for a in asana.read_full(board).actions if a.title == "Webinar SEO")
    assert webinar.extra["field:Budget"] == 1800
    assert [(c.text, c.done) for c in webinar.checklist] == [("Slides", True), ("Invitations", True)]


def api(sandbox: Sandbox, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
    """One call to the sandbox's Asana API, as a person's edit in Asana would be."""
    answer = requests.request(
        method,
        f"{sandbox.urls['asana']}{path}",
        json={"data": data} if data is not None else None,
        headers={"Authorization": f"Bearer {sandbox.env['MOTEUR_ASANA_TOKEN']}"},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["data"]


def seed_fields(sandbox: Sandbox, project: str) -> list[str]:
    """Give the demo project an enum Stage, a date Launch and a multi-select Canaux; set them on its first
    tasks. The gids of those tasks."""
    workspace = api(sandbox, "GET", f"/projects/{project}")["workspace"]["gid"]
    made = {}
    for name, kind, options in (
        ("Stage", "enum", ["idée", "en cours", "publié"]),
        ("Launch", "date", []),
        ("Canaux", "multi_enum", ["web", "salon"]),
    ):
        body: dict[str, Any] = {"workspace": workspace, "name": name, "resource_subtype": kind}
        if options:
            body["enum_options"] = [{"name": o} for o in options]
        made[name] = api(sandbox, "POST", "/custom_fields", body)
        api(
            sandbox, "POST", f"/projects/{project}/addCustomFieldSetting", {"custom_field": made[name]["gid"]}
        )
    tasks = [t["gid"] for t in api(sandbox, "GET", f"/projects/{project}/tasks")][:3]
    stage = {o["name"]: o["gid"] for o in made["Stage"]["enum_options"]}
    values = [
        {made["Stage"]["gid"]: stage["en cours"], made["Launch"]["gid"]: {"date": "2026-12-24"}},
        {
            made["Stage"]["gid"]: stage["publié"],
            made["Canaux"]["gid"]: [made["Canaux"]["enum_options"][0]["gid"]],
        },
        {made["Launch"]["gid"]: {"date_time": "2026-12-24T10:00:00+01:00"}},
    ]
    for gid, value in zip(tasks, values, strict=True):
        api(sandbox, "PUT", f"/tasks/{gid}", {"custom_fields": value})
    return tasks


def test_a_project_s_fields_reach_another_project_and_a_json_file(
    sandbox: Sandbox, store: StateStore, tmp_path: Path
) -> None:
    asana = connector_for(Tool.ASANA, sandbox.env)
    demo = BoardRef(tool=Tool.ASANA, board=sandbox.boards["asana"][0].split(":", 1)[1])
    tasks = seed_fields(sandbox, demo.board)
    read = asana.read_full(demo)
    fields = {f.name: f for f in read.custom_fields}
    assert set(fields) == {"Stage", "Launch", "Canaux"}  # scores, objective, channel are roles
    assert (fields["Stage"].kind, fields["Stage"].options) == (FieldKind.ENUM, ("idée", "en cours", "publié"))
    assert (fields["Launch"].kind, fields["Canaux"].kind) == (FieldKind.DATE, FieldKind.OTHER)
    by_gid = {a.ref.item: a for a in read.actions}
    assert by_gid[tasks[0]].extra["field:Launch"] == "2026-12-24"
    assert by_gid[tasks[2]].extra["field:Launch"] == "2026-12-24T09:00:00+00:00"  # the same instant, in UTC

    # Asana -> Asana: the enum stays an enum (the workspace's field is reused), the multi-select is a loss.
    other = connector_for(Tool.ASANA, sandbox.env)
    prepared = prepare_migration(asana, demo, other, parse_ref("asana:new"), store, now=_now)
    assert any("Canaux" in loss.what for loss in prepared.plan.losses)
    outcome = apply_prepared(prepared, other, store, now=_now, owner="test")
    assert not outcome.failures, outcome.failures
    copy = other.read_full(outcome.prepared.target.board)
    copied = {f.name: f for f in copy.custom_fields}
    assert copied["Stage"] == fields["Stage"] and copied["Launch"].kind is FieldKind.DATE
    values = {a.title: {k: v for k, v in a.extra.items() if k.startswith("field:")} for a in copy.actions}
    assert values[by_gid[tasks[0]].title] == {"field:Stage": "en cours", "field:Launch": "2026-12-24"}
    assert values[by_gid[tasks[1]].title] == {"field:Stage": "publié"}

    # Asana -> JSON file: kinds and values read back (an option name is text in a file).
    out = BoardRef(tool=Tool.FILE, board=str(tmp_path / "out.json"))
    files = FileConnector(Settings())
    assert not run(store, asana, demo, files, out).failures
    back = files.read_full(out)
    assert {f.name: f.kind for f in back.custom_fields} == {"Stage": FieldKind.TEXT, "Launch": FieldKind.DATE}
    first = next(a for a in back.actions if a.title == by_gid[tasks[0]].title)
    assert (first.extra["field:Stage"], first.extra["field:Launch"]) == ("en cours", "2026-12-24")


def test_capabilities_name_the_people_of_the_workspace_the_full_read_found(sandbox: Sandbox) -> None:
    asana: AsanaConnector = connector_for(Tool.ASANA, sandbox.env)
    demo = BoardRef(tool=Tool.ASANA, board=sandbox.boards["asana"][0].split(":", 1)[1])
    target = asana.read_full(demo)
    users = [e for e in sandbox.requests() if e["tool"] == "asana" and e["path"] == "/users"]
    assert len(users) == 1  # one page of the workspace's people, read with the project
    before = asana.request_count()
    caps = asana.capabilities(target)
    assert caps.emails == frozenset(m.email.casefold() for m in DEMO_MEMBERS)
    assert caps.custom_fields == {FieldKind.NUMBER, FieldKind.ENUM, FieldKind.TEXT, FieldKind.DATE}
    assert asana.capabilities(target) == caps and asana.request_count() == before  # no request
    free = connector_for(Tool.ASANA, sandbox.env, tier="free")
    assert free.capabilities(target).custom_fields == frozenset()
