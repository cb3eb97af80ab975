"""What ``moteur doctor`` says of a monday.com token and of each board (``MondayConnector.check_access``).

The token's user first (the token accepted), the API version that answered the pinned ``API-Version``, the
account's daily call cap, then per board: reachable and writable (active, and who may edit it). Every query
goes through the connector's transport — its client, retry policy and complexity pacer; nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from moteur.connectors.checks import accepted, attempt, quoted, reachable, writable
from moteur.connectors.monday import account
from moteur.connectors.monday.daily import DailyCap, duration, until_reset
from moteur.connectors.monday.transport import MondayTransport
from moteur.core.checks import Check
from moteur.core.model import BoardRef
from moteur.core.phrase import Phrase


def check_access(transport: MondayTransport, boards: Sequence[BoardRef], version: str) -> list[Check]:
    """``version``: the ``API-Version`` the settings pin (``monday_api_version``)."""
    checks: list[Check] = []
    me = attempt(
        checks,
        accepted("monday.com"),
        partial(account.whoami, transport),
        lambda user: Phrase("the token of {name}", name=user.name),
    )
    if me is None:
        return checks
    checks.append(version_check(version, me.version, me.version_kind))
    checks.append(daily_calls_check(me.daily))
    for ref in boards:
        access = attempt(
            checks,
            reachable(ref),
            partial(account.board_access, transport, ref.board),
            lambda a: quoted(a.name),
        )
        if access is not None:
            checks.append(_writable(ref, access))
    return checks


def _writable(ref: BoardRef, access: account.MondayBoardAccess) -> Check:
    if not access.can_write:
        fix = Phrase("restore the board in monday.com, or remove it from `boards`")
        return Check(writable(ref), False, Phrase("the board is {state}", state=access.state), fix)
    if access.permissions in ("everyone", ""):
        detail = Phrase("active {kind} board, everyone may edit", kind=access.kind)
        return Check(writable(ref), True, detail)
    detail = Phrase("only {who} may edit this {kind} board", who=access.permissions, kind=access.kind)
    fix = Phrase("make sure the token's user is one of the {who}", who=access.permissions)
    return Check(writable(ref), False, detail, fix, warning=True)


def version_check(wanted: str, served: str, kind: str) -> Check:
    name = Phrase("{tool}: API version", tool="monday.com")
    fix = Phrase(
        "set monday_api_version in moteur.toml to a current version (see monday's API versioning page)"
    )
    if served and served != wanted:
        detail = Phrase(
            "asked for {wanted}, monday answered {served} ({kind})", wanted=wanted, served=served, kind=kind
        )
        return Check(name, False, detail, fix)
    if kind == "deprecated":
        return Check(name, False, Phrase("{version} is deprecated", version=served), fix)
    kind_text = kind or Phrase("kind unknown")
    return Check(name, True, Phrase("{version} answered ({kind})", version=served or wanted, kind=kind_text))


def daily_calls_check(daily: DailyCap | None) -> Check:
    """monday.com's daily call cap for the token's account (by plan: Free/Trial 200, Basic/Standard 1,000,
    Pro 10,000, Enterprise 25,000 — support.monday.com, "API Rate Limits"), and today's calls when monday
    says; a warning when a tenth or less is left, or when the cap cannot be told."""
    name = Phrase("{tool}: daily API calls", tool="monday.com")
    if daily is None or daily.cap is None:
        detail = Phrase("the account's plan did not say which daily cap applies (200 to 25,000 calls a day)")
        return Check(name, False, detail, Phrase("plan for the lowest, 200 calls a day"), warning=True)
    detail = Phrase(
        "{calls}; it resets at midnight UTC (in {wait})", calls=daily.describe(), wait=duration(until_reset())
    )
    if daily.remaining is not None and daily.remaining <= daily.cap // 10:
        fix = Phrase("a sync or migration may stop before it is done: run it after the reset")
        detail = Phrase("{left:,} calls left today — {detail}", left=daily.remaining, detail=detail)
        return Check(name, False, detail, fix, warning=True)
    return Check(name, True, detail)
