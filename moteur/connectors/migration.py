"""What a connector offers a migration (``moteur migrate SRC DST``), on top of the sync ``Connector``.

A *migration port* reads a board in full (checklists and comments included, with their ids; the role-less
custom fields with kinds in ``Snapshot.custom_fields`` and canonical values in ``Action.extra``), creates
a board, and applies migration ops (``core/ops.py``: EnsureBucket, EnsureField, CreateItem, UpdateItem,
CreateSubitem, UpdateSubitem, AddComment).
*Capabilities* say what a target can hold, so the plan can report losses before anything is written.

Contract of ``apply_migration``:
- ops are applied in the order given; one ``OpResult`` per op, in order (``created`` set for creates);
- ``targets`` maps source keys (items and children) to target refs already on the board; the port resolves
  ``CreateSubitem.parent_key`` / ``AddComment.item_key`` / ``UpdateItem.target`` through it and adds what it
  creates;
- right after each successful create, ``on_created(source key, target ref)`` is called (the caller commits the
  link at once: a crash never forgets a created item);
- a create that fails ambiguously (``AmbiguousWrite``: timeout or connection cut after sending) is never
  blindly retried: the port looks the item up by its identity footer (``core/identity.py``) — or a child by
  its title/text under its parent — and only creates it if it is not there;
- every created item's description ends with the identity footer of its source key;
- ``EnsureField`` creates a custom field of that kind (or reuses the same-named one, names compared
  case-insensitively) and adds the options it lacks; ``fields["custom"]`` of a create or update then sets
  values by field name (None clears).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from moteur.core.model import BoardRef, FieldKind, ItemRef, Snapshot, Tool
from moteur.core.ops import MigrationOp, OpResult


@dataclass(frozen=True)
class Capabilities:
    """What a board of this tool can hold; each False field is a loss when the source has it."""

    tool: Tool
    subitems: bool = True  # checklists / subtasks / subitems, with their done state
    comments: bool = True
    due_date_only: bool = True  # a due date without a time of day
    due_datetime: bool = True  # a due date with a time of day
    assignees: bool = True
    multi_assignee: bool = True
    tags: bool = True
    scores: bool = True  # impact / effort / confidence as numbers
    objective_channel: bool = True
    moteur_fields: bool = True  # quadrant / sprint / ICE
    # A "doing" state of its own. Without one (Trello, Asana) an open item's status is read from its list or
    # section name, which the migration carries anyway: todo and doing are then the same thing to write.
    doing_status: bool = True
    description_limit: int | None = None  # characters a description holds, identity footer included
    custom_fields: frozenset[FieldKind] = frozenset()  # the kinds of custom field it can create and hold
    typeless_fields: bool = False  # a field holds any value as written (a file's column): no kind clash
    # The e-mails (lower case) of the people the target can assign; None when the port cannot tell (the plan
    # then reports no unknown assignee before the run).
    emails: frozenset[str] | None = None
    notes: tuple[str, ...] = ()  # caveats shown in the loss report (e.g. "comments are posted as you")
    # The options a new single-choice field may have (None: no limit), and what a wider one is created as
    # instead (None: it cannot be; the plan then reports it as not carried). monday: 40 status labels.
    choice_options_limit: int | None = None
    wide_choice: str | None = None


class MigrationPort(Protocol):
    tool: Tool

    def capabilities(self, board: BoardRef | None = None, *, workspace: str | None = None) -> Capabilities:
        """What ``board`` can hold; ``board`` None: a board this port would create in ``workspace``."""
        ...

    def read_full(self, board: BoardRef, *, include_archived: bool = False) -> Snapshot: ...

    def create_board(self, name: str, workspace: str | None = None) -> BoardRef: ...

    def apply_migration(
        self,
        snapshot: Snapshot,
        ops: Sequence[MigrationOp],
        targets: MutableMapping[str, ItemRef],
        *,
        on_created: Callable[[str, ItemRef], None],
        progress: Callable[[int], None] | None = None,
    ) -> list[OpResult]: ...
