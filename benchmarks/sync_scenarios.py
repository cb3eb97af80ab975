"""Sync scenarios per tool: first sync of N items, a no-op re-run, a re-run after some items changed, and the
naive baseline's first sync of the same board (``baseline.py``).

*Actions* (Asana's unit): the writes an API with per-task requests cannot merge — one per task whose custom
fields change, one per section move, one per tag added or removed. Asana counts each against its rate limit,
even inside a ``POST /batch``.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.baseline import naive_sync, score_client
from benchmarks.common import (
    POLICY,
    RATE_WINDOW_S,
    TODAY,
    LogWindow,
    bench_env,
    env,
    floor_seconds,
    fresh_limiters,
    minimum_reads,
    minimum_writes,
    row,
)
from moteur.cli import main as cli_main
from moteur.connectors.base import Connector, open_connector
from moteur.core.model import BoardRef, Snapshot
from moteur.core.refs import parse_ref
from moteur.core.sync import SyncPlan, memory_of, prepare
from moteur.engine.state import StateStore
from moteur.sandbox.serve import SandboxHandle, start_sandbox
from moteur.settings import load_settings


@dataclass
class PlanShape:
    """What a sync plan asks of the API: changed items, Asana actions, schema ops, field-changed items."""

    changed: int
    actions: int
    schema: int
    field_items: int


def _plan(connector: Connector, ref: BoardRef, store: StateStore) -> tuple[Snapshot, SyncPlan, PlanShape]:
    snapshot = connector.read(ref)
    memory = {ref: memory_of(store.item_states(str(ref)))}
    plan = prepare([snapshot], {ref: connector.writeback(snapshot)}, memory, [("t", [ref])], POLICY, TODAY)
    board = plan.boards[0].plan
    field_items = len({op.item.key for op in board.item_ops if op.kind == "update_fields"})
    moves = sum(1 for op in board.item_ops if op.kind == "move_item")
    tags = sum(len(getattr(op, "add", ())) + len(getattr(op, "remove", ())) for op in board.item_ops)
    shape = PlanShape(board.items_changed(), field_items + moves + tags, len(board.schema_ops), field_items)
    return snapshot, plan, shape


def _asana_actions(log: list[dict[str, Any]], shape: PlanShape) -> int:
    """Rate-limit units spent: every plain request, plus each action inside the batches."""
    return sum(1 for r in log if not str(r.get("path", "")).endswith("/batch")) + shape.actions


def cron_gap(tool: str) -> None:
    """Let the rate-limit window of the previous run pass, as the hour between two cron runs would.

    Without it a run would wait for the previous one's requests (and this benchmark's own reads), which a
    real run an hour later never meets; the pause is not measured.
    """
    time.sleep(RATE_WINDOW_S[tool])
    fresh_limiters()


def _cli_sync(ref: BoardRef) -> None:
    """``moteur sync REF --json`` in this process, as cron would run it (incremental reads included)."""
    errors = io.StringIO()
    with open(os.devnull, "w", encoding="utf-8") as sink, redirect_stdout(sink), redirect_stderr(errors):
        code = cli_main(["sync", str(ref), "--today", TODAY.isoformat(), "--json"])
    if code != 0:
        raise RuntimeError(f"moteur sync {ref} exited {code}: {errors.getvalue()[-400:]}")


def _sync_row(
    scenario: str, tool: str, items: int, sandbox: SandboxHandle, ref: BoardRef, rate_limits: bool
) -> tuple[dict[str, Any], Snapshot]:
    """One run of ``moteur sync``; its plan shape comes from a read made before, outside the measurement."""
    store = StateStore(os.environ["MOTEUR_STATE_URL"])
    connector = open_connector(ref, load_settings(None))
    try:
        snapshot, _, shape = _plan(connector, ref, store)
    finally:
        connector.close()
        store.close()
    if rate_limits:
        # The read above spent units of the window; a cron run meets a fresh one, the first sync included
        # (Asana's 2,000-task first sync needs 2,999 of two minutes' 3,000 units: 22 more make it three).
        cron_gap(tool)
    window = LogWindow(sandbox.url, tool)
    started = time.perf_counter()
    _cli_sync(ref)
    wall = time.perf_counter() - started
    log = window.entries()
    least = minimum_writes(tool, shape.changed, shape.actions, shape.schema, shape.field_items)
    floor = 0.0
    if rate_limits:
        floor = floor_seconds(tool, len(log), _asana_actions(log, shape), items, shape.changed)
    return row(scenario, tool, items, log, minimum_reads(tool, items), least, wall, floor), snapshot


def change_scores(sandbox: SandboxHandle, tool: str, snapshot: Snapshot, count: int) -> int:
    """Flip the Impact score of ``count`` scored items (≥ 6 ↔ < 6), so their quadrant changes."""
    client = score_client(tool, sandbox.urls[tool], sandbox.env, snapshot.board.board)
    scored = [a for a in snapshot.actions if a.impact is not None][:count]
    try:
        for action in scored:
            client.set_score(action.ref.item, "Impact", 2 if (action.impact or 0) >= 6 else 9)
    finally:
        client.close()
    return len(scored)


def run_sync_scenarios(
    tool: str, items: int, latency_ms: int, rate_limits: bool, changed: int = 20
) -> list[dict[str, Any]]:
    """First sync, no-op re-run and re-run after ``changed`` items changed, on one ``bulk:items`` board."""
    rows: list[dict[str, Any]] = []
    fresh_limiters()
    with (
        start_sandbox(seed=f"bulk:{items}", latency_ms=latency_ms, rate_limits=rate_limits) as sandbox,
        tempfile.TemporaryDirectory() as tmp,
        env({**sandbox.env, **bench_env(Path(tmp))}),
    ):
        ref = parse_ref(sandbox.boards[tool][0])
        first, snapshot = _sync_row("first_sync", tool, items, sandbox, ref, rate_limits)
        rows.append(first)
        rows.append(_sync_row("noop_rerun", tool, items, sandbox, ref, rate_limits)[0])
        change_scores(sandbox, tool, snapshot, changed)
        rows.append(_sync_row(f"rerun_{changed}_changed", tool, items, sandbox, ref, rate_limits)[0])
    return rows


def run_baseline(
    tool: str, items: int, latency_ms: int, moteur_first: dict[str, Any] | None
) -> dict[str, Any]:
    """The naive first sync of a fresh ``bulk:items`` board, beside moteur's (``moteur_first``).

    The sandbox runs without latency or rate limits so that thousands of one-by-one requests stay quick; a
    naive node sends them one at a time, so its wall time is modelled as the measured time plus ``latency_ms``
    per request, and its ``floor_s`` is what the real rate limit would impose on that many requests.
    """
    fresh_limiters()
    with (
        start_sandbox(seed=f"bulk:{items}", latency_ms=0, rate_limits=False) as sandbox,
        tempfile.TemporaryDirectory() as tmp,
        env({**sandbox.env, "MOTEUR_STATE_URL": f"sqlite:///{Path(tmp) / 'state.db'}"}),
    ):
        ref = parse_ref(sandbox.boards[tool][0])
        store = StateStore(os.environ["MOTEUR_STATE_URL"])
        connector = open_connector(ref, load_settings(None))
        try:
            snapshot, plan, shape = _plan(connector, ref, store)
            board = plan.boards[0].plan
            # The schema (labels, fields, sections) is made by moteur: both sides pay it alike.
            connector.apply(snapshot, board.schema_ops, [])
            window = LogWindow(sandbox.url, tool)
            client = score_client(tool, sandbox.urls[tool], sandbox.env, ref.board)
            started = time.perf_counter()
            try:
                naive_sync(client, list(board.item_ops))
            finally:
                client.close()
            measured = time.perf_counter() - started
        finally:
            connector.close()
            store.close()
        log = window.entries()
    wall = measured + len(log) * latency_ms / 1000
    least = minimum_writes(tool, shape.changed, shape.actions, 0, shape.field_items)
    floor = floor_seconds(tool, len(log), len(log), items, shape.changed)
    result = row("naive_first_sync", tool, items, log, minimum_reads(tool, items), least, wall, floor)
    if moteur_first and "requests" in moteur_first:
        result["requests_vs_moteur"] = round(len(log) / max(1, moteur_first["requests"]), 1)
        naive_time = max(wall, floor)
        result["wall_vs_moteur"] = round(naive_time / max(0.01, moteur_first["wall_s"]), 1)
    return result
