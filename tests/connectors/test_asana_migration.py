"""What only Asana does as a migration target, over the sandbox: a migration into a new project read back
field by field, the request counts against the minimum (creates ten to a batch), a re-run that creates
nothing, updates, the free tier, reading a project in full (subtasks, comments, archived tasks), the team a
new project goes to, and every request validated against Asana's spec. What every tool does (killed runs
resumed, commit-then-drop faults, archived items, lost links) is the migration contract
(``tests/migration/contract.py``, ``test_contract_asana.py``)."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
import requests
from sandbox_connectors import connector_for

from connectors import test_asana_requests_spec as spec_checks
from connectors.test_asana_requests_spec import NUMBER_AS_STRING, _as_sent, _attach_recorder, _batch_actions
from moteur.connectors.asana import AsanaConnector
from moteur.core.errors import UsageError
from moteur.core.identity import split_identity
from moteur.core.model import BoardRef, FieldKind, ItemRef, Snapshot, Status, Tool, parse_due
from moteur.core.ops import (
    AddComment,
    CreateItem,
    CreateSubitem,
    EnsureBucket,
    EnsureField,
    MigrationOp,
    UpdateItem,
    UpdateSubitem,
)
from moteur.core.ports import Connector
from moteur.sandbox.asana.entities import Team, Workspace
from moteur.sandbox.serve import start_sandbox

Sandbox = Any  # tests/conftest.py
asana_spec, asana_openapi = spec_checks.asana_spec, spec_checks.asana_openapi  # the spec fixtures, shared
SOURCE = "trello:b0a"
BUCKETS = ("Backlog", "En cours", "Relecture")
MEMBER = "camille.martin@example.com"


def source_ops(n: int = 12) -> list[MigrationOp]:
    """The ops a core would plan for a source board of ``n`` cards over three lists: every third card has
    a checklist of three, every fourth two comments."""
    ops: list[MigrationOp] = [EnsureBucket(name, i) for i, name in enumerate(BUCKETS)]
    children: list[MigrationOp] = []
    for n_card in range(n):
        key = f"{SOURCE}:c{n_card:02d}"
        fields: dict[str, Any] = {
            "description": f"Brief **{n_card}**\nligne 2",
            "status": ("todo", "doing", "done", "archived")[n_card % 4],
            "due": ("2026-12-24", "2026-12-24T10:00:00+01:00", None)[n_card % 3],
            "tags": ["SEO", "Blog"] if n_card % 2 else ["Paid"],
            "assignees": [MEMBER, "inconnu@example.com"] if n_card % 2 else ["inconnu@example.com"],
            "impact": 1 + n_card % 10,
            "effort": 10 - n_card % 10,
            "confidence": 5,
            "objective": "leads",
            "channel": "SEO",
            "quadrant": "Quick win",
            "sprint": f"Sprint {1 + n_card % 3}",
            "ice": 12.5,
        }
        ops.append(CreateItem(key, f"Carte {n_card:02d}", BUCKETS[n_card % 3], fields))
        if n_card % 3 == 0:
            children += [CreateSubitem(f"{key}#check:{c}", key, f"étape {c}", c == 0) for c in range(3)]
        if n_card % 4 == 0:
            children += [
                AddComment(f"{key}#comment:{c}", key, f"[Ana, 2026-0{c + 1}-01] avis {c}") for c in range(2)
            ]
    return ops + children


def new_project(connector: AsanaConnector, name: str = "Migrée") -> tuple[BoardRef, Snapshot]:
    board = connector.create_board(name)
    return board, connector.read_full(board, include_archived=True)


def apply_ops(
    connector: AsanaConnector, snapshot: Snapshot, ops: list[MigrationOp], targets: dict[str, ItemRef]
) -> list[Any]:
    """``ops`` written as a core would plan them (no plan here: the ops are the test's), links unrecorded."""
    return connector.apply_migration(snapshot, ops, targets, on_created=lambda _key, _ref: None)


def writes(sandbox: Sandbox, since: int = 0) -> list[dict[str, Any]]:
    """The Asana requests that change something (a batch of reads is not one)."""
    return [e for e in sandbox.requests()[since:] if e["tool"] == "asana" and e["mutating"]]


def by_source(snapshot: Snapshot) -> dict[str, Any]:
    """The target's actions by the source key of their identity footer; fails on a duplicate."""
    keys = [a.extra.get("moteur_source") for a in snapshot.actions]
    assert len(keys) == len(set(keys)), "a source item was carried twice"
    return {str(a.extra["moteur_source"]): a for a in snapshot.actions}


def creates_in(ops: list[MigrationOp]) -> int:
    return sum(isinstance(op, CreateItem | CreateSubitem | AddComment) for op in ops)


def assert_carried_once(connector: AsanaConnector, board: BoardRef, ops: list[MigrationOp]) -> Snapshot:
    """Every item, subtask and comment of ``ops`` is on the project exactly once, in order."""
    snapshot = connector.read_full(board, include_archived=True)
    found = by_source(snapshot)
    items = [op for op in ops if isinstance(op, CreateItem)]
    assert sorted(found) == sorted(op.key for op in items)
    for item in items:
        checklist = [op for op in ops if isinstance(op, CreateSubitem) and op.parent_key == item.key]
        comments = [op for op in ops if isinstance(op, AddComment) and op.item_key == item.key]
        action = found[item.key]
        assert [(c.text, c.done) for c in action.checklist] == [(c.title, c.done) for c in checklist]
        assert [c.text for c in action.comments] == [c.text for c in comments]
    return snapshot


def critical_path(ops: list[MigrationOp]) -> int:
    """The fewest batches one create per lane allows: a task's rank in its section, then its longest lane of
    children."""
    seen: Counter[str | None] = Counter()
    rank: dict[str, int] = {}
    for op in ops:
        if isinstance(op, CreateItem):
            seen[op.bucket] += 1
            rank[op.key] = seen[op.bucket]
    lanes = Counter(
        (op.parent_key, "subtasks") if isinstance(op, CreateSubitem) else (op.item_key, "comments")
        for op in ops
        if isinstance(op, CreateSubitem | AddComment)
    )
    return max(rank[k] + max((n for (p, _), n in lanes.items() if p == k), default=0) for k in rank)


# -- a migration into a new project ------------------------------------------------------------------------


def test_a_new_project_receives_every_field_in_order(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.ASANA, sandbox.env)
    port: Connector = connector  # the interface holds (checked by mypy)
    board, snapshot = new_project(connector)
    ops = source_ops(12)
    linked: dict[str, ItemRef] = {}
    targets: dict[str, ItemRef] = {}
    finished: list[int] = []
    results = port.apply_migration(
        snapshot, ops, targets, on_created=linked.__setitem__, progress=finished.append
    )
    assert sum(finished) == len(ops)  # every op is reported done once
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert linked == targets and len(linked) == creates_in(ops)
    assert all(r.created == targets[r.op.key] for r in results if isinstance(r.op, CreateItem))

    read = assert_carried_once(connector, board, ops)
    assert [b.name for b in read.buckets] == list(BUCKETS)  # the "Untitled section" was renamed, not kept
    found = by_source(read)
    for op in ops:
        if not isinstance(op, CreateItem):
            continue
        action, fields = found[op.key], op.fields
        assert (action.title, action.description, action.bucket) == (
            op.title,
            fields["description"],
            op.bucket,
        )
        assert split_identity(store_notes(sandbox, action.ref.item)) == (fields["description"], op.key)
        assert action.status.is_closed == (fields["status"] in ("done", "archived"))
        assert (action.status is Status.ARCHIVED) == (fields["status"] == "archived")
        assert action.due == parse_due(fields["due"])  # a date stays a date, a datetime the same instant
        assert {t.casefold() for t in action.tags} == {t.casefold() for t in fields["tags"]}
        assert action.assignees == ((MEMBER,) if MEMBER in fields["assignees"] else ())
        assert (action.impact, action.effort, action.confidence) == (
            fields["impact"],
            fields["effort"],
            fields["confidence"],
        )
        assert (action.objective, action.channel) == ("leads", "SEO")
        assert action.annotations.model_dump() == {
            "quadrant": "Quick win",
            "sprint": fields["sprint"],
            "ice": 12.5,
        }


def store_notes(sandbox: Sandbox, gid: str) -> str:
    """A task's notes as the sandbox holds them (the footer included)."""
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()
    return str(state["asana"]["records"]["task"][gid]["notes"])


def test_creates_go_ten_to_a_batch_and_a_rerun_creates_nothing(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.ASANA, sandbox.env)
    board, snapshot = new_project(connector)
    ops = source_ops(60)
    targets: dict[str, ItemRef] = {}
    before = connector.request_count()
    assert all(r.ok for r in apply_ops(connector, snapshot, ops, targets))
    batches = [e for e in writes(sandbox) if e["path"] == "/batch"]
    creates = creates_in(ops)  # 60 tasks, 60 subtasks, 30 comments
    # One batch adds the workspace's fields to the project. Creates: ten a batch, but one per lane (the tasks
    # of a section, the subtasks of a task) since Asana runs a batch's actions in any order.
    assert len(batches) <= 1 + max(math.ceil(creates / 10), critical_path(ops)) + 1
    # Fixed costs: 3 sections, users, workspace fields, 3 new fields (create + setting), tags (read + 3).
    assert connector.request_count() - before <= len(batches) + 3 + 1 + 1 + 6 + 4

    log_size = len(sandbox.requests())
    again = apply_ops(connector, connector.read_full(board, include_archived=True), ops, dict(targets))
    assert all(r.ok and r.created is None for r in again)
    assert writes(sandbox, since=log_size) == []
    assert_carried_once(connector, board, ops)


# -- updates, the free tier, reading in full ---------------------------------------------------------------


def test_an_update_sets_what_changed_and_keeps_the_identity(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.ASANA, sandbox.env)
    board, snapshot = new_project(connector)
    ops = source_ops(3)
    targets: dict[str, ItemRef] = {}
    apply_ops(connector, snapshot, ops, targets)
    key = f"{SOURCE}:c00"
    change = UpdateItem(
        key,
        targets[key],
        "Carte 00 (renommée)",
        {"description": "Nouveau brief", "status": "archived", "due": None, "tags": ["Vidéo"], "impact": 9},
        bucket="Relecture",
    )
    results = apply_ops(connector, connector.read_full(board, include_archived=True), [change], targets)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    action = by_source(connector.read_full(board, include_archived=True))[key]
    assert (action.title, action.description, action.bucket) == (
        "Carte 00 (renommée)",
        "Nouveau brief",
        "Relecture",
    )
    assert (action.status, action.due, action.tags, action.impact) == (Status.ARCHIVED, None, ("Vidéo",), 9)
    assert len(action.checklist) == 3 and action.annotations.sprint == "Sprint 1"  # untouched
    # Not archived any more: the "archived" tag goes, the user's tags stay.
    back = UpdateItem(key, targets[key], "", {"status": "todo"})
    apply_ops(connector, connector.read_full(board, include_archived=True), [back], targets)
    action = by_source(connector.read_full(board))[key]
    assert (action.status, action.tags) == (Status.TODO, ("Vidéo",))


def test_checklist_entries_added_later_go_after_their_siblings(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.ASANA, sandbox.env)
    board, snapshot = new_project(connector)
    ops = source_ops(1)  # one card with a checklist of three
    targets: dict[str, ItemRef] = {}
    apply_ops(connector, snapshot, ops, targets)
    key = f"{SOURCE}:c00"
    later: list[MigrationOp] = [CreateSubitem(f"{key}#check:{n}", key, f"étape {n}") for n in (3, 4)]
    results = apply_ops(connector, connector.read_full(board), later, targets)
    assert all(r.ok for r in results)
    moves = [a for e in writes(sandbox) for a in e["root_fields"] if a.endswith("/setParent")]
    assert len(moves) == 2  # created on top, then each placed after the one before it
    checklist = by_source(connector.read_full(board))[key].checklist
    assert [c.text for c in checklist] == [f"étape {n}" for n in range(5)]


def test_a_free_workspace_keeps_the_sprint_as_a_tag_and_reports_the_rest(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.ASANA, sandbox.env, tier="free")
    capabilities = connector.capabilities()
    assert not (capabilities.scores or capabilities.objective_channel or capabilities.moteur_fields)
    assert not capabilities.multi_assignee and capabilities.subitems and capabilities.comments
    assert any("free" in note for note in capabilities.notes)
    board, snapshot = new_project(connector)
    ops = source_ops(4)
    results = apply_ops(connector, snapshot, ops, {})
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert not [e for e in writes(sandbox) if "custom_field" in e["path"]]
    found = by_source(assert_carried_once(connector, board, ops))
    # A plain "Sprint 2" is a team's own tag (``core/labels``): carried as a tag, never read as a pin.
    assert "Sprint 2" in found[f"{SOURCE}:c01"].tags
    assert found[f"{SOURCE}:c01"].annotations.sprint is None
    assert found[f"{SOURCE}:c01"].impact is None


def test_a_paid_setting_on_a_free_workspace_falls_back_after_the_402() -> None:
    with start_sandbox(seed="empty", rate_limits=False, asana_tier="free") as handle:
        connector = connector_for(
            Tool.ASANA, handle.env
        )  # paid by the settings: the 402 is met at the first field
        board, snapshot = new_project(connector)
        results = apply_ops(connector, snapshot, source_ops(3), {})
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        assert not connector.fields_on and not connector.capabilities().scores  # remembered from now on
        found = by_source(connector.read_full(board))
        # Kept as a tag; a plain "Sprint 3" reads back as the team's tag, never a pin (``core/labels``).
        assert "Sprint 3" in found[f"{SOURCE}:c02"].tags and found[f"{SOURCE}:c02"].annotations.sprint is None


def test_reading_in_full_packs_subtasks_and_comments_ten_reads_a_batch(sandbox: Sandbox) -> None:
    connector = connector_for(Tool.ASANA, sandbox.env)
    ref = BoardRef(tool=Tool.ASANA, board=sandbox.boards["asana"][0].split(":", 1)[1])
    demo = connector.read_full(ref)
    targets = {a.key: a.ref for a in demo.actions}
    history: list[MigrationOp] = []
    for n, action in enumerate(demo.actions[:5]):
        history += [
            CreateSubitem(f"{action.key}#check:{c}", action.key, f"sous-tâche {c}", c == 1) for c in range(2)
        ]
        history += [
            AddComment(f"{action.key}#comment:{c}", action.key, f"remarque {n}.{c}") for c in range(3)
        ]
    archive = UpdateItem(demo.actions[-1].key, demo.actions[-1].ref, "", {"status": "archived"})
    results = apply_ops(connector, demo, [*history, archive], targets)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]

    before = connector.request_count()
    full = connector.read_full(ref)
    n = len(demo.actions)
    assert len(full.actions) == n - 1  # the archived task is left out by default
    # The project, its sections, its tasks, the workspace's tags (their colours) and people; then subtasks
    # and stories, ten reads a batch.
    assert connector.request_count() - before == 5 + math.ceil((n - 1 + 5) / 10)
    first = next(a for a in full.actions if a.key == demo.actions[0].key)
    assert [(c.text, c.done) for c in first.checklist] == [("sous-tâche 0", False), ("sous-tâche 1", True)]
    assert [c.text for c in first.comments] == ["remarque 0.0", "remarque 0.1", "remarque 0.2"]
    assert first.comments[0].author == "Camille Martin" and first.comments[0].date is not None
    archived = connector.read_full(ref, include_archived=True)
    assert [a.status for a in archived.actions if a.key == demo.actions[-1].key] == [Status.ARCHIVED]


