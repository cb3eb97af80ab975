"""What ``moteur doctor`` says of an Asana token and of each project (``AsanaConnector.check_access``).

The token's user first (the token accepted), then per project: reachable, writable (a member, or archived),
custom fields (premium: the Sprint and ICE fields; free: the sprint as a tag), and last the token's rate
budget, told from the workspaces asked (``account.probe_rate_tier``). Every request goes through the
connector's client; nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from moteur.connectors.asana import account
from moteur.connectors.checks import accepted, attempt, custom_fields, failed, quoted, reachable, writable
from moteur.connectors.http import HttpClient
from moteur.core.checks import Check
from moteur.core.errors import MoteurError
from moteur.core.model import BoardRef
from moteur.core.phrase import Phrase
from moteur.i18n import ngettext


def check_access(client: HttpClient, boards: Sequence[BoardRef], tier: str) -> list[Check]:
    """``tier``: the settings' ``asana_tier`` ("free" writes the sprint as a tag and asks no custom field)."""
    checks: list[Check] = []
    me = attempt(checks, accepted("Asana"), partial(account.whoami, client), _token_of)
    if me is None:
        return checks
    premium: dict[str, bool] = {}  # workspace gid -> custom fields available, each asked once
    asked: dict[str, str] = {}  # the workspaces of the reachable projects: gid -> name
    for ref in boards:
        access = attempt(
            checks,
            reachable(ref),
            partial(account.project_access, client, ref.board, me.gid),
            lambda a: quoted(a.name),
        )
        if access is None:
            continue
        asked[access.workspace] = dict(me.workspaces).get(access.workspace, access.workspace)
        checks.append(_writable(ref, access))
        checks.append(_custom_fields(client, ref, access.workspace, tier, premium))
    # Asana's budget per token: 150 a minute on a free domain, 1,500 on a paid one (``account.rate_tier``).
    rate = account.probe_rate_tier(client, asked or dict(me.workspaces), premium, tier)
    name = Phrase("{tool}: rate limit", tool="Asana")
    checks.append(Check(name, not rate.fix, rate.detail, rate.fix, warning=bool(rate.fix)))
    return checks


def _token_of(user: account.AsanaUser) -> str:
    count = len(user.workspaces)
    noun = ngettext("workspace", "workspaces", count)  # outside the f-string, where the extractor sees it
    workspaces = f"{count} {noun}"
    return Phrase("the token of {name} ({workspaces})", name=user.name, workspaces=workspaces)


def _writable(ref: BoardRef, access: account.AsanaProjectAccess) -> Check:
    if access.archived:
        return Check(writable(ref), False, Phrase("the project is archived"), Phrase("unarchive it"))
    if access.member:
        return Check(writable(ref), True, Phrase("you are a member of the project"))
    fix = Phrase("join the project (Share → add yourself), or expect 403 refusals")
    return Check(writable(ref), False, Phrase("you are not a member"), fix, warning=True)


def _custom_fields(
    client: HttpClient, ref: BoardRef, workspace: str, tier: str, premium: dict[str, bool]
) -> Check:
    name = custom_fields(ref)
    if tier == "free":
        return Check(
            name, True, Phrase('asana_tier = "free": the sprint is written as a tag, ICE is skipped')
        )
    if workspace not in premium:
        try:
            premium[workspace] = account.custom_fields_available(client, workspace)
        except MoteurError as exc:
            return failed(name, exc, code=1)  # the token was accepted: not a credentials failure
    if premium[workspace]:
        return Check(name, True, Phrase("premium workspace: Sprint and ICE fields"))
    fix = Phrase('set asana_tier = "free" in moteur.toml (sprint as a tag), or upgrade the workspace')
    return Check(name, False, Phrase("free workspace: no custom fields (402)"), fix)
