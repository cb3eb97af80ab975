"""Migrations between the tools over the sandbox (real HTTP), compared field by field.

Chains Trello → Asana → monday → Trello and the reverse, and through JSON/CSV files; the real Trello
exports to each tool; re-runs create nothing; migrations interrupted after N creates (with or without the
last link committed) end, once re-run, with every item exactly once; commit-then-drop faults double nothing.
A pair whose port has no ``apply_migration`` yet is skipped with that reason.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from moteur.connectors.file_connector import FileConnector
from moteur.connectors.migration import Capabilities
from moteur.core.identity import split_identity
from moteur.core.migrate import comment_text
from moteur.core.migration_run import (
    MigrationOutcome,
    PreparedMigration,
    apply_prepared,
    identity_of,
    prepare_migration,
)
from moteur.core.model import Action, BoardRef, ItemRef, Snapshot, Status, Tool
from moteur.core.ops import MigrationOp, OpResult
from moteur.core.state import StateStore
from moteur.settings import Settings

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO.parent / "shared" / "fixtures")) / "trello"
SAMPLE = FIXTURES / "en_simple_project_board_planka_sample.json"
TRIP = FIXTURES / "zh_europe_trip_2026_board.json"
needs_fixtures = pytest.mark.skipif(not SAMPLE.exists(), reason=f"Trello exports not found in {FIXTURES}")
Sandbox = Any  # tests/conftest.py
_METHODS = ("capabilities", "read_full", "create_board", "apply_migration")


class VirtualClock:
    """Time that passes only when someone sleeps: rate windows and backoffs cost no real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def open_port(tool: Tool, env: dict[str, str]) -> Any:
    """The tool's connector over the sandbox, with virtual sleep (as the connector tests build them)."""
    clock = VirtualClock()
    if tool is Tool.TRELLO:
        from moteur.connectors.trello import TrelloConnector
        from moteur.connectors.trello.transport import trello_client, trello_options

        key, token = env["MOTEUR_TRELLO_API_KEY"], env["MOTEUR_TRELLO_TOKEN"]
        settings = Settings(trello_api_key=key, trello_token=token, trello_url=env["MOTEUR_TRELLO_URL"])
        options = trello_options(
            key, token, timeout=(2.0, 5.0), sleep=clock.sleep, clock=clock, jitter=lambda: 0.0
        )
        return TrelloConnector(settings, http=trello_client(settings, options))
    if tool is Tool.ASANA:
        from moteur.connectors.asana import AsanaConnector
        from moteur.connectors.asana.transport import asana_client, asana_options

        token = env["MOTEUR_ASANA_TOKEN"]
        settings = Settings(asana_token=token, asana_url=env["MOTEUR_ASANA_URL"])
        options = asana_options(token, timeout=(2.0, 5.0), sleep=clock.sleep, clock=clock, jitter=lambda: 0.0)
        return AsanaConnector(settings, http=asana_client(settings, options))
    if tool is Tool.MONDAY:
        from moteur.connectors.monday import MondayConnector
        from moteur.connectors.monday.transport import monday_client, monday_options

        token = env["MOTEUR_MONDAY_TOKEN"]
        settings = Settings(monday_token=token, monday_url=env["MOTEUR_MONDAY_URL"])
        options = monday_options(
            token, settings.monday_api_version, timeout=(2.0, 5.0), sleep=clock.sleep, jitter=lambda: 0.0
        )
        http, _ = monday_client(settings, options)
        return MondayConnector(settings, http=http, clock=clock, sleep=clock.sleep)
    return FileConnector(Settings())


@pytest.fixture
def ports(sandbox: Sandbox) -> Iterator[Callable[[Tool], Any]]:
    opened: list[Any] = []

    def port(tool: Tool) -> Any:
        connector = open_port(tool, sandbox.env)
        missing = [m for m in _METHODS if not hasattr(connector, m)]
        if missing:
            pytest.skip(f"the {tool.value} port has no {', '.join(missing)} yet")
        opened.append(connector)
        return connector

    yield port
    for connector in opened:
        connector.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore(f"sqlite:///{tmp_path / 'state.db'}") as opened:
        yield opened


def now() -> datetime:
    return datetime.now(UTC)


