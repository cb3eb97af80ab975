"""``moteur doctor``: check, without writing anything, that every configured tool and board will work.

A *check* is one line: what was checked, whether it passed, what was found, and the fix when it did not.
For each *configured tool* — a tool named in the config's ``boards`` or whose credentials are set — the
checks are: credentials present, credentials accepted (one cheap request), then per board: reachable, may
be written, custom fields available (Trello's Custom Fields Power-Up, Asana's premium tier); for monday, the
API version that answered. Then the state database (opened, created if missing), the sprint numbering
(``first_sprint`` from the settings or the anchor the state keeps: ``sprint_anchor``) and ``.env``'s
permissions.

A *warning* is a failed check moteur can live with (the ICE field is skipped without the Trello power-up):
shown with ``!``, it does not make the doctor fail. Exit 0 when nothing failed, 3 when a token is missing
or refused (as every command exits for a missing token), 1 for any other failure; a config that cannot be
read exits 2 before any check, as everywhere. ``--json`` prints one object: ``ok``, ``exit_code``, the
``checks``, the files read (``config_file``, ``env_file``) and the effective ``settings`` (no token).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from moteur.commands.boards_command import ACCOUNT_TOOLS
from moteur.commands.sprint_anchor import SprintAnchor, sprint_anchor
from moteur.commands.sync_command import now_utc, open_store
from moteur.connectors.base import describe
from moteur.core.errors import AuthError, MoteurError
from moteur.core.model import BoardRef, Tool
from moteur.core.phrase import Phrase
from moteur.core.refs import parse_ref
from moteur.engine.state import SCHEMA_VERSION
from moteur.redaction import scrub
from moteur.runtime import current
from moteur.settings import TOKEN_PAGES, Settings, dotenv_warning, near
from moteur.views.words import plural

if TYPE_CHECKING:
    from moteur.connectors.monday.daily import DailyCap

T = TypeVar("T")

# Each tool with an account, named and with its credentials as its connector describes itself.
TOOL_NAMES = {tool: describe(tool).name for tool in ACCOUNT_TOOLS}
CREDENTIALS = {
    tool: tuple((c.variable, c.field) for c in describe(tool).credentials) for tool in ACCOUNT_TOOLS
}
WHERE_TO_GET = {
    Tool.TRELLO: Phrase("create an API key, then its token, at {page}", page=TOKEN_PAGES["trello"]),
    Tool.ASANA: Phrase("create a personal access token at {page}", page=TOKEN_PAGES["asana"]),
    Tool.MONDAY: Phrase("copy a personal API token: {page}", page=Phrase(TOKEN_PAGES["monday"])),
}
AUTH_EXIT = AuthError.exit_code  # a token missing or refused: the exit code of every command (3)
DOCTOR_ATTEMPTS = 2  # a doctor answers quickly: one retry, not the five a sync allows


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report. Its texts are English (the ``--json`` keys and values stay so); those moteur
    words are ``Phrase``s, said in the reader's language when shown (``doctor_report.render``)."""

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
    name = Phrase("{tool}: credentials present", tool=TOOL_NAMES[tool])
    if missing:
        names = (
            Phrase("{first} and {second}", first=missing[0], second=missing[1])
            if len(missing) > 1
            else missing[0]
        )
        assignments = " ".join(f"{var}=…" for var in missing)
        return Check(
            name,
            False,
            Phrase("{names} not set", names=names),
            Phrase(
                "{where}, then put {assignments} in .env (chmod 600 .env)",
                where=WHERE_TO_GET[tool],
                assignments=assignments,
            ),
            code=AUTH_EXIT,
        )
    return Check(name, True, Phrase("{names} set", names=", ".join(var for var, _ in CREDENTIALS[tool])))


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
            Phrase("{tool}: credentials accepted", tool="Trello"),
            lambda: account.whoami(client),
            lambda m: Phrase("the token of {name} (@{username})", name=m.full_name, username=m.username),
        )
        if me is None:
            return checks
        for ref in refs:
            access = attempt(
                checks, _reachable(ref), partial(account.board_access, client, ref.board, me.id), _named
            )
            if access is None:
                continue
            if access.can_write:
                detail = Phrase("you are a {kind} member", kind=access.member_type)
                checks.append(Check(_writable(ref), True, detail))
            elif access.closed:
                checks.append(
                    Check(_writable(ref), False, Phrase("the board is closed"), Phrase("reopen it in Trello"))
                )
            else:
                detail = (
                    Phrase("you are an {kind} of the board", kind=access.member_type)
                    if access.member_type
                    else Phrase("you are not a member of the board")
                )
                fix = Phrase("ask a board admin to make you a normal member")
                checks.append(Check(_writable(ref), False, detail, fix))
            if access.custom_fields:
                detail = Phrase("Custom Fields Power-Up on: ICE is written")
                checks.append(Check(_custom_fields(ref), True, detail))
            else:
                fix = Phrase("turn on the Custom Fields Power-Up (board menu → Power-Ups → Custom Fields)")
                detail = Phrase("Power-Up off: ICE is skipped")
                checks.append(Check(_custom_fields(ref), False, detail, fix, warning=True))
    finally:
        client.close()
    return checks


