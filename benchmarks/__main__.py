"""``make bench`` / ``python -m benchmarks``: run every scenario, one JSON line each, then a table.

Defaults (the whole run takes about 12–15 minutes on 2 cores, most of it Trello's and Asana's pacing):

- ``--items 2000``: first sync, no-op re-run and re-run after ``--changed 20`` items changed, per tool, with
  the sandbox's real rate limits on (``--no-rate-limits`` to skip pacing) and ``--latency-ms 50``;
- the naive baseline on the same N (sandbox without latency or limits; its time is modelled, see
  ``sync_scenarios.run_baseline``);
- ``--migrate-items 200`` per pair for the six pairs (1,000 takes ~4 minutes per pair into
  Trello alone: two writes per card at 10 per second);
- the real Trello export (201 cards) along the six directed pairs, each run twice (the re-run
  must create nothing), with the loss report;
- ``--plan-items 100000``: ``moteur plan`` time and peak memory.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import partial
from typing import Any

from benchmarks.export_scenarios import run_export_pairs
from benchmarks.migration_scenarios import PAIRS, run_migration
from benchmarks.plan_scenario import run_plan
from benchmarks.report import emit, print_table
from benchmarks.sync_scenarios import run_baseline, run_sync_scenarios

ALL = ("sync", "baseline", "migration", "export", "plan")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=2000, help="items per board for the sync scenarios")
    parser.add_argument("--changed", type=int, default=20, help="items changed before the third run")
    parser.add_argument("--latency-ms", type=int, default=50, help="sandbox latency per request")
    parser.add_argument("--tools", default="trello,asana,monday")
    parser.add_argument("--no-rate-limits", action="store_true", help="sandbox without its rate limits")
    parser.add_argument("--migrate-items", type=int, default=200, help="items per migration pair")
    parser.add_argument("--plan-items", type=int, default=100_000)
    parser.add_argument("--only", default=",".join(ALL), help=f"scenario groups, among {','.join(ALL)}")
    return parser.parse_args(argv)


def _guarded(
    rows: list[dict[str, Any]], scenario: str, tool: str, run: Callable[[], list[dict[str, Any]]]
) -> None:
    """Run one scenario; a failure prints an error row instead of hiding the other scenarios' figures."""
    try:
        results = run()
    except Exception as exc:  # reported as a row, the benchmark goes on
        results = [{"scenario": scenario, "tool": tool, "error": f"{type(exc).__name__}: {exc}"}]
    for result in results:
        emit(result)
        rows.append(result)


def _one(run: Callable[..., dict[str, Any]], *args: Any) -> list[dict[str, Any]]:
    return [run(*args)]


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    only = set(args.only.split(","))
    tools = [t for t in args.tools.split(",") if t]
    rate_limits = not args.no_rate_limits
    rows: list[dict[str, Any]] = []
    firsts: dict[str, dict[str, Any]] = {}
    for tool in tools:
        if "sync" in only:
            _guarded(
                rows,
                "first_sync",
                tool,
                partial(run_sync_scenarios, tool, args.items, args.latency_ms, rate_limits, args.changed),
            )
            firsts[tool] = next((r for r in rows if r["tool"] == tool and r["scenario"] == "first_sync"), {})
        if "baseline" in only:
            _guarded(
                rows,
                "naive_first_sync",
                tool,
                partial(_one, run_baseline, tool, args.items, args.latency_ms, firsts.get(tool) or None),
            )
    if "migration" in only:
        for src, dst in PAIRS:
            if src in tools and dst in tools:
                _guarded(
                    rows,
                    "migration",
                    f"{src}->{dst}",
                    partial(_one, run_migration, src, dst, args.migrate_items, args.latency_ms, rate_limits),
                )
    if "export" in only:
        _guarded(rows, "export_migration", "-", partial(run_export_pairs, args.latency_ms, rate_limits))
    if "plan" in only:
        _guarded(rows, "plan", "file", partial(_one, run_plan, args.plan_items))
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