def migrate(
    store: StateStore, src: Any, src_ref: BoardRef, dst: Any, dst_ref: BoardRef, **kw: Any
) -> tuple[PreparedMigration, MigrationOutcome]:
    prepared = prepare_migration(src, src_ref, dst, dst_ref, store, now=now, **kw)
    outcome = apply_prepared(prepared, dst, store, now=now, owner="test")
    return prepared, outcome


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
        check(
            "description", " ".join(a.description.split()), " ".join(split_identity(t.description)[0].split())
        )
        check("closed", a.status.is_closed, t.status.is_closed)
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
    assert differences(prepared.source, target, dst.capabilities(target_ref), include) == []
    again, rerun = migrate(store, src, src_ref, dst, dst_ref, **kw)
    assert again.target.board == target_ref  # TOOL:new is remembered
    assert (again.plan.created, again.plan.subitems, again.plan.comments, rerun.creates) == (0, 0, 0, 0)
    assert again.plan.updated == 0, [op for op in again.plan.ops][:3]
    return target_ref, prepared


CHAINS = {
    "trello-asana-monday-trello": (Tool.ASANA, Tool.MONDAY, Tool.TRELLO),
    "trello-monday-asana-trello": (Tool.MONDAY, Tool.ASANA, Tool.TRELLO),
}


@pytest.mark.parametrize("chain", list(CHAINS))
def test_chain_of_tools_on_the_demo_board(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, chain: str
) -> None:
    ref, port = board(sandbox, Tool.TRELLO), ports(Tool.TRELLO)
    for tool in CHAINS[chain]:
        nxt = ports(tool)
        ref, _ = hop(store, port, ref, nxt, BoardRef(tool=tool, board="new"), name=f"copy {chain}")
        port = nxt


@needs_fixtures
@pytest.mark.parametrize("chain", list(CHAINS))
def test_chain_of_tools_carries_checklists_and_comments(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, chain: str
) -> None:
    ref, port = import_trello(sandbox, SAMPLE), ports(Tool.TRELLO)
    first = True
    for tool in CHAINS[chain]:
        nxt = ports(tool)
        ref, prepared = hop(store, port, ref, nxt, BoardRef(tool=tool, board="new"))
        if first:
            items = carried(prepared.source)
            assert prepared.plan.subitems == sum(len(a.checklist) for a in items) > 0
            assert prepared.plan.comments == sum(len(a.comments) for a in items) > 0
            first = False
        port = nxt


@pytest.mark.parametrize(
    ("first", "suffix", "then"),
    [
        (Tool.TRELLO, ".json", Tool.ASANA),
        (Tool.ASANA, ".csv", Tool.MONDAY),
        (Tool.MONDAY, ".yaml", Tool.TRELLO),
    ],
)
def test_through_a_file(
    sandbox: Sandbox,
    ports: Callable[[Tool], Any],
    store: StateStore,
    tmp_path: Path,
    first: Tool,
    suffix: str,
    then: Tool,
) -> None:
    src, files, dst = ports(first), ports(Tool.FILE), ports(then)
    middle = BoardRef(tool=Tool.FILE, board=str(tmp_path / f"middle{suffix}"))
    hop(store, src, board(sandbox, first), files, middle)
    hop(store, files, middle, dst, BoardRef(tool=then, board="new"))


# -- the real exports to each tool ------------------------------------------------------------------------


@needs_fixtures
@pytest.mark.parametrize("tool", [Tool.TRELLO, Tool.ASANA, Tool.MONDAY])
@pytest.mark.parametrize("export", [SAMPLE, TRIP], ids=["sample", "trip"])
def test_real_export_to_each_tool(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tool: Tool, export: Path
) -> None:
    files, dst = ports(Tool.FILE), ports(tool)
    src_ref = BoardRef(tool=Tool.FILE, board=str(export))
    before = len(sandbox.requests())
    started = time.monotonic()
    prepared, outcome = migrate(
        store, files, src_ref, dst, BoardRef(tool=tool, board="new"), include_archived=True
    )
    seconds = time.monotonic() - started
    sent = len(sandbox.requests()) - before
    assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
    target = dst.read_full(prepared.target.board, include_archived=True)
    caps = dst.capabilities(prepared.target.board)
    assert differences(prepared.source, target, caps, include_archived=True) == []
    again, rerun = migrate(
        store, files, src_ref, dst, BoardRef(tool=tool, board="new"), include_archived=True
    )
    assert (again.plan.created, rerun.creates) == (0, 0)
    plan = prepared.plan
    print(
        f"\n{export.name} -> {tool.value}: {plan.created} items, {plan.subitems} subitems, {plan.comments} "
        f"comments, {sent} requests, {seconds:.2f} s; re-run creates {rerun.creates}, updates "
        f"{again.plan.updated}; losses: {'; '.join(loss.text() for loss in plan.losses)}"
    )


# -- never doubled: crashes, lost links, dry-runs, faults --------------------------------------------------


class Crash(BaseException):
    """A kill: not an ``Exception``, so no port may swallow it."""


