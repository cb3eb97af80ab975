"""``moteur init``: write a first ``moteur.toml`` and a ``.env`` holding only the names of the tokens to fill.

Interactive, it asks (on stderr, answers from stdin) which tools, which boards, the sprint length and first
Monday, the capacity, the public-holiday country and subdivision, the closures and the language; each answer
is checked as it is typed and asked again when wrong. ``--non-interactive`` asks nothing and writes the
commented defaults. Either way the written file is loaded back through the settings before moteur says
it is done, so ``init`` never leaves a config that ``sync`` would refuse.

When tokens are already set (the environment or ``.env``), ``init`` lists the boards they reach
(``init_boards``): numbered in the board questions, as comments in ``moteur.toml`` and on stdout. Run without
a terminal and without answers on stdin, it says to use ``--non-interactive`` (exit 2) rather than click's
bare "Aborted!".

Its questions and messages speak ``MOTEUR_LANGUAGE`` (``en`` or ``fr``) when it is set: there is no
``moteur.toml`` yet to say the language. The file it writes stays in English, like ``moteur.example.toml``.

Secrets are never asked for: a typed token would sit in the terminal's scrollback. ``.env`` gets the
variable names with empty values, mode 600; an existing ``.env`` (which may hold real tokens) is never
overwritten, not even with ``--force``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from moteur.commands.context import checked_ref
from moteur.commands.init_boards import Reachable, numbered, of_tool, picked, reachable_boards, toml_comment
from moteur.core.calendar import week_start
from moteur.core.errors import UsageError
from moteur.core.policy import DEFAULT_LANGUAGE, Language
from moteur.i18n import N_, _, set_language
from moteur.settings import TOKEN_PAGES, dotenv_warning, load_settings

if TYPE_CHECKING:
    from moteur.views.output import Output

T = TypeVar("T")

TOOLS = ("trello", "asana", "monday", "file")
# Said in the current language, not the process's locale (``strftime("%A")`` would follow LC_TIME).
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
ENV_LINES = {
    "trello": (
        f"# Trello: an API key at {TOKEN_PAGES['trello']}, then a token for it.",
        "MOTEUR_TRELLO_API_KEY=",
        "MOTEUR_TRELLO_TOKEN=",
    ),
    "asana": (
        f"# Asana: a personal access token at {TOKEN_PAGES['asana']}.",
        "MOTEUR_ASANA_TOKEN=",
    ),
    "monday": (f"# monday.com: a personal API token: {TOKEN_PAGES['monday']}.", "MOTEUR_MONDAY_TOKEN="),
}
BOARD_QUESTIONS = {
    "trello": N_("Trello board ids or shortLinks (from trello.com/b/<shortLink>/…)"),
    "asana": N_("Asana project gids (the number after /project/ in its URL)"),
    "monday": N_("monday.com board ids (the number in …/boards/<id>)"),
    "file": N_("Action plan files (CSV, JSON or YAML paths)"),
}


@dataclass(frozen=True)
class InitAnswers:
    """What ``init`` writes; the defaults are what ``--non-interactive`` writes."""

    first_sprint: date
    tools: tuple[str, ...] = ("trello", "asana", "monday")
    boards: tuple[str, ...] = ()
    language: str = DEFAULT_LANGUAGE.value
    sprint_weeks: int = 2
    horizon: int = 6
    capacity_per_sprint: float = 20
    country: str = "FR"
    subdivision: str | None = None
    closures: tuple[tuple[date, date], ...] = field(default_factory=tuple)


def language_of_environment() -> Language:
    """``MOTEUR_LANGUAGE`` when it names a language moteur speaks, else the default."""
    try:
        return Language(os.environ.get("MOTEUR_LANGUAGE", "").strip().lower())
    except ValueError:
        return DEFAULT_LANGUAGE


# -- answers typed by a person, each checked where it is typed ------------------------------------


def parse_tools(text: str) -> tuple[str, ...]:
    names = [t.strip().lower().removesuffix(".com") for t in text.replace(" ", ",").split(",") if t.strip()]
    unknown = [n for n in names if n not in TOOLS]
    if unknown or not names:
        raise typer.BadParameter(
            _("write some of {tools}, separated by commas").format(tools=", ".join(TOOLS))
        )
    return tuple(dict.fromkeys(names))


def parse_boards(tool: str, text: str, listed: Reachable | None = None) -> tuple[str, ...]:
    """Refs or ids, comma-separated; with ``listed`` (the boards the token reaches), numbers from it too."""
    refs = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        ref = picked(part, listed or []) or (part if part.startswith(f"{tool}:") else f"{tool}:{part}")
        try:
            refs.append(str(checked_ref(ref)))
        except UsageError as exc:
            raise typer.BadParameter(exc.message) from exc
    return tuple(refs)


def parse_monday(text: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(_("write a date as YYYY-MM-DD")) from None
    if day.weekday() != 0:
        raise typer.BadParameter(
            _("{day} is a {weekday}; sprints start on a Monday").format(
                day=day, weekday=_(WEEKDAYS[day.weekday()])
            )
        )
    return day


def parse_closures(text: str) -> tuple[tuple[date, date], ...]:
    ranges = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        start_text, sep, end_text = part.partition("..")
        try:
            start = date.fromisoformat(start_text.strip())
            end = date.fromisoformat(end_text.strip()) if sep else start
        except ValueError:
            raise typer.BadParameter(
                _("{part}: write FIRST..LAST as YYYY-MM-DD..YYYY-MM-DD").format(part=repr(part))
            ) from None
        if end < start:
            raise typer.BadParameter(_("{part}: the last day is before the first").format(part=repr(part)))
        ranges.append((start, end))
    return tuple(ranges)


def parse_country(text: str) -> str:
    import holidays

    code = text.strip().upper()
    if code not in holidays.list_supported_countries():
        raise typer.BadParameter(
            _("{code} is not a country the holidays package knows (e.g. FR, BE, CH)").format(code=repr(code))
        )
    return code


def parse_language(text: str) -> str:
    if text.strip().lower() not in ("en", "fr"):
        raise typer.BadParameter(_("write en or fr"))
    return text.strip().lower()


def parse_weeks(text: str) -> int:
    if text.strip() not in ("1", "2", "3", "4"):
        raise typer.BadParameter(_("write a number of weeks from 1 to 4"))
    return int(text)


def parse_capacity(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = -1.0
    if value < 0:
        raise typer.BadParameter(_("write a number of effort points, 0 or more"))
    return value


def parse_subdivision(country: str, text: str) -> str | None:
    import holidays

    code = text.strip().upper()
    known = holidays.list_supported_countries().get(country, [])
    if code and code not in known:
        raise typer.BadParameter(
            _("{code} is not a subdivision of {country} (e.g. {examples})").format(
                code=repr(code), country=country, examples=", ".join(known[:4])
            )
        )
    return code or None


def ask(question: str, default: str, parse: Callable[[str], T]) -> T:
    """One question on stderr; ``parse`` raises ``BadParameter`` and the question comes again."""
    answer: T = typer.prompt(
        question, default=default, value_proc=parse, err=True, show_default=bool(default)
    )
    return answer


def interview(today: date, reachable: Reachable | None = None) -> InitAnswers:
    """Ask every question; a wrong answer is explained and asked again."""
    defaults = InitAnswers(first_sprint=week_start(today))
    tools = ask(_("Tools ({tools})").format(tools=", ".join(TOOLS)), "trello", parse_tools)
    boards: list[str] = []
    for tool in tools:
        listed = of_tool(reachable or [], tool)
        if listed:
            typer.echo(_("Your token reaches:") + f"\n{numbered(listed)}", err=True)
            question = _("{boards}, or numbers from the list, comma-separated (empty: none)")
        elif tool == "file":
            question = _("{boards}, comma-separated (empty: none)")
        else:
            question = _("{boards}, comma-separated (empty: later, with `moteur boards`)")
        question = question.format(boards=_(BOARD_QUESTIONS[tool]))
        boards.extend(ask(question, "", partial(parse_boards, tool, listed=listed)))
    return InitAnswers(
        tools=tools,
        boards=tuple(boards),
        language=ask(_("Language of messages and board names (en, fr)"), defaults.language, parse_language),
        sprint_weeks=ask(_("Sprint length in weeks (1-4)"), "2", parse_weeks),
        first_sprint=ask(
            _("First sprint starts on Monday (YYYY-MM-DD)"), defaults.first_sprint.isoformat(), parse_monday
        ),
        capacity_per_sprint=ask(_("Capacity of a full sprint, in effort points"), "20", parse_capacity),
        country=(country := ask(_("Public holidays of country"), "FR", parse_country)),
        subdivision=ask(
            _("Subdivision (e.g. 57 for Moselle; empty: none)"), "", partial(parse_subdivision, country)
        ),
        closures=ask(
            _("Closures, FIRST..LAST comma-separated (e.g. 2026-12-24..2027-01-01; empty: none)"),
            "",
            parse_closures,
        ),
    )


# -- the files -------------------------------------------------------------------------------------


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def render_config(answers: InitAnswers, reachable: Reachable | None = None) -> str:
    """``moteur.toml`` for ``answers``, commented like ``moteur.example.toml`` (and with the boards the
    tokens reach, as comments)."""
    boards = ", ".join(_string(b) for b in answers.boards)
    closures = ", ".join(f'["{a.isoformat()}", "{b.isoformat()}"]' for a, b in answers.closures)
    subdivision = (
        f"subdivision = {_string(answers.subdivision)}"
        if answers.subdivision
        else '# subdivision = "57"             # e.g. Moselle (Alsace-Moselle holidays)'
    )
    lines = [
        "# moteur.toml — written by `moteur init`. Every key is optional; see the README for each one.",
        "",
        '# "en" or "fr": names written back and shown (Quick win / Victoire rapide …).',
        f"language = {_string(answers.language)}",
        "",
        "# The boards `moteur sync` uses when none is named: trello:<board id>, asana:<project gid>,",
        "# monday:<board id>, file:<path>. `moteur boards` lists the ones your tokens reach.",
        *toml_comment(reachable or []),
        f"boards = [{boards}]",
        "",
        "[planning]",
        f"first_sprint = {answers.first_sprint.isoformat()}        # a Monday; sprint numbers count from it",
        f"sprint_weeks = {answers.sprint_weeks}                 # 1–4",
        f"horizon = {answers.horizon}                      # sprints planned ahead",
        f"country = {_string(answers.country)}                   # public holidays",
        subdivision,
        f"closures = [{closures}]" + ("" if closures else '   # e.g. [["2026-12-24", "2027-01-01"]]'),
        f"capacity_per_sprint = {_number(answers.capacity_per_sprint)}"
        "         # effort points for a full sprint (ignored when a team is given)",
        "impact_threshold = 6",
        "effort_threshold = 6",
        "default_confidence = 5",
        'ice_formula = "product"          # or "mean"',
        "",
        "# With a team, a sprint's capacity is the sum of each person's available days × points_per_day.",
        "# [[planning.team]]",
        '# name = "Camille"',
        '# email = "camille@exemple.fr"',
        "# points_per_day = 1.5",
        '# vacations = [["2027-02-15", "2027-02-19"]]',
        "",
    ]
    return "\n".join(lines)


def render_env(tools: Sequence[str]) -> str:
    lines = ["# Tokens for moteur: fill in the values; keep this file at mode 600 (chmod 600 .env)."]
    for tool in tools:
        lines.extend(ENV_LINES.get(tool, ()))
    lines.append("# Optional: where the state lives (default: $XDG_STATE_HOME/moteur/state.db).")
    lines.append("# MOTEUR_STATE_URL=sqlite:////var/lib/moteur/state.db")
    return "\n".join(lines) + "\n"


def write_private(path: Path, text: str) -> None:
    """Create ``path`` readable by its owner only, from the first byte (no window at the umask's mode)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def missing_names(env_text: str, tools: Sequence[str]) -> list[str]:
    present = {line.split("=", 1)[0].strip() for line in env_text.splitlines() if "=" in line}
    wanted = [line.split("=", 1)[0] for tool in tools for line in ENV_LINES.get(tool, ()) if "=" in line]
    return [name for name in wanted if not name.startswith("#") and name not in present]


def run_init(
    out: Output, directory: Path, *, non_interactive: bool, force: bool, today: date | None = None
) -> int:
    today = today or date.today()
    set_language(language_of_environment())
    config, env_file = directory / "moteur.toml", directory / ".env"
    if config.exists() and not force:
        raise UsageError(
            _("{path} already exists").format(path=config),
            hint=_("edit it, or run `moteur init --force` to replace it"),
        )
    if env_file.is_symlink() and not env_file.exists():
        # Checked before anything is written. .env is never written through a link (it would put the
        # tokens' file wherever the link points), and a dangling one cannot be read either.
        raise UsageError(
            _("{path} is a symbolic link to {target}, which does not exist").format(
                path=env_file, target=os.readlink(env_file)
            ),
            hint=_("remove the link, or create the file it points to, then run `moteur init` again"),
        )
    reachable = reachable_boards(out)
    try:
        answers = (
            InitAnswers(first_sprint=week_start(today)) if non_interactive else interview(today, reachable)
        )
    except typer.Abort:  # stdin ended (no terminal, or Ctrl-D) or Ctrl-C: nothing is written
        typer.echo(err=True)  # end the question's line
        raise UsageError(
            _("moteur init asks questions, and no answer came")
            if sys.stdin.isatty()
            else _("moteur init asks questions, and no answer came (there is no terminal)"),
            hint=_(
                "run `moteur init --non-interactive` to write the commented defaults, then edit moteur.toml"
            ),
        ) from None
    text = render_config(answers, reachable)
    config.write_text(text, encoding="utf-8")
    load_settings(config, env={})  # what init writes, sync must accept: a ConfigError here is our bug
    out.out.print(_("wrote {path}").format(path=config), markup=False, highlight=False)
    token_tools = [t for t in answers.tools if t in ENV_LINES]
    if not env_file.exists():
        if token_tools:
            write_private(env_file, render_env(token_tools))
            said = _("wrote {path} (mode 600): fill in the token values").format(path=env_file)
            out.out.print(said, markup=False)
    else:
        out.out.print(_("kept the existing {path}").format(path=env_file), markup=False)
        missing = missing_names(env_file.read_text(encoding="utf-8", errors="replace"), token_tools)
        if missing:
            out.warn(_("{path} has no {names}; add them").format(path=env_file, names=", ".join(missing)))
        if problem := dotenv_warning(env_file):
            out.warn(problem)
    if reachable:
        said = _("Your tokens reach these boards (copy the ones to plan into boards = [...] in moteur.toml):")
        out.out.print(said, markup=False)
        out.out.print(numbered(reachable), markup=False, highlight=False)
        out.out.print(_("next: `moteur doctor`, then `moteur sync --dry-run`"), markup=False)
    else:
        out.out.print(_("next: fill in .env, then `moteur boards`, `moteur doctor`, `moteur sync --dry-run`"))
    return 0
