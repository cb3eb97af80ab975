"""A real Trello export: a board of a few hundred cards, migrated between tools.

The export (``tests/contract/fixtures/trello/zh_europe_trip_2026_board.json``, 201 cards) is loaded into the
sandbox's Trello, then migrated with ``--include-archived`` along the six directed pairs: the Trello board
into a new Asana project and a new monday board, then each copy into the two other tools. Each migration runs
twice; the second must create nothing. One row per pair: items, subitems and comments carried, requests and
wall time (rate limits on), the loss report, and the re-run's creates and updates.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import requests

from benchmarks.common import env, floor_of_log, fresh_limiters, minimum_reads, row
from benchmarks.migration_scenarios import migrate_between, minimum_creates
from moteur.core.refs import parse_ref
from moteur.engine.state import StateStore
from moteur.sandbox.serve import start_sandbox

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO / "tests" / "contract" / "fixtures"))
EXPORT = FIXTURES / "trello" / "zh_europe_trip_2026_board.json"
# Trello first (the imported board is the origin), then each copy into the two other tools.
HOPS = (
    ("trello", "asana"),
    ("trello", "monday"),
    ("asana", "monday"),
    ("asana", "trello"),
    ("monday", "asana"),
    ("monday", "trello"),
)


def run_export_pairs(latency_ms: int, rate_limits: bool, export: Path = EXPORT) -> list[dict[str, Any]]:
    """One row per directed pair (``tool``: ``src->dst``), scenario ``export_migration``."""
    if not export.exists():
        return [{"scenario": "export_migration", "tool": "-", "error": f"no export at {export}"}]
    fresh_limiters()
    rows: list[dict[str, Any]] = []
    with (
        start_sandbox(seed="demo", latency_ms=latency_ms, rate_limits=rate_limits) as sandbox,
        tempfile.TemporaryDirectory() as tmp,
        env({**sandbox.env, "MOTEUR_STATE_URL": f"sqlite:///{Path(tmp) / 'state.db'}"}),
    ):
        body = json.loads(export.read_text(encoding="utf-8"))
        answer = requests.post(f"{sandbox.url}/_sandbox/import/trello", json=body, timeout=60)
        answer.raise_for_status()
        boards = {"trello": f"trello:{answer.json()['id']}"}
        store = StateStore(os.environ["MOTEUR_STATE_URL"])
        try:
            for src, dst in HOPS:
                source_ref = parse_ref(boards[src])
                first = migrate_between(
                    sandbox.url, store, source_ref, parse_ref(f"{dst}:new"), (src, dst), include_archived=True
                )
                boards.setdefault(dst, str(first.outcome.prepared.target.board))
                target_ref = first.outcome.prepared.target.board
                again = migrate_between(
                    sandbox.url, store, source_ref, target_ref, (src, dst), include_archived=True
                )
                plan = first.outcome.prepared.plan
                items = plan.created + plan.updated + plan.unchanged
                reads = minimum_reads(src, items) + 1 + (-(-items // 10) if src == "asana" else 0)
                least = minimum_creates(dst, plan.created)
                floor = floor_of_log(dst, first.log) if rate_limits else 0.0
                result = row(
                    "export_migration", f"{src}->{dst}", items, first.log, reads, least, first.wall, floor
                )
                result |= {
                    "subitems": plan.subitems,
                    "comments": plan.comments,
                    "created": first.outcome.creates,
                    "failures": len(first.outcome.failures),
                    "losses": [loss.text() for loss in plan.losses],
                    "rerun_creates": again.outcome.creates,
                    "rerun_updates": again.outcome.prepared.plan.updated,
                    "rerun_requests": len(again.log),
                }
                rows.append(result)
        finally:
            store.close()
    return rows
