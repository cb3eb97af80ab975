"""What an Asana token reaches: its user and workspaces, the projects in them, and what one project allows.

Used by ``moteur boards`` and ``moteur doctor``; nothing here writes. Terms:

- *User*: the person the personal access token belongs to (``GET /users/me``), with the workspaces they
  belong to — the cheapest call that proves the token is accepted.
- *Project access*: whether the project is archived and whether the user is one of its members. Asana has
  no read-only way to ask "may I write here?" for a personal token, so membership (or ownership) is the
  evidence moteur reports; a non-member may still write to a public project, or be refused with a 403.
- *Custom fields available*: Asana's custom fields are a premium feature. Listing a workspace's custom
  fields answers 402 on a free workspace; that refusal is the read-only signal.
- *Rate tier*: Asana's budget per token is 150 requests a minute on a free domain, 1,500 on a paid one
  (developers.asana.com/docs/rate-limits). The API names no plan (``transport`` says why), so a workspace
  whose custom fields answer 402 is taken as free, one whose fields can be listed as paid (``rate_tier``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from moteur.connectors.asana.reader import list_all
from moteur.connectors.asana.transport import PER_MINUTE, PremiumRequired
from moteur.connectors.http import HttpClient
from moteur.core.errors import MoteurError, RemoteError
from moteur.core.model import BoardRef, Tool
from moteur.core.phrase import Phrase


@dataclass(frozen=True, slots=True)
class AsanaUser:
    gid: str
    name: str
    workspaces: tuple[tuple[str, str], ...]  # (gid, name)


@dataclass(frozen=True, slots=True)
class AsanaProjectAccess:
    name: str
    archived: bool
    member: bool
    workspace: str  # gid

    @property
    def can_write(self) -> bool:
        return self.member and not self.archived


def _data(answer: Any, what: str) -> dict[str, Any]:
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict):
        raise RemoteError(f"Asana answered {what} without a data object")
    return data


def whoami(client: HttpClient) -> AsanaUser:
    """The token's user and workspaces; a rejected token raises ``AuthError`` naming MOTEUR_ASANA_TOKEN."""
    data = _data(
        client.request_json(
            "GET",
            "/users/me",
            params={"opt_fields": "name,workspaces.name"},
            what="the token's user",
        ),
        "the token's user",
    )
    workspaces = tuple(
        (str(w["gid"]), str(w.get("name", "")))
        for w in data.get("workspaces") or []
        if isinstance(w, dict) and w.get("gid")
    )
    return AsanaUser(gid=str(data.get("gid", "")), name=str(data.get("name", "")), workspaces=workspaces)


def reachable_projects(client: HttpClient, user: AsanaUser) -> list[tuple[BoardRef, str]]:
    """The unarchived projects of every workspace of the user, as ``(asana:<gid>, "Workspace / Name")``."""
    found: list[tuple[BoardRef, str]] = []
    for workspace_gid, workspace_name in user.workspaces:
        projects = list_all(
            client,
            "/projects",
            {"workspace": workspace_gid, "archived": "false", "opt_fields": "name"},
            f"the projects of workspace {workspace_name or workspace_gid}",
        )
        for project in projects:
            if project.get("gid"):
                label = str(project.get("name", ""))
                if len(user.workspaces) > 1:
                    label = f"{workspace_name} / {label}"
                found.append((BoardRef(tool=Tool.ASANA, board=str(project["gid"])), label))
    return sorted(found, key=lambda entry: (entry[1].casefold(), entry[0].board))


def project_access(client: HttpClient, project_gid: str, user_gid: str) -> AsanaProjectAccess:
    """One request: the project's name, state, owner and members; ``NotFound`` when unreachable."""
    what = f"project {project_gid}"
    data = _data(
        client.request_json(
            "GET",
            f"/projects/{project_gid}",
            params={"opt_fields": "name,archived,owner,members,workspace"},
            what=what,
        ),
        what,
    )
    owner = data.get("owner") if isinstance(data.get("owner"), dict) else {}
    members = [m.get("gid") for m in data.get("members") or [] if isinstance(m, dict)]
    workspace = data.get("workspace") if isinstance(data.get("workspace"), dict) else {}
    return AsanaProjectAccess(
        name=str(data.get("name", "")),
        archived=bool(data.get("archived")),
        member=user_gid in members or (owner or {}).get("gid") == user_gid,
        workspace=str((workspace or {}).get("gid", "")),
    )


def custom_fields_available(client: HttpClient, workspace_gid: str) -> bool:
    """Whether the workspace has custom fields (premium): a 402 to listing them says it has not."""
    try:
        client.request_json(
            "GET",
            f"/workspaces/{workspace_gid}/custom_fields",
            params={"limit": "1", "opt_fields": "name"},
            what=f"the custom fields of workspace {workspace_gid}",
        )
    except PremiumRequired:
        return False
    return True


@dataclass(frozen=True, slots=True)
class RateTier:
    """The budget that applies to the token, and whether the settings pace moteur at it."""

    tier: str  # "free" | "paid"
    detail: str  # what says so, with the budget
    fix: str = ""  # how to make the settings agree, when they do not

    @property
    def per_minute(self) -> int:
        return PER_MINUTE[self.tier]


def probe_rate_tier(
    client: HttpClient, workspaces: Mapping[str, str], premium: dict[str, bool], setting: str
) -> RateTier:
    """The tier of ``workspaces`` (gid -> name): each not in ``premium`` yet is asked once (one GET, kept
    there); one that cannot be asked is left out."""
    for gid in workspaces:
        if gid not in premium:
            try:
                premium[gid] = custom_fields_available(client, gid)
            except MoteurError:
                continue  # unreachable: the board checks say why
    return rate_tier({g: premium[g] for g in workspaces if g in premium}, workspaces, setting)


def rate_tier(premium: Mapping[str, bool], names: Mapping[str, str], setting: str) -> RateTier:
    """The tier of the workspaces asked (``premium``: gid -> custom fields available) against the settings'
    ``asana_tier``: free as soon as one answers 402 (its requests would meet the free budget)."""
    free = [names.get(gid) or gid for gid, available in premium.items() if not available]
    # Phrases: English (doctor --json), said in the reader's language where shown.
    if free:
        listed = ", ".join(f'"{name}"' for name in free)
        detail = Phrase(
            "free workspace {listed} (custom fields answer 402): {budget:,} a minute",
            listed=listed,
            budget=PER_MINUTE["free"],
        )
        if setting == "free":
            return RateTier("free", Phrase('{detail}; asana_tier = "free" paces at it', detail=detail))
        fix = Phrase(
            'set asana_tier = "free" in moteur.toml to pace at it from the first request, not the first 402'
        )
        return RateTier("free", detail, fix)
    if not premium:
        tier = setting if setting in PER_MINUTE else "paid"
        detail = Phrase(
            "no workspace to ask: {budget:,} a minute, the settings' tier", budget=PER_MINUTE[tier]
        )
        return RateTier(tier, detail)
    detail = Phrase(
        "paid workspace (custom fields available): {budget:,} a minute", budget=PER_MINUTE["paid"]
    )
    if setting == "free":
        fix = Phrase(
            'remove asana_tier = "free" from moteur.toml: it paces at {budget} a minute',
            budget=PER_MINUTE["free"],
        )
        return RateTier("paid", detail, fix)
    return RateTier("paid", detail)
