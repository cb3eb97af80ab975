"""A migrated board compared with its source field by field, and the loss report's account of what differs.

Terms:

- *Field class*: one kind of thing an item holds that a migration carries or loses ("title", "due",
  "labels", "checklist names", ``custom field "Budget"``…): the unit in which differences are counted and in
  which the loss report names what it loses.
- *Difference*: one field class of one carried item that the copy does not hold as the source did, at the
  precision the target holds (dues to the second; a date-only due by its day).
- *Origins*: ``{target item key: source item key}``, from the identity footer each copy carries; composed
  over several hops, a final copy is matched to the first source.
- *Account*: the difference classes set against the loss report's lines: every class with differences must
  be named there, by a line whose count (items) equals the number of items that differ.

Whether a target carries a field or the report names its loss is not assumed, for any class (label colours,
the done state of archived items and closed lists were carried by some targets and only reported by others
when this was written): a class with no difference needs no line, and a line for a class without one is
not an error (a date-only due written at noon keeps its day: the report still says it gained a time).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from moteur.core.colours import closest
from moteur.core.identity import split_identity
from moteur.core.migrate import FULL_TEXT_HEADING, comment_text, fold_name, same_custom_value
from moteur.core.model import Action, FieldKind, Snapshot, Status, Tool
from moteur.engine.migration_run import identity_of

# -- the field classes and the loss lines that name each ------------------------------------------------

TITLE, DESCRIPTION, STATUS, ARCHIVED, ARCHIVED_DONE = (
    "title",
    "description",
    "status",
    "archived",
    "done of archived",
)
LIST, CLOSED_LIST, POSITION = "list", "closed list", "position"
LABELS, COLOURS, UNNAMED = "labels", "label colours", "colour-only labels"
ENTRY_MEMBERS, ENTRY_DUES = "checklist entries' members", "checklist entries' due dates"
ASSIGNEES, DUE, CHECKLIST, CHECKLIST_NAMES, COMMENTS = (
    "assignees",
    "due",
    "checklist",
    "checklist names",
    "comments",
)
SCORES, OBJECTIVE, OWN = "scores", "objective/channel", "quadrant/sprint/ICE"
ATTACHMENTS, COVER, START, REMINDER, MISSING = "attachments", "cover", "start date", "due reminder", "copies"

# The loss report's ``field`` (``Loss.what``, English) for each class, as a pattern: a line may name its tool
# ("Trello attachments") or a count ("archived lists (7)", "Trello label colours (3)").
_NAMED_BY: dict[str, re.Pattern[str]] = {
    DESCRIPTION: re.compile(r"^descriptions over "),
    ARCHIVED_DONE: re.compile(r"\bdone\b|\bcompleted?\b|due-complete", re.IGNORECASE),
    LIST: re.compile(r'^\d+ (lists|sections|groups|buckets) named "'),
    CLOSED_LIST: re.compile(r"(archived|closed) (lists|sections|groups|buckets)", re.IGNORECASE),
    LABELS: re.compile(r"^labels/tags$"),
    COLOURS: re.compile(r"(label|tag)s? colou?rs?(?!-only)|colou?rs? of (labels|tags)", re.IGNORECASE),
    UNNAMED: re.compile(r"colour-only labels"),
    ASSIGNEES: re.compile(r"assignees|multi-assignee"),
    DUE: re.compile(r"^(date-only dues|due times of day|dues)$"),
    CHECKLIST: re.compile(r"^checklists$"),
    CHECKLIST_NAMES: re.compile(r"named checklists"),
    ENTRY_MEMBERS: re.compile(r" checklist entries' members$"),
    ENTRY_DUES: re.compile(r" checklist entries' due dates$"),
    COMMENTS: re.compile(r"^comments$"),
    SCORES: re.compile(r"^impact/effort/confidence scores$"),
    OBJECTIVE: re.compile(r"^objective/channel$"),
    OWN: re.compile(r"^quadrant/sprint/ICE$"),
    ATTACHMENTS: re.compile(r" attachments$"),
    COVER: re.compile(r" cover images$"),
    START: re.compile(r"^start dates$"),
    REMINDER: re.compile(r" due reminders$"),
}

# What only a read's ``extra`` tells (a card's attachments, cover, start date, due reminder): held or not.
_ONLY_IN_EXTRA = (
    (ATTACHMENTS, "attachments"),
    (COVER, "cover"),
    (START, "start"),
    (REMINDER, "due_reminder"),
)


def custom_class(name: str) -> str:
    return f'custom field "{name}"'


def names_class(field_class: str, what: str) -> bool:
    """Whether a loss line (its ``field``) names the field class."""
    if field_class.startswith('custom field "'):
        return fold_name(what) == fold_name(field_class)
    pattern = _NAMED_BY.get(field_class)
    return pattern is not None and pattern.search(what) is not None


# -- differences ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    field: str  # the field class
    key: str  # the source item's key
    item: str  # its title
    want: object
    have: object

    def __str__(self) -> str:
        return f"{self.item!r} {self.field}: {self.want!r} -> {self.have!r}"


def origins(copy: Snapshot) -> dict[str, str]:
    """``{copy item key: source item key}`` from the identity footers (items without one left out)."""
    return {a.key: found for a in copy.actions if (found := identity_of(a)) is not None}


def compose(later: Mapping[str, str], earlier: Mapping[str, str]) -> dict[str, str]:
    """Origins over two hops: the copy's key → the first source's key."""
    return {key: earlier[middle] for key, middle in later.items() if middle in earlier}


def _due(value: date | datetime | None) -> object:
    """A due as every target holds it: a day for a date, a moment to the second in UTC for a datetime."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0)
    return value


