"""Who holds a board lock, and whether that holder is gone.

A lock's *owner* is ``host:pid@start``: the host name, the process id and the process's start time as the
kernel counts it (Linux: field 22 of ``/proc/<pid>/stat``, clock ticks since boot). The start time is what
tells a live holder from a process that merely got its PID after it died: PIDs are reused (quickly in a
container, whose PIDs start again from 1), and a lock held by "a live PID" would otherwise block the board for
the whole lease. Where ``/proc`` is missing (macOS, Windows) the owner is ``host:pid`` and only the PID is
checked, as before (psutil is not a dependency for this). Owners written by older versions (``host:pid``)
are judged by PID alone too.
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

_OWNER = re.compile(r"^(?P<host>.+):(?P<pid>\d+)(?:@(?P<start>\d+))?$")


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name, or None (no such process, no /proc)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # Field 2, the command name, is in parentheses and may itself hold spaces and ")": split after the last.
    return text.rpartition(")")[2].split()


def process_start(pid: int) -> str | None:
    """When process ``pid`` started (Linux: clock ticks since boot, as text), or None if unknown."""
    fields = _stat(pid)
    # fields[0] is field 3 (the state), so field 22 (starttime) is fields[19].
    return fields[19] if fields is not None and len(fields) > 19 else None


def owner_name() -> str:
    """This process as a lock owner: ``host:pid@start`` (``host:pid`` where the start time is unknown)."""
    pid = os.getpid()
    start = process_start(pid)
    return f"{socket.gethostname()}:{pid}" + (f"@{start}" if start else "")


def owner_gone(owner: str) -> bool:
    """True when a lock holder named ``host:pid[@start]`` is certainly not running any more.

    A run killed with SIGKILL cannot release its lock; without this its board would stay blocked until the
    lease runs out. Gone means: a process of this host whose PID no longer exists, is a zombie, or now
    belongs to a process started at another time than the holder. Holders on other hosts are never judged
    gone: only their lease can free the board.
    """
    found = _OWNER.match(owner)
    if found is None or found["host"] != socket.gethostname():
        return False
    pid, start = int(found["pid"]), found["start"]
    if pid == os.getpid():
        # Our own PID: our lock, unless its holder was an earlier process that had this PID.
        mine = process_start(pid)
        return start is not None and mine is not None and start != mine
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # it exists, run by another user: its start time still tells whether it is the holder
    fields = _stat(pid)
    if fields is None:
        return False  # no /proc: alive as far as we can tell
    if fields[0] == "Z":
        return True  # exited, not yet reaped by its parent: it will never release anything
    now = fields[19] if len(fields) > 19 else None
    return start is not None and now is not None and now != start
