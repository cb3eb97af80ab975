"""Reliability suites over the sandbox: the fault soak (``test_soak``) and crash-and-resume (``test_crash``).

Shared here (imported as ``soak``):

- ``connect(tool, env)``: the tests' one ``connector_for`` (``tests/sandbox_connectors.py``) with shorter
  timeouts, on a runtime of its own with virtual time, so retries, backoffs and rate windows cost no real
  time.
- ``sync_until_converged``: the cron job's life in miniature: run the sync again and again (a run may fail
  part-way; the next run continues) until a dry-run would show no change, counting runs, faults and retries.
- ``board_view`` (what each item carries at the end) and ``duplicates`` (schema objects or items that exist
  twice on the board, read from the sandbox's raw state): the two things a fault must never change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import requests
from sandbox_connectors import connector_for

from moteur.connectors.base import Connector
from moteur.core.errors import MoteurError
from moteur.core.model import BoardRef, Tool
from moteur.core.sync import memory_of, prepare
from moteur.engine.state import StateStore
from moteur.engine.sync_run import apply_sync
from moteur.settings import Settings

TODAY = date(2026, 12, 1)
TIMEOUT = (1.0, 0.25)  # connect, read: a "slow" fault (SLOW_SECONDS) always outlasts the read timeout
SLOW_SECONDS = 0.4
FAULT_KINDS = ["429", "500", "502", "503", "reset", "slow", "commit_then_drop"]


def connect(tool: str, env: dict[str, str]) -> Connector:
    return connector_for(Tool(tool), env, timeout=TIMEOUT)


def retries_of(connector: Connector) -> int:
    return connector.retried_count()


# -- the sandbox's admin API --------------------------------------------------------------------------------


def set_faults(url: str, rate: float, seed: int = 0) -> None:
    body = {"rate": rate, "seed": seed, "kinds": FAULT_KINDS, "slow_seconds": SLOW_SECONDS}
    requests.post(f"{url}/_sandbox/faults", json=body, timeout=10).raise_for_status()


def reset(url: str) -> dict[str, list[str]]:
    answer = requests.post(f"{url}/_sandbox/reset", json={"seed": "demo"}, timeout=30)
    answer.raise_for_status()
    return answer.json()["boards"]  # type: ignore[no-any-return]


def request_log(url: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{url}/_sandbox/requests", timeout=10)
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


def raw_state(url: str) -> dict[str, Any]:
    answer = requests.get(f"{url}/_sandbox/state", timeout=30)
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


# -- the sync, run like cron runs it ------------------------------------------------------------------------


@dataclass
class Figures:
    """What a soak met on one board: the numbers the issue asks for."""

    tool: str
    runs: int = 0
    failed_runs: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    duplicates: int = 0
    lost: int = 0
    converged: bool = False

    def line(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.faults.items())) or "none"
        return (
            f"soak {self.tool}: {self.runs} runs ({self.failed_runs} failed part-way), "
            f"{sum(self.faults.values())} faults met ({kinds}), {self.retries} retries, "
            f"{self.duplicates} duplicates, {self.lost} items lost"
        )


def sync_once(connector: Connector, ref: BoardRef, store: StateStore, owner: str = "soak") -> bool | None:
    """One ``moteur sync``: True if nothing was left to do, False if it applied, None if it failed."""
    try:
        snapshot = connector.read(ref)
        memory = {ref: memory_of(store.item_states(str(ref)))}
        settings = Settings()
        sync_plan = prepare(
            [snapshot],
            {ref: connector.writeback(snapshot)},
            memory,
            [(str(ref), [ref])],
            settings.planning,
            TODAY,
            language=settings.language,
        )
        if sync_plan.empty:
            return True
        outcome = apply_sync(sync_plan, {ref: connector}, store, command="sync", now=_now, owner=owner)
    except MoteurError:
        return None
    return False if outcome.ok else None


def _now() -> datetime:
    return datetime.now(UTC)


def sync_until_converged(
    tool: str, env: dict[str, str], ref: BoardRef, store: StateStore, url: str, max_runs: int = 25
) -> Figures:
    """Sync until a run finds nothing to do; each run gets a fresh connector, as each cron run does."""
    figures = Figures(tool)
    seen = len(request_log(url))
    while figures.runs < max_runs:
        connector = connect(tool, env)
        try:
            done = sync_once(connector, ref, store)
        finally:
            figures.retries += retries_of(connector)
            connector.close()
        figures.runs += 1
        figures.failed_runs += done is None
        if done:
            figures.converged = True
            break
    log = request_log(url)[seen:]
    figures.faults.update(e["fault"] for e in log if e["fault"] and e["tool"] == tool)
    return figures


# -- what the board ends up as ------------------------------------------------------------------------------


def board_view(tool: str, env: dict[str, str], ref: BoardRef) -> Counter[tuple[Any, ...]]:
    """Per item: title, status, quadrant, sprint, ICE and user tags; as a multiset (ids differ per reset)."""
    connector = connect(tool, env)
    try:
        snapshot = connector.read(ref)
    finally:
        connector.close()
    return Counter(
        (
            a.title,
            a.status.value,
            a.annotations.quadrant,
            a.annotations.sprint,
            a.annotations.ice,
            tuple(sorted(a.tags)),
        )
        for a in snapshot.actions
    )


def _doubles(names: list[str]) -> list[str]:
    return sorted(n for n, count in Counter(n.casefold() for n in names if n).items() if count > 1)


def duplicates(url: str, tool: str, board: str) -> dict[str, list[str]]:
    """Names that exist twice on the board (labels, fields, sections, columns, groups, items), by kind."""
    state = raw_state(url)[tool]
    found: dict[str, list[str]] = {}
    if tool == "trello":
        found["labels"] = _doubles([lb["name"] for lb in state["labels"].values() if lb["idBoard"] == board])
        fields = [f["name"] for f in state["customFields"].values() if f["idModel"] == board]
        found["custom fields"] = _doubles(fields)
        found["cards"] = _doubles([c["name"] for c in state["cards"].values() if c["idBoard"] == board])
    elif tool == "asana":
        records = state["records"]
        found["sections"] = _doubles(
            [s["name"] for s in records["section"].values() if s["project"] == board]
        )
        found["custom fields"] = _doubles([f["name"] for f in records["custom_field"].values()])
        found["tags"] = _doubles([t["name"] for t in records.get("tag", {}).values()])
        found["tasks"] = _doubles(
            [
                t["name"]
                for t in records["task"].values()
                if any(m.get("project") == board for m in t.get("memberships", []))
            ]
        )
    elif tool == "monday":
        (meta,) = [b for b in state["boards"] if b["id"] == board]
        found["columns"] = _doubles([c["title"] for c in meta["columns"] if not c.get("archived")])
        found["groups"] = _doubles(
            [g["title"] for g in meta["groups"] if not g.get("archived") and not g.get("deleted")]
        )
        found["items"] = _doubles([i["name"] for i in state["items"] if i["board_id"] == board])
    return {kind: names for kind, names in found.items() if names}


def ref_of(boards: dict[str, list[str]], tool: str) -> BoardRef:
    return BoardRef(tool=Tool(tool), board=boards[tool][0].split(":", 1)[1])
