"""Printing results: one JSON line per scenario as it finishes, then one readable table of them all.

*Verdict* (the ``target`` column): whether a row meets moteur's targets — requests ≤ 1.1 × minimum + a
constant (``READ_SLACK``, ``MIGRATION_SLACK``), writes ≤ 1.2 × minimum writes (+ the same constant), wall time
≤ 1.2 × floor where the rate limit binds (floor ≥ ``BINDING_FLOOR_S``), and no 429.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

READ_SLACK = 5
# A migration also makes the new board's schema (board, lists/sections/groups, eight fields or columns, each
# one or two requests): a larger constant, independent of N.
MIGRATION_SLACK = 20
BINDING_FLOOR_S = 5.0


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result, ensure_ascii=False), flush=True)


def verdict(r: dict[str, Any]) -> str:
    """``ok`` or the targets the row misses (``reads``, ``writes``, ``wall``, ``429``)."""
    if r["scenario"] == "plan":
        return "ok" if r.get("within_target") else "slow"
    if r["scenario"].startswith("naive"):
        return "-"
    misses = []
    slack = MIGRATION_SLACK if r["scenario"] == "migration" else READ_SLACK
    if r["requests"] > 1.1 * r["minimum_requests"] + slack:
        misses.append("requests")
    if r["writes"] > 1.2 * r["minimum_writes"] + slack:
        misses.append("writes")
    if r["floor_s"] >= BINDING_FLOOR_S and r["wall_s"] > 1.2 * r["floor_s"]:
        misses.append("wall")
    if r.get("status_429"):
        misses.append("429")
    return ", ".join(misses) or "ok"


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def print_table(rows: list[dict[str, Any]], console: Console | None = None) -> None:
    """The table of every row; naive rows show their ×moteur ratios, the plan row its peak memory."""
    table = Table(title="moteur benchmarks (sandbox)")
    columns = ("scenario", "tool", "items", "requests", "minimum", "ratio", "writes", "min writes")
    for column in (*columns, "wall s", "floor s", "429", "notes", "target"):
        table.add_column(column, justify="left" if column in ("scenario", "tool", "notes") else "right")
    for r in rows:
        if "error" in r:
            table.add_row(r["scenario"], r["tool"], *[""] * 9, f"error: {r['error'][:80]}", "error")
            continue
        notes = ""
        if "requests_vs_moteur" in r:
            notes = f"naive/moteur: {r['requests_vs_moteur']}× requests, {r['wall_vs_moteur']}× time"
        elif "peak_mb" in r:
            notes = f"peak {r['peak_mb']} MB"
        elif "rerun_creates" in r:
            subs, coms = r["subitems"], r["comments"]
            notes = f"+{subs} sub +{coms} com; re-run +{r['rerun_creates']} ~{r['rerun_updates']}"
        elif "created" in r:
            notes = f"{r['created']} created, {r['failures']} failed"
        table.add_row(
            r["scenario"],
            r["tool"],
            _cell(r["items"]),
            _cell(r["requests"]),
            _cell(r["minimum_requests"]),
            _cell(r["ratio"]),
            _cell(r["writes"]),
            _cell(r["minimum_writes"]),
            _cell(r["wall_s"]),
            _cell(r["floor_s"]),
            _cell(r.get("status_429")),
            notes,
            verdict(r),
        )
    console = console or Console(width=160)
    console.print(table)
    for r in rows:
        if r.get("losses") is not None:  # the migration of a real export: its loss report, per pair
            console.print(f"losses {r['tool']}: " + ("; ".join(r["losses"]) or "none"), highlight=False)
