"""Database rows → the plain records of ``core/records.py``, and the id an INSERT gave a row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Row

from moteur.core.records import JournalEntry, OpStatus, RunOutcome, RunRecord


def run_record(r: Row[Any]) -> RunRecord:
    return RunRecord(
        id=r.id,
        command=r.command,
        boards=tuple(r.boards),
        dry_run=bool(r.dry_run),
        started_at=r.started_at,
        finished_at=r.finished_at,
        outcome=RunOutcome(r.outcome),
        counts=dict(r.counts),
        message=r.message,
    )


def journal_entry(r: Row[Any]) -> JournalEntry:
    return JournalEntry(
        id=r.id,
        run_id=r.run_id,
        seq=r.seq,
        board=r.board,
        item_key=r.item_key,
        item_title=r.item_title,
        kind=r.kind,
        field=r.field,
        before=r.before,
        after=r.after,
        status=OpStatus(r.status),
        error=r.error,
        at=r.at,
    )


def new_id(result: CursorResult[Any]) -> int:
    """The id the database gave the row an INSERT just added."""
    key = result.inserted_primary_key
    if key is None:  # only for executemany, which no caller uses for runs or the journal
        raise RuntimeError("the database returned no id for an inserted row")
    return int(key[0])
