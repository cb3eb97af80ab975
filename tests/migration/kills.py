"""Killing a migration on purpose: the one crash exception of the tests (``Crash``), raised after the
n-th create (``CrashAfter``, at the connector) or after the n-th write request the sandbox answered
(``kill_after``, at the HTTP client: the write is done remotely, the connector never learns it); the
*waves* of a run (its write requests grouped by kind) to choose where to kill; and ``resume_matrix``, a run
killed in each wave then resumed, compared with an uninterrupted one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from migration.board_state import read_state, state_differences
from migration.support import import_trello, migrate, seed_trello_fields
from moteur.core.model import BoardRef, ItemRef, Snapshot, Tool
from moteur.core.ops import MigrationOp, OpResult
from moteur.engine.state import StateStore

Sandbox = Any  # tests/conftest.py


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


_ID = re.compile(r"^(?=.*\d)[0-9A-Za-z_-]{6,}$")  # an id segment: long, with a digit


def _fold_ids(path: str) -> str:
    return "/".join("{id}" if _ID.match(part) else part for part in path.split("/"))


def wave_of(entry: dict[str, Any]) -> str:
    """The kind of a logged write request: tool, method, path with ids folded, and the kinds of what it
    carries (monday's root fields, the actions of an Asana batch)."""
    roots = ",".join(sorted({_fold_ids(str(r)) for r in entry.get("root_fields") or ()}))
    return f"{entry['tool']} {entry['method']} {_fold_ids(str(entry['path']))} {roots}".strip()


def writes(sandbox: Sandbox, since: int) -> list[dict[str, Any]]:
    """The write requests the sandbox answered since log entry ``since`` (faults and refusals left out)."""
    return [e for e in sandbox.app.requests_log()[since:] if e["mutating"] and not e["fault"]]


KillPoint = tuple[str | None, int]  # (the wave, None for any write; how many of its writes before the kill)


def kill_points(log: list[dict[str, Any]]) -> dict[str, KillPoint]:
    """Where to kill a run whose writes were ``log``: the middle of each wave (the writes of one kind), its
    first write when it has one, the first write of all and the middle of all."""
    waves = [wave_of(entry) for entry in log]
    count = {wave: waves.count(wave) for wave in waves}
    points: dict[str, KillPoint] = {"the first write": (None, 1), "halfway": (None, max(1, len(log) // 2))}
    for wave, n in count.items():
        points[f"the middle of {wave}"] = (wave, max(1, n // 2))
    # Two points at the same write of the reference run are one: killed once.
    seen: set[int] = set()
    kept: dict[str, KillPoint] = {}
    for where, (wave, n) in points.items():
        at = n if wave is None else [i for i, w in enumerate(waves, 1) if w == wave][n - 1]
        if at not in seen:
            seen.add(at)
            kept[where] = (wave, n)
    return kept


@contextmanager
def kill_after(sandbox: Sandbox, point: KillPoint) -> Iterator[None]:
    """Every request after the ``n``-th write (of ``wave``, when given) that the sandbox answers raises
    ``Crash`` (that one's answer is lost too): the process is dead from there on, in every thread."""
    wave, n = point
    since = len(sandbox.app.requests_log())
    real = requests.Session.send
    dead = False

    def send(self: requests.Session, request: requests.PreparedRequest, **kw: Any) -> requests.Response:
        nonlocal dead
        if dead:
            raise Crash("killed")
        answer = real(self, request, **kw)
        if request.method != "GET":
            done = [e for e in writes(sandbox, since) if wave is None or wave_of(e) == wave]
            if len(done) >= n:
                dead = True
                raise Crash(f"killed after {n} writes")
        return answer

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(requests.Session, "send", send)
        yield


# -- killed in every wave, then resumed ----------------------------------------------------------------------

NEW = {tool: BoardRef(tool=tool, board="new") for tool in Tool}


def _resumed(
    sandbox: Sandbox, tmp_path: Path, name: str, src: Any, src_ref: BoardRef, dst: Any, kill: KillPoint
) -> tuple[BoardRef, StateStore, bool]:
    """A migration into a new board killed at ``kill``, then run again to its end; whether it was killed."""
    store = StateStore(f"sqlite:///{tmp_path / f'{name}.db'}")
    killed = False
    with kill_after(sandbox, kill):
        try:
            migrate(store, src, src_ref, dst, NEW[dst.tool], include_archived=True)
        except Crash:
            killed = True  # else a wave this run has not (tags the first run made): not killed
    prepared, outcome = migrate(store, src, src_ref, dst, NEW[dst.tool], include_archived=True)
    assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
    return prepared.target.board, store, killed


def settled(store: StateStore, src: Any, src_ref: BoardRef, dst: Any, dst_ref: BoardRef) -> list[str]:
    """What the run after a finished one plans (nothing, or one line saying what)."""
    again, rerun = migrate(store, src, src_ref, dst, dst_ref, include_archived=True)
    plan = again.plan
    counts = (plan.created, plan.updated, plan.subitems, plan.subitem_updates, plan.comments, rerun.creates)
    return [] if counts == (0, 0, 0, 0, 0, 0) else [f"the run after it plans {counts}: {plan.ops[:3]}"]


def resume_matrix(
    sandbox: Sandbox,
    ports: Callable[[Tool], Any],
    tmp_path: Path,
    export: Path,
    tool: Tool,
    only: tuple[str, ...] = (),
) -> None:
    """``export`` (with custom field values) migrated once without a stop into a new ``tool`` board, then
    again into new boards, each killed at one of the run's kill points (those ending with a word of ``only``,
    when given) and run again to its end: each must hold what the uninterrupted board holds, and plan
    nothing more."""
    src_ref, src, dst = import_trello(sandbox, export), ports(Tool.TRELLO), ports(tool)
    seed_trello_fields(sandbox, src_ref.board)  # custom field values: a wave of their own on some targets
    with StateStore(f"sqlite:///{tmp_path / 'whole.db'}") as store:
        since = len(sandbox.app.requests_log())
        prepared, outcome = migrate(store, src, src_ref, dst, NEW[tool], include_archived=True)
        assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
        points = kill_points(writes(sandbox, since))
        whole = read_state(dst, prepared.target.board)
    assert whole["items"] and whole["strays"] == 0
    if only:
        points = {where: n for where, n in points.items() if any(where.endswith(word) for word in only)}
    assert points
    problems: list[str] = []
    kills = 0
    for n, (where, kill) in enumerate(points.items()):
        board, store, killed = _resumed(sandbox, tmp_path, f"kill{n}", src, src_ref, dst, kill)
        kills += killed
        with store:
            found = state_differences(whole, read_state(dst, board))
            found += settled(store, src, src_ref, dst, NEW[tool])
        problems += [f"killed at {where} (after {kill[1]}): {p}" for p in found[:6]]
    assert problems == [], "\n".join(problems)
    assert kills >= max(1, len(points) - 2), f"{kills} of {len(points)} runs were killed"
