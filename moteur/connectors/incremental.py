"""Incremental reads: what a connector offers so a cron run reads only what changed since the last run.

Terms defined here:

- *Cursor*: an opaque text a connector hands back after each read and takes again on the next one: the
  newest Trello board action id, an Asana events sync token, monday's newest ``updated_at``. Where it comes
  from is the connector's business; the caller only stores it (``StateStore.save_read``/``finish_run``).
- *Cached snapshot*: the board as the previous run read it (``board_cache`` in the state database).
  Planning needs every action of a board, so an incremental read returns the cached snapshot with the
  changed items replaced, the new ones added and the deleted ones removed: a *full* snapshot, built cheaply.
- *ChangeSet*: that updated snapshot, the next cursor, and the requests the incremental read took.
- *Refused cursor*: one the tool no longer honours (Asana's 412 on an expired sync token, a deletion monday
  cannot name, Trello actions past one page, a renamed list or field), or one whose changes would cost more
  requests to re-read than a full read (just after a sync that wrote most items): ``read_changes`` answers
  ``None`` and the caller reads in full.
- *Own writes*: the items moteur itself wrote on the board since its cursor was taken (the journal of the
  runs since). Each is in the change feed at least once, so they put a floor under what reading the feed
  costs; ``feed_worth_reading`` compares that floor with a full read *before* paging through the feed.

A connector that offers incremental reads says so (``describe().incremental``) and overrides three methods
of ``core.ports.Connector``: ``cursor_of(board)`` — the cursor to keep, taken *before* a full read so that
nothing written during the read is missed —, ``read_changes(board, cached, cursor)`` and
``feed_worth_reading(items, written)``. Its ``merge`` and ``board_kept`` (one shared default, told by the
marks of its ``native_model`` which native fields are the items' rather than the board's, ``core/native.py``)
build and check the updated snapshot.
"""

from __future__ import annotations

from moteur.core.ports import ChangeSet

__all__ = ["ChangeSet"]
