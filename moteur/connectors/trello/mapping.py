"""From a raw Trello board to a ``Snapshot``: each card mapped to an ``Action`` through ``trello.yaml``.

Terms:

- *Managed label*: a label moteur writes — a quadrant name in any language ("Quick win", "Victoire rapide")
  or moteur's own sprint label ("Sprint 3 · 2026-12-14", ``core/labels``). Every other label is the team's
  (*user label*) and becomes an Action tag — a team's own "Sprint 2" from before moteur too.
- *Score label*: a user label ``<score name>: <value>`` (``Impact: 8``, ``Effort: élevé``); read only when
  the card has no custom field for that score.
- *Status*: archived when the card is archived or its list is (a card in an archived list is open for
  Trello, closed for a person), done when its due date is marked complete, else the status its list's name
  means (``BoardMapping.status_of``: ``Done 🎉``, ``Terminé(e)s``…), else todo. When no list name means a
  status, the snapshot says which names were read as to-do, once. An archived card is also done or not by
  the same two rules (``Action.archived_done``).
- *Scale* of a score field (``core/scales``): stated by the mapping, else a list field's numeric options, else
  guessed from the numbers the cards hold (number and text fields, score labels) — with a warning.
  ``known_scales`` (the cached read's, on an incremental read of a few cards) keeps a guess from shrinking
  because the cards that set it were not re-read.
- *Native*: what the writer needs and core must not see: label ids by name, each card's ``idLabels``, the
  ICE field's id, whether the Custom Fields power-up is on, the guessed scales.

A card whose JSON is malformed (wrong types, missing id or name) is skipped with a warning; the run goes on.
A user's ``--mapping`` that names a field or status word the board does not have stops the read
(``mappings/check``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moteur.connectors.malformed import well_formed
from moteur.connectors.trello.native import TrelloField, TrelloLabel, TrelloNative
from moteur.connectors.trello.power_ups import custom_fields_on
from moteur.connectors.trello.reader import RawBoard, is_object_id
from moteur.core.labels import is_own_sprint, quadrant_from_name
from moteur.core.model import Action, Annotations, BoardRef, Bucket, ItemRef, Snapshot, Status, Tool
from moteur.core.names import unmatched_warning
from moteur.core.scales import TEN, Scale
from moteur.mappings.check import check_names
from moteur.mappings.schema import BoardMapping, fold
from moteur.mappings.scores import guessed_tops, parse_number, parse_score, read_on, score_scales

SCORES = ("impact", "effort", "confidence")
ROLES = (*SCORES, "objective", "channel")  # what trello.yaml reads from custom fields and value labels


def is_managed(name: str) -> bool:
    """A label moteur writes: a quadrant name or moteur's own sprint label (never a team's "Sprint 2")."""
    return quadrant_from_name(name) is not None or is_own_sprint(name)


def created_at(object_id: str) -> datetime | None:
    """Trello ids start with the creation time (seconds since the epoch, 8 hex digits)."""
    try:
        return datetime.fromtimestamp(int(object_id[:8], 16), tz=UTC)
    except ValueError:
        return None


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class BoardMapper:
    """Maps the cards of one raw board; built once per read (it indexes lists, labels and fields)."""

    def __init__(
        self,
        raw: RawBoard,
        ref: BoardRef,
        mapping: BoardMapping,
        known_scales: dict[str, int] | None = None,
    ) -> None:
        self.raw, self.mapping = raw, mapping
        # A board named by its shortLink is the board of its id: the snapshot and its cards' keys carry the
        # id, so the state, the links and the history are one board's whatever name it was read by.
        board_id = str(raw.board.get("id") or "").lower()
        self.ref = BoardRef(tool=ref.tool, board=board_id) if is_object_id(board_id) else ref
        self.lists = {str(x.get("id")): str(x.get("name", "")) for x in raw.lists}
        self.closed_lists = {str(x.get("id")) for x in raw.lists if x.get("closed")}
        self.labels = {str(x.get("id")): str(x.get("name") or "") for x in raw.labels}
        self.members = {
            str(m.get("id")): str(m.get("email") or m.get("username") or m.get("fullName") or "")
            for m in raw.members
        }
        self.fields = {str(f.get("id")): f for f in raw.custom_fields}
        names = mapping.field_names()
        self.role_of: dict[str, str] = {}  # folded custom field / score-label name -> Action field
        for role in (*SCORES, "objective", "channel"):
            for name in names.get(role, ()):
                self.role_of.setdefault(fold(name), role)
        ice = mapping.writeback.ice
        self.ice_name = ice.name if ice is not None and ice.name else "ICE"
        self.warnings: list[str] = []
        self.list_statuses: dict[str, Status | None] = {}  # list id -> the status its name means
        self.scales = self._scales(known_scales or {})

    # -- the board's scales -----------------------------------------------------------------------------

    def _scales(self, known: dict[str, int]) -> dict[str, Scale]:
        """Each score's scale (``score_scales``): from a list field's options, else the values the cards hold
        in the score's number/text field and its ``Name: value`` labels."""
        values: dict[str, list[object]] = {role: [] for role in SCORES}
        options: dict[str, list[object]] = {}
        names: dict[str, str] = {}  # role -> the field or label name, for the warning
        wanted: dict[str, str] = {}  # field id -> role
        for field_id, field in self.fields.items():
            role = self.role_of.get(fold(str(field.get("name", ""))))
            if role in SCORES:
                wanted[field_id] = role
                names.setdefault(role, str(field.get("name", "")))
                if field.get("type") == "list":
                    options[role] = [(o.get("value") or {}).get("text") for o in field.get("options") or []]
        labelled: dict[str, tuple[str, str]] = {}  # label id -> (role, value) for "Impact: 4" labels
        for label_id, name in self.labels.items():
            prefix, sep, rest = name.partition(":")
            role = self.role_of.get(fold(prefix)) if sep else None
            if role in SCORES:
                labelled[label_id] = (role, rest.strip())
                names.setdefault(role, prefix.strip())
        for card in self.raw.cards:
            if not isinstance(card, dict):
                continue
            for item in card.get("customFieldItems") or []:
                role = wanted.get(str(item.get("idCustomField"))) if isinstance(item, dict) else None
                if role is not None and isinstance(item.get("value"), dict):
                    values[role].extend(item["value"].values())
            for label_id in card.get("idLabels") or []:
                found = labelled.get(str(label_id))
                if found is not None:
                    values[found[0]].append(found[1])
        scales, warnings = score_scales(self.mapping, values, options=options, names=names, known=known)
        self.warnings.extend(warnings)
        return scales

    # -- one card ---------------------------------------------------------------------------------------

    def _field_value(self, item: dict[str, Any]) -> tuple[str, object] | None:
        field = self.fields.get(str(item.get("idCustomField")))
        if field is None:
            return None
        name = str(field.get("name", ""))
        if "idValue" in item:
            options = {str(o.get("id")): o.get("value", {}).get("text") for o in field.get("options", [])}
            return name, options.get(str(item["idValue"]))
        value = item.get("value") or {}
        if not isinstance(value, dict) or not value:
            return name, None
        return name, next(iter(value.values()))

    def _status(self, card: dict[str, Any], bucket: str | None) -> Status:
        list_id = str(card.get("idList"))
        if card.get("closed") or list_id in self.closed_lists:
            return Status.ARCHIVED
        if card.get("dueComplete"):
            return Status.DONE
        if list_id not in self.list_statuses:
            self.list_statuses[list_id] = self.mapping.status_of(bucket)
        return self.list_statuses[list_id] or Status.TODO

    def _done_when_archived(self, card: dict[str, Any], bucket: str | None) -> bool:
        """An archived card's done state (``Action.archived_done``): by the same rule as an open card's."""
        return bool(card.get("dueComplete")) or self.mapping.status_of(bucket) is Status.DONE

    def action(self, card: dict[str, Any]) -> Action:
        card_id, title = card["id"], card["name"]
        if not isinstance(card_id, str) or not isinstance(title, str):
            raise TypeError("id and name must be strings")
        label_names = [self.labels.get(str(i), "") for i in card.get("idLabels") or []]
        quadrant = next((n for n in label_names if quadrant_from_name(n) is not None), None)
        sprint = next((n for n in label_names if is_own_sprint(n)), None)
        tags = tuple(n for n in label_names if n and not is_managed(n))
        values: dict[str, object] = {}
        ice: float | None = None
        extra: dict[str, Any] = {}
        for item in card.get("customFieldItems") or []:
            found = self._field_value(item)
            if found is None:
                continue
            name, value = found
            role = self.role_of.get(fold(name))
            if fold(name) == fold(self.ice_name):
                ice = parse_number(value)
            elif role is not None:
                values[role] = value
            else:
                extra[f"field:{name}"] = value
        for label in tags:  # score labels, only where no custom field gave the value
            prefix, sep, rest = label.partition(":")
            role = self.role_of.get(fold(prefix))
            if sep and role is not None and values.get(role) in (None, ""):
                values[role] = rest.strip()
        scores: dict[str, int | None] = {}
        for role in SCORES:
            score, warning = parse_score(
                values.get(role),
                self.mapping.words,
                field=role,
                stars_factor=self.mapping.stars_factor,
                scale=self.scales.get(role, TEN),
            )
            scores[role] = score
            if warning:
                self.warnings.append(f'card "{title}": {warning}')
        bucket = self.lists.get(str(card.get("idList")))
        if card.get("start"):
            extra["start"] = card["start"]
        objective, channel = values.get("objective"), values.get("channel")
        status = self._status(card, bucket)
        return Action(
            ref=ItemRef(tool=Tool.TRELLO, board=self.ref.board, item=card_id, url=card.get("url")),
            title=title,
            description=str(card.get("desc") or ""),
            status=status,
            archived_done=status is Status.ARCHIVED and self._done_when_archived(card, bucket),
            bucket=bucket,
            tags=tags,
            assignees=tuple(self.members[m] for m in card.get("idMembers") or [] if self.members.get(m)),
            due=_datetime(card.get("due")),
            created_at=created_at(card_id),
            updated_at=_datetime(card.get("dateLastActivity")),
            impact=scores["impact"],
            effort=scores["effort"],
            confidence=scores["confidence"],
            objective=str(objective) if objective else None,
            channel=str(channel) if channel else None,
            annotations=Annotations(quadrant=quadrant, sprint=sprint, ice=ice),
            version=card.get("dateLastActivity"),
            extra=extra,
            scales=read_on(self.scales, scores),
        )

    # -- the board --------------------------------------------------------------------------------------

    def check_mapping(self) -> None:
        """Stop (``ConfigError``) when the user's mapping names a field or status word this board lacks."""
        fields = [str(f.get("name", "")) for f in self.raw.custom_fields]
        fields += [name.partition(":")[0] for name in self.labels.values() if ":" in name]
        check_names(self.mapping, str(self.ref), fields=fields, statuses=self.lists.values(), roles=ROLES)

    def _unmatched(self) -> None:
        """Say once when no list name means a status: every card is then read as to-do."""
        used = {lid for lid in self.list_statuses if lid not in self.closed_lists}
        if used and all(self.list_statuses[lid] is None for lid in used):
            names = [self.lists.get(lid, "") for lid in self.lists if lid in used]
            self.warnings.append(unmatched_warning("list", names))

    def snapshot(self) -> Snapshot:
        self.check_mapping()
        actions: list[Action] = []
        card_labels: dict[str, list[str]] = {}
        for card, action in well_formed(
            self.raw.cards, self.action, noun="card", id_key="id", warnings=self.warnings
        ):
            actions.append(action)
            card_labels[action.ref.item] = [str(i) for i in card.get("idLabels") or []]
        self._unmatched()
        board = self.raw.board
        ice_field = next(
            (f for f in self.raw.custom_fields if fold(str(f.get("name", ""))) == fold(self.ice_name)), None
        )
        native = TrelloNative(
            board_id=str(board.get("id", "")),
            labels=tuple(
                TrelloLabel(id=str(lb.get("id")), name=str(lb.get("name") or ""), color=lb.get("color"))
                for lb in self.raw.labels
            ),
            card_labels=card_labels,
            fields=tuple(TrelloField.of(f) for f in self.raw.custom_fields),
            ice_field_id=str(ice_field["id"]) if ice_field else None,
            custom_fields_on=custom_fields_on(self.raw.plugins),
            scales=guessed_tops(self.scales),
        )
        short_link = str(board.get("shortLink") or "")  # a name of the board's (``board_identity``)
        return Snapshot(
            board=self.ref,
            name=str(board.get("name", self.ref.board)),
            buckets=tuple(
                Bucket(id=str(x.get("id")), name=str(x.get("name", "")), closed=bool(x.get("closed")))
                for x in self.raw.lists
            ),
            actions=tuple(actions),
            tags=tuple(name for name in self.labels.values() if name),
            fields=tuple(str(f.get("name", "")) for f in self.raw.custom_fields),
            warnings=tuple(self.warnings),
            aliases=(short_link,) if short_link else (),
            native=native.dump(),
        )


def to_snapshot(
    raw: RawBoard, ref: BoardRef, mapping: BoardMapping, known_scales: dict[str, int] | None = None
) -> Snapshot:
    """The snapshot of a raw board; ``known_scales``: the guessed scales of the read this one updates."""
    return BoardMapper(raw, ref, mapping, known_scales).snapshot()
