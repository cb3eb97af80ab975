"""Where the tests' temporary files go: memory (``/dev/shm``) when the machine has room there.

Hundreds of tests open a state database (SQLite) under ``tmp_path``, and each commit waits for the disk to say
the data is safe (fsync). On a 2-core machine with a virtual disk that waiting was about a fifth of the time
of the tests that use a database (``docs/testing.md``); a tmpfs answers at once. Nothing else changes: pytest
still numbers its runs there and keeps the last three (``pytest-of-<user>/pytest-N``), and a database on a
tmpfs behaves as on a disk except for durability, which no test measures.

Memory is used only when ``/dev/shm`` is a directory this user may write, on a file system that lets
programs run (the wheel test runs a virtual environment from ``tmp_path``), with ``NEEDED_BYTES`` free (a
container's is often 64 MB). ``PYTEST_DEBUG_TEMPROOT`` (pytest's own setting) set by the caller wins.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

MEMORY = Path("/dev/shm")
NEEDED_BYTES = 2 * 1024**3


def memory_root() -> Path | None:
    """``/dev/shm`` when the tests' temporary files may live there (see the module docstring), else None."""
    try:
        usable = MEMORY.is_dir() and os.access(MEMORY, os.W_OK | os.X_OK)
        runs_programs = usable and not os.statvfs(MEMORY).f_flag & os.ST_NOEXEC
        return MEMORY if runs_programs and shutil.disk_usage(MEMORY).free >= NEEDED_BYTES else None
    except OSError:
        return None
