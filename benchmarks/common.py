"""What every benchmark scenario shares: the cost models, the rate-limit floor, the result
row and the sandbox's request log.

Terms:

- *Minimum requests*: the fewest HTTP requests the vendor's API allows for a scenario (by the vendors'
  documented batch and page sizes): the minimum reads plus the minimum writes.
- *Floor*: the seconds the published rate limit alone imposes on the requests a run sent (``floor_s``); wall
  time is compared with it only where the limit binds (floor > 0).
- *Row*: one scenario's result, printed as one JSON line; ``ROW_KEYS`` is its fixed key set.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import requests

from moteur.core.policy import PlanningPolicy
from moteur.runtime import current, install

TODAY = date(2026, 12, 1)
POLICY = PlanningPolicy(first_sprint=date(2026, 11, 30), capacity_per_sprint=2000, horizon=6)

# The same policy as a config file, for the runs of ``moteur sync`` (bench_env).
CONFIG_TOML = """[planning]
first_sprint = 2026-11-30
capacity_per_sprint = 2000
horizon = 6
"""

ROW_KEYS = (
    "scenario",
    "tool",
    "items",
    "requests",
    "minimum_requests",
    "ratio",
    "writes",
    "minimum_writes",
    "wall_s",
    "floor_s",
    "status_429",
)

# Published limits: Trello 100 requests per 10 s per token; Asana 1,500 per minute (paid),
# every batch action counted; monday 10M complexity points per minute (personal token).
TRELLO_PER_WINDOW, TRELLO_WINDOW_S = 100, 10.0
ASANA_PER_MINUTE = 1500
MONDAY_POINTS_PER_MINUTE = 10_000_000
RATE_WINDOW_S = {"trello": TRELLO_WINDOW_S, "asana": 60.0, "monday": 0.0}  # monday: far under its budget
# monday's complexity is not published; these are the sandbox's estimates (sandbox/monday/complexity.py):
# a 500-item page with its column values, one change_multiple_column_values, one create_item.
MONDAY_PAGE_POINTS, MONDAY_CHANGE_POINTS, MONDAY_CREATE_POINTS = 12_000, 1_000, 10_000


def minimum_reads(tool: str, n: int) -> int:
    """Trello ⌈N/1000⌉ (one /batch call per 1,000 cards); Asana 2 + ⌈N/100⌉; monday ⌈N/500⌉."""
    if tool == "trello":
        return max(1, math.ceil(n / 1000))
    if tool == "asana":
        return 2 + max(1, math.ceil(n / 100))
    return max(1, math.ceil(n / 500))


def minimum_writes(tool: str, changed_items: int, actions: int, schema_ops: int, field_items: int = 0) -> int:
    """Writes the API cannot do with fewer requests, for ``changed_items`` items.

    Trello sets labels, list and position in one ``PUT /cards/{id}``, but a custom field (ICE) only
    through ``PUT /cards/{id}/customFields``: a second write for each of the ``field_items`` cards whose
    fields change. Asana: one ``PUT /tasks/{gid}`` per task carries all its custom fields and one ``addTask``
    per move; these ``actions`` pack 10 per ``POST /batch``. monday: one ``change_multiple_column_values``
    per item, 20 aliased per request as monday's docs advise (moteur aliases more, so it may beat this).
    """
    if tool == "trello":
        return schema_ops + changed_items + field_items
    if tool == "asana":
        return schema_ops + math.ceil(actions / 10)
    return schema_ops + math.ceil(changed_items / 20)


def spent_units(tool: str, log: list[dict[str, Any]]) -> int:
    """What the vendor's rate limit counts for these sandbox log entries of ``tool``.

    Trello: one unit a request. Asana: one a request, a ``/batch`` one per inner action (the sandbox logs
    them as ``root_fields``). monday: complexity points, estimated per root field: a created item or subitem
    ``MONDAY_CREATE_POINTS`` (monday puts ``create_item`` near 10,000), any other mutation
    ``MONDAY_CHANGE_POINTS``, a query ``MONDAY_PAGE_POINTS``.
    """
    entries = [r for r in log if r.get("tool") == tool]
    if tool == "asana":
        return sum(len(r.get("root_fields") or ()) or 1 for r in entries)
    if tool != "monday":
        return len(entries)
    points = 0
    for r in entries:
        if r.get("operation") != "mutation":
            points += MONDAY_PAGE_POINTS
            continue
        for name in r.get("root_fields") or ():
            creates = name in ("create_item", "create_subitem")
            points += MONDAY_CREATE_POINTS if creates else MONDAY_CHANGE_POINTS
    return points


def floor_of_log(tool: str, log: list[dict[str, Any]]) -> float:
    """``floor_seconds`` of what the log's ``tool`` entries spent (migrations: creates cost their own)."""
    units = spent_units(tool, log)
    if tool == "trello":
        return floor_seconds(tool, units)
    if tool == "asana":
        return floor_seconds(tool, units, units)
    return max(0, math.ceil(units / MONDAY_POINTS_PER_MINUTE) - 1) * 60.0


