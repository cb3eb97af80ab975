"""``moteur runs``: what ran, and how each run ended (``moteur rollback RUN`` is ``rollback_command``).

A run whose process died (kill -9, a crash, a state database that failed) is shown "interrupted" at once, not
"running" until its lease runs out: ``runs`` first marks the runs whose lock holder is gone.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from moteur.commands.context import settings_for
from moteur.commands.owners import owner_gone
from moteur.commands.rollback_command import run_rollback
from moteur.commands.sync_command import now_utc, open_store
from moteur.core.errors import StateError

if TYPE_CHECKING:
    from moteur.cli import Output


def run_runs(out: Output, *, config: Path | None, json_out: bool, limit: int) -> None:
    settings = settings_for(config)
    store = open_store(settings)
    try:
        with suppress(StateError):  # a database this user may only read is still listed, as it stands
            store.mark_interrupted(now_utc(), owner_gone)
        records = store.runs(limit)
    finally:
        store.close()
    if json_out:
        out.json(
            [
                {
                    "id": r.id,
                    "command": r.command,
                    "boards": list(r.boards),
                    "started_at": r.started_at.isoformat(),
                    "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                    "outcome": r.outcome.value,
                    "counts": r.counts,
                    "message": r.message,
                }
                for r in records
            ]
        )
        return
    if not records:
        out.out.print("No runs yet.")
        return
    table = Table(title="Runs", title_justify="left")
    for col in ("id", "command", "started", "ended", "boards", "changes", "outcome"):
        table.add_column(col)
    for r in records:
        counts = ", ".join(f"{k} {v}" for k, v in r.counts.items() if v)
        table.add_row(
            str(r.id),
            r.command,
            f"{r.started_at:%Y-%m-%d %H:%M:%S}",
            f"{r.finished_at:%H:%M:%S}" if r.finished_at else "—",
            ", ".join(r.boards),
            counts or "—",
            r.outcome.value,
        )
    out.out.print(table)


__all__ = ["run_rollback", "run_runs"]
