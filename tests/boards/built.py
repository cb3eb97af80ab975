"""A Trello board built like the ones teams bring (as a Trello "Export as JSON" to load into the sandbox):

- lists named as people name them: ``Backlog 📥``, ``En cours…``, ``Done 🎉``, ``Terminé(e)s``, and an
  archived list ``Sprint 19 (archivée)`` still holding a card;
- the team's own sprint labels from before moteur: ``Sprint 2``, ``Sprint 3``, ``Sprint 20``;
- an ``Impact`` list field with the options 1–5, an ``Effort`` number field (1–10) and a ``Confiance`` number
  field whose values top out at 5 (a scale moteur has to guess).
"""

from __future__ import annotations

from typing import Any

BOARD_ID = "6a1000000000000000000001"


def oid(n: int) -> str:
    """A Trello-like id: creation time first (2026-05), then a counter."""
    return f"6a10{n:020x}"


LISTS = {
    "backlog": ("Backlog 📥", False),
    "doing": ("En cours…", False),
    "done": ("Done 🎉", False),
    "finished": ("Terminé(e)s", False),
    "old": ("Sprint 19 (archivée)", True),
}
TEAM_LABELS = ("Sprint 2", "Sprint 3", "Sprint 20")

# title, list, impact option (1–5), effort (1–10), confiance (1–5), team sprint label, card archived
CARDS: tuple[tuple[str, str, int, int, int, str | None, bool], ...] = (
    ("Webinar SEO", "backlog", 5, 2, 4, "Sprint 2", False),
    ("Refonte du site", "backlog", 4, 8, 3, "Sprint 20", False),
    ("Post LinkedIn", "doing", 2, 1, 5, None, False),
    ("Salon professionnel", "backlog", 1, 9, 2, None, False),
    ("Livre blanc", "backlog", 3, 4, 3, "Sprint 3", False),
    ("Podcast", "doing", 4, 3, 4, "Sprint 2", False),
    ("Séquence e-mail", "backlog", 5, 5, 5, None, False),
    ("Newsletter de rentrée", "done", 5, 3, 4, "Sprint 3", False),
    ("Étude de cas", "finished", 4, 2, 1, "Sprint 2", False),
    ("Ancien salon", "old", 2, 5, 2, "Sprint 20", False),
    ("Carte archivée", "backlog", 3, 3, 3, None, True),
    ("Page tarifs", "backlog", 4, 2, 5, None, False),
)


def card_id(title: str) -> str:
    return oid(100 + [c[0] for c in CARDS].index(title))


def built_board() -> dict[str, Any]:
    lists = [
        {"id": oid(10 + i), "name": name, "closed": closed, "idBoard": BOARD_ID, "pos": 1024 * (i + 1)}
        for i, (name, closed) in enumerate(LISTS.values())
    ]
    list_id = {key: lists[i]["id"] for i, key in enumerate(LISTS)}
    labels = [
        {"id": oid(20 + i), "idBoard": BOARD_ID, "name": name, "color": "black"}
        for i, name in enumerate(TEAM_LABELS)
    ]
    label_id = {label["name"]: label["id"] for label in labels}
    impact_options = [
        {"id": oid(40 + n), "idCustomField": oid(30), "value": {"text": str(n)}, "color": "none", "pos": n}
        for n in range(1, 6)
    ]
    fields = [
        {"id": oid(30), "idModel": BOARD_ID, "modelType": "board", "name": "Impact", "type": "list",
         "pos": 1, "options": impact_options, "display": {"cardFront": True}},
        {"id": oid(31), "idModel": BOARD_ID, "modelType": "board", "name": "Effort", "type": "number",
         "pos": 2, "display": {"cardFront": True}},
        {"id": oid(32), "idModel": BOARD_ID, "modelType": "board", "name": "Confiance", "type": "number",
         "pos": 3, "display": {"cardFront": True}},
    ]  # fmt: skip
    cards = []
    for title, where, impact, effort, confidence, label, closed in CARDS:
        cid = card_id(title)
        cards.append(
            {
                "id": cid,
                "name": title,
                "desc": "",
                "idList": list_id[where],
                "idBoard": BOARD_ID,
                "closed": closed,
                "dueComplete": False,
                "due": None,
                "idLabels": [label_id[label]] if label else [],
                "idMembers": [],
                "customFieldItems": [
                    {
                        "id": oid(500 + len(cards) * 3),
                        "idCustomField": oid(30),
                        "idModel": cid,
                        "modelType": "card",
                        "idValue": oid(40 + impact),
                    },
                    {
                        "id": oid(501 + len(cards) * 3),
                        "idCustomField": oid(31),
                        "idModel": cid,
                        "modelType": "card",
                        "value": {"number": str(effort)},
                    },
                    {
                        "id": oid(502 + len(cards) * 3),
                        "idCustomField": oid(32),
                        "idModel": cid,
                        "modelType": "card",
                        "value": {"number": str(confidence)},
                    },
                ],
            }
        )
    return {
        "id": BOARD_ID,
        "name": "Plan marketing",
        "lists": lists,
        "labels": labels,
        "customFields": fields,
        "cards": cards,
        "actions": [],
        "checklists": [],
        "members": [],
    }