def floor_seconds(tool: str, requests_sent: int, actions: int = 0, items: int = 0, changed: int = 0) -> float:
    """The time the published rate limit alone imposes on that many requests (0 when it does not bind).

    Each vendor counts requests over a window (Trello 10 s, Asana and monday 60 s), so U units need at least
    ``(⌈U / limit⌉ - 1)`` windows after the first: the 101st Trello request waits for the next window.
    Asana's units are ``actions`` (batch actions counted one each, plain requests too); monday's are the
    estimated complexity of reading ``items`` and changing ``changed`` items.
    """
    if tool == "trello":
        return max(0, math.ceil(requests_sent / TRELLO_PER_WINDOW) - 1) * TRELLO_WINDOW_S
    if tool == "asana":
        spent = max(actions, requests_sent)
        return max(0, math.ceil(spent / ASANA_PER_MINUTE) - 1) * 60.0
    points = math.ceil(items / 500) * MONDAY_PAGE_POINTS + changed * MONDAY_CHANGE_POINTS
    return max(0, math.ceil(points / MONDAY_POINTS_PER_MINUTE) - 1) * 60.0


def row(
    scenario: str,
    tool: str,
    items: int,
    log: list[dict[str, Any]],
    minimum_reads_: int,
    least_writes: int,
    wall: float,
    floor: float,
) -> dict[str, Any]:
    """The JSON row of one scenario from the sandbox log entries its run made."""
    sent = len(log)
    minimum = minimum_reads_ + least_writes
    return {
        "scenario": scenario,
        "tool": tool,
        "items": items,
        "requests": sent,
        "minimum_requests": minimum,
        "ratio": round(sent / minimum, 2) if minimum else None,
        "writes": sum(1 for r in log if r.get("mutating")),
        "minimum_writes": least_writes,
        "wall_s": round(wall, 2),
        "floor_s": floor,
        "status_429": sum(1 for r in log if r.get("status") == 429),
    }


@contextmanager
def env(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block (moteur's settings read the sandbox's credentials there)."""
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


def bench_env(directory: Path) -> dict[str, str]:
    """A state database and a config file (``CONFIG_TOML``) of its own for one scenario, in ``directory``."""
    config = directory / "moteur.toml"
    config.write_text(CONFIG_TOML, encoding="utf-8")
    return {"MOTEUR_STATE_URL": f"sqlite:///{directory / 'state.db'}", "MOTEUR_CONFIG": str(config)}


def fresh_limiters() -> None:
    """A new runtime for the scenario on a new sandbox: no limiter or pacer of the previous one.

    moteur shares one limiter per credential across a run (``moteur.runtime``), and the runs of a scenario
    (first sync, re-runs) share the scenario's runtime as they shared one process; every sandbox accepts the
    same token, so without this a scenario would wait for the requests of the previous sandbox, which stands
    for another account. The time is the installed one: real in a benchmark, a test's virtual clock in the
    smoke tests (their sandbox has no limits to wait for).
    """
    install(current().apart())


def request_log(url: str) -> list[dict[str, Any]]:
    """The sandbox's whole request log (one entry per HTTP request, admin calls excluded)."""
    answer = requests.get(f"{url}/_sandbox/requests", timeout=60)
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


class LogWindow:
    """The log entries of one tool made between ``open`` and ``close`` (the scenario's own requests)."""

    def __init__(self, url: str, tool: str) -> None:
        self.url = url
        self.tool = tool
        self.start = len(request_log(url))

    def entries(self) -> list[dict[str, Any]]:
        return [r for r in request_log(self.url)[self.start :] if r.get("tool") == self.tool]
