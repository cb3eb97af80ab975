"""The Asana emulator's seeds: the named initial content of a fresh store.

- ``empty``: workspace "Démo" — an organization (``is_organization``) with one team, "Marketing", whose
  members are the demo members — and the token's user, nothing else; a project created there needs a team,
  as in a company's Asana (``organizations.py``);
- ``demo``: project "Plan marketing (démo)" in that workspace and team, built from ``DEMO_ACTIONS``: one
  section per demo bucket, number custom fields Impact / Effort / Confidence (precision 0) holding the
  scores, an enum field Objective and a text field Channel (as the Trello demo board holds them), workspace
  tags from the actions' tags, assignees by e-mail from ``DEMO_MEMBERS``, ``completed`` for done actions,
  ``due_on``;
- ``bulk``: project "Bulk (N)" with the same fields and ``bulk_actions(n)``.

``add_team_project`` adds to a seeded store the project "Plan marketing", laid out as a real team's:
sections Backlog / Ready / In progress / In standby / Done holding the demo actions (13 in progress),
the same fields. Tests that hold moteur to "never take a task out of the team's sections" use it
(``AsanaEmulator.add_team_project``); the ``demo`` seed, which ``moteur demo`` and the golden files read,
stays as it is.

The token's user is the first demo member. Gids come from the store's counter, so a seed always gives the
same gids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from moteur.sandbox.asana.entities import CustomField, Project, Section, Tag, Team, Workspace
from moteur.sandbox.asana.organizations import create_team
from moteur.sandbox.asana.store import AsanaStore
from moteur.sandbox.demo_data import BUCKETS, DEMO_ACTIONS, DEMO_MEMBERS, DemoAction, bulk_actions

WORKSPACE_NAME = "Démo"
TEAM_NAME = "Marketing"
DEMO_PROJECT = "Plan marketing (démo)"
OBJECTIVES = ("leads", "awareness", "retention")
_OBJECTIVE_COLORS = ("green", "blue", "purple")
_TAG_COLORS = ("dark-green", "dark-blue", "dark-orange", "dark-purple", "dark-teal", "dark-pink")


def seed_store(store: AsanaStore, kind: str, n: int | None = None) -> list[str]:
    """Fill an empty store with seed ``kind``; the board refs (``asana:<project gid>``) it made."""
    workspace = store.create_workspace(WORKSPACE_NAME)
    workspace.is_organization = True
    workspace.email_domains = sorted({m.email.rpartition("@")[2] for m in DEMO_MEMBERS})
    members = [store.create_user(m.full_name, m.email) for m in DEMO_MEMBERS]
    store.me = members[0].gid
    team = create_team(store, workspace, TEAM_NAME, [m.gid for m in members])
    if kind == "empty":
        return []
    if kind == "demo":
        project = _project(store, workspace, team, DEMO_PROJECT, DEMO_ACTIONS)
    elif kind == "bulk":
        count = n if n is not None else 100
        project = _project(store, workspace, team, f"Bulk ({count})", bulk_actions(count))
    else:
        raise ValueError(f"unknown seed {kind!r}: expected demo, empty or bulk")
    return [f"asana:{project.gid}"]


TEAM_PROJECT = "Plan marketing"
TEAM_SECTIONS = ("Backlog", "Ready", "In progress", "In standby", "Done")


def add_team_project(store: AsanaStore) -> Project:
    """The project "Plan marketing" in the seeded store's workspace and team, laid out as a team's: ideas in
    Backlog, work in progress in In progress (13 tasks), the rest of the to-do split between Ready and In
    standby, done tasks (completed) in Done."""
    workspace = store.all(Workspace)[0]
    team = store.all(Team)[0]
    todo = [a for a in DEMO_ACTIONS if a.bucket == BUCKETS[1]]

    def section_of(action: DemoAction) -> str:
        if action.bucket == BUCKETS[1]:  # "À faire": half already started, the rest ready or waiting
            rank = todo.index(action)
            return "In progress" if rank < len(todo) // 2 else "Ready" if rank % 2 else "In standby"
        return {BUCKETS[0]: "Backlog", BUCKETS[2]: "In progress"}.get(action.bucket, "Done")

    return _project(store, workspace, team, TEAM_PROJECT, DEMO_ACTIONS, TEAM_SECTIONS, section_of)


def _project(
    store: AsanaStore,
    workspace: Workspace,
    team: Team,
    name: str,
    actions: Iterable[DemoAction],
    buckets: tuple[str, ...] = BUCKETS,
    bucket_of: Callable[[DemoAction], str] = lambda action: action.bucket,
) -> Project:
    project = store.create_project(workspace, name, "Actions marketing, scores Impact / Effort / Confidence.")
    project.team = team.gid
    first = store.get(Section, project.sections[0], "section")
    first.name = buckets[0]
    sections = {buckets[0]: first}
    for bucket in buckets[1:]:
        sections[bucket] = store.create_section(project, bucket)
    scores = {
        label: _field(store, workspace, label, "number", precision=0)
        for label in ("Impact", "Effort", "Confidence")
    }
    objective = _field(
        store, workspace, "Objective", "enum", options=list(zip(OBJECTIVES, _OBJECTIVE_COLORS, strict=True))
    )
    channel = _field(store, workspace, "Channel", "text")
    for setting in (*scores.values(), objective, channel):
        store.add_custom_field_setting(project, setting, important=setting.type == "number")
    option_of = {store.records[g].name: g for g in objective.enum_options}  # type: ignore[union-attr]
    tags: dict[str, str] = {}
    for action in actions:
        task = store.create_task(workspace, action.title)
        store.place_task(task, project, sections[bucket_of(action)])
        task.notes = action.description
        task.due_on = action.due
        if action.assignee:
            task.assignee = store.user_by_ref(action.assignee).gid
        if action.status == "done":
            task.completed, task.completed_at = True, task.created_at
        for value, field in (
            (action.impact, "Impact"),
            (action.effort, "Effort"),
            (action.confidence, "Confidence"),
        ):
            if value is not None:
                store.set_custom_value(task, scores[field], value)
        if action.objective in option_of:
            store.set_custom_value(task, objective, option_of[action.objective])
        if action.channel:
            store.set_custom_value(task, channel, action.channel)
        for tag in action.tags:
            if tag not in tags:
                have = next((t.gid for t in store.all(Tag) if t.name == tag), None)
                tags[tag] = (
                    have or store.create_tag(workspace, tag, _TAG_COLORS[len(tags) % len(_TAG_COLORS)]).gid
                )
            task.tags.append(tags[tag])
    # Seeding is history, not news: the change feed starts after it.
    store.events.clear()
    return project


def _field(store: AsanaStore, workspace: Workspace, name: str, kind: str, **shape: Any) -> CustomField:
    """The workspace's field ``name`` (a second project reuses the first one's), else a new one."""
    have = next((f for f in store.all(CustomField) if f.name == name and f.workspace == workspace.gid), None)
    return have or store.create_custom_field(workspace, name, kind, **shape)


def field_named(store: AsanaStore, name: str) -> CustomField:
    """The custom field called ``name`` (tests and tools look seed fields up by name)."""
    return next(f for f in store.all(CustomField) if f.name == name)