def test_a_new_project_goes_to_the_only_workspace_in_the_users_team(sandbox: Sandbox) -> None:
    """ "Démo" is an organization: Asana wants a team for each project there (spec ``POST /projects``); the
    plan names the team the new project goes to, the dry-run (no board yet) too."""
    connector = connector_for(Tool.ASANA, sandbox.env)
    before = len(sandbox.requests())
    planned = connector.capabilities()  # a dry-run's view of asana:new: nothing written
    assert not writes(sandbox, before)
    assert any('team "Marketing"' in note for note in planned.notes), planned.notes
    board = connector.create_board("Projet neuf")
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()["asana"]["records"]
    team = next(iter(state["team"]))
    assert state["project"][board.board]["name"] == "Projet neuf"
    assert state["project"][board.board]["team"] == team and state["team"][team]["name"] == "Marketing"
    assert [(e["method"], e["path"]) for e in writes(sandbox)] == [("POST", f"/teams/{team}/projects")]
    notes = connector.capabilities(connector.read_full(board)).notes
    assert any('team "Marketing"' in note for note in notes)
    reads = [e["path"] for e in sandbox.requests()[before:] if e["tool"] == "asana" and not e["mutating"]]
    assert reads.count("/users/me/teams") == 1  # the placement is read once, for the plan and the create


