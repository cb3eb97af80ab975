"""Migration scenarios: ``moteur migrate SRC TOOL:new`` of a ``bulk:N`` board, for each of the six tool pairs.

*Minimum migration requests*: the source's minimum full read (an Asana source also needs its
tasks' comments, ``GET /tasks/{gid}/stories`` ten per ``POST /batch``: no endpoint lists a project's
stories), one read of the new target, and
the fewest creates the target's API allows: Trello one ``POST /cards`` per card plus one
``PUT /cards/{id}/customFields`` for its scores (a card cannot be created with custom field values); Asana
``POST /tasks`` packed 10 per ``POST /batch``; monday ``create_item`` with its column values, 20 aliased per
request, as monday's docs advise. Making the board and its schema (lists, fields, columns) is not in the
minimum: it is a constant, independent of N, and shows in ``requests - minimum_requests``.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import env, floor_of_log, fresh_limiters, minimum_reads, request_log, row
from moteur.connectors.base import open_connector
from moteur.core.model import BoardRef
from moteur.core.refs import parse_ref
from moteur.engine.migration_run import MigrationOutcome, apply_prepared, prepare_migration
from moteur.engine.state import StateStore
from moteur.sandbox.serve import start_sandbox
from moteur.settings import load_settings

TOOLS = ("trello", "asana", "monday")
PAIRS = tuple((src, dst) for src in TOOLS for dst in TOOLS if src != dst)


def minimum_creates(tool: str, items: int) -> int:
    if tool == "trello":
        return 2 * items
    if tool == "asana":
        return math.ceil(items / 10)
    return math.ceil(items / 20)


@dataclass
class Migrated:
    """One ``moteur migrate`` run: its outcome, the sandbox log entries of its two tools, its wall time."""

    outcome: MigrationOutcome
    log: list[dict[str, Any]]
    wall: float


def migrate_between(
    url: str,
    store: StateStore,
    source_ref: BoardRef,
    target_ref: BoardRef,
    tools: tuple[str, str],
    *,
    include_archived: bool = False,
) -> Migrated:
    """Migrate ``source_ref`` into ``target_ref`` (``TOOL:new`` or a board) as the command does, with the
    settings of the environment (the sandbox's credentials)."""
    settings = load_settings(None)
    start = len(request_log(url))
    started = time.perf_counter()
    source = open_connector(source_ref, settings)
    target = open_connector(target_ref, settings)
    try:
        now = lambda: datetime.now(UTC)  # noqa: E731
        prepared = prepare_migration(
            source,
            source_ref,
            target,
            target_ref,
            store,
            include_archived=include_archived,
            now=now,
        )
        outcome = apply_prepared(prepared, target, store, now=now, owner="bench")
    finally:
        source.close()
        target.close()
    wall = time.perf_counter() - started
    log = [r for r in request_log(url)[start:] if r.get("tool") in tools]
    return Migrated(outcome, log, wall)


def run_migration(src: str, dst: str, items: int, latency_ms: int, rate_limits: bool) -> dict[str, Any]:
    """Migrate the ``bulk:items`` board of ``src`` into a new ``dst`` board; one row, tool ``src->dst``."""
    fresh_limiters()
    with (
        start_sandbox(seed=f"bulk:{items}", latency_ms=latency_ms, rate_limits=rate_limits) as sandbox,
        tempfile.TemporaryDirectory() as tmp,
        env({**sandbox.env, "MOTEUR_STATE_URL": f"sqlite:///{Path(tmp) / 'state.db'}"}),
    ):
        source_ref, target_ref = parse_ref(sandbox.boards[src][0]), parse_ref(f"{dst}:new")
        store = StateStore(os.environ["MOTEUR_STATE_URL"])
        try:
            done = migrate_between(sandbox.url, store, source_ref, target_ref, (src, dst))
        finally:
            store.close()
    outcome, log, wall = done.outcome, done.log, done.wall
    created = outcome.creates
    target_log = [r for r in log if r.get("tool") == dst]
    least = minimum_creates(dst, created)
    # The target's limit binds (the source is read in a few requests): what its requests spent of it.
    floor = floor_of_log(dst, target_log) if rate_limits else 0.0
    reads = minimum_reads(src, items) + 1 + (math.ceil(items / 10) if src == "asana" else 0)
    result = row("migration", f"{src}->{dst}", items, log, reads, least, wall, floor)
    result["created"] = created
    result["failures"] = len(outcome.failures)
    return result
