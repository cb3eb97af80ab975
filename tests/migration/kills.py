"""Killing a migration on purpose: one crash exception, raised after the n-th create (``CrashAfter``, at the
port) or after the n-th write request the sandbox answered (``kill_after``, at the HTTP client: the write is
done remotely, the port never learns it), and the *waves* of a run (its write requests grouped by kind) to
choose where to kill.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from moteur.core.model import ItemRef, Snapshot
from moteur.core.ops import MigrationOp, OpResult

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