def test_a_new_project_in_a_workspace_that_is_no_organization_has_no_team(sandbox: Sandbox) -> None:
    emulator = sandbox.app.emulators["asana"]
    workspace = emulator.store.all(Workspace)[0]
    workspace.is_organization = False  # a personal workspace: no teams (the seed makes an organization)
    connector = connector_for(Tool.ASANA, sandbox.env)
    board = connector.create_board("Perso", workspace.gid)
    assert emulator.store.records[board.board].team is None
    assert [(e["method"], e["path"]) for e in writes(sandbox)] == [("POST", "/projects")]
    assert not any("team" in note for note in connector.capabilities(connector.read_full(board)).notes)


def test_a_user_in_no_team_of_the_organization_is_told_before_anything_is_created(sandbox: Sandbox) -> None:
    emulator = sandbox.app.emulators["asana"]
    for team in emulator.store.all(Team):
        team.members.clear()
    connector = connector_for(Tool.ASANA, sandbox.env)
    planned = connector.capabilities()  # the dry-run's plan says it before the run would fail
    assert any(n.startswith("the new project cannot be created: Asana: ") for n in planned.notes), (
        planned.notes
    )
    with pytest.raises(UsageError, match="organization, where a new project needs a team") as raised:
        connector.create_board("Orphelin")
    assert "migrate into an existing project" in (raised.value.hint or "")
    assert not writes(sandbox)


