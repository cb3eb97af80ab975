"""Progress bars for long reads and writes: on stderr, off with ``--quiet``, ``--json`` or when not a TTY."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeRemainingColumn,
)


@contextmanager
def progress_bar(
    console: Console, total: int | None, description: str, *, enabled: bool
) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; a bar with ETA when ``total`` is known, a spinner otherwise.

    The description names a board (``reading file:[x].csv``): shown as text, never parsed as markup (the
    column renders it itself, past the console's own guard).
    """
    columns = (
        [SpinnerColumn(), TextColumn("{task.description}", markup=False)]
        if total is None
        else [
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        ]
    )
    with Progress(*columns, console=console, disable=not enabled, transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)
