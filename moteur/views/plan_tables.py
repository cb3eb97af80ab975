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
from moteur.core.labels import FLAG_TEXTS, QUADRANT_ORDER, quadrant_name
from moteur.core.model import Flag, Quadrant
from moteur.core.policy import Language
from moteur.core.scoring import Scored
from moteur.views.terminal import plain

STYLES: dict[Quadrant, str] = {
    Quadrant.QUICK_WIN: "green",
    Quadrant.BIG_PROJECT: "blue",
    Quadrant.FILL_IN: "yellow",
    Quadrant.TIME_SINK: "red",
    Quadrant.UNSCORED: "cyan",
}

HEADERS: dict[Language, dict[str, str]] = {
    Language.EN: {
        "title": "Action",
        "impact": "Impact",
        "effort": "Effort",
        "confidence": "Conf.",
        "ice": "ICE",
        "sprint": "Sprint",
        "status": "Status",
        "sprints": "Sprints",
        "dates": "Dates",
        "days": "Days",
        "capacity": "Capacity",
        "load": "Load",
        "holidays": "Holidays",
        "flags": "Needs attention",
        "done": "done",
        "none": "—",
    },
    Language.FR: {
        "title": "Action",
        "impact": "Impact",
        "effort": "Effort",
        "confidence": "Conf.",
        "ice": "ICE",
        "sprint": "Sprint",
        "status": "Statut",
        "sprints": "Sprints",
        "dates": "Dates",
        "days": "Jours",
        "capacity": "Capacité",
        "load": "Charge",
        "holidays": "Jours fériés",
        "flags": "À regarder",
        "done": "fait",
        "none": "—",
    },
}

ATTENTION = (Flag.STOP, Flag.SCORE_ME, Flag.SPLIT_ME, Flag.LATE, Flag.NO_ROOM, Flag.NO_OBJECTIVE, Flag.PINNED)


def _num(value: float | int | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def load_bar(load: float, capacity: float, width: int = 12) -> Text:
    """A bar of ``width`` cells: filled for the load, red past the capacity."""
    if capacity <= 0:
        return Text("closed" if load == 0 else "over", style="dim" if load == 0 else "bold red")
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
    h = HEADERS[language]
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
        table.add_column(h["title"], overflow="fold", max_width=56)
        for key in ("impact", "effort", "confidence", "ice"):
            table.add_column(h[key], justify="right")
        table.add_column(h["sprint"], justify="right")
        if len(rows) > max_rows:
            more = len(rows) - max_rows
            table.caption = f"… and {more} more (all of them with --json)"
            if language is Language.FR:
                table.caption = f"… et {more} de plus (toutes avec --json)"
            # The first rows of the sorted order (``nsmallest`` is ``sorted(...)[:n]``), without sorting
            # 100,000 actions to show 40.
            rows = heapq.nsmallest(max_rows, rows, key=_table_order)
        else:
            rows.sort(key=_table_order)
        for s in rows:
            a = s.action
            assignment = evaluation.plan.assignments.get(a.key)
            if a.status.is_closed:
                sprint = Text(h["done"], style="dim")
            elif assignment and assignment.sprint is not None:
                sprint = Text(str(assignment.sprint))
            else:
                sprint = Text(h["none"], style="dim")
            table.add_row(
                plain(a.title, style="dim" if a.status.is_closed else ""),
                _num(a.impact),
                _num(a.effort),
                _num(a.confidence),
                _num(s.ice),
                sprint,
            )
        tables.append(table)
    return tables


def sprint_table(evaluation: Evaluation, language: Language) -> Table:
    h = HEADERS[language]
    table = Table(title=h["sprints"], title_style="bold", title_justify="left")
    table.add_column(h["sprint"])
    table.add_column(h["dates"])
    table.add_column(h["days"], justify="right")
    table.add_column(h["capacity"], justify="right")
    table.add_column(h["load"], justify="right")
    table.add_column("", no_wrap=True)
    table.add_column(h["holidays"], overflow="fold")
    for sp in evaluation.plan.sprints:
        load = evaluation.plan.load.get(sp.index, 0.0)
        holidays = ", ".join(f"{name} ({d:%d/%m})" for d, name in sp.holidays)
        if sp.closed_days:
            n = len(sp.closed_days)
            if language is Language.EN:
                closed = f"{n} closed day{'s' if n > 1 else ''}"
            else:
                closed = f"{n} jour{'s' if n > 1 else ''} de fermeture"
            holidays = f"{holidays}; {closed}" if holidays else closed
        table.add_row(
            plain(sp.name),
            f"{sp.start:%d/%m}–{sp.end:%d/%m/%y}",
            str(sp.working_days),
            _num(sp.capacity),
            _num(load),
            load_bar(load, sp.capacity),
            plain(holidays),
        )
    return table


def flag_lines(evaluation: Evaluation, language: Language, max_lines: int = 60) -> list[Text]:
    texts = FLAG_TEXTS[language]
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
        tail = f"… and {more} more" if language is Language.EN else f"… et {more} de plus"
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
        console.print(Text(HEADERS[language]["flags"], style="bold underline"))
        for line in lines:
            console.print(line)
