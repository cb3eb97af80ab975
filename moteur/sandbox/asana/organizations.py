"""Organizations, their teams, and where a new project goes: the Asana emulator's routes for them.

Terms, as Asana's spec (asana_oas.yaml) uses them:

- *Organization*: "a special kind of workspace that represents a company. In an organization, you can group
  your projects into teams. [...] To tell if your workspace is an organization or not, check its
  ``is_organization`` property" (tag "Workspaces").
- *Team*: "used to group related projects and people together within an organization. Each project in an
  organization is associated with a team" (tag "Teams").

Creating a project (``POST /projects``, ``POST /workspaces/{workspace_gid}/projects``): "If the workspace for
your project is an organization, you must also supply a ``team`` to share the project with" (both operations'
descriptions). Without one, Asana answers 400 "Missing required `team` field" (the message a real call got:
PipedreamHQ/pipedream#16651). ``POST /teams/{team_gid}/projects`` "Creates a project shared with the given
team", in the team's organization. A team given for another workspace is a 400.

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


def _create_project(context: Context, call: Call, workspace: Workspace | None, team: Team | None) -> Reply:
    store = context.store
    if workspace is None and team is None:
        raise missing_input("workspace")
    if workspace is None:
        assert team is not None  # for mypy: one of the two is given
        workspace = store.get(Workspace, team.organization, "workspace")
    if team is not None and team.organization != workspace.gid:
        raise invalid_field("team", f"Team {team.gid} is not in workspace {workspace.gid}")
    if workspace.is_organization and team is None:
        raise AsanaError(400, TEAM_REQUIRED)
    name = data_field(call, "name", required=True)
    colour = checked_colour("color", call.data.get("color"), PROJECT_PALETTE)
    project = store.create_project(workspace, str(name), str(call.data.get("notes") or ""))
    project.color, project.team = colour, team.gid if team is not None else None
    return created(context, call, project)


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
    return _create_project(context, call, workspace, _team_of(context, call))


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