def asana_checks(settings: Settings, refs: list[BoardRef]) -> list[Check]:
    from moteur.connectors.asana import account
    from moteur.connectors.asana.transport import asana_client, asana_options, token_of

    # A limiter of the doctor's own (a runtime apart): its 402 probe of a free workspace must not slow the
    # token's other clients in this run (transport.note_free).
    token = token_of(settings)
    apart = current().apart()
    options = asana_options(token, settings.asana_tier, runtime=apart, max_attempts=DOCTOR_ATTEMPTS)
    client = asana_client(settings, options)
    checks: list[Check] = []
    premium: dict[str, bool] = {}
    asked: dict[str, str] = {}  # the workspaces of the reachable boards: gid -> name
    try:
        me = attempt(
            checks,
            Phrase("{tool}: credentials accepted", tool="Asana"),
            lambda: account.whoami(client),
            lambda u: Phrase(
                "the token of {name} ({workspaces})",
                name=u.name,
                workspaces=plural(len(u.workspaces), "workspace", "workspaces"),
            ),
        )
        if me is None:
            return checks
        for ref in refs:
            access = attempt(
                checks, _reachable(ref), partial(account.project_access, client, ref.board, me.gid), _named
            )
            if access is None:
                continue
            asked[access.workspace] = dict(me.workspaces).get(access.workspace, access.workspace)
            if access.archived:
                detail, fix = Phrase("the project is archived"), Phrase("unarchive it")
                checks.append(Check(_writable(ref), False, detail, fix))
            elif access.member:
                checks.append(Check(_writable(ref), True, Phrase("you are a member of the project")))
            else:
                fix = Phrase("join the project (Share → add yourself), or expect 403 refusals")
                detail = Phrase("you are not a member")
                checks.append(Check(_writable(ref), False, detail, fix, warning=True))
            if settings.asana_tier == "free":
                detail = Phrase('asana_tier = "free": the sprint is written as a tag, ICE is skipped')
                checks.append(Check(_custom_fields(ref), True, detail))
                continue
            if access.workspace not in premium:
                try:
                    premium[access.workspace] = account.custom_fields_available(client, access.workspace)
                except MoteurError as exc:
                    checks.append(
                        Check(_custom_fields(ref), False, scrub(exc.message), scrub(exc.hint or ""))
                    )
                    continue
            if premium[access.workspace]:
                detail = Phrase("premium workspace: Sprint and ICE fields")
                checks.append(Check(_custom_fields(ref), True, detail))
            else:
                fix = Phrase(
                    'set asana_tier = "free" in moteur.toml (sprint as a tag), or upgrade the workspace'
                )
                detail = Phrase("free workspace: no custom fields (402)")
                checks.append(Check(_custom_fields(ref), False, detail, fix))
        # Asana's budget per token: 150 a minute on a free domain, 1,500 on a paid one (account.rate_tier).
        rate = account.probe_rate_tier(client, asked or dict(me.workspaces), premium, settings.asana_tier)
        name = Phrase("{tool}: rate limit", tool="Asana")
        checks.append(Check(name, not rate.fix, rate.detail, rate.fix, warning=bool(rate.fix)))
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
        name = Phrase("{tool}: credentials accepted", tool="monday.com")
        me = attempt(checks, name, lambda: account.whoami(transport), _token_of)
        if me is None:
            return checks
        checks.append(version_check(settings.monday_api_version, me.version, me.version_kind))
        checks.append(daily_calls_check(me.daily))
        for ref in refs:
            access = attempt(
                checks, _reachable(ref), partial(account.board_access, transport, ref.board), _named
            )
            if access is None:
                continue
            if not access.can_write:
                fix = Phrase("restore the board in monday.com, or remove it from `boards`")
                detail = Phrase("the board is {state}", state=access.state)
                checks.append(Check(_writable(ref), False, detail, fix))
            elif access.permissions in ("everyone", ""):
                detail = Phrase("active {kind} board, everyone may edit", kind=access.kind)
                checks.append(Check(_writable(ref), True, detail))
            else:
                detail = Phrase(
                    "only {who} may edit this {kind} board", who=access.permissions, kind=access.kind
                )
                fix = Phrase("make sure the token's user is one of the {who}", who=access.permissions)
                checks.append(Check(_writable(ref), False, detail, fix, warning=True))
    finally:
        http.close()
    return checks


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
    from moteur.connectors.monday.daily import duration, until_reset

    name = Phrase("{tool}: daily API calls", tool="monday.com")
    if daily is None or daily.cap is None:
        detail = Phrase("the account's plan did not say which daily cap applies (200 to 25,000 calls a day)")
        return Check(name, False, detail, Phrase("plan for the lowest, 200 calls a day"), warning=True)
    detail = Phrase(
        "{calls}; it resets at midnight UTC (in {wait})", calls=daily.describe(), wait=duration(until_reset())
    )
    if daily.remaining is not None and daily.remaining <= daily.cap // 10:
        fix = Phrase("a sync or migration may stop before it is done: run it after the reset")
        detail = Phrase(
            "{left} calls left today — {detail}", left=format(daily.remaining, ","), detail=detail
        )
        return Check(name, False, detail, fix, warning=True)
    return Check(name, True, detail)