def _same_due(want: date | datetime | None, have: date | datetime | None) -> bool:
    if want is None or have is None:
        return want is have
    if isinstance(want, datetime) and isinstance(have, datetime):
        return _due(want) == _due(have)
    # One side holds a day only: compared by day (a date-only due set at noon, a time a target cannot hold).
    return (want.date() if isinstance(want, datetime) else want) == (
        have.date() if isinstance(have, datetime) else have
    )


_NOTE = re.compile(r"^(\[[^\]\n]*\] )?(Also assigned: |" + re.escape(FULL_TEXT_HEADING) + ")")


def _carried_comments(action: Action) -> list[str]:
    """A source's comments as a copy carries them: the original author and day once, then the text. Without
    moteur's own notes (the assignees a target could not take, a cut description's full text): each stands
    for a loss of another class, named there."""
    texts = [comment_text(c.author, c.date, c.text) for c in action.comments]
    return [text for text in texts if not _NOTE.match(text)]


def _copied_comments(action: Action) -> list[str]:
    return [c.text for c in action.comments if not _NOTE.match(c.text)]


def tag_colours(snapshot: Snapshot, action: Action) -> dict[str, str | None] | None:
    """An item's tags whose colour its board's read knows, with that colour (None: no colour), or None when
    the read knows no tag's colour (a file)."""
    if not snapshot.tag_colours:
        return None
    return {tag: snapshot.tag_colours[tag] for tag in action.tags if tag in snapshot.tag_colours}


def colours_kept(
    want: Mapping[str, str | None], have: Mapping[str, str | None] | None, tools: tuple[Tool, Tool]
) -> bool:
    """Whether a copy's tags have the source's colours: the same ones in the same tool, else the colours of
    the copy's palette that stand for them (``core/colours.closest``); a copy whose read knows no colour
    keeps only "no colour"."""
    source, copy = tools
    if have is None:
        return all(colour is None for colour in want.values())
    return all(
        tag in have and have[tag] == (colour if source is copy else closest(colour, source, copy))
        for tag, colour in want.items()
    )


def _people(names: Iterable[str]) -> set[str]:
    return {n.strip().casefold() for n in names}


