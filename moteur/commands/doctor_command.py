"""``moteur doctor``: check, without writing anything, that every configured tool and board will work.

A *check* is one line: what was checked, whether it passed, what was found, and the fix when it did not.
For each *configured tool* — a tool named in the config's ``boards`` or whose credentials are set — the
checks are: credentials present, credentials accepted (one cheap request), then per board: reachable, may
be written, custom fields available (Trello's Custom Fields Power-Up, Asana's premium tier); for monday, the
API version that answered. Then the state database (opened, created if missing) and ``.env``'s permissions.

A *warning* is a failed check moteur can live with (the ICE field is skipped without the Trello power-up):
shown with ``!``, it does not make the doctor fail. Exit 0 when nothing failed, 3 when a token is missing
or refused (as every command exits for a missing token), 1 for any other failure; a config that cannot be
read exits 2 before any check, as everywhere. ``--json`` prints one object: ``ok``, ``exit_code``, the
``checks``, the files read (``config_file``, ``env_file``) and the effective ``settings`` (no token).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from moteur.commands.sync_command import open_store
from moteur.core.errors import AuthError, MoteurError
from moteur.core.model import BoardRef, Tool
from moteur.core.refs import parse_ref
from moteur.core.state import SCHEMA_VERSION
from moteur.redaction import scrub
from moteur.settings import NO_CONFIG, TOKEN_PAGES, Settings, dotenv_warning, near

if TYPE_CHECKING:
    from moteur.connectors.monday.daily import DailyCap

T = TypeVar("T")

TOOL_NAMES = {Tool.TRELLO: "Trello", Tool.ASANA: "Asana", Tool.MONDAY: "monday.com"}
CREDENTIALS = {
    Tool.TRELLO: (("MOTEUR_TRELLO_API_KEY", "trello_api_key"), ("MOTEUR_TRELLO_TOKEN", "trello_token")),
    Tool.ASANA: (("MOTEUR_ASANA_TOKEN", "asana_token"),),
    Tool.MONDAY: (("MOTEUR_MONDAY_TOKEN", "monday_token"),),
}
WHERE_TO_GET = {
    Tool.TRELLO: f"create an API key, then its token, at {TOKEN_PAGES['trello']}",
    Tool.ASANA: f"create a personal access token at {TOKEN_PAGES['asana']}",
    Tool.MONDAY: f"copy a personal API token: {TOKEN_PAGES['monday']}",
}
AUTH_EXIT = AuthError.exit_code  # a token missing or refused: the exit code of every command (3)
DOCTOR_ATTEMPTS = 2  # a doctor answers quickly: one retry, not the five a sync allows


@dataclass(frozen=True, slots=True)
class Check:
    check: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False
    code: int = 1  # the exit code this check's failure means: 3 for a token missing or refused

    @property
    def fails(self) -> bool:
        return not self.ok and not self.warning


def attempt(checks: list[Check], name: str, step: Callable[[], T], describe: Callable[[T], str]) -> T | None:
    """Run one step as a check: its value (and a passed check), or None (and a failed one with the fix)."""
    try:
        value = step()
    except MoteurError as exc:
        code = AUTH_EXIT if isinstance(exc, AuthError) else 1
        checks.append(Check(name, False, scrub(exc.message), scrub(exc.hint or ""), code=code))
        return None
    checks.append(Check(name, True, describe(value)))
    return value


def configured_tools(settings: Settings, refs: list[BoardRef]) -> list[Tool]:
    named = {ref.tool for ref in refs}
    with_credentials = {
        t for t, fields in CREDENTIALS.items() if any(getattr(settings, f) for _, f in fields)
    }
    return [t for t in (Tool.TRELLO, Tool.ASANA, Tool.MONDAY) if t in named | with_credentials]


def credentials_check(tool: Tool, settings: Settings) -> Check:
    missing = [var for var, field in CREDENTIALS[tool] if not getattr(settings, field)]
    name = f"{TOOL_NAMES[tool]}: credentials present"
    if missing:
        return Check(
            name,
            False,
            f"{' and '.join(missing)} not set",
            f"{WHERE_TO_GET[tool]}, then put {'=… and '.join(missing)}=… in .env (chmod 600 .env)",
            code=AUTH_EXIT,
        )
    return Check(name, True, ", ".join(var for var, _ in CREDENTIALS[tool]) + " set")


def trello_checks(settings: Settings, refs: list[BoardRef]) -> list[Check]:
    from moteur.connectors.trello import account
    from moteur.connectors.trello.transport import trello_client, trello_options

    key = settings.trello_api_key.get_secret_value() if settings.trello_api_key else ""
    token = settings.trello_token.get_secret_value() if settings.trello_token else ""
    client = trello_client(settings, trello_options(key, token, max_attempts=DOCTOR_ATTEMPTS))
    checks: list[Check] = []
    try:
        me = attempt(
            checks,
            "Trello: credentials accepted",
            lambda: account.whoami(client),
            lambda m: f"the token of {m.full_name} (@{m.username})",
        )
        if me is None:
            return checks
        for ref in refs:
            access = attempt(
                checks, f"{ref} reachable", partial(account.board_access, client, ref.board, me.id), _named
            )
            if access is None:
                continue
            if access.can_write:
                checks.append(Check(f"{ref} writable", True, f"you are a {access.member_type} member"))
            elif access.closed:
                checks.append(Check(f"{ref} writable", False, "the board is closed", "reopen it in Trello"))
            else:
                who = f"an {access.member_type}" if access.member_type else "not a member"
                fix = "ask a board admin to make you a normal member"
                checks.append(Check(f"{ref} writable", False, f"you are {who} of the board", fix))
            if access.custom_fields:
                checks.append(
                    Check(f"{ref} custom fields", True, "Custom Fields Power-Up on: ICE is written")
                )
            else:
                fix = "turn on the Custom Fields Power-Up (board menu → Power-Ups → Custom Fields)"
                checks.append(
                    Check(f"{ref} custom fields", False, "Power-Up off: ICE is skipped", fix, warning=True)
                )
    finally:
        client.close()
    return checks


def asana_checks(settings: Settings, refs: list[BoardRef]) -> list[Check]:
    import time

    from moteur.connectors.asana import account
    from moteur.connectors.asana.transport import asana_client, asana_options, token_of

    # A limiter of the doctor's own (another clock than time.monotonic gets one): its 402 probe of a free
    # workspace must not slow the token's other clients in this process (transport.note_free).
    token = token_of(settings)
    options = asana_options(token, settings.asana_tier, max_attempts=DOCTOR_ATTEMPTS, clock=time.perf_counter)
    client = asana_client(settings, options)
    checks: list[Check] = []
    premium: dict[str, bool] = {}
    asked: dict[str, str] = {}  # the workspaces of the reachable boards: gid -> name
    try:
        me = attempt(
            checks,
            "Asana: credentials accepted",
            lambda: account.whoami(client),
            lambda u: f"the token of {u.name} ({len(u.workspaces)} workspace(s))",
        )
        if me is None:
            return checks
        for ref in refs:
            access = attempt(
                checks, f"{ref} reachable", partial(account.project_access, client, ref.board, me.gid), _named
            )
            if access is None:
                continue
            asked[access.workspace] = dict(me.workspaces).get(access.workspace, access.workspace)
            if access.archived:
                checks.append(Check(f"{ref} writable", False, "the project is archived", "unarchive it"))
            elif access.member:
                checks.append(Check(f"{ref} writable", True, "you are a member of the project"))
            else:
                fix = "join the project (Share → add yourself), or expect 403 refusals"
                checks.append(Check(f"{ref} writable", False, "you are not a member", fix, warning=True))
            if settings.asana_tier == "free":
                detail = 'asana_tier = "free": the sprint is written as a tag, ICE is skipped'
                checks.append(Check(f"{ref} custom fields", True, detail))
                continue
            if access.workspace not in premium:
                try:
                    premium[access.workspace] = account.custom_fields_available(client, access.workspace)
                except MoteurError as exc:
                    checks.append(
                        Check(f"{ref} custom fields", False, scrub(exc.message), scrub(exc.hint or ""))
                    )
                    continue
            if premium[access.workspace]:
                checks.append(Check(f"{ref} custom fields", True, "premium workspace: Sprint and ICE fields"))
            else:
                fix = 'set asana_tier = "free" in moteur.toml (sprint as a tag), or upgrade the workspace'
                checks.append(
                    Check(f"{ref} custom fields", False, "free workspace: no custom fields (402)", fix)
                )
        # Asana's budget per token: 150 a minute on a free domain, 1,500 on a paid one (account.rate_tier).
        rate = account.probe_rate_tier(client, asked or dict(me.workspaces), premium, settings.asana_tier)
        checks.append(Check("Asana: rate limit", not rate.fix, rate.detail, rate.fix, warning=bool(rate.fix)))
    finally:
        client.close()
    return checks


def monday_checks(settings: Settings, refs: list[BoardRef]) -> list[Check]:
    from moteur.connectors.monday import account
    from moteur.connectors.monday.transport import (
        ComplexityPacer,
        MondayTransport,
        monday_client,
        monday_options,
        token_of,
    )

    options = monday_options(token_of(settings), settings.monday_api_version, max_attempts=DOCTOR_ATTEMPTS)
    http, path = monday_client(settings, options)
    transport = MondayTransport(http, path, ComplexityPacer(sleep=http.options.sleep))
    checks: list[Check] = []
    try:
        me = attempt(checks, "monday.com: credentials accepted", lambda: account.whoami(transport), _token_of)
        if me is None:
            return checks
        checks.append(version_check(settings.monday_api_version, me.version, me.version_kind))
        checks.append(daily_calls_check(me.daily))
        for ref in refs:
            access = attempt(
                checks, f"{ref} reachable", partial(account.board_access, transport, ref.board), _named
            )
            if access is None:
                continue
            if not access.can_write:
                fix = "restore the board in monday.com, or remove it from `boards`"
                checks.append(Check(f"{ref} writable", False, f"the board is {access.state}", fix))
            elif access.permissions in ("everyone", ""):
                checks.append(
                    Check(f"{ref} writable", True, f"active {access.kind} board, everyone may edit")
                )
            else:
                detail = f"only {access.permissions} may edit this {access.kind} board"
                fix = f"make sure the token's user is one of the {access.permissions}"
                checks.append(Check(f"{ref} writable", False, detail, fix, warning=True))
    finally:
        http.close()
    return checks


def version_check(wanted: str, served: str, kind: str) -> Check:
    name = "monday.com: API version"
    fix = "set monday_api_version in moteur.toml to a current version (see monday's API versioning page)"
    if served and served != wanted:
        return Check(name, False, f"asked for {wanted}, monday answered {served} ({kind})", fix)
    if kind == "deprecated":
        return Check(name, False, f"{served} is deprecated", fix)
    return Check(name, True, f"{served or wanted} answered ({kind or 'kind unknown'})")


def daily_calls_check(daily: DailyCap | None) -> Check:
    """monday.com's daily call cap for the token's account (by plan: Free/Trial 200, Basic/Standard 1,000,
    Pro 10,000, Enterprise 25,000 — support.monday.com, "API Rate Limits"), and today's calls when monday
    says; a warning when a tenth or less is left, or when the cap cannot be told."""
    from moteur.connectors.monday.daily import duration, until_reset

    name = "monday.com: daily API calls"
    if daily is None or daily.cap is None:
        detail = "the account's plan did not say which daily cap applies (200 to 25,000 calls a day)"
        return Check(name, False, detail, "plan for the lowest, 200 calls a day", warning=True)
    detail = f"{daily.describe()}; it resets at midnight UTC (in {duration(until_reset())})"
    if daily.remaining is not None and daily.remaining <= daily.cap // 10:
        fix = "a sync or migration may stop before it is done: run it after the reset"
        return Check(name, False, f"{daily.remaining:,} calls left today — {detail}", fix, warning=True)
    return Check(name, True, detail)


def _named(access: object) -> str:
    return f'"{getattr(access, "name", "")}"'


def _token_of(user: object) -> str:
    return f"the token of {getattr(user, 'name', '')}"


def file_checks(refs: list[BoardRef]) -> list[Check]:
    checks = []
    for ref in refs:
        path = Path(ref.board)
        if path.is_file():
            checks.append(Check(f"{ref} readable", True, f"{path.stat().st_size} bytes"))
        else:
            checks.append(Check(f"{ref} readable", False, f"{path} not found", "fix the path in `boards`"))
    return checks


def state_check(settings: Settings) -> Check:
    try:
        store = open_store(settings)
    except MoteurError as exc:
        return Check("state database", False, scrub(exc.message), scrub(exc.hint or ""))
    try:
        # Opening brought it up to this moteur's schema (upgrades run on first use): say which, for upgrades.
        return Check("state database", True, f"{scrub(store.where)} opened, schema version {SCHEMA_VERSION}")
    finally:
        store.close()


def dotenv_check(path: Path | None) -> Check | None:
    if path is None or not path.is_file():
        return None
    problem = dotenv_warning(path)
    if problem:
        return Check(".env permissions", False, f"{path} is readable by other users", f"chmod 600 {path}")
    return Check(".env permissions", True, f"{path} is readable by you only")


def configuration_check(settings: Settings, anything: bool) -> Check:
    """Which files were read; a failure when there is neither a config file nor anything to check."""
    name = "configuration"
    env_file = f", {near(settings.env_file)}" if settings.env_file else ""
    if settings.config_file is not None:
        if not anything:
            fix = "run `moteur init`, put credentials in .env, then list boards with `moteur boards`"
            return Check(name, False, "no board configured and no credentials set", fix)
        return Check(name, True, f"{near(settings.config_file)}{env_file} read")
    fix = "run `moteur init` (it writes moteur.toml), or point MOTEUR_CONFIG at one"
    if not anything:
        return Check(name, False, NO_CONFIG.partition(";")[0], fix)
    detail = f"{NO_CONFIG.partition(';')[0]}: settings from the environment{env_file} only"
    return Check(name, False, detail, fix, warning=True)


TOOL_CHECKS = {Tool.TRELLO: trello_checks, Tool.ASANA: asana_checks, Tool.MONDAY: monday_checks}


def diagnose(settings: Settings) -> list[Check]:
    """Every check, in order: per configured tool, then file boards, the state database and ``.env``."""
    refs = [parse_ref(text) for text in settings.boards]
    tools = configured_tools(settings, refs)
    checks = [configuration_check(settings, bool(tools or refs))]
    for tool in tools:
        present = credentials_check(tool, settings)
        checks.append(present)
        if present.ok:
            checks.extend(TOOL_CHECKS[tool](settings, [r for r in refs if r.tool is tool]))
    checks.extend(file_checks([r for r in refs if r.tool is Tool.FILE]))
    checks.append(state_check(settings))
    if (env_file := dotenv_check(settings.env_file)) is not None:
        checks.append(env_file)
    return checks
