"""Seeds of the monday.com emulator: ``empty``, ``demo`` and ``bulk:N``.

- ``empty``: the account's user (the token's owner), the demo members as users, one workspace "Marketing".
- ``demo``: plus the board "Plan marketing (démo)" holding :data:`moteur.sandbox.demo_data.DEMO_ACTIONS`:
  one group per bucket, numbers columns Impact / Effort / Confidence, status "Statut" (à faire / en cours /
  fait), date "Échéance", people "Responsable", text "Objectif" and "Canal", dropdown "Tags", long text
  "Description". Scores are held where a monday team holds them: numbers columns.
- ``bulk:N``: the same structure on a board "Plan marketing (bulk N)" with ``bulk_actions(N)``.

Timestamps come from the emulator's wall clock at seed time; ids from the store's counters (deterministic).
"""

from __future__ import annotations

from typing import Any

from moteur.sandbox.monday import columns
from moteur.sandbox.monday.store import Board, Column, MondayStore

STATUS_LABELS = {"0": "en cours", "1": "fait", "2": "à faire", "5": ""}
STATUS_OF = {"todo": "à faire", "doing": "en cours", "done": "fait"}
OWNER = ("Alex Sandbox", "owner@example.com")

# (column id, title, type): fixed ids, like columns a team made long ago (title-based ids, as in 2024).
DEMO_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("statut", "Statut", "status"),
    ("impact", "Impact", "numbers"),
    ("effort", "Effort", "numbers"),
    ("confidence", "Confidence", "numbers"),
    ("echeance", "Échéance", "date"),
    ("responsable", "Responsable", "people"),
    ("objectif", "Objectif", "text"),
    ("canal", "Canal", "text"),
    ("tags", "Tags", "dropdown"),
    ("description", "Description", "long_text"),
)


def seed_empty(store: MondayStore, now: float) -> None:
    from moteur.sandbox.demo_data import DEMO_MEMBERS

    store.add_user(*OWNER, now)
    for member in DEMO_MEMBERS:
        store.add_user(member.full_name, member.email, now)
    store.add_workspace("Marketing", now, "Espace de l'équipe marketing")


def seed_board(store: MondayStore, now: float, name: str, actions: list[Any]) -> Board:
    """A marketing board holding ``actions`` (DemoAction-like objects)."""
    from moteur.sandbox.demo_data import BUCKETS

    workspace_id = next(iter(store.workspaces))
    board = store.add_board(name, "public", workspace_id, now, "Actions marketing notées Impact / Effort")
    board.subscriber_ids = list(store.users)  # the team works on it: every seeded person is a member
    for column_id, title, kind in DEMO_COLUMNS:
        defaults = {"labels": STATUS_LABELS} if kind == "status" else None
        board.columns.append(Column(column_id, title, kind, columns.default_settings(kind, defaults)))
    groups = {bucket: store.add_group(board, bucket) for bucket in BUCKETS}
    owner_id = store.me_id or ""
    for action in actions:
        group = groups.get(action.bucket) or store.add_group(board, action.bucket)
        groups[action.bucket] = group
        item = store.add_item(board, action.title, group, owner_id, now)
        raw: dict[str, Any] = {
            "statut": {"label": STATUS_OF.get(action.status, "à faire")},
            "impact": None if action.impact is None else str(action.impact),
            "effort": None if action.effort is None else str(action.effort),
            "confidence": None if action.confidence is None else str(action.confidence),
            "echeance": {"date": action.due} if action.due else None,
            "objectif": action.objective,
            "canal": action.channel,
            "tags": {"labels": list(action.tags)} if action.tags else None,
            "description": {"text": action.description} if action.description else None,
        }
        assignee = store.user_by_email(action.assignee) if action.assignee else None
        if assignee is not None:
            raw["responsable"] = {"personsAndTeams": [{"id": int(assignee.id), "kind": "person"}]}
        for column_id, value in raw.items():
            stored = columns.write_value(
                board.column(column_id), value, simple=False, create_labels=True, store=store, now=now
            )
            if stored is not None:
                item.values[column_id] = stored
    return board


def seed(store: MondayStore, kind: str, n: int | None, now: float) -> list[str]:
    """Fill an empty store; answer the board refs (``monday:<id>``) made."""
    from moteur.sandbox.demo_data import DEMO_ACTIONS, bulk_actions

    seed_empty(store, now)
    if kind == "empty":
        return []
    if kind == "demo":
        board = seed_board(store, now, "Plan marketing (démo)", list(DEMO_ACTIONS))
    elif kind == "bulk":
        count = 100 if n is None else n
        board = seed_board(store, now, f"Plan marketing (bulk {count})", list(bulk_actions(count)))
    else:
        raise ValueError(f"unknown seed {kind!r}")
    return [f"monday:{board.id}"]
