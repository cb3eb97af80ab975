"""The companion project: quadrants as sections without touching the team's own sections.

Asana lets a task live in several projects at once ("multi-homing"): ``POST /tasks/{gid}/addProject`` with
``project`` and ``section`` adds it to another project in the section given — or, when it is there already,
moves it there ("addProject can also be used to reorder a task within a project or section that already
contains it") — and a task's ``memberships`` list one ``{project, section}`` per project, each independent of
the others (spec ``TaskAddProjectRequest``, ``TaskBase.memberships``). ``POST /tasks/{gid}/removeProject``
takes it out again, leaving its other projects as they are. So each task of "Plan marketing" is also added
to "Plan marketing · Priorities" ("· Priorités" in French), in the section of its quadrant, while its section
in "Plan marketing" stays the one the team chose.

Terms:

- *Known*: what a read knows of the companion (``native.py``, kept in the snapshot's native state): its gid,
  the sections seen (from the tasks' memberships, which the task read already asks for: no request of its
  own) and whether that is all of them (``listed``).
- *Found by name*: when no open task is in it yet (the first sync), the project is looked up among the team's
  projects (``GET /teams/{gid}/projects``, else the workspace's), either language's name, then its sections
  read once. Afterwards the memberships find it for free, so the gid needs no other memory.
- *Created once*: in the team's team (``POST /teams/{gid}/projects``; ``projects.py``), as a board
  (``default_view: board``: quadrants as columns); Asana gives a new project one "Untitled section", which the
  first quadrant renames rather than leaving an empty column. A dropped connection never makes a second one:
  the newest project of that name is taken (``projects.create_project``); a section is looked up before it is
  created again (``schema.ProjectSchema``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from moteur.connectors.asana import projects
from moteur.connectors.asana.native import AsanaNative, Known
from moteur.connectors.asana.reader import list_all
from moteur.connectors.asana.schema import ProjectSchema
from moteur.connectors.http import HttpClient
from moteur.core.model import Snapshot
from moteur.core.policy import Language
from moteur.mappings.schema import fold

SEPARATOR = " · "
SUFFIXES = {Language.EN: "Priorities", Language.FR: "Priorités"}
DEFAULT_SECTION = "Untitled section"  # the one section Asana gives a new project


def companion_name(project: str, language: Language) -> str:
    return f"{project}{SEPARATOR}{SUFFIXES[language]}"


def is_companion(name: str, project: str) -> bool:
    """Whether ``name`` is the companion of ``project``, in either language (case and accents aside)."""
    return any(fold(name) == fold(f"{project}{SEPARATOR}{s}") for s in SUFFIXES.values())


def seen_in(tasks: Iterable[Any], project_gid: str, project_name: str) -> tuple[Known, dict[str, str]]:
    """The companion as the tasks' memberships show it, and each task's section name there (by task gid)."""
    gid: str | None = None
    name = ""
    sections: dict[str, str] = {}  # gid -> name, in the order met
    placed: dict[str, str] = {}
    for task in tasks:
        if not isinstance(task, dict):
            continue
        for membership in task.get("memberships") or []:
            project = membership.get("project") if isinstance(membership, dict) else None
            section = membership.get("section") if isinstance(membership, dict) else None
            if not isinstance(project, dict) or str(project.get("gid")) == project_gid:
                continue
            if not is_companion(str(project.get("name") or ""), project_name):
                continue
            if gid is None:
                gid, name = str(project.get("gid")), str(project.get("name") or "")
            if str(project.get("gid")) != gid or not isinstance(section, dict):
                continue  # a second project of that name: the first one met is the companion
            sections.setdefault(str(section.get("gid")), str(section.get("name") or ""))
            placed[str(task.get("gid"))] = str(section.get("name") or "")
    return Known(gid, name, tuple((n, g) for g, n in sections.items())), placed


def with_known(snapshot: Snapshot, known: Known) -> Snapshot:
    """``snapshot`` whose companion is ``known`` (``Snapshot.fields`` names it once it exists)."""
    state = AsanaNative.of(snapshot)
    previous = state.companion.names(state.quadrant_place)
    fields = tuple(f for f in snapshot.fields if f not in previous)
    fields += known.names(state.quadrant_place)
    native = state.model_copy(update={"companion": known}).dump()
    return snapshot.model_copy(update={"native": native, "fields": fields})


@dataclass
class CompanionProject:
    """Finds or creates the companion project and its sections; says how a task goes there or leaves it."""

    client: HttpClient
    known: Known
    workspace: str
    team: str | None
    project: str  # the team's project's name
    language: Language
    fresh: bool = False  # created by this run: its one section is Asana's default, free to rename
    _schema: ProjectSchema | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.known.name or companion_name(self.project, self.language)

    def find(self) -> bool:
        """Look the project up by name among the team's (else the workspace's) projects; then read its
        sections. ⌈projects/100⌉ + 1 requests, on a first sync only."""
        path = f"/teams/{self.team}/projects" if self.team else f"/workspaces/{self.workspace}/projects"
        listed = list_all(self.client, path, {"opt_fields": "name", "archived": "false"}, "projects")
        found = next((p for p in listed if is_companion(str(p.get("name") or ""), self.project)), None)
        if found is None:
            return False
        self.known = Known(str(found.get("gid")), str(found.get("name") or ""))
        self._list_sections()
        return True

    def ensure(self) -> str:
        """The companion's gid, created (with its sections read, one request) when there is none."""
        if self.known.gid is None and (self.known.searched or not self.find()):
            where = projects.Placement(self.workspace, "", self.team, "")
            made = projects.create_project(self.client, self.name, where, view="board")
            self.known = Known(made.board, self.name)
            self._list_sections()
            self.fresh = True
        assert self.known.gid is not None  # set just above
        return self.known.gid

    def _list_sections(self) -> None:
        listed = list_all(
            self.client, f"/projects/{self.known.gid}/sections", {"opt_fields": "name"}, "sections"
        )
        sections = tuple((str(s.get("name") or ""), str(s.get("gid"))) for s in listed)
        self.known = replace(self.known, sections=sections, listed=True)
        self._schema = None

    def section(self, name: str) -> str | None:
        return next((gid for have, gid in self.known.sections if fold(have) == fold(name)), None)

    def ensure_section(self, name: str) -> str:
        """The gid of the companion's section ``name``: known, else read, else Asana's default section of a
        project this run made renamed, else created in quadrant order."""
        gid = self.ensure()
        found = self.section(name)
        if found is None and not self.known.listed:
            self._list_sections()  # an empty section no task showed may exist: never create a second one
            found = self.section(name)
        if found is not None:
            return found
        if self.fresh and [n for n, _ in self.known.sections] == [DEFAULT_SECTION]:
            default = self.known.sections[0][1]
            self.client.request_json(
                "PUT", f"/sections/{default}", json={"data": {"name": name}}, what=f'section "{name}"'
            )
            self.known = replace(self.known, sections=((name, default),))
            self.fresh = False
            return default
        if self._schema is None:
            self._schema = ProjectSchema.of_sections(self.client, gid, self.workspace, self.known.sections)
        made = self._schema.ensure_section(name)
        self.known = replace(self.known, sections=tuple(self._schema.sections))
        return made

    def placement(self, task: str, section: str | None) -> tuple[str, str, dict[str, Any]]:
        """(method, path, data) that puts ``task`` in ``section`` of the companion (added there if need
        be), or, for None, takes it out of the companion (``removeProject``)."""
        gid = self.ensure()
        if section is None:
            return "POST", f"/tasks/{task}/removeProject", {"project": gid}
        return "POST", f"/tasks/{task}/addProject", {"project": gid, "section": self.ensure_section(section)}


def project_of(client: HttpClient, snapshot: Snapshot, language: Language) -> CompanionProject:
    """The companion of the project ``snapshot`` read, as far as that read knows it."""
    state = AsanaNative.of(snapshot)
    return CompanionProject(
        client,
        state.companion,
        workspace=state.workspace,
        team=state.team or None,
        project=snapshot.name,
        language=language,
    )


def looked_up(client: HttpClient, snapshot: Snapshot, language: Language) -> Snapshot:
    """``snapshot`` with its companion found by name when no task showed it and an open task will go there
    (a first sync); as it is otherwise, for no request."""
    if AsanaNative.of(snapshot).companion.gid is not None:
        return snapshot
    if all(a.status.is_closed for a in snapshot.actions):
        return snapshot  # nothing will be written
    project = project_of(client, snapshot, language)
    found = project.find()
    return with_known(snapshot, project.known if found else replace(project.known, searched=True))
