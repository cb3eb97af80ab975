"""What a connector offers a migration (``moteur migrate SRC DST``): the migration methods of ``Connector``.

A connector that can migrate reads a board in full (checklists and comments
included, with their ids; the role-less custom fields with kinds in ``Snapshot.custom_fields`` and canonical
values in ``Action.extra``), creates a board, and applies migration ops (``core/ops.py``: EnsureBucket,
EnsureField, CreateItem, UpdateItem, CreateSubitem, UpdateSubitem, AddComment).
*Capabilities* say what a target can hold, so the plan can report losses before anything is written.

Contract of ``apply_migration``:
- ops are applied in the order given; one ``OpResult`` per op, in order (``created`` set for creates);
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
  values by field name (None clears).
"""

from __future__ import annotations

from moteur.core.ports import Capabilities

__all__ = ["Capabilities"]
