"""Where a command writes: results on stdout, progress and diagnostics on stderr.

Every message (``info``, ``warn``, ``error``, the log) is scrubbed of secrets and cleaned of control
characters here, and printed as ``Text``, never as markup: messages quote titles, paths and what services
answered (see ``moteur.views.terminal``). ``cli`` makes one per command and hands it down.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
from collections.abc import Iterator
from typing import Any

from rich.text import Text

from moteur.core.errors import MoteurError, StateError, UsageError
from moteur.i18n import _, tr
from moteur.redaction import scrub
from moteur.views.terminal import SafeConsole, clean_text, json_safe, plain


def console(*, stderr: bool = False, **options: Any) -> SafeConsole:
    """A console that honours ``NO_COLOR`` and never highlights (numbers in a title are not special)."""
    return SafeConsole(stderr=stderr, no_color=bool(os.environ.get("NO_COLOR")), highlight=False, **options)


def print_error(exc: MoteurError, err: SafeConsole | None = None) -> None:
    """``error: MESSAGE`` and, when there is one, ``  → HINT`` on stderr."""
    err = err or console(stderr=True, soft_wrap=True)
    err.print(Text.assemble((_("error:"), "bold red"), " ", plain(scrub(tr(exc.message)))))
    if exc.hint:
        err.print(plain(f"  → {scrub(tr(exc.hint))}"))


# A file moteur was told to use (a state directory, a --chart path) that cannot be: the user's to fix (2).
_PATH_ERRNOS = frozenset(
    {errno.EACCES, errno.EPERM, errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EROFS, errno.EEXIST}
    | {errno.ELOOP, errno.ENAMETOOLONG}
)


def documented(exc: Exception) -> MoteurError | None:
    """A library's exception that is a known failure, not a bug, as the error moteur shows for it."""
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")  # not imported: the error cannot be one of its
    if sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.DBAPIError):
        # str(exc) holds the SQL and its parameters (item titles, ids): only the database's reason is shown.
        text = str(exc.orig).strip()
        reason = text.splitlines()[0] if text else type(exc.orig).__name__
        return StateError(
            f"the state database cannot be used: {reason}",
            hint="check that this user may write the database file and its directory, "
            "or point MOTEUR_STATE_URL elsewhere",
        )
    if isinstance(exc, OSError) and exc.filename is not None:
        reason = exc.strerror or type(exc).__name__
        if exc.errno in _PATH_ERRNOS:
            hint = "check that the path exists and that this user may read and write it"
            return UsageError(f"{exc.filename}: {reason}", hint=hint)
        return MoteurError(f"{exc.filename}: {reason}")
    return None


class _CleanFormatter(logging.Formatter):
    """Log lines as shown on stderr: scrubbed (a last chance for a secret), controls made visible."""

    def format(self, record: logging.LogRecord) -> str:
        return clean_text(scrub(super().format(record)))


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_CleanFormatter(logging.BASIC_FORMAT))
    # Like basicConfig before: nothing happens when the root logger already has handlers (pytest's).
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler])


class Output:
    """Where a command writes: results on stdout, progress and diagnostics on stderr."""

    def __init__(self, *, verbose: bool = False, quiet: bool = False, json_mode: bool = False) -> None:
        self.out = console(soft_wrap=False)
        if not self.out.is_terminal:
            # Piped or captured output: wide enough for the sprint table, the same on every machine.
            self.out = console(soft_wrap=False, width=120)
        self.err = console(stderr=True, soft_wrap=True)
        self.verbose = verbose
        self.quiet = quiet
        self.json_mode = json_mode
        _configure_logging(verbose)

    @property
    def show_progress(self) -> bool:
        return not self.quiet and not self.json_mode and self.err.is_terminal

    def info(self, text: str) -> None:
        if not self.quiet:
            self.err.print(plain(scrub(tr(text))))

    def warn(self, text: str) -> None:
        self.err.print(Text.assemble((_("warning:"), "yellow"), " ", plain(scrub(tr(text)))))

    def error(self, exc: MoteurError) -> None:
        print_error(exc, self.err)

    def json(self, payload: Any) -> None:
        """Print JSON on stdout: indented at a terminal, compact (~10× faster to encode) in a pipe.

        A top-level value that is an iterator is streamed as an array, one element at a time, so that
        100,000 actions never sit in memory twice (as dicts and as one big string).
        """
        indent = 2 if sys.stdout.isatty() else None
        write = sys.stdout.write
        if not isinstance(payload, dict) or not any(isinstance(v, Iterator) for v in payload.values()):
            write(json_safe(json.dumps(payload, ensure_ascii=False, indent=indent)) + "\n")
            return
        write("{")
        for n, (key, value) in enumerate(payload.items()):
            write(("," if n else "") + json.dumps(key) + ":")
            if isinstance(value, Iterator):
                write("[")
                for m, element in enumerate(value):
                    write(("," if m else "") + json_safe(json.dumps(element, ensure_ascii=False)))
                write("]")
            else:
                write(json_safe(json.dumps(value, ensure_ascii=False, indent=indent)))
        write("}\n")