# -- every request as Asana's spec describes it -----------------------------------------------------------

# Where the port knowingly goes beyond the spec's schemas (besides test_asana_requests_spec's exceptions):
# ``memberships`` on ``POST /tasks`` is marked readOnly with compact objects as items, yet its description
# says "*Create-only*. ... At task creation time, this array can be used to add the task to specific
# sections" — with gids, as the API takes them. It puts a new task in its section in the create itself.
# ``custom_fields`` values: the schema types them string, its description says "an enum GID, string, number,
# or object (depending on the custom field type)" — a date field takes ``{"date"}`` / ``{"date_time"}`` — and
# the custom fields guide clears a value with null.
CUSTOM_VALUE = re.compile(
    r"^(\{'date(_time)?': '[^']*'\} is not of type 'string'|None for not nullable"
    r"|None is not of type 'string')$"
)
MEMBERSHIP_ON_CREATE = re.compile(
    r"^(Tried to write read-only property with \[\{'project': '\d+', 'section': '\d+'\}\]"
    r"|'\d+' is not of type 'object')$"
)


@pytest.mark.filterwarnings("ignore:Use of allowEmptyValue property is deprecated:DeprecationWarning")
def test_every_migration_request_validates_against_the_spec(sandbox: Sandbox, asana_openapi: Any) -> None:
    from openapi_core.contrib.requests import RequestsOpenAPIRequest

    connector = connector_for(Tool.ASANA, sandbox.env)
    recorded: list[requests.PreparedRequest] = []
    _attach_recorder(connector, recorded)
    board, snapshot = new_project(connector)
    targets: dict[str, ItemRef] = {}
    fields: list[MigrationOp] = [
        EnsureField("Budget", FieldKind.NUMBER),
        EnsureField("Étape", FieldKind.ENUM, ("idée", "publié")),
        EnsureField("Lancement", FieldKind.DATE),
        EnsureField("Brief", FieldKind.TEXT),
    ]
    ops = source_ops(6)
    custom = {"Budget": 12.5, "Étape": "idée", "Lancement": "2026-12-24T10:00:00+01:00", "Brief": "court"}
    ops = [
        replace(op, fields={**op.fields, "custom": custom}) if isinstance(op, CreateItem) else op
        for op in ops
    ]
    one_section = [CreateItem(f"{SOURCE}:s{n}", f"S {n}", "Relecture", {}) for n in range(12)]  # moved
    apply_ops(connector, snapshot, [*ops[:3], *fields, *ops[3:], *one_section], targets)
    read = connector.read_full(board, include_archived=True)  # with the workspace's users
    key = f"{SOURCE}:c01"
    change = UpdateItem(
        key,
        targets[key],
        "Renommée",
        {"status": "archived", "tags": ["Autre"], "custom": {"Étape": "nouvelle", "Lancement": None}},
        "Backlog",
    )
    later = CreateSubitem(f"{SOURCE}:c00#check:3", f"{SOURCE}:c00", "étape 3")  # created, then moved
    entry = by_source(read)[f"{SOURCE}:c00"].checklist[0]
    where = targets[f"{SOURCE}:c00"].model_copy(update={"item": entry.id})
    ticked = UpdateSubitem(f"{SOURCE}:c00#check:0", f"{SOURCE}:c00", where, "ok", True)
    apply_ops(connector, read, [change, later, ticked], targets)
    checked: list[requests.PreparedRequest] = []
    for prepared in recorded:
        request = _as_sent(prepared, sandbox.urls["asana"])
        checked.append(request)
        if request.method == "POST" and str(request.url).endswith("/batch"):
            checked.extend(_batch_actions(request))
    errors = []
    for request in checked:
        for error in asana_openapi.request_validator.iter_errors(RequestsOpenAPIRequest(request)):
            cause = error.__cause__ or error
            details = [
                str(getattr(e, "message", e)) for e in getattr(cause, "schema_errors", None) or [cause]
            ]
            details = [
                d
                for d in details
                if not (NUMBER_AS_STRING.match(d) or MEMBERSHIP_ON_CREATE.match(d) or CUSTOM_VALUE.match(d))
            ]
            if not details:
                continue  # the spec exceptions above
            errors.append(f"{request.method} {request.path_url}: {'; '.join(details)[:600]}")
    kinds = {(r.method, re.sub(r"\d{6,}", "{gid}", str(r.path_url).split("?")[0])) for r in checked}
    assert {
        ("GET", "/api/1.0/users/me/teams"),
        ("POST", "/api/1.0/teams/{gid}/projects"),
        ("POST", "/api/1.0/tasks"),
        ("POST", "/api/1.0/tasks/{gid}/subtasks"),
        ("POST", "/api/1.0/tasks/{gid}/stories"),
        ("GET", "/api/1.0/tasks/{gid}/stories"),
        ("PUT", "/api/1.0/sections/{gid}"),
        ("PUT", "/api/1.0/tasks/{gid}"),
        ("POST", "/api/1.0/tasks/{gid}/setParent"),
        ("POST", "/api/1.0/custom_fields"),
        ("POST", "/api/1.0/custom_fields/{gid}/enum_options"),
        ("POST", "/api/1.0/projects/{gid}/addCustomFieldSetting"),
        ("POST", "/api/1.0/sections/{gid}/addTask"),
        ("GET", "/api/1.0/users"),
    } <= kinds
    assert errors == [], "\n".join(errors)


