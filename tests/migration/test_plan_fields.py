"""The migration plan for custom fields, checklist changes on linked items and assignees the target lacks."""

from __future__ import annotations

from dataclasses import replace

from migration.test_plan import ALL, copy_of, source, src, target
from moteur.core.identity import with_identity
from moteur.core.migrate import plan_migration
from moteur.core.model import ChecklistItem, Comment, CustomField, FieldKind, ItemRef, Snapshot, Tool
from moteur.core.ops import AddComment, CreateItem, CreateSubitem, EnsureField, UpdateItem, UpdateSubitem

KINDS = frozenset({FieldKind.NUMBER, FieldKind.ENUM, FieldKind.TEXT, FieldKind.DATE})
CAN = replace(ALL, custom_fields=KINDS)
BUDGET = CustomField(name="Budget", kind=FieldKind.NUMBER)
STAGE = CustomField(name="Stage", kind=FieldKind.ENUM, options=("Idea", "Live"))
VOTES = CustomField(name="Votes", kind=FieldKind.OTHER)


def with_fields(snapshot: Snapshot, *fields: CustomField) -> Snapshot:
    return snapshot.model_copy(update={"custom_fields": fields})


def test_custom_fields_the_target_can_hold_are_created_once_then_carried() -> None:
    a = src("a", extra={"field:Budget": 1200, "field:Stage": "Live", "field:Votes": "3"})
    b = src("b", extra={"field:Stage": "Idea"})
    plan = plan_migration(with_fields(source(a, b), BUDGET, STAGE, VOTES), target(), {}, CAN)
    assert plan.ops[:2] == (
        EnsureField("Budget", FieldKind.NUMBER, ()),
        EnsureField("Stage", FieldKind.ENUM, ("Idea", "Live")),
    )
    first, second = (op for op in plan.ops if isinstance(op, CreateItem))
    assert first.fields["custom"] == {"Budget": 1200, "Stage": "Live"}
    assert second.fields["custom"] == {"Stage": "Idea"}  # a create sends no empty value
    assert [loss.text() for loss in plan.losses] == [
        'custom field "Votes": 1 item — not carried (no counterpart on the target)'
    ]
    assert plan.fields_to_create == ("Budget", "Stage")


def test_a_target_without_a_kind_or_with_a_clashing_field_reports_the_loss() -> None:
    a = src("a", extra={"field:Budget": 5, "field:Stage": "Idea"})
    only_text = replace(ALL, custom_fields=frozenset({FieldKind.TEXT, FieldKind.NUMBER}))
    there = with_fields(target(), CustomField(name="budget", kind=FieldKind.TEXT))
    plan = plan_migration(with_fields(source(a), BUDGET, STAGE), there, {}, only_text)
    assert not [op for op in plan.ops if isinstance(op, EnsureField)]
    assert sorted(loss.text() for loss in plan.losses) == [
        'custom field "Budget": 1 item — not carried (the target\'s field "budget" holds a text)',
        'custom field "Stage": 1 item — not carried (the target has no enum fields)',
    ]


def test_an_existing_field_is_reused_and_only_options_in_use_ask_for_an_ensure() -> None:
    a = src("a", extra={"field:Stage": "Live"})
    have_all = with_fields(target(), CustomField(name="stage", kind=FieldKind.ENUM, options=("Idea", "Live")))
    assert not plan_migration(with_fields(source(a), STAGE), have_all, {}, CAN).fields_to_create
    lacks_one = with_fields(target(), CustomField(name="Stage", kind=FieldKind.ENUM, options=("Idea",)))
    assert plan_migration(with_fields(source(a), STAGE), lacks_one, {}, CAN).fields_to_create == ("Stage",)
    # An option no carried item uses is not asked for on an existing field (it would be, on every run,
    # of a target that adds options only as values use them).
    lacks_unused = with_fields(target(), CustomField(name="Stage", kind=FieldKind.ENUM, options=("Live",)))
    assert not plan_migration(with_fields(source(a), STAGE), lacks_unused, {}, CAN).fields_to_create


def test_a_source_field_named_like_a_field_the_target_reads_for_a_role_is_not_carried() -> None:
    a = src("a", extra={"field:Status": "Live"})
    status = CustomField(name="Status", kind=FieldKind.ENUM, options=("Live",))
    there = target().model_copy(update={"fields": ("Status", "Impact")})
    plan = plan_migration(with_fields(source(a), status), there, {}, CAN)
    assert not plan.fields_to_create
    assert [loss.text() for loss in plan.losses] == [
        'custom field "Status": 1 item — not carried (the target\'s "Status" holds a field moteur manages)'
    ]


def test_a_linked_item_updates_only_the_custom_values_that_changed_and_clears_removed_ones() -> None:
    a = src("a", extra={"field:Budget": 1500, "field:Stage": "Live"})
    there = copy_of(a, "t1", extra={"field:budget": "1500.0", "field:Stage": "Idea", "field:Due on": "x"})
    fields = (CustomField(name="budget", kind=FieldKind.NUMBER), STAGE)
    plan = plan_migration(
        with_fields(source(a), BUDGET, STAGE), with_fields(target(there), *fields), {a.key: there.ref}, CAN
    )
    assert plan.ops == (UpdateItem(a.key, there.ref, "a", {"custom": {"Stage": "Live"}}),)
    emptied = src("a", extra={"field:Budget": 1500})
    plan = plan_migration(
        with_fields(source(emptied), BUDGET, STAGE),
        with_fields(target(there), *fields),
        {a.key: there.ref},
        CAN,
    )
    assert plan.ops == (UpdateItem(a.key, there.ref, "a", {"custom": {"Stage": None}}),)