class CrashAfter:
    """A port that dies at its ``n``-th create, after the item exists remotely, with or without its link."""

    def __init__(self, port: Any, n: int, *, link_first: bool) -> None:
        self.port, self.n, self.link_first = port, n, link_first
        self.tool = port.tool

    def __getattr__(self, name: str) -> Any:
        return getattr(self.port, name)

    def apply_migration(
        self,
        snapshot: Snapshot,
        ops: Sequence[MigrationOp],
        targets: MutableMapping[str, ItemRef],
        *,
        on_created: Callable[[str, ItemRef], None],
        progress: Callable[[int], None] | None = None,
    ) -> list[OpResult]:
        seen = 0

        def created(key: str, ref: ItemRef) -> None:
            nonlocal seen
            seen += 1
            if seen == self.n:
                if self.link_first:
                    on_created(key, ref)
                raise Crash(f"killed after create {seen}")
            on_created(key, ref)

        result: list[OpResult] = self.port.apply_migration(
            snapshot, ops, targets, on_created=created, progress=progress
        )
        return result


@needs_fixtures
@pytest.mark.parametrize("tool", [Tool.ASANA, Tool.MONDAY, Tool.TRELLO, Tool.FILE])
@pytest.mark.parametrize(("n", "link_first"), [(1, False), (4, True), (9, False), (17, True)])
def test_interrupted_after_n_creates_then_rerun_has_everything_once(
    sandbox: Sandbox,
    ports: Callable[[Tool], Any],
    store: StateStore,
    tmp_path: Path,
    tool: Tool,
    n: int,
    link_first: bool,
) -> None:
    src_ref, src = import_trello(sandbox, SAMPLE), ports(Tool.TRELLO)
    dst = ports(tool)
    dst_ref = BoardRef(tool=tool, board=str(tmp_path / "copy.json") if tool is Tool.FILE else "new")
    with pytest.raises(Crash):
        migrate(store, src, src_ref, CrashAfter(dst, n, link_first=link_first), dst_ref)
    prepared, outcome = migrate(store, src, src_ref, dst, dst_ref)
    assert outcome.ok
    target = dst.read_full(prepared.target.board, include_archived=True)
    assert differences(prepared.source, target, dst.capabilities(prepared.target.board)) == []
    per_source = Counter(identity_of(a) for a in target.actions)
    assert set(per_source.values()) == {1}
    again, rerun = migrate(store, src, src_ref, dst, dst_ref)
    assert (again.plan.created, again.plan.subitems, again.plan.comments, rerun.creates) == (0, 0, 0, 0)
    if tool is not Tool.FILE:  # the interrupted run's new board is the one the re-run finished
        names = [b for b in sandbox.app.boards.get(tool.value, [])]
        assert prepared.target.board.board not in [x.split(":", 1)[1] for x in names]  # not a seed board


@pytest.mark.parametrize("tool", [Tool.ASANA, Tool.MONDAY, Tool.TRELLO])
def test_dry_run_to_a_new_board_sends_no_mutating_request(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tool: Tool
) -> None:
    src = ports(Tool.TRELLO)
    dst = ports(tool)
    before = len(sandbox.requests())
    prepared = prepare_migration(
        src, board(sandbox, Tool.TRELLO), dst, BoardRef(tool=tool, board="new"), store, dry_run=True, now=now
    )
    log = sandbox.requests()[before:]
    assert [e for e in log if e["mutating"]] == []
    assert prepared.target_is_new and prepared.plan.created == len(carried(prepared.source))
    assert prepared.plan.buckets_to_create


@pytest.mark.parametrize("tool", [Tool.ASANA, Tool.MONDAY, Tool.TRELLO])
def test_commit_then_drop_faults_double_nothing(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tool: Tool
) -> None:
    src, dst = ports(Tool.TRELLO), ports(tool)
    src_ref, dst_ref = board(sandbox, Tool.TRELLO), BoardRef(tool=tool, board="new")
    source = src.read_full(src_ref)
    sandbox.set_faults(0.2, seed=7, kinds=["commit_then_drop"])
    for _ in range(6):  # each run may lose ops to faults; the next one finishes them
        try:
            prepared, outcome = migrate(store, src, src_ref, dst, dst_ref)
        except Exception:
            continue
        if outcome.ok and prepared.plan.created == 0:
            break
    sandbox.set_faults(0.0)
    prepared, outcome = migrate(store, src, src_ref, dst, dst_ref)
    assert outcome.ok and prepared.plan.created == 0
    target = dst.read_full(prepared.target.board, include_archived=True)
    per_source = Counter(identity_of(a) for a in target.actions)
    assert per_source and set(per_source.values()) == {1}
    assert len(per_source) == len(carried(source))
