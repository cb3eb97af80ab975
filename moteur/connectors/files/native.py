"""What the file connector keeps in ``Snapshot.native`` (``core/native.py``): how the file is written, so that
moteur writes its cells back in the same form.
"""

from __future__ import annotations

from moteur.core.native import NativeState


class FileNative(NativeState):
    format: str  # csv, json, yaml, trello-export
    delimiter: str | None = None  # a CSV file's
    bom: bool | None = None  # a CSV file's: it starts with a byte order mark
    columns: tuple[str, ...] = ()  # the header, in the file's order
    # Why moteur only reads this file (a Trello export: sync the board itself); None: it may write it.
    read_only: str | None = None