def differences(
    source: Snapshot,
    copy: Snapshot,
    keys: Mapping[str, str],
) -> list[Difference]:
    """Every field class of every source item that ``copy`` (matched through ``keys``, its origins) does not
    hold as the source."""
    found: dict[str, list[Action]] = defaultdict(list)
    for action in copy.actions:
        if action.key in keys:
            found[keys[action.key]].append(action)
    source_named = _bucket_names(source)
    copy_named = _bucket_names(copy)
    closed_in_source = _closed(source)
    closed_in_copy = _closed(copy)
    out: list[Difference] = []
    for a in source.actions:
        there = found.get(a.key, [])
        if len(there) != 1:
            out.append(Difference(MISSING, a.key, a.title, 1, len(there)))
            continue
        t = there[0]

        def differ(field: str, want: object, have: object, same: bool | None = None, a: Action = a) -> None:
            if not (want == have if same is None else same):
                out.append(Difference(field, a.key, a.title, want, have))

        differ(TITLE, a.title, t.title)
        differ(
            DESCRIPTION, split_identity(a.description)[0].strip(), split_identity(t.description)[0].strip()
        )
        archived, t_archived = a.status is Status.ARCHIVED, t.status is Status.ARCHIVED
        differ(ARCHIVED, archived, t_archived)
        if not archived and not t_archived:
            differ(STATUS, a.status.value, t.status.value)
        if archived:
            differ(ARCHIVED_DONE, a.archived_done, t.archived_done)
        differ(
            LIST,
            (a.bucket, source_named.get(a.bucket or "", 0)),
            (t.bucket, copy_named.get(t.bucket or "", 0)),
            same=a.bucket == t.bucket
            and copy_named.get(t.bucket or "", 0) >= source_named.get(a.bucket or "", 0),
        )
        differ(CLOSED_LIST, a.bucket in closed_in_source, t.bucket in closed_in_copy)
        differ(LABELS, sorted(a.tags), sorted(t.tags))
        want_colours, have_colours = tag_colours(source, a), tag_colours(copy, t)
        if want_colours:
            kept = colours_kept(want_colours, have_colours, (source.board.tool, copy.board.tool))
            differ(COLOURS, want_colours, have_colours, same=kept)
        differ(UNNAMED, bool(a.extra.get("unnamed_labels")), bool(t.extra.get("unnamed_labels")))
        differ(ASSIGNEES, sorted(_people(a.assignees)), sorted(_people(t.assignees)))
        differ(DUE, a.due, t.due, same=_same_due(a.due, t.due))
        entries = [(c.text, c.done) for c in a.checklist]
        differ(CHECKLIST, entries, [(c.text, c.done) for c in t.checklist])
        if entries and t.checklist:  # a checklist not carried at all is one loss: its details go with it
            names = (a.extra.get("checklist_names") or [], t.extra.get("checklist_names") or [])
            differ(CHECKLIST_NAMES, *names)
            for field, key in ((ENTRY_MEMBERS, "check_item_members"), (ENTRY_DUES, "check_item_dues")):
                differ(field, bool(a.extra.get(key)), bool(t.extra.get(key)))
        differ(COMMENTS, _carried_comments(a), _copied_comments(t))
        differ(SCORES, (a.impact, a.effort, a.confidence), (t.impact, t.effort, t.confidence))
        differ(OBJECTIVE, (a.objective, a.channel), (t.objective, t.channel))
        want_own = (a.annotations.quadrant, a.annotations.sprint, a.annotations.ice)
        differ(OWN, want_own, (t.annotations.quadrant, t.annotations.sprint, t.annotations.ice))
        for name, want, have, kind in _custom_pairs(source, a, t):
            differ(custom_class(name), want, have, same=same_custom_value(kind, want, have))
        for field, key in _ONLY_IN_EXTRA:
            differ(field, bool(a.extra.get(key)), bool(t.extra.get(key)))
    out += _positions(source, copy, keys)
    return out


def _bucket_names(snapshot: Snapshot) -> dict[str, int]:
    """How many buckets bear each name (two lists of one name are one group on a target that finds them by
    name: the loss report names them)."""
    counts: dict[str, int] = defaultdict(int)
    for bucket in snapshot.buckets:
        counts[bucket.name] += 1
    return counts


