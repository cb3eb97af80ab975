"""The migration plan from literals: order, updates of only what changed, resume, losses, never doubled."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from moteur.connectors.migration import Capabilities
from moteur.core.identity import with_identity
from moteur.core.migrate import comment_text, key_to_ref, plan_migration
from moteur.core.model import (
    Action,
    Annotations,
    BoardRef,
    Bucket,
    ChecklistItem,
    Comment,
    ItemRef,
    Snapshot,
    Status,
    Tool,
)
from moteur.core.ops import AddComment, CreateItem, CreateSubitem, EnsureBucket, PlaceItems, UpdateItem

SOURCE = BoardRef(tool=Tool.TRELLO, board="b1")
TARGET = BoardRef(tool=Tool.ASANA, board="p1")
ALL = Capabilities(tool=Tool.ASANA)


def src(item: str, **kw: Any) -> Action:
    return Action.model_validate(
        {"ref": ItemRef(tool=Tool.TRELLO, board="b1", item=item), "title": item} | kw
    )


def source(*actions: Action, buckets: tuple[Bucket, ...] = ()) -> Snapshot:
    return Snapshot(board=SOURCE, name="Plan", buckets=buckets, actions=actions)


def target(*actions: Action, buckets: tuple[str, ...] = ()) -> Snapshot:
    return Snapshot(
        board=TARGET, name="Plan", buckets=tuple(Bucket(id=b, name=b) for b in buckets), actions=actions
    )


def copy_of(action: Action, item: str, **kw: Any) -> Action:
    """What a faithful port would read back from the target after creating ``action``."""
    values = action.model_dump() | {
        "ref": ItemRef(tool=Tool.ASANA, board="p1", item=item),
        "description": with_identity(action.description, action.key),
        "checklist": (),
        "comments": (),
        "extra": {},
    }
    return Action.model_validate(values | kw)


def test_structure_first_then_each_item_with_its_children_in_source_order() -> None:
    when = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    a = src(
        "a",
        bucket="Doing",
        checklist=(ChecklistItem(text="brief", done=True), ChecklistItem(text="draft")),
        comments=(Comment(author="Camille Martin", date=when, text="go"),),
    )
    b = src("b", bucket="To do")
    buckets = (Bucket(id="1", name="To do"), Bucket(id="2", name="Doing"), Bucket(id="3", name="Empty"))
    plan = plan_migration(source(a, b, buckets=buckets), target(buckets=("Doing",)), {}, ALL)
    assert plan.ops == (
        EnsureBucket("To do", 0),
        CreateItem(a.key, "a", "Doing", plan.ops[1].fields),  # type: ignore[union-attr]
        CreateSubitem(f"{a.key}#check:1", a.key, "brief", True),
        CreateSubitem(f"{a.key}#check:2", a.key, "draft", False),
        AddComment(f"{a.key}#comment:1", a.key, "[Camille Martin — 2026-03-04] go"),
        CreateItem(b.key, "b", "To do", plan.ops[5].fields),  # type: ignore[union-attr]
    )
    assert (plan.created, plan.updated, plan.unchanged, plan.skipped) == (2, 0, 0, 0)
    assert plan.buckets_to_create == ("To do",)
    assert (plan.subitems, plan.comments) == (2, 1)


def test_canonical_fields_of_a_create() -> None:
    a = src(
        "a",
        description="Le **brief**",
        status=Status.DOING,
        due="2026-12-24",
        tags=("seo", "blog"),
        assignees=("camille@example.org",),
        impact=8,
        effort=3,
        confidence=7,
        objective="leads",
        channel="SEO",
        annotations=Annotations(quadrant="Quick win", sprint="Sprint 2", ice=448.0),
    )
    (op,) = plan_migration(source(a), target(), {}, ALL).ops
    assert isinstance(op, CreateItem)
    assert dict(op.fields) == {
        "description": "Le **brief**",
        "status": "doing",
        "archived_done": False,
        "due": "2026-12-24",
        "tags": ["blog", "seo"],
        "assignees": ["camille@example.org"],
        "impact": 8,
        "effort": 3,
        "confidence": 7,
        "objective": "leads",
        "channel": "SEO",
        "quadrant": "Quick win",
        "sprint": "Sprint 2",
        "ice": 448.0,
        "custom": {},
    }


def test_a_linked_item_gets_only_the_fields_that_changed() -> None:
    a = src("a", description="new text", due="2026-12-24", tags=("seo",), impact=8)
    there = copy_of(a, "t1", description=with_identity("old text", a.key), impact=5)
    plan = plan_migration(source(a), target(there), {a.key: there.ref}, ALL)
    assert plan.ops == (UpdateItem(a.key, there.ref, "a", {"description": "new text", "impact": 8}),)
    assert (plan.created, plan.updated, plan.unchanged) == (0, 1, 0)


def test_a_linked_item_equal_on_the_target_is_left_alone() -> None:
    """Regression: a target that reads doing as todo must not be rewritten each run; a due's fraction of a
    second (a Trello due at 19:27:08.357, on monday.com at 19:27:08) is not a change either."""
    a = src("a", status=Status.DOING, due=datetime(2026, 12, 24, 10, tzinfo=UTC), tags=("b", "a"))
    b = src("b", status=Status.ARCHIVED, due=datetime(2026, 6, 18, 19, 27, 8, 357000, tzinfo=UTC))
    there_a = copy_of(a, "t1", status=Status.TODO, tags=("a", "b"))
    there_b = copy_of(b, "t2", due=datetime(2026, 6, 18, 19, 27, 8, tzinfo=UTC))
    links = {a.key: there_a.ref, b.key: there_b.ref}
    plan = plan_migration(source(a, b), target(there_a, there_b), links, ALL, include_archived=True)
    assert plan.ops == ()
    assert (plan.unchanged, plan.skipped) == (2, 0)


def test_an_archived_item_found_done_is_archived() -> None:
    """A run killed between an item's create (done) and its archive request: the next run archives it; every
    target reads its archived items back as archived."""
    b = src("b", status=Status.ARCHIVED)
    there_b = copy_of(b, "t2", status=Status.DONE)
    plan = plan_migration(source(b), target(there_b), {b.key: there_b.ref}, ALL, include_archived=True)
    assert plan.ops == (UpdateItem(b.key, there_b.ref, "b", {"status": "archived"}),)


def test_an_assignee_the_target_does_not_know_does_not_rewrite_the_item_each_run() -> None:
    """Regression: a port leaves an unknown e-mail unassigned; the next plan must not update it forever."""
    a = src("a", assignees=("nobody@example.org",))
    b = src("b", assignees=("lea@example.org", "camille@example.org"))
    there_a = copy_of(a, "t1", assignees=())
    there_b = copy_of(b, "t2", assignees=("lea@example.org",))
    other = copy_of(src("c"), "t3", assignees=("camille@example.org",))
    links = {a.key: there_a.ref, b.key: there_b.ref}
    plan = plan_migration(source(a, b), target(there_a, there_b, other), links, ALL)
    # a: nobody@ is on no target item → unchanged; b: camille@ is a known person, missing here → update.
    assert plan.ops == (
        UpdateItem(b.key, there_b.ref, "b", {"assignees": ["camille@example.org", "lea@example.org"]}),
    )


def test_moved_and_retitled_items_are_updated() -> None:
    a = src("a", title="Nouveau titre", bucket="Done")
    there = copy_of(a, "t1", title="Ancien", bucket="Doing")
    (op,) = plan_migration(source(a), target(there, buckets=("Done", "Doing")), {a.key: there.ref}, ALL).ops
    assert op == UpdateItem(a.key, there.ref, "Nouveau titre", {}, bucket="Done")


def test_archived_items_and_closed_lists_are_skipped_unless_asked() -> None:
    a, b = src("a", status=Status.ARCHIVED), src("b", bucket="Old")
    c = src("c", bucket="Now")
    snap = source(a, b, c, buckets=(Bucket(id="1", name="Old", closed=True), Bucket(id="2", name="Now")))
    plan = plan_migration(snap, target(), {}, ALL)
    assert [op.key for op in plan.ops if isinstance(op, CreateItem)] == [c.key]
    assert plan.skipped == 2
    everything = plan_migration(snap, target(), {}, ALL, include_archived=True)
    creates = [op for op in everything.ops if isinstance(op, CreateItem)]
    assert [op.key for op in creates] == [a.key, b.key, c.key]
    assert creates[0].fields["status"] == "archived"
    assert everything.buckets_to_create == ("Old", "Now")


def test_resume_creates_only_the_missing_children_of_a_linked_item() -> None:
    """A crash between a parent and its children: the re-run adds the children, never the parent again."""
    a = src(
        "a", checklist=(ChecklistItem(text="one"), ChecklistItem(text="two"), ChecklistItem(text="three"))
    )
    a = a.model_copy(update={"comments": (Comment(text="hello"), Comment(text="bye"))})
    there = copy_of(a, "t1", checklist=(ChecklistItem(text="one"), ChecklistItem(text="two")))
    links = {a.key: there.ref, f"{a.key}#check:1": key_to_ref("asana:p1:s1")}
    plan = plan_migration(source(a), target(there), links, ALL)
    # check:1 is linked; check:2 is found by its text (its link was lost); check:3 is missing.
    assert plan.ops == (
        CreateSubitem(f"{a.key}#check:3", a.key, "three", False),
        AddComment(f"{a.key}#comment:1", a.key, "hello"),
        AddComment(f"{a.key}#comment:2", a.key, "bye"),
    )
    assert (plan.created, plan.unchanged) == (0, 1)


def test_a_linked_item_deleted_on_the_target_is_not_recreated() -> None:
    a = src("a")
    plan = plan_migration(source(a), target(), {a.key: key_to_ref("asana:p1:gone")}, ALL)
    assert plan.ops == () and plan.skipped == 1


def test_losses_on_a_narrow_target() -> None:
    narrow = Capabilities(
        tool=Tool.TRELLO,
        due_date_only=False,
        multi_assignee=False,
        subitems=False,
        comments=False,
        moteur_fields=False,
        notes=("comments are posted as you",),
    )
    a = src(
        "a",
        due=date(2026, 12, 24),
        assignees=("a@example.org", "b@example.org", "bob"),
        checklist=(ChecklistItem(text="x"),),
        comments=(Comment(text="c"),),
        annotations=Annotations(quadrant="Quick win"),
        extra={"attachments": 2, "cover": True, "field:Budget": "300"},
    )
    b = src("b", due=date(2026, 12, 25), extra={"cover": True})
    plan = plan_migration(source(a, b), target(), {}, narrow)
    create = plan.ops[0]
    assert isinstance(create, CreateItem)
    assert create.fields["due"] == "2026-12-24T12:00:00+00:00"
    assert create.fields["assignees"] == ["a@example.org"]
    assert create.fields["quadrant"] is None
    assert {loss.text() for loss in plan.losses} == {
        "date-only dues: 2 items — set at 12:00 UTC (the same day from UTC−11 to UTC+11)",
        "assignees without an e-mail: 1 item — not assigned (map them with --map-users)",
        "Trello multi-assignee: 1 item — first assignee kept, others in a comment",
        "quadrant/sprint/ICE: 1 item — not carried",
        "Trello attachments: 1 item — not carried (links stay in the source)",
        "Trello cover images: 2 items — not carried",
        'custom field "Budget": 1 item — not carried (no counterpart on the target)',
        "checklists: 1 item — not carried",
        "comments: 1 item — not carried",
    }
    assert plan.notes == ("comments are posted as you",)
    assert not any(isinstance(op, CreateSubitem | AddComment) for op in plan.ops)


def test_several_assignees_on_a_single_assignee_target_go_to_a_comment() -> None:
    single = Capabilities(tool=Tool.MONDAY, multi_assignee=False)
    a = src("a", assignees=("a@example.org", "b@example.org", "c@example.org"))
    ops = plan_migration(source(a), target(), {}, single).ops
    assert ops[1] == AddComment(
        f"{a.key}#comment:extra-1", a.key, "Also assigned: b@example.org, c@example.org"
    )


def test_map_users_turns_names_into_emails_and_times_of_day_can_be_dropped() -> None:
    dated = Capabilities(tool=Tool.MONDAY, due_datetime=False)
    a = src("a", assignees=("Camille", "camille@example.org"), due="2026-12-24T18:00:00+01:00")
    plan = plan_migration(source(a), target(), {}, dated, users={"camille": "camille@example.org"})
    create = plan.ops[0]
    assert isinstance(create, CreateItem)
    assert create.fields["assignees"] == ["camille@example.org"]
    assert create.fields["due"] == "2026-12-24"
    assert [loss.what for loss in plan.losses] == ["due times of day"]


def test_comment_text_names_author_and_day() -> None:
    assert comment_text("Camille", datetime(2026, 3, 4, 23, tzinfo=UTC), "ok") == "[Camille — 2026-03-04] ok"
    assert comment_text(None, None, "ok") == "ok"


def test_a_comment_carried_over_several_hops_keeps_its_original_heading_once() -> None:
    posted = datetime(2026, 12, 6, 5, tzinfo=UTC)  # the day a port posted the copy, as itself
    carried = "[Stéphane — 2022-11-07] Vu avec le client"
    assert comment_text("Alex Sandbox", posted, carried) == carried
    stacked = "[Sandbox User — 2026-12-05] [Alex Sandbox — 2026-12-04] " + carried
    assert comment_text("Sandbox User", posted, stacked) == carried
    assert comment_text("Léa", posted, "[2022-11-07] sans auteur") == "[2022-11-07] sans auteur"
    # Brackets a person wrote are not a heading: the author and day are added.
    assert comment_text("Léa", posted, "[WIP] relire") == "[Léa — 2026-12-06] [WIP] relire"
    assert key_to_ref("file:/tmp/a:b/plan.json:m-1") == ItemRef(
        tool=Tool.FILE, board="/tmp/a:b/plan.json", item="m-1"
    )


# -- property: an ideal port applying the plan leaves nothing to do on the next plan ------------------------

_titles = st.text(alphabet="abcdéè ", min_size=1, max_size=8).map(str.strip).filter(bool)
_actions: st.SearchStrategy[list[dict[str, Any]]] = st.lists(
    st.builds(
        dict,
        title=_titles,
        bucket=st.sampled_from([None, "To do", "Doing", "Done"]),
        status=st.sampled_from(list(Status)),
        due=st.sampled_from([None, "2026-12-24", "2026-12-24T10:00:00+01:00"]),
        tags=st.lists(st.sampled_from(["seo", "blog", "ads"]), unique=True).map(tuple),
        impact=st.none() | st.integers(1, 10),
        checklist=st.lists(st.builds(ChecklistItem, text=_titles, done=st.booleans()), max_size=3).map(tuple),
        comments=st.lists(st.builds(Comment, text=_titles), max_size=2).map(tuple),
    ),
    max_size=6,
)


def _apply_ideally(plan_ops: tuple[Any, ...], snapshot: Snapshot, targets: dict[str, ItemRef]) -> Snapshot:
    """A perfect port in memory: what the target would read back after the ops."""
    by_key = {a.ref.key: a for a in snapshot.actions}
    buckets = [b.name for b in snapshot.buckets]
    for n, op in enumerate(plan_ops):
        if isinstance(op, EnsureBucket):
            buckets.append(op.name)
        elif isinstance(op, CreateItem):
            ref = ItemRef(tool=Tool.ASANA, board="p1", item=f"t{len(by_key)}-{n}")
            fields = dict(op.fields)
            fields["description"] = with_identity(fields["description"], op.key)
            fields.update(tags=tuple(fields["tags"]), assignees=tuple(fields["assignees"]))
            annotations = Annotations(
                quadrant=fields.pop("quadrant"), sprint=fields.pop("sprint"), ice=fields.pop("ice")
            )
            extra = {f"field:{name}": value for name, value in fields.pop("custom").items()}
            by_key[ref.key] = Action.model_validate(
                fields
                | {
                    "ref": ref,
                    "title": op.title,
                    "bucket": op.bucket,
                    "annotations": annotations,
                    "extra": extra,
                }
            )
            targets[op.key] = ref
        elif isinstance(op, CreateSubitem):
            parent = targets[op.parent_key]
            there = by_key[parent.key]
            entry = ChecklistItem(text=op.title, done=op.done, id=f"s{n}")
            by_key[parent.key] = there.model_copy(update={"checklist": (*there.checklist, entry)})
            targets[op.key] = ItemRef(tool=Tool.ASANA, board="p1", item=f"s{n}")
        elif isinstance(op, AddComment):
            parent = targets[op.item_key]
            there = by_key[parent.key]
            by_key[parent.key] = there.model_copy(
                update={"comments": (*there.comments, Comment(text=op.text))}
            )
            targets[op.key] = ItemRef(tool=Tool.ASANA, board="p1", item=f"c{n}")
        else:
            raise AssertionError(f"a first plan on an empty target has no {op.kind}")
    return target(*by_key.values(), buckets=tuple(buckets))


@settings(max_examples=60, deadline=None)
@given(_actions, st.booleans())
def test_applying_the_plan_then_planning_again_does_nothing(
    rows: list[dict[str, Any]], archived: bool
) -> None:
    actions = tuple(src(f"i{n}", **row) for n, row in enumerate(rows))
    snap = source(*actions, buckets=(Bucket(id="1", name="To do"), Bucket(id="2", name="Doing")))
    targets: dict[str, ItemRef] = {}
    first = plan_migration(snap, target(), targets, ALL, include_archived=archived)
    assert len({op.key for op in first.ops if not isinstance(op, EnsureBucket)}) == sum(
        1 for op in first.ops if not isinstance(op, EnsureBucket)
    )
    after = _apply_ideally(first.ops, target(), targets)
    second = plan_migration(snap, after, targets, ALL, include_archived=archived)
    assert second.ops == ()
    assert second.unchanged == first.created


def test_items_left_unplaced_by_a_stopped_run_are_placed_and_only_then() -> None:
    """A target whose creates land out of order and are placed after (``places_items``: Asana's batches),
    stopped in between, shows linked items in another order than the source: one ``PlaceItems`` per bucket
    that differs, none once the order agrees, none for a target that creates in order."""
    a, b, c = (src(x, bucket="Doing") for x in "abc")
    d = src("d", bucket="Done")
    placed = Capabilities(tool=Tool.ASANA, places_items=True)
    links = {x.key: ItemRef(tool=Tool.ASANA, board="p1", item=f"t{x.title}") for x in (a, b, c, d)}
    shuffled = target(copy_of(b, "tb"), copy_of(a, "ta"), copy_of(c, "tc"), copy_of(d, "td"))
    plan = plan_migration(source(a, b, c, d), shuffled, links, placed)
    assert [op for op in plan.ops if isinstance(op, PlaceItems)] == [
        PlaceItems("Doing", (a.key, b.key, c.key))
    ]
    assert plan.updated == plan.created == 0
    in_order = target(copy_of(a, "ta"), copy_of(b, "tb"), copy_of(c, "tc"), copy_of(d, "td"))
    for board, caps in ((in_order, placed), (shuffled, ALL)):
        ops = plan_migration(source(a, b, c, d), board, links, caps).ops
        assert not [op for op in ops if isinstance(op, PlaceItems)]