def _named(access: object) -> str:
    return f'"{getattr(access, "name", "")}"'


def _token_of(user: object) -> str:
    return Phrase("the token of {name}", name=getattr(user, "name", ""))


def _reachable(ref: BoardRef) -> str:
    return Phrase("{board} reachable", board=str(ref))


def _writable(ref: BoardRef) -> str:
    return Phrase("{board} writable", board=str(ref))


def _custom_fields(ref: BoardRef) -> str:
    return Phrase("{board} custom fields", board=str(ref))


def file_checks(refs: list[BoardRef]) -> list[Check]:
    checks = []
    for ref in refs:
        path = Path(ref.board)
        name = Phrase("{board} readable", board=str(ref))
        if path.is_file():
            checks.append(Check(name, True, plural(path.stat().st_size, "byte", "bytes")))
        else:
            fix = Phrase("fix the path in `boards`")
            checks.append(Check(name, False, Phrase("{path} not found", path=str(path)), fix))
    return checks


def state_checks(settings: Settings) -> list[Check]:
    """The state database opens; and the sprint anchor: where sprint 1 starts, and where that came from."""
    try:
        store = open_store(settings)
    except MoteurError as exc:
        return [Check(Phrase("state database"), False, scrub(exc.message), scrub(exc.hint or ""))]
    try:
        # Opening brought it up to this moteur's schema (upgrades run on first use): say which, for upgrades.
        opened = Check(
            Phrase("state database"),
            True,
            Phrase(
                "{where} opened, schema version {version}", where=scrub(store.where), version=SCHEMA_VERSION
            ),
        )
        setting = settings.planning.first_sprint
        return [opened, anchor_check(sprint_anchor(store, setting, date.today(), now_utc(), keep=False))]
    finally:
        store.close()


def anchor_check(anchor: SprintAnchor) -> Check:
    """``first_sprint``: the setting, or the Monday the state keeps (since when), or not anchored yet."""
    name = Phrase("sprint numbering")
    day = anchor.first_sprint.isoformat()
    kept = anchor.kept.isoformat() if anchor.kept else ""
    since = f"{anchor.kept_at:%Y-%m-%d %H:%M} UTC" if anchor.kept_at else ""
    if anchor.differs:
        detail = Phrase(
            "Sprint 1 starts on {day} (first_sprint in the settings), which differs from the {kept} the "
            "state database keeps since {since}: the setting wins",
            day=day,
            kept=kept,
            since=since,
        )
        fix = Phrase(
            "remove first_sprint to number from {kept} again, or keep it: sprint numbers follow it", kept=kept
        )
        return Check(name, False, detail, fix, warning=True)
    if anchor.source == "setting":
        return Check(name, True, Phrase("Sprint 1 starts on {day} (first_sprint in the settings)", day=day))
    if anchor.source == "state":
        detail = Phrase(
            "Sprint 1 starts on {day} (kept in the state database since {since})", day=day, since=since
        )
        return Check(name, True, detail)
    return Check(
        name,
        True,
        Phrase("not anchored yet: the first plan or sync keeps the Monday of its week as Sprint 1's start"),
    )


def dotenv_check(path: Path | None) -> Check | None:
    if path is None or not path.is_file():
        return None
    problem = dotenv_warning(path)
    name = Phrase(".env permissions")
    if problem:
        detail = Phrase("{path} is readable by other users", path=str(path))
        return Check(name, False, detail, f"chmod 600 {path}")
    return Check(name, True, Phrase("{path} is readable by you only", path=str(path)))


def configuration_check(settings: Settings, anything: bool) -> Check:
    """Which files were read; a failure when there is neither a config file nor anything to check."""
    name = Phrase("configuration")
    env_file = f", {near(settings.env_file)}" if settings.env_file else ""
    if settings.config_file is not None:
        if not anything:
            fix = Phrase("run `moteur init`, put credentials in .env, then list boards with `moteur boards`")
            return Check(name, False, Phrase("no board configured and no credentials set"), fix)
        return Check(name, True, Phrase("{files} read", files=str(near(settings.config_file)) + env_file))
    fix = Phrase("run `moteur init` (it writes moteur.toml), or point MOTEUR_CONFIG at one")
    no_config = Phrase("no moteur.toml here or in $MOTEUR_CONFIG")  # NO_CONFIG's first half
    if not anything:
        return Check(name, False, no_config, fix)
    detail = Phrase(
        "{no_config}: settings from the environment{env_file} only", no_config=no_config, env_file=env_file
    )
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
    checks.extend(state_checks(settings))
    if (env_file := dotenv_check(settings.env_file)) is not None:
        checks.append(env_file)
    return checks