def _closed(snapshot: Snapshot) -> set[str]:
    return {b.name for b in snapshot.buckets if b.closed}


def _custom_pairs(source: Snapshot, a: Action, t: Action) -> list[tuple[str, Any, Any, FieldKind]]:
    kinds = {fold_name(f.name): f.kind for f in source.custom_fields}
    have = {fold_name(k[6:]): v for k, v in t.extra.items() if k.startswith("field:")}
    return [
        (name[6:], value, have.get(fold_name(name[6:])), kinds.get(fold_name(name[6:]), FieldKind.TEXT))
        for name, value in a.extra.items()
        if name.startswith("field:") and value not in (None, "")
    ]


def _positions(source: Snapshot, copy: Snapshot, keys: Mapping[str, str]) -> list[Difference]:
    """Items shown out of their source order within their list (archived ones have no place shown)."""
    titles = {a.key: a.title for a in source.actions}

    def order(snapshot: Snapshot, key_of: Callable[[Action], str | None]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for action in snapshot.actions:
            key = key_of(action)
            if key is not None and action.status is not Status.ARCHIVED:
                found[action.bucket or ""].append(key)
        return found

    want = order(source, lambda a: a.key)
    have = order(copy, lambda a: keys.get(a.key))
    out: list[Difference] = []
    # Two lists of one name are one on the target (the report names them): either's place is the right one.
    twice = {name for name, n in _bucket_names(source).items() if n > 1}
    used = {a.bucket for a in source.actions if a.bucket} - twice
    lists = [name for name in dict.fromkeys(b.name for b in source.buckets) if name in used]
    shown_lists = [name for name in dict.fromkeys(b.name for b in copy.buckets) if name in used]
    if lists != shown_lists:  # a list out of place: every one named, as the item of its own difference
        moved = [name for n, name in enumerate(lists) if n >= len(shown_lists) or shown_lists[n] != name]
        out += [Difference(POSITION, f"list:{name}", f"list {name!r}", lists, shown_lists) for name in moved]
    for bucket, keys_there in want.items():
        shown = [k for k in have.get(bucket, []) if k in set(keys_there)]
        common = [k for k in keys_there if k in set(shown)]
        for n, (w, h) in enumerate(zip(common, shown, strict=True)):
            if w != h:
                out.append(
                    Difference(
                        POSITION, w, titles[w], f"{bucket} #{n + 1}", f"{bucket} #{shown.index(w) + 1}"
                    )
                )
    return out


# -- the account ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LossLine:
    """One line of a ``migrate --json`` loss report."""

    field: str
    items: int
    what_happens: str

    def __str__(self) -> str:
        return f"{self.field}: {self.items} — {self.what_happens}"


def loss_lines(report: Mapping[str, Any]) -> list[LossLine]:
    return [LossLine(str(x["field"]), int(x["items"]), str(x["what_happens"])) for x in report["losses"]]


def by_class(found: Sequence[Difference]) -> dict[str, list[Difference]]:
    classes: dict[str, list[Difference]] = defaultdict(list)
    for difference in found:
        classes[difference.field].append(difference)
    return dict(classes)


def unaccounted(found: Sequence[Difference], report: Sequence[LossLine], *, exact: bool = True) -> list[str]:
    """Each field class that differs and that the report does not name with the count of items that differ
    (``exact``; else at least that count: several hops' reports summed), one line each: the class, the
    count, the first items with their values, and what the report said."""
    problems: list[str] = []
    for field, items in sorted(by_class(found).items()):
        lines = [line for line in report if names_class(field, line.field)]
        said = sum(line.items for line in lines)
        count = len({d.key for d in items})
        if lines and (said == count if exact else said >= count):
            continue
        shown = "; ".join(str(d) for d in items[:3]) + (f"; … ({count - 3} more)" if count > 3 else "")
        verdict = (
            f"the report says {said} ({'; '.join(map(str, lines))})"
            if lines
            else "the report does not name it"
        )
        problems.append(f"{field}: {count} item(s) differ — {shown} — {verdict}")
    return problems
