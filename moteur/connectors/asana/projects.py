"""Where a new Asana project goes (``moteur migrate SRC asana:new``): its workspace and, in an organization,
its team.

Terms, from Asana's spec (asana_oas.yaml):

- *Organization*: a workspace that "represents a company"; "To tell if your workspace is an organization or
  not, check its ``is_organization`` property" (tag "Workspaces"). "Each project in an organization is
  associated with a team" (tag "Teams").
- *Placement*: the workspace a new project goes to and, in an organization, the team it is shared with.

Asana refuses a project created in an organization without a team: "If the workspace for your project is an
organization, you must also supply a ``team``" (``POST /projects`` and ``POST /workspaces/{workspace_gid}/
projects`` descriptions; a real refusal reads "Missing required `team` field", PipedreamHQ/pipedream#16651).
``POST /projects``'s ``team`` parameter is deprecated, so moteur creates there with ``POST /teams/{team_gid}/
projects`` ("Creates a project shared with the given team"), and with ``POST /projects {workspace, name}``
in a workspace that is not an organization.

*Which team*: the first of the token's user's teams in that organization, in Asana's order
(``GET /users/me/teams?organization=…``): a team the user is in, so the project is theirs to write. The plan
names it (``note``), the dry-run too. A user in no team there is told so before anything is created.

*Cost*: one request to read the workspace (the token's only one is listed with its ``is_organization``, a
named one is read), plus one for the user's teams in an organization; a creation costs one more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moteur.connectors.asana.reader import list_all
from moteur.connectors.create_once import create_once
from moteur.connectors.http import HttpClient
from moteur.core.errors import RemoteError, UsageError
from moteur.core.model import BoardRef, Tool
from moteur.core.phrase import Phrase

WORKSPACE_FIELDS = "name,is_organization"


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a new project goes: ``team`` is None in a workspace that is not an organization."""

    workspace: str
    workspace_name: str
    team: str | None = None
    team_name: str = ""

    @property
    def note(self) -> str | None:
        """What the plan says about it: the team chosen, when there is one."""
        if self.team is None:
            return None
        return Phrase(
            'the new project is shared with the team "{team_name}" ({team}): "{workspace}" is an '
            "organization, where Asana puts every project in a team (your first team there)",
            team_name=self.team_name,
            team=self.team,
            workspace=self.workspace_name,
        )


def placement(client: HttpClient, workspace: str | None) -> Placement:
    """Where a project created in ``workspace`` (the token's only workspace when None) goes."""
    if workspace is None:
        spaces = list_all(client, "/workspaces", {"opt_fields": WORKSPACE_FIELDS}, "workspaces")
        if len(spaces) != 1:
            names = ", ".join(f"{w.get('gid')} ({w.get('name')})" for w in spaces) or "none"
            raise UsageError(
                f"Asana: the token sees {len(spaces)} workspaces ({names})",
                hint="say which one with --workspace ID",
            )
        found: dict[str, Any] = spaces[0]
    else:
        answer = client.request_json(
            "GET",
            f"/workspaces/{workspace}",
            params={"opt_fields": WORKSPACE_FIELDS},
            what=f"workspace {workspace}",
        )
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict):
            raise RemoteError("Asana answered the workspace request without a data object")
        found = data
    gid, name = str(found.get("gid") or workspace), str(found.get("name") or "")
    if not found.get("is_organization"):
        return Placement(gid, name)
    teams = list_all(
        client,
        "/users/me/teams",
        {"organization": gid, "opt_fields": "name"},
        f'your teams in "{name}"',
    )
    if not teams:
        raise UsageError(
            f'Asana: "{name}" is an organization, where a new project needs a team, and you are in none',
            hint="join a team of that workspace in Asana, or migrate into an existing project (asana:<gid>)",
        )
    return Placement(gid, name, str(teams[0].get("gid")), str(teams[0].get("name") or ""))


def create_project(client: HttpClient, name: str, where: Placement, *, view: str | None = None) -> BoardRef:
    """A new project ``name`` at ``where``, opening on ``view`` (list, board…: ``ProjectBase.default_view``);
    after a dropped connection, the newest of that name there."""
    if where.team is not None:
        path, body = f"/teams/{where.team}/projects", {"name": name}
    else:
        path, body = "/projects", {"workspace": where.workspace, "name": name}
    if view is not None:
        body["default_view"] = view

    def create() -> BoardRef:
        answer = client.request_json("POST", path, json={"data": body}, what=f'project "{name}"')
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict) or not data.get("gid"):
            raise RemoteError("Asana answered the project create without a gid")
        return BoardRef(tool=Tool.ASANA, board=str(data["gid"]))

    def find() -> BoardRef | None:
        # The project may exist: the newest of that name (gids grow) is the one this call made.
        listed = list_all(
            client, f"/workspaces/{where.workspace}/projects", {"opt_fields": "name"}, "projects"
        )
        same = [str(p.get("gid")) for p in listed if p.get("name") == name]
        return BoardRef(tool=Tool.ASANA, board=max(same, key=int)) if same else None

    # One send: when the look-up finds nothing the failure is reported and a re-run decides, rather than
    # risk a second project the team would have to delete.
    return create_once(create, find, tries=1)
