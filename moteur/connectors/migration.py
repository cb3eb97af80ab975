"""What a connector offers a migration (``moteur migrate SRC DST``): the migration methods of ``Connector``.

A connector that can migrate reads a board in full (checklists and comments
included, with their ids; the role-less custom fields with kinds in ``Snapshot.custom_fields`` and canonical
values in ``Action.extra``), creates a board, and applies migration ops (``core/ops.py``: EnsureBucket,
EnsureField, CreateItem, UpdateItem, CreateSubitem, UpdateSubitem, AddComment).
*Capabilities* say what a target can hold, so the plan can report losses before anything is written; they
come from the target's full read (``capabilities(target)``), never from an earlier call.

Contract of ``apply_migration`` (kept for every tool by the one apply loop, ``connectors/migration_loop.py``):
- ops are applied in the order given; one ``OpResult`` per op, in order (``created`` set for what this call
  created; a creation whose key ``targets`` holds already is skipped: ok, nothing sent);
- ``targets`` maps source keys (items and children) to target refs already on the board; the connector
  resolves ``CreateSubitem.parent_key`` / ``AddComment.item_key`` / ``UpdateItem.target`` through it and adds
  what it creates;
- right after each successful create, ``on_created(source key, target ref)`` is called (the caller commits the
  link at once: a crash never forgets a created item);
- a create that fails ambiguously (``AmbiguousWrite``: timeout or connection cut after sending) is never
  blindly retried: the connector looks the item up by its identity footer (``core/identity.py``) — or a child
  by its title/text under its parent — and only creates it if it is not there;
- every created item's description ends with the identity footer of its source key;
- ``EnsureField`` creates a custom field of that kind (or reuses the same-named one, names compared
  case-insensitively) and adds the options it lacks; ``fields["custom"]`` of a create or update then sets
  values by field name (None clears);
- an archived item's done state (``fields["archived_done"]``, ``core.ops.is_done``) is written apart from its
  archive and read back into ``Action.archived_done``; where ``Capabilities.closed_buckets``,
  ``EnsureBucket.closed`` closes (or reopens) the bucket and ``read_full`` says so in ``Bucket.closed``.
"""

from __future__ import annotations

from moteur.core.ports import Capabilities

__all__ = ["Capabilities"]
