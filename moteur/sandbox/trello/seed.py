"""Trello seed content, built from the shared demo data.

- ``demo``: board "Plan marketing (démo)" (lists from the demo buckets, number custom fields Impact / Effort /
  Confidence holding the scores, Custom Fields power-up on) and board "Content calendar" (a dozen cards scored
  with labels such as ``Impact: 8`` / ``Effort: 3``, power-up off).
- ``bulk:N``: one board of N scored cards (custom fields). ``empty``: the sandbox member and nothing else.
"""

from __future__ import annotations

from moteur.sandbox.demo_data import BUCKETS, DEMO_ACTIONS, DEMO_MEMBERS, DemoAction, bulk_actions
from moteur.sandbox.trello.plugins import CUSTOM_FIELDS_PLUGIN, add_plugin
from moteur.sandbox.trello.store import TrelloStore
from moteur.sandbox.trello.writes import record_created_card

TAG_COLORS = ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black")
CONTENT_CALENDAR_SIZE = 12


def seed_members(store: TrelloStore) -> dict[str, str]:
    """The sandbox user (the token's owner) plus the demo people; returns e-mail → member id."""
    store.me = store.add_member("Sandbox User", "sandboxuser", "sandbox.user@example.com")["id"]
    return {m.email: store.add_member(m.full_name, m.username, m.email)["id"] for m in DEMO_MEMBERS}


def _due(action: DemoAction) -> str | None:
    return f"{action.due}T16:00:00.000Z" if action.due else None


def _board_with_fields(
    store: TrelloStore, name: str, actions: list[DemoAction], people: dict[str, str]
) -> str:
    board = store.add_board(
        name, "Actions marketing, scores Impact / Effort / Confidence en champs personnalisés."
    )
    board_id = board["id"]
    add_plugin(store, board_id, CUSTOM_FIELDS_PLUGIN)  # custom fields need the Custom Fields Power-Up
    store.board_members[board_id].extend(people.values())
    lists = {bucket: store.add_list(board_id, bucket)["id"] for bucket in BUCKETS}
    fields = {
        n: store.add_custom_field(board_id, n, "number")["id"] for n in ("Impact", "Effort", "Confidence")
    }
    objective = store.add_custom_field(board_id, "Objective", "list", ["leads", "awareness", "retention"])
    channel = store.add_custom_field(board_id, "Channel", "text")
    tag_labels: dict[str, str] = {}
    for action in actions:
        for tag in action.tags:
            if tag not in tag_labels:
                tag_labels[tag] = store.add_label(
                    board_id, tag, TAG_COLORS[len(tag_labels) % len(TAG_COLORS)]
                )["id"]
        card = store.add_card(lists[action.bucket], action.title, desc=action.description)
        card["due"] = _due(action)
        card["dueComplete"] = action.status == "done" and card["due"] is not None
        card["idLabels"] = [tag_labels[t] for t in action.tags]
        card["idMembers"] = [people[action.assignee]] if action.assignee in people else []
        items = card["customFieldItems"]
        for field_name, score in (
            ("Impact", action.impact),
            ("Effort", action.effort),
            ("Confidence", action.confidence),
        ):
            if score is not None:
                items.append(_item(store, card["id"], fields[field_name], {"value": {"number": str(score)}}))
        if action.objective:
            option = next(o for o in objective["options"] if o["value"]["text"] == action.objective)
            items.append(_item(store, card["id"], objective["id"], {"idValue": option["id"]}))
        if action.channel:
            items.append(_item(store, card["id"], channel["id"], {"value": {"text": action.channel}}))
        record_created_card(store, card)
    return str(board_id)


def _item(store: TrelloStore, card_id: str, field_id: str, value: dict[str, object]) -> dict[str, object]:
    return {
        "id": store.ids.new(),
        "idCustomField": field_id,
        "idModel": card_id,
        "modelType": "card",
        **value,
    }


def _content_calendar(store: TrelloStore, people: dict[str, str]) -> str:
    board_id = store.add_board("Content calendar")["id"]
    store.board_members[board_id].extend(people.values())
    lists = {name: store.add_list(board_id, name)["id"] for name in ("Backlog", "This month", "Published")}
    labels: dict[str, str] = {}

    def label(name: str, color: str | None) -> str:
        if name not in labels:
            labels[name] = store.add_label(board_id, name, color)["id"]
        return labels[name]

    content = [a for a in DEMO_ACTIONS if a.channel in ("content", "SEO", "social", "e-mail")][
        :CONTENT_CALENDAR_SIZE
    ]
    for action in content:
        bucket = {"todo": "Backlog", "doing": "This month", "done": "Published"}[action.status]
        card = store.add_card(lists[bucket], action.title, desc=action.description)
        card["due"] = _due(action)
        ids = [label(f"Channel: {action.channel}", "sky")]
        if action.impact is not None:
            ids.append(label(f"Impact: {action.impact}", "green"))
        if action.effort is not None:
            ids.append(label(f"Effort: {action.effort}", "orange"))
        card["idLabels"] = ids
        record_created_card(store, card)
    return str(board_id)


def seed(store: TrelloStore, kind: str, n: int | None) -> list[str]:
    """Fill an empty store; returns the board refs (``trello:<id>``) the seed made."""
    people = seed_members(store)
    if kind == "empty":
        return []
    if kind == "bulk":
        return [f"trello:{_board_with_fields(store, f'Bulk {n}', bulk_actions(n or 0), people)}"]
    boards = [_board_with_fields(store, "Plan marketing (démo)", list(DEMO_ACTIONS), people)]
    boards.append(_content_calendar(store, people))
    return [f"trello:{b}" for b in boards]
