"""The human ``plan`` output: one table per quadrant, the sprint table with load bars, then the flags.

Titles and names come from boards and configs: every cell that holds one is a ``Text`` made by ``plain``
(never markup, control characters made visible; see ``moteur.views.terminal``).
"""

from __future__ import annotations

import heapq
from collections import defaultdict

from rich.console import Console
from rich.table import Table
from rich.text import Text

from moteur.core.evaluate import Evaluation
from moteur.core.labels import QUADRANT_ORDER, quadrant_name
from moteur.core.model import Flag, Quadrant
from moteur.core.policy import Language
from moteur.core.scoring import Scored
from moteur.i18n import N_, gettext_in, ngettext_in
from moteur.views.terminal import plain
from moteur.views.words import number

STYLES: dict[Quadrant, str] = {
    Quadrant.QUICK_WIN: "green",
    Quadrant.BIG_PROJECT: "blue",
    Quadrant.FILL_IN: "yellow",
    Quadrant.TIME_SINK: "red",
    Quadrant.UNSCORED: "cyan",
}

# What each flag says in the list of actions that need attention; translated where shown.
FLAG_TEXTS: dict[Flag, str] = {
    Flag.STOP: N_("stop: low impact, high effort — consider dropping it"),
    Flag.SCORE_ME: N_("score me: impact or effort missing"),
    Flag.SPLIT_ME: N_("split me: bigger than any sprint's capacity"),
    Flag.LATE: N_("late: the earliest sprint with room ends after its due date"),
    Flag.NO_OBJECTIVE: N_("not tied to an objective"),
    Flag.NO_ROOM: N_("no room: every sprint in the horizon is full"),
    Flag.PINNED: N_("pinned: its sprint was set by hand and is kept"),
}

ATTENTION = (Flag.STOP, Flag.SCORE_ME, Flag.SPLIT_ME, Flag.LATE, Flag.NO_ROOM, Flag.NO_OBJECTIVE, Flag.PINNED)


def _num(value: float | int | None, language: Language) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else number(value, places=1, language=language)


def load_bar(load: float, capacity: float, width: int = 12, language: Language = Language.EN) -> Text:
    """A bar of ``width`` cells: filled for the load, red past the capacity."""
    if capacity <= 0:
        _ = gettext_in(language)
        return Text(_("closed") if load == 0 else _("over"), style="dim" if load == 0 else "bold red")
    ratio = load / capacity
    filled = min(width, round(ratio * width))
    style = "green" if ratio <= 0.85 else "yellow" if ratio <= 1.0 else "bold red"
    bar = Text("█" * filled, style=style)
    bar.append("░" * (width - filled), style="dim")
    bar.append(f" {ratio:>4.0%}")
    return bar


def _table_order(s: Scored) -> tuple[float, str]:
    """Rows of a quadrant table: ICE descending, then title."""
    return (-(s.ice or 0), s.action.title)


def quadrant_tables(evaluation: Evaluation, language: Language, max_rows: int = 40) -> list[Table]:
    _ = gettext_in(language)
    groups: dict[Quadrant, list[Scored]] = defaultdict(list)
    for s in evaluation.scored:
        groups[s.quadrant].append(s)
    tables = []
    for quadrant in QUADRANT_ORDER:
        rows = groups.get(quadrant)
        if not rows:
            continue
        title = f"{quadrant_name(quadrant, language)} ({len(rows)})"
        table = Table(title=title, title_style=f"bold {STYLES[quadrant]}", title_justify="left", expand=False)
        table.add_column(_("Action"), overflow="fold", max_width=56)
        for header in (_("Impact"), _("Effort"), _("Conf."), "ICE"):
            table.add_column(header, justify="right")
        table.add_column(_("Sprint"), justify="right")
        if len(rows) > max_rows:
            more = len(rows) - max_rows
            table.caption = _("… and {n} more (all of them with --json)").format(n=more)
            # The first rows of the sorted order (``nsmallest`` is ``sorted(...)[:n]``), without sorting
            # 100,000 actions to show 40.
            rows = heapq.nsmallest(max_rows, rows, key=_table_order)
        else:
            rows.sort(key=_table_order)
        for s in rows:
            a = s.action
            assignment = evaluation.plan.assignments.get(a.key)
            if a.status.is_closed:
                sprint = Text(_("done"), style="dim")
            elif assignment and assignment.sprint is not None:
                sprint = Text(str(assignment.sprint))
            else:
                sprint = Text("—", style="dim")
            table.add_row(
                plain(a.title, style="dim" if a.status.is_closed else ""),
                _num(a.impact, language),
                _num(a.effort, language),
                _num(a.confidence, language),
                _num(s.ice, language),
                sprint,
            )
        tables.append(table)
    return tables


def sprint_table(evaluation: Evaluation, language: Language) -> Table:
    _, ngettext = gettext_in(language), ngettext_in(language)
    table = Table(title=_("Sprints"), title_style="bold", title_justify="left")
    table.add_column(_("Sprint"))
    table.add_column(_("Dates"))
    table.add_column(_("Days"), justify="right")
    table.add_column(_("Capacity"), justify="right")
    table.add_column(_("Load"), justify="right")
    table.add_column("", no_wrap=True)
    table.add_column(_("Holidays"), overflow="fold")
    for sp in evaluation.plan.sprints:
        load = evaluation.plan.load.get(sp.index, 0.0)
        holidays = ", ".join(f"{name} ({d:%d/%m})" for d, name in sp.holidays)
        if sp.closed_days:
            n = len(sp.closed_days)
            closed = ngettext("{n} closed day", "{n} closed days", n).format(n=n)
            holidays = f"{holidays}; {closed}" if holidays else closed
        table.add_row(
            plain(sp.name),
            f"{sp.start:%d/%m}–{sp.end:%d/%m/%y}",
            str(sp.working_days),
            _num(sp.capacity, language),
            _num(load, language),
            load_bar(load, sp.capacity, language=language),
            plain(holidays),
        )
    return table


def flag_lines(evaluation: Evaluation, language: Language, max_lines: int = 60) -> list[Text]:
    _ = gettext_in(language)
    texts = {flag: _(text) for flag, text in FLAG_TEXTS.items()}
    # Every line as (title, flag) first, and a Text only for the lines shown: 100,000 actions may each
    # need attention, and a Text costs microseconds.
    found: list[tuple[str, Flag]] = []
    for s in sorted(evaluation.scored, key=lambda s: s.action.title):
        if s.action.status.is_closed:
            continue
        assignment = evaluation.plan.assignments.get(s.action.key)
        flags = assignment.flags if assignment else s.flags
        for flag in ATTENTION:
            if flag in flags:
                found.append((s.action.title, flag))
    lines: list[Text] = []
    for title, flag in found[:max_lines]:
        line = Text("• ", style="bold")
        line.append_text(plain(title, style="bold"))
        line.append(f" — {texts[flag]}")
        lines.append(line)
    if len(found) > max_lines:
        more = len(found) - max_lines
        tail = _("… and {n} more").format(n=more)
        lines.append(Text(tail, style="dim"))
    return lines


def render_plan(console: Console, evaluation: Evaluation, language: Language) -> None:
    for table in quadrant_tables(evaluation, language):
        console.print(table)
        console.print()
    console.print(sprint_table(evaluation, language))
    lines = flag_lines(evaluation, language)
    if lines:
        console.print()
        _ = gettext_in(language)
        console.print(Text(_("Needs attention"), style="bold underline"))
        for line in lines:
            console.print(line)
