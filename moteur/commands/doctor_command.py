"""``moteur doctor``: check, without writing anything, that every configured tool and board will work.

A *check* is one line (``core/checks.py``): what was checked, whether it passed, what was found, and the fix
when it did not. For each *configured tool* — a tool named in the config's ``boards`` or whose credentials
are set — the credentials are present (the variables its ``describe()`` names), then the tool's connector
checks its own account (``Connector.check_access``): credentials accepted (one cheap request), then per
board: reachable, may be written, custom fields available (Trello's Custom Fields Power-Up, Asana's premium
tier); for monday, the API version that answered; for a file, that it can be read. One loop, whatever the
tool. Then the state database (opened, created if missing), the sprint numbering (``first_sprint`` from the
settings or the anchor the state keeps: ``sprint_anchor``) and ``.env``'s permissions.

A *warning* is a failed check moteur can live with (the ICE field is skipped without the Trello power-up):
shown with ``!``, it does not make the doctor fail. Exit 0 when nothing failed, 3 when a token is missing
or refused (as every command exits for a missing token), 1 for any other failure; a config that cannot be
read exits 2 before any check, as everywhere. ``--json`` prints one object: ``ok``, ``exit_code``, the
``checks``, the files read (``config_file``, ``env_file``) and the effective ``settings`` (no token).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from moteur.commands.boards_command import credentials_set
from moteur.commands.sprint_anchor import SprintAnchor, sprint_anchor
from moteur.commands.sync_command import now_utc, open_store
from moteur.connectors.base import TOOLS, connector_for, describe
from moteur.connectors.checks import failed
from moteur.core.checks import AUTH_EXIT, Check
from moteur.core.errors import MoteurError
from moteur.core.model import BoardRef, Tool
from moteur.core.phrase import Phrase
from moteur.core.refs import parse_ref
from moteur.engine.state import SCHEMA_VERSION
from moteur.redaction import scrub
from moteur.runtime import current
from moteur.settings import TOKEN_PAGES, Settings, dotenv_warning, near

DOCTOR_ATTEMPTS = 2  # a doctor answers quickly: one retry per request, not the five a sync allows
# Where each tool's credentials are made: the fix of a missing one.
WHERE_TO_GET = {
    Tool.TRELLO: Phrase("create an API key, then its token, at {page}", page=TOKEN_PAGES["trello"]),
    Tool.ASANA: Phrase("create a personal access token at {page}", page=TOKEN_PAGES["asana"]),
    Tool.MONDAY: Phrase("copy a personal API token: {page}", page=Phrase(TOKEN_PAGES["monday"])),
}


def configured_tools(settings: Settings, refs: list[BoardRef]) -> list[Tool]:
    """The tools named in ``boards`` or whose credentials are set, in the registry's order."""
    named = {ref.tool for ref in refs}
    return [t for t in TOOLS if t in named or credentials_set(t, settings)]


def credentials_check(tool: Tool, settings: Settings) -> Check:
    described = describe(tool)
    missing = [c.variable for c in described.credentials if not getattr(settings, c.field)]
    name = Phrase("{tool}: credentials present", tool=described.name)
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
    present = ", ".join(c.variable for c in described.credentials)
    return Check(name, True, Phrase("{names} set", names=present))


def access_checks(tool: Tool, settings: Settings, refs: list[BoardRef]) -> list[Check]:
    """What ``tool``'s connector says of its account and of ``refs``, through a connector of the doctor's own
    on a runtime apart: a probe's findings (Asana's 402 on a free workspace) must not pace the token's other
    clients in this run."""
    try:
        connector = connector_for(tool, settings, runtime=current().apart(attempts=DOCTOR_ATTEMPTS))
    except MoteurError as exc:  # its mapping or settings cannot be used
        return [failed(Phrase("{tool}: connector opened", tool=describe(tool).name), exc)]
    try:
        return connector.check_access(refs)
    finally:
        connector.close()


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


def diagnose(settings: Settings) -> list[Check]:
    """Every check, in order: per configured tool (file boards last), the state database and ``.env``."""
    refs = [parse_ref(text) for text in settings.boards]
    tools = configured_tools(settings, refs)
    checks = [configuration_check(settings, bool(tools or refs))]
    for tool in tools:
        if describe(tool).credentials:
            present = credentials_check(tool, settings)
            checks.append(present)
            if not present.ok:
                continue
        checks.extend(access_checks(tool, settings, [r for r in refs if r.tool is tool]))
    checks.extend(state_checks(settings))
    if (env_file := dotenv_check(settings.env_file)) is not None:
        checks.append(env_file)
    return checks