def test_a_typeless_target_takes_every_kind_without_creating_anything() -> None:
    a = src("a", extra={"field:Budget": 5, "field:Stage": "Idea"})
    typeless = replace(CAN, typeless_fields=True)
    there = with_fields(target(), CustomField(name="Budget", kind=FieldKind.TEXT))
    plan = plan_migration(with_fields(source(a), BUDGET, STAGE), there, {}, typeless)
    assert not plan.fields_to_create and not plan.losses
    (create,) = plan.ops
    assert isinstance(create, CreateItem) and create.fields["custom"] == {"Budget": 5, "Stage": "Idea"}


def test_a_checklist_entry_ticked_in_the_source_is_ticked_on_the_target() -> None:
    a = src("a", checklist=(ChecklistItem(text="brief", done=True), ChecklistItem(text="draft v2")))
    entries = (ChecklistItem(text="brief", id="s1"), ChecklistItem(text="draft", id="s2"))
    there = copy_of(a, "t1", checklist=entries)
    s1, s2 = (ItemRef(tool=Tool.ASANA, board="p1", item=i) for i in ("s1", "s2"))
    targets = {a.key: there.ref, f"{a.key}#check:1": s1, f"{a.key}#check:2": s2}
    plan = plan_migration(source(a), target(there), targets, ALL)
    assert plan.ops == (
        UpdateSubitem(f"{a.key}#check:1", a.key, s1, "brief", True),
        UpdateSubitem(f"{a.key}#check:2", a.key, s2, "draft v2", False),
    )
    assert plan.subitem_updates == 2 and plan.updated == 0


def test_with_the_state_lost_a_checklist_entry_matches_by_text_and_is_ticked_by_its_id() -> None:
    a = src("a", checklist=(ChecklistItem(text="brief", done=True), ChecklistItem(text="new")))
    there = copy_of(a, "t1", checklist=(ChecklistItem(text="brief", id="s1"),))
    plan = plan_migration(source(a), target(there), {a.key: there.ref}, ALL)
    assert plan.ops == (
        UpdateSubitem(f"{a.key}#check:1", a.key, there.ref.model_copy(update={"item": "s1"}), "brief", True),
        CreateSubitem(f"{a.key}#check:2", a.key, "new", False),
    )


def test_assignees_the_target_does_not_know_are_reported_before_the_run() -> None:
    a = src("a", assignees=("camille@example.org", "Léa", "zoe@example.org"))
    caps = replace(ALL, emails=frozenset({"zoe@example.org"}))
    plan = plan_migration(source(a), target(), {}, caps, users={"Léa": "lea@example.org"})
    (create,) = plan.ops
    assert isinstance(create, CreateItem) and create.fields["assignees"] == ["zoe@example.org"]
    assert [loss.text() for loss in plan.losses] == [
        "assignees unknown on the target: 1 item — not assigned (invite them, or map them with --map-users)"
    ]
    assert plan.notes == ("not on the target, so not assigned: camille@example.org, lea@example.org",)


def test_todo_and_doing_are_the_same_where_doing_is_only_a_bucket_name() -> None:
    a = src("a", bucket="En cours")  # a file row without a status, in a bucket named like a doing state
    there = copy_of(a, "t1", status="doing")  # Asana reads "doing" from the section name
    no_doing = replace(ALL, doing_status=False)
    assert plan_migration(source(a), target(there, buckets=("En cours",)), {a.key: there.ref}, no_doing).empty
    (update,) = plan_migration(source(a), target(there, buckets=("En cours",)), {a.key: there.ref}, ALL).ops
    assert isinstance(update, UpdateItem) and update.fields == {"status": "todo"}


def test_a_description_too_long_for_the_target_is_cut_once_and_posted_whole_as_a_comment() -> None:
    long = "Paragraphe. " * 300  # 3,600 characters
    a = src("a", description=long.strip())
    small = replace(ALL, description_limit=2000)
    plan = plan_migration(source(a), target(), {}, small)
    create, comment = plan.ops
    assert isinstance(create, CreateItem) and isinstance(comment, AddComment)
    cut = create.fields["description"]
    assert len(with_identity(cut, a.key)) <= 2000
    assert cut.endswith("(cut here: the full text is in a comment)")
    assert comment.text == "Full description:\n\n" + long.strip()
    assert [loss.text() for loss in plan.losses] == [
        "descriptions over 2,000 characters: 1 item — cut; the full text posted as a comment"
    ]
    there = copy_of(a, "t1", description=with_identity(cut, a.key), comments=(Comment(text=comment.text),))
    assert plan_migration(source(a), target(there), {a.key: there.ref}, small).empty  # the next run settles