# -- one long section: creates packed ten a batch, then moved into order ---------------------------------


def test_a_long_section_keeps_its_order_in_few_batches(sandbox: Sandbox) -> None:
    """Asana runs a batch's actions in any order (the sandbox shuffles them): tasks of one section created
    together are moved after their predecessors, so 45 tasks take 9 + a chain's tail of batches, not 45."""
    connector = connector_for(Tool.ASANA, sandbox.env)
    board, snapshot = new_project(connector)
    ops: list[MigrationOp] = [EnsureBucket("Backlog", 0)]
    ops += [
        CreateItem(f"{SOURCE}:t{n:02d}", f"Tâche {n:02d}", "Backlog", {"description": f"n°{n}"})
        for n in range(45)
    ]
    targets: dict[str, ItemRef] = {}
    since = len(sandbox.requests())
    results = apply_ops(connector, snapshot, ops, targets)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    batches = [e for e in writes(sandbox, since) if e["path"] == "/batch"]
    moves = [a for e in batches for a in e["root_fields"] if a.endswith("/addTask")]
    assert len(moves) == 36  # groups of five: four moves each
    assert len(batches) <= math.ceil((45 + 36) / 10) + 4  # the last group's chain of four moves
    read = connector.read_full(board)
    assert [a.title for a in read.actions] == [f"Tâche {n:02d}" for n in range(45)]
    log_size = len(sandbox.requests())
    again = apply_ops(connector, read, ops, dict(targets))
    assert all(r.ok and r.created is None for r in again) and writes(sandbox, log_size) == []
