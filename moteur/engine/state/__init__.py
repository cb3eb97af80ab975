"""The state store: items, links, cursors, runs, journal and board locks in one versioned SQL database.

``StateStore(url)`` opens (creating or upgrading) the database; ``default_state_url()`` says where it lives
when the user did not choose. The parts: ``schema`` (tables), ``connection`` (engine, SQLite transactions,
open failures), ``upgrades`` (schema versions), ``lock`` (board leases), ``records`` (database rows → the
plain records of ``core/records.py``), ``journal`` (the write-ahead journal's reads and writes), ``store``
(the API).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from moteur.core.records import ItemState, JournalEntry, OpStatus, RunOutcome, RunRecord
from moteur.engine.state.lock import BoardLock
from moteur.engine.state.schema import SCHEMA_VERSION
from moteur.engine.state.store import StateStore


def default_state_url(env: Mapping[str, str] | None = None) -> str:
    """``$MOTEUR_STATE_URL``, else a SQLite file under the user's state directory (created if missing).

    The directory is ``$XDG_STATE_HOME/moteur`` when that variable holds an absolute path (the XDG spec says
    to ignore a relative one), else ``~/.local/state/moteur``. ``env`` defaults to the process environment;
    pass a mapping to keep the call pure in tests.
    """
    env = os.environ if env is None else env
    if url := env.get("MOTEUR_STATE_URL", "").strip():
        return url
    xdg = env.get("XDG_STATE_HOME", "")
    if xdg and Path(xdg).is_absolute():
        base = Path(xdg)
    else:
        home = Path(env["HOME"]) if env.get("HOME") else Path.home()
        base = home / ".local" / "state"
    directory = base / "moteur"
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'state.db'}"


__all__ = [
    "SCHEMA_VERSION",
    "BoardLock",
    "ItemState",
    "JournalEntry",
    "OpStatus",
    "RunOutcome",
    "RunRecord",
    "StateStore",
    "default_state_url",
]
