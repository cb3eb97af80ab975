"""``moteur runs``: what ran, and how each run ended (``moteur rollback RUN`` is ``rollback_command``).

A run whose process died (kill -9, a crash, a state database that failed) is shown "interrupted" at once, not
"running" until its lease runs out: ``runs`` first marks the runs whose lock holder is gone.

A *no-op run* finished "ok" having written nothing: no field changed, nothing created, nothing failed (an
hourly cron's usual run). ``runs`` leaves them out unless ``--all``, and says how many it left out; the
``--json`` object is ``{"runs": [...], "hidden": N}``, N counting the no-op runs newer than the oldest run
listed.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from moteur.commands.context import settings_for
from moteur.commands.owners import owner_gone
from moteur.commands.rollback_command import run_rollback
from moteur.commands.sync_command import now_utc, open_store
from moteur.core.errors import StateError
from moteur.engine.state import RunOutcome, RunRecord, StateStore
from moteur.i18n import N_, _
from moteur.views.terminal import plain
from moteur.views.words import NONE, plural

if TYPE_CHECKING:
    from moteur.views.output import Output

_PAGE = 200  # runs read per query while looking for ``limit`` runs worth listing
# The counts that say a run wrote something: a sync's (``engine/sync_run.py``), a migration's
# (``engine/migration_run.py``).
_WRITES = ("applied", "create", "failed", "created", "updated", "subitems", "comments")


def is_no_op(record: RunRecord) -> bool:
    """The run finished "ok" and wrote nothing: no field change applied, nothing to create, nothing failed
    (a sync's counts), no item created or updated, no subitem or comment added (a migration's)."""
    return record.outcome is RunOutcome.OK and not any(record.counts.get(k) for k in _WRITES)


def listed_runs(store: StateStore, limit: int, show_all: bool) -> tuple[list[RunRecord], int]:
    """The ``limit`` latest runs worth listing, newest first, and how many no-op runs were passed over."""
    shown: list[RunRecord] = []
    hidden = 0
    before: int | None = None
    while len(shown) < limit:
        page = store.runs(limit if show_all else _PAGE, before=before)
        for record in page:
            if len(shown) == limit:
                break
            if not show_all and is_no_op(record):
                hidden += 1
            else:
                shown.append(record)
        if len(page) < (limit if show_all else _PAGE):
            break
        before = page[-1].id
    return shown, hidden


# The words of a run's counts and outcome as the table shows them (the JSON keeps the keys).
COUNT_WORDS = {
    "planned": N_("planned"),
    "applied": N_("applied"),
    "failed": N_("failed"),
    "create": N_("create"),
    "update": N_("update"),
    "remove": N_("remove"),
    "conflicts": N_("conflicts"),
    "pending": N_("pending"),
}
OUTCOME_WORDS = {
    "running": N_("running"),
    "ok": N_("ok"),
    "failed": N_("failed"),
    "interrupted": N_("interrupted"),
    "rolled_back": N_("rolled back"),
}


def run_json(r: RunRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "command": r.command,
        "boards": list(r.boards),
        "started_at": r.started_at.isoformat(),
        "finished_at": r.finished_at.isoformat() if r.finished_at else None,
        "outcome": r.outcome.value,
        "counts": r.counts,
        "message": r.message,
    }


def run_runs(out: Output, *, config: Path | None, json_out: bool, limit: int, show_all: bool = False) -> None:
    settings = settings_for(config)
    store = open_store(settings)
    try:
        with suppress(StateError):  # a database this user may only read is still listed, as it stands
            store.mark_interrupted(now_utc(), owner_gone)
        records, hidden = listed_runs(store, limit, show_all)
    finally:
        store.close()
    if json_out:
        out.json({"runs": [run_json(r) for r in records], "hidden": hidden})
        return
    note = (
        _("{runs} that changed nothing not shown (moteur runs --all lists them)").format(
            runs=plural(hidden, "run", "runs")
        )
        if hidden
        else ""
    )
    if not records:
        out.out.print(_("No runs yet.") if not hidden else _("No run changed anything yet."))
        if note:
            out.out.print(plain(note, style="dim"))
        return
    table = Table(title=_("Runs"), title_justify="left")
    for col in (_("id"), _("command"), _("started"), _("ended"), _("boards"), _("changes"), _("outcome")):
        table.add_column(col)
    for r in records:
        counts = ", ".join(f"{_(COUNT_WORDS.get(k, k))} {v}" for k, v in r.counts.items() if v)
        table.add_row(
            str(r.id),
            plain(r.command),
            f"{r.started_at:%Y-%m-%d %H:%M:%S}",
            f"{r.finished_at:%H:%M:%S}" if r.finished_at else _(NONE),
            plain("\n".join(r.boards)),
            counts or _(NONE),
            _(OUTCOME_WORDS.get(r.outcome.value, r.outcome.value)),
        )
    out.out.print(table)
    if note:
        out.out.print(Text(note, style="dim"))


__all__ = ["is_no_op", "listed_runs", "run_rollback", "run_runs"]
