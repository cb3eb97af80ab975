"""The CPU and memory scenario: ``moteur plan --json`` on a CSV of N actions, in a child
process, timed from the parent. Its peak memory is the child's own high-water mark of resident memory
(``VmHWM`` in ``/proc/self/status``, read by the child as it exits): not ``os.wait4``'s ``ru_maxrss``, which
Linux carries across ``exec`` and so counts the parent's pages the child shared between fork and exec (a test
worker of 300 MB made a 79 MB run read 319 MB). Where ``/proc`` is missing, ``ru_maxrss`` is the fallback.
The targets: 100,000 actions under 5 s and 500 MB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_S, TARGET_MB = 5.0, 500

# The child: moteur's CLI, then, at exit, its VmHWM (kilobytes) written to the file named first.
_CHILD = """
import atexit, sys
from pathlib import Path
peak_file = Path(sys.argv.pop(1))
def _peak():
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak_file.write_text(line.split()[1])
atexit.register(_peak)
from moteur.cli import main
sys.exit(main(sys.argv[1:]))
"""


def write_plan_csv(path: Path, items: int) -> None:
    """N scored actions, deterministic, in the French column names the file connector reads."""
    with path.open("w", encoding="utf-8") as f:
        f.write("id;titre;impact;effort;confiance;objectif;statut\n")
        for i in range(items):
            f.write(f"a{i};Action {i};{i % 10 + 1};{(i * 7) % 10 + 1};{(i * 3) % 10 + 1};leads;à faire\n")


def run_plan(items: int) -> dict[str, Any]:
    """One row: ``wall_s`` (the whole command, interpreter start included), ``cpu_s`` (its user + system
    time: on a machine busy with other work, the part of ``wall_s`` that is the command's own) and
    ``peak_mb``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        write_plan_csv(path, items)
        peak_file = Path(tmp) / "peak_kb"
        command = [
            sys.executable,
            "-c",
            _CHILD,
            str(peak_file),
            "plan",
            f"file:{path}",
            "--today",
            "2026-12-01",
            "--json",
        ]
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
        if child.stderr:
            child.stderr.close()
        peak_kb = int(peak_file.read_text()) if peak_file.exists() else usage.ru_maxrss  # Linux: kilobytes
    if child.returncode != 0:
        raise RuntimeError(f"moteur plan failed ({child.returncode}): {stderr[-500:]}")
    peak_mb = round(peak_kb / 1024)
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "scenario": "plan",
        "tool": "file",
        "items": items,
        "requests": 0,
        "minimum_requests": 0,
        "ratio": None,
        "writes": 0,
        "minimum_writes": 0,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "floor_s": 0.0,
        "status_429": 0,
        "peak_mb": peak_mb,
        "within_target": wall < TARGET_S and peak_mb < TARGET_MB,
    }
