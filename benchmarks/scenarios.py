"""Benchmark scenarios against the sandbox: requests and wall time beside the APIs' minimum (DESIGN §8).

Each scenario prints one JSON line ``{"scenario", "tool", "items", "requests", "minimum_requests", "ratio",
"writes", "minimum_writes", "wall_s", "floor_s"}``; a table follows. Run with ``make bench`` or
``python -m benchmarks [--items N] [--latency-ms L] [--tools trello,asana,monday] [--rate-limits]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import requests
from rich.console import Console
from rich.table import Table

from moteur.connectors.base import open_connector
from moteur.core.model import BoardRef
from moteur.core.policy import PlanningPolicy
from moteur.core.refs import parse_ref
from moteur.core.state import StateStore
from moteur.core.sync import apply_sync, memory_of, prepare
from moteur.sandbox.serve import start_sandbox
from moteur.settings import load_settings

TODAY = date(2026, 12, 1)
POLICY = PlanningPolicy(first_sprint=date(2026, 11, 30), capacity_per_sprint=2000, horizon=6)


def minimum_reads(tool: str, n: int) -> int:
    if tool == "trello":
        return max(1, math.ceil(n / 1000))
    if tool == "asana":
        return 2 + max(1, math.ceil(n / 100))
    return max(1, math.ceil(n / 500))


def minimum_writes(tool: str, changed_items: int, ops: int, schema_ops: int, field_items: int = 0) -> int:
    """Writes the API cannot do with fewer requests. Trello sets labels and list in one ``PUT /cards/{id}``
    but a custom field (ICE) only through ``/cards/{id}/customFields``: a second write for those cards."""
    if tool == "trello":
        return schema_ops + changed_items + field_items
    if tool == "asana":
        # One PUT per task carries all its custom fields, one addTask per move: ``ops`` counts batch actions.
        return schema_ops + math.ceil(ops / 10)
    return schema_ops + math.ceil(changed_items / 20)


def floor_seconds(tool: str, requests_sent: int) -> float:
    """The time the published rate limit alone imposes on that many requests."""
    if tool == "trello":
        return max(0, math.ceil(requests_sent / 100) - 1) * 10.0
    if tool == "asana":
        return max(0.0, (requests_sent - 1500) / 1500 * 60)
    return 0.0


@contextmanager
def env(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _log(url: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{url}/_sandbox/requests", timeout=30)
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


def _sync_once(ref: BoardRef, store: StateStore) -> tuple[int, int, int, int]:
    settings = load_settings(None)
    port = open_connector(ref, settings)
    try:
        snapshot = port.read(ref)
        memory = {ref: memory_of(store.item_states(str(ref)))}
        plan = prepare([snapshot], {ref: port.writeback(snapshot)}, memory, [("t", [ref])], POLICY, TODAY)
        board = plan.boards[0].plan
        apply_sync(plan, {ref: port}, store, command="bench", now=lambda: datetime.now(UTC), owner="bench")
        field_items = len({op.item.key for op in board.item_ops if op.kind == "update_fields"})
        moves = sum(1 for op in board.item_ops if op.kind == "move_item")
        tag_ops = sum(1 for op in board.item_ops if op.kind == "set_tags")
        actions = field_items + moves + tag_ops  # the writes an API with per-task requests cannot merge
        return board.items_changed(), actions, len(board.schema_ops), field_items
    finally:
        port.close()


def run_tool(tool: str, items: int, latency_ms: int, rate_limits: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with (
        start_sandbox(seed=f"bulk:{items}", latency_ms=latency_ms, rate_limits=rate_limits) as sandbox,
        tempfile.TemporaryDirectory() as tmp,
        env({**sandbox.env, "MOTEUR_STATE_URL": f"sqlite:///{Path(tmp) / 'state.db'}"}),
    ):
        ref = parse_ref(sandbox.boards[tool][0])
        store = StateStore(os.environ["MOTEUR_STATE_URL"])
        for scenario in ("first_sync", "noop_rerun"):
            before = len(_log(sandbox.url))
            started = time.perf_counter()
            changed, ops, schema, field_items = _sync_once(ref, store)
            wall = time.perf_counter() - started
            log = [r for r in _log(sandbox.url)[before:] if r.get("tool") == tool]
            sent = len(log)
            writes = sum(1 for r in log if r.get("mutating"))
            least_writes = minimum_writes(tool, changed, ops, schema, field_items)
            minimum = minimum_reads(tool, items) + least_writes
            rows.append(
                {
                    "scenario": scenario,
                    "tool": tool,
                    "items": items,
                    "requests": sent,
                    "minimum_requests": minimum,
                    "ratio": round(sent / minimum, 2) if minimum else None,
                    "writes": writes,
                    "minimum_writes": least_writes,
                    "wall_s": round(wall, 2),
                    "floor_s": floor_seconds(tool, sent) if rate_limits else 0.0,
                    "status_429": sum(1 for r in log if r.get("status") == 429),
                }
            )
        store.close()
    return rows


def plan_scenario(items: int) -> dict[str, Any]:
    """``moteur plan --json`` on a generated CSV: time and peak memory of the whole process."""
    import subprocess
    import sys

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        with path.open("w", encoding="utf-8") as f:
            f.write("id;titre;impact;effort;confiance;objectif;statut\n")
            for i in range(items):
                f.write(f"a{i};Action {i};{i % 10 + 1};{(i * 7) % 10 + 1};{(i * 3) % 10 + 1};leads;à faire\n")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "moteur.cli", "plan", f"file:{path}", "--today", "2026-12-01", "--json"],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=tmp,
        )
        wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "scenario": "plan",
        "tool": "file",
        "items": items,
        "wall_s": round(wall, 2),
        "peak_mb": round(peak_mb),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--tools", default="trello,asana,monday")
    parser.add_argument("--rate-limits", action="store_true", help="pace to the real limits (slow)")
    parser.add_argument("--plan-items", type=int, default=100_000)
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    for tool in args.tools.split(","):
        try:
            results = run_tool(tool, args.items, args.latency_ms, args.rate_limits)
        except Exception as exc:  # one tool failing must not hide the others' figures
            print(json.dumps({"scenario": "first_sync", "tool": tool, "error": str(exc)}))
            continue
        for row in results:
            print(json.dumps(row))
            rows.append(row)
    plan_row = plan_scenario(args.plan_items)
    print(json.dumps(plan_row))
    table = Table(title="moteur benchmarks (sandbox)")
    for column in (
        "scenario",
        "tool",
        "items",
        "requests",
        "minimum",
        "ratio",
        "writes",
        "min writes",
        "wall s",
    ):
        table.add_column(column, justify="right")
    for r in rows:
        table.add_row(
            r["scenario"],
            r["tool"],
            str(r["items"]),
            str(r["requests"]),
            str(r["minimum_requests"]),
            str(r["ratio"]),
            str(r["writes"]),
            str(r["minimum_writes"]),
            str(r["wall_s"]),
        )
    table.add_row("plan", "file", str(plan_row["items"]), "", "", "", "", "", str(plan_row["wall_s"]))
    Console().print(table)
    Console().print(
        f"plan on {plan_row['items']} actions: {plan_row['wall_s']} s, peak {plan_row['peak_mb']} MB"
    )
    return 0
