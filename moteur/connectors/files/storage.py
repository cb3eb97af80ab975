"""Reading a board file within bounds, and replacing it so that a crash never leaves half a file.

*Size*: a board file is read only up to ``MAX_BYTES`` (50 MB). A CSV of 100,000 actions is about 8 MB; a
JSON or YAML parser holds 10 to 50 times the file in memory, so a bigger file is far more likely a mistake
(or a hostile file) than a plan, and it is refused with one line before anything is parsed.

*Nesting*: a plan needs a few levels (the list, an action, its checklist, an entry); a JSON or YAML file
nested deeper than ``MAX_DEPTH`` is refused (``documents``), and ``nesting_guard`` turns Python's
``RecursionError`` — JSON nested thousands deep — into the same one-line usage error.

*Writing*: ``replace_atomically`` writes a temporary file in the same directory, fsyncs it and renames it
over the file (``os.replace``): a crash leaves the old file or the new one. The new file gets the old one's
permission bits, and its owner and group where the system lets us. A file with more than one hard link is
the exception: a rename would leave the other names on the old content, silently. Such a file is written
in place instead (what editors such as vim do), after the new content has been written and fsynced to a
copy beside it (``.<name>.<random>.tmp``), which is removed once the file is complete: should a crash
interrupt the in-place write, that copy holds the whole new file.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from moteur.core.errors import NotFound, UsageError

MAX_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 64


def read_board(path: Path) -> bytes:
    """The bytes of a board file, refusing one over ``MAX_BYTES`` without reading it all."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
            size = os.fstat(stream.fileno()).st_size
    except FileNotFoundError as exc:
        raise NotFound(f"board file {path} does not exist") from exc
    except OSError as exc:
        raise UsageError(f"board file {path} cannot be read: {exc.strerror}") from exc
    if len(raw) > MAX_BYTES:
        shown = max(size, len(raw)) / 1024 / 1024
        raise UsageError(
            f"{path} is {shown:.0f} MB; moteur reads board files up to {MAX_BYTES // 1024 // 1024} MB "
            "(split the plan into several files)"
        )
    return raw


def decode(raw: bytes, source: str) -> tuple[str, bool]:
    """The file's text and whether it starts with a UTF-8 BOM."""
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[len(codecs.BOM_UTF8) :] if bom else raw
    try:
        return body.decode("utf-8"), bom
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise UsageError(
            f"{source} is not UTF-8 (byte 0x{body[exc.start]:02X} on line {line}); save it as UTF-8",
            hint='Excel: "CSV UTF-8"; LibreOffice: character set "Unicode (UTF-8)"',
        ) from exc


def too_deep(source: str) -> UsageError:
    return UsageError(
        f"{source}: nested more than {MAX_DEPTH} levels deep; a plan needs a few "
        "(the list, an action, its checklist, an entry)"
    )


@contextlib.contextmanager
def nesting_guard(source: str) -> Iterator[None]:
    """Turn a ``RecursionError`` met while reading or writing ``source`` into a usage error."""
    try:
        yield
    except RecursionError as exc:
        raise too_deep(source) from exc


def _temporary_copy(target: Path, data: bytes, original: os.stat_result) -> str:
    """A fsynced file beside ``target`` holding ``data``, with the original's mode (owner when allowed)."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(original.st_mode))
        if (original.st_uid, original.st_gid) != (os.getuid(), os.getgid()):
            # Keeps a shared file's group (and, for root, its owner); an ordinary user may not, and then
            # the file simply becomes theirs, as any editor's save would make it.
            with contextlib.suppress(OSError):
                os.chown(temporary, original.st_uid, original.st_gid)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return temporary


def _sync_directory(directory: Path) -> None:
    # A rename is durable only once its directory is synced; not every platform allows it.
    with contextlib.suppress(OSError):
        handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _write_in_place(target: Path, data: bytes, copy: str) -> None:
    try:
        handle = os.open(target, os.O_WRONLY)
    except OSError:
        os.unlink(copy)  # nothing was touched: the copy is not needed
        raise
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
        os.ftruncate(handle, len(data))
        os.fsync(handle)
    except OSError as exc:
        raise UsageError(
            f"writing {target} in place failed ({exc.strerror}); its new content is complete in {copy}"
        ) from exc
    finally:
        os.close(handle)
    os.unlink(copy)


def replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as the module docstring says: atomic rename, or in place for a file
    with several hard links; mode (and owner where allowed) kept either way."""
    target = path.resolve()  # through a symlink, replace the file it points to, not the link
    original = target.stat()
    temporary = _temporary_copy(target, data, original)
    if original.st_nlink > 1:
        _write_in_place(target, data, temporary)
        return
    try:
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)
