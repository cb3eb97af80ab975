"""Organizations, their teams, and where a new project goes: the Asana emulator's routes for them.

Terms, as Asana's spec (asana_oas.yaml) uses them:

- *Organization*: "a special kind of workspace that represents a company. In an organization, you can group
  your projects into teams. [...] To tell if your workspace is an organization or not, check its
  ``is_organization`` property" (tag "Workspaces").
- *Team*: "used to group related projects and people together within an organization. Each project in an
  organization is associated with a team" (tag "Teams").

Creating a project in an organization without a ``team``: the spec says "If the workspace for your project is
an organization, you must also supply a ``team`` to share the project with" (``POST /projects`` and ``POST
/workspaces/{workspace_gid}/projects`` descriptions), but the two routes answer differently in real traffic,
and the emulator follows each recording:

- ``POST /projects`` ``{workspace, name}``: 400 "Missing required `team` field" (the answer a real call got,
  PipedreamHQ/pipedream#16651, 2025: its "Create Project" action posts to ``projects`` with ``workspace``);
- ``POST /workspaces/{workspace_gid}/projects`` ``{name}``: 201, the project shared with a team of the
  user's (recorded 2026 by izumo-m/asana-api-cli, its answer carrying the header ``asana-change`` naming
  ``teamless_projects``: tests/contract/fixtures/asana-recorded/project_create_without_team.json). The
  emulator gives it the token's user's first team there; a user in no team there still gets the 400.

``POST /teams/{team_gid}/projects`` "Creates a project shared with the given team", in the team's
organization. A team given for another workspace is a 400.

``GET /users/{user_gid}/teams`` needs ``organization`` ("The workspace or organization to filter teams on",
required) and lists the teams the user is a member of there; ``GET /workspaces/{workspace_gid}/teams`` lists
all of a workspace's teams (none in a workspace that is not an organization: teams exist only there).
"""

from __future__ import annotations

from moteur.sandbox.asana.dispatch import Call, Context, Reply, created, data_field, one, page, route
from moteur.sandbox.asana.entities import Project, Team, User, Workspace
from moteur.sandbox.asana.errors import AsanaError, invalid_field, missing_input
from moteur.sandbox.asana.store import AsanaStore
from moteur.sandbox.asana.values import PROJECT_PALETTE, checked_colour

TEAM_REQUIRED = "Missing required `team` field"


def create_team(store: AsanaStore, organization: Workspace, name: str, members: list[str]) -> Team:
    """A team of ``organization`` with these user gids as members (seeds and tests)."""
    if not organization.is_organization:
        raise ValueError(f"workspace {organization.name} is not an organization: it has no teams")
    return store.add(Team(gid=store.new_gid(), name=name, organization=organization.gid, members=members))


def _create_project(
    context: Context,
    call: Call,
    workspace: Workspace | None,
    team: Team | None,
    default_team: bool = False,
) -> Reply:
    """Create; in an organization without a team, the user's first team there when ``default_team`` (see the
    module docstring), else 400."""
    store = context.store
    if workspace is None and team is None:
        raise missing_input("workspace")
    if workspace is None:
        assert team is not None  # for mypy: one of the two is given
        workspace = store.get(Workspace, team.organization, "workspace")
    if team is not None and team.organization != workspace.gid:
        raise invalid_field("team", f"Team {team.gid} is not in workspace {workspace.gid}")
    if workspace.is_organization and team is None and default_team:
        team = _first_team(store, workspace)
    if workspace.is_organization and team is None:
        raise AsanaError(400, TEAM_REQUIRED)
    name = data_field(call, "name", required=True)
    colour = checked_colour("color", call.data.get("color"), PROJECT_PALETTE)
    project = store.create_project(workspace, str(name), str(call.data.get("notes") or ""))
    project.color, project.team = colour, team.gid if team is not None else None
    project.default_view = str(call.data.get("default_view") or "list")  # the contract checks the enum
    return created(context, call, project)


def _first_team(store: AsanaStore, organization: Workspace) -> Team | None:
    """The first team (in creation order) of ``organization`` the token's user is a member of."""
    return next(
        (t for t in store.all(Team) if t.organization == organization.gid and store.me in t.members), None
    )


def _team_of(context: Context, call: Call) -> Team | None:
    gid = call.data.get("team")
    return context.store.get(Team, gid, "team") if gid else None


@route("POST", "/projects")
def post_project(context: Context, call: Call, params: dict[str, str]) -> Reply:
    gid = call.data.get("workspace")
    workspace = context.store.get(Workspace, gid, "workspace") if gid else None
    return _create_project(context, call, workspace, _team_of(context, call))


@route("POST", "/workspaces/{workspace_gid}/projects")
def post_workspace_project(context: Context, call: Call, params: dict[str, str]) -> Reply:
    workspace = context.store.get(Workspace, params["workspace_gid"], "workspace")
    return _create_project(context, call, workspace, _team_of(context, call), default_team=True)


@route("POST", "/teams/{team_gid}/projects")
def post_team_project(context: Context, call: Call, params: dict[str, str]) -> Reply:
    team = context.store.get(Team, params["team_gid"], "team")
    return _create_project(context, call, None, team)


@route("GET", "/teams/{team_gid}")
def get_team(context: Context, call: Call, params: dict[str, str]) -> Reply:
    return one(context, call, context.store.get(Team, params["team_gid"], "team"))


@route("GET", "/teams/{team_gid}/projects")
def get_team_projects(context: Context, call: Call, params: dict[str, str]) -> Reply:
    team = context.store.get(Team, params["team_gid"], "team")
    projects = [p for p in context.store.all(Project) if p.team == team.gid]
    archived = call.query.get("archived")
    if archived in ("true", "false"):
        projects = [p for p in projects if p.archived == (archived == "true")]
    return page(context, call, projects)


@route("GET", "/workspaces/{workspace_gid}/teams")
def get_workspace_teams(context: Context, call: Call, params: dict[str, str]) -> Reply:
    workspace = context.store.get(Workspace, params["workspace_gid"], "workspace")
    return page(context, call, [t for t in context.store.all(Team) if t.organization == workspace.gid])


@route("GET", "/users/{user_gid}/teams")
def get_user_teams(context: Context, call: Call, params: dict[str, str]) -> Reply:
    user: User = context.store.user_by_ref(params["user_gid"])
    organization = context.store.get(Workspace, call.query.get("organization"), "organization")
    teams = [
        t for t in context.store.all(Team) if t.organization == organization.gid and user.gid in t.members
    ]
    return page(context, call, teams)
