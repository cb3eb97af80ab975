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
    """Yield ``advance(n)``; a bar with ETA when ``total`` is known, a spinner otherwise."""
    columns = (
        [SpinnerColumn(), TextColumn("{task.description}")]
        if total is None
        else [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    )
    with Progress(*columns, console=console, disable=not enabled, transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)
