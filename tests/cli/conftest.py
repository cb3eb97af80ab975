"""CLI tests run ``moteur.cli.main`` in a fresh directory with a private state database
(``tests/cli_run.py``).

``run`` calls ``main`` in this process; ``run_process`` starts the real ``moteur`` as a child process, for
what must be one: a server (``sandbox serve``), a run under other privileges or a memory limit.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from cli_run import Result, isolated, run

__all__ = ["Result", "run", "run_process", "workdir"]  # ``run`` is a fixture of ``cli_run``

PLAN_CSV = """id;titre;impact;effort;confiance;objectif;canal;échéance;statut;notes
a1;Webinar SEO;8;3;7;leads;webinar;2026-12-18;à faire;garder "ceci"
a2;Refonte du site;9;9;6;leads;SEO;;à faire;
a3;Post LinkedIn;4;2;;notoriété;social;;à faire;
a4;Salon professionnel;3;9;5;notoriété;événements;;à faire;
a5;Livre blanc;;5;;leads;contenu;;à faire;
a6;Newsletter de rentrée;7;2;8;;e-mail;;fait;
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    isolated(tmp_path, monkeypatch)
    (tmp_path / "plan.csv").write_text(PLAN_CSV, encoding="utf-8")
    yield tmp_path


def _run_process(
    *args: str,
    prefix: Sequence[str] = (),
    env: dict[str, str] | None = None,
    timeout: float = 60,
    memory_mb: int | None = None,
) -> Result:
    """``moteur ARGS`` as a child process (after ``prefix``, e.g. a privilege-dropping wrapper).

    ``memory_mb`` caps the child's address space: a regression that seeds a huge sandbox then fails with
    MemoryError instead of filling the machine's memory.
    """

    def limit() -> None:
        if memory_mb is not None:
            size = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size, size))

    done = subprocess.run(
        [*prefix, sys.executable, "-m", "moteur.cli", *args],
        env=dict(os.environ) if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def run_process() -> Callable[..., Result]:
    return _run_process
