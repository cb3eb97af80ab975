"""The priority matrix as a picture (``plan --chart matrix.png|.svg``); the sprint load is ``chart_load.py``.

matplotlib is an optional extra (``pip install 'moteur[charts]'``): imported only here, only when asked.
Effort runs along x, impact up y; the four quadrants are shaded and named at the thresholds; each open,
scored action is a numbered point, sized by ICE and coloured by sprint, with its title shortened at a word
boundary; time sinks are crosses. Beside the matrix, a table gives every number its full title (wrapped,
never cut), sprint by sprint. A note under it counts what the matrix cannot place (actions without impact
or effort), so nothing disappears silently.

Readable at a glance: the sprint colours are dark and saturated, at a contrast of 3:1 or more with every
quadrant's pale background (``SPRINT_COLOURS``), so no point ever melts into its cell. Each point group and
each quadrant carries an SVG id (``sprint-3``, ``quadrant-quick_win``) that says what it is.

Titles are text: drawn with ``parse_math=False`` (a "$" pair in a title is not TeX, and a lone "\\frac" used
to stop the drawing), control characters made visible first.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from pathlib import Path
from typing import Any

from moteur.core.errors import UsageError
from moteur.core.evaluate import Evaluation
from moteur.core.labels import QUADRANT_COLOURS, quadrant_name
from moteur.core.model import Quadrant
from moteur.core.policy import Language
from moteur.core.scoring import Scored
from moteur.i18n import gettext_in, ngettext_in
from moteur.views.terminal import clean_text

SHADES = {"green": "#d9f2d9", "blue": "#dbe8fb", "yellow": "#fff5cc", "red": "#fadcdc"}
SUFFIXES = (".png", ".svg", ".pdf")
# Dark, saturated and of other hues than the pale shades: purple, orange, teal, magenta, brown, navy,
# olive, crimson. Past eight sprints the colours come round again with another marker shape.
SPRINT_COLOURS = ("#5e3c99", "#d35400", "#00726b", "#b0186f", "#7f3b08", "#1c3f7a", "#5c5c00", "#a50026")
SHAPES = ("o", "s", "D", "^")
UNPLANNED = "#4d4d4d"
TABLE_WIDTH = 46  # characters of a full title per line of the table
TABLE_LINES = 62  # lines the table holds at its font size; beyond, it says how many more there are


def _words(language: Language, unscored: int = 0, done: int = 0) -> dict[str, str]:
    _, ngettext = gettext_in(language), ngettext_in(language)
    return {
        "title": _("Priority matrix"),
        "effort": _("Effort"),
        "impact": _("Impact"),
        "unplanned": _("not planned"),
        "time_sink": _("time sink (×)"),
        "more": _("… and {n} more (moteur plan lists them all)"),
        "unscored": ngettext(
            "{n} open action without impact or effort is not placed: score it",
            "{n} open actions without impact or effort are not placed: score them",
            unscored,
        ).format(n=unscored),
        "done": ngettext(
            "{n} done or archived action is not shown", "{n} done or archived actions are not shown", done
        ).format(n=done),
        "size": _("size = ICE"),
        "sprint": _("Sprint {index}"),
    }


def pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError(
            "drawing a chart needs matplotlib", hint="install it with: pip install 'moteur[charts]'"
        ) from None
    return plt


def check_suffix(path: Path) -> None:
    if path.suffix.lower() not in SUFFIXES:
        raise UsageError(f"--chart {path}: unknown picture type", hint="end the name in .png, .svg or .pdf")


def one_line(text: str) -> str:
    return " ".join(clean_text(text).split())


def short(title: str, width: int = 18) -> str:
    """``title`` on one line, shortened at a word boundary with "…" when longer than ``width``.

    A first word longer than ``width`` is kept whole: a word is never cut (the table has the full title).
    """
    title = one_line(title)
    if len(title) <= width:
        return title
    words = title.split(" ")
    kept = words[0]
    for word in words[1:]:
        if len(kept) + 1 + len(word) > width - 1:
            break
        kept += " " + word
    return kept.rstrip(" ,;:.-–—") + "…"


def sprint_style(position: int) -> tuple[str, str]:
    """The colour and marker of the ``position``-th sprint shown (0 for the first)."""
    turn, slot = divmod(position, len(SPRINT_COLOURS))
    return SPRINT_COLOURS[slot], SHAPES[turn % len(SHAPES)]


def _numbered(evaluation: Evaluation, shown: list[Scored]) -> list[tuple[int, Scored, int | None]]:
    """The actions shown, numbered as the table reads: sprint by sprint, then by ICE."""

    def order(s: Scored) -> tuple[int, float]:
        sprint = evaluation.plan.sprint_of(s.key)
        return (sprint if sprint is not None else 10**6, -(s.ice or 0))

    ordered = sorted(shown, key=order)
    return [(n, s, evaluation.plan.sprint_of(s.key)) for n, s in enumerate(ordered, 1)]


def _quadrants(ax: Any, language: Language, impact_threshold: int, effort_threshold: int) -> None:
    low_e, high_e = (0.5, effort_threshold - 0.5), (effort_threshold - 0.5, 10.5)
    low_i, high_i = (0.5, impact_threshold - 0.5), (impact_threshold - 0.5, 10.5)
    cells = {
        Quadrant.QUICK_WIN: (low_e, high_i),
        Quadrant.BIG_PROJECT: (high_e, high_i),
        Quadrant.FILL_IN: (low_e, low_i),
        Quadrant.TIME_SINK: (high_e, low_i),
    }
    for quadrant, ((x0, x1), (y0, y1)) in cells.items():
        ax.axvspan(
            x0,
            x1,
            ymin=(y0 - 0.5) / 10,
            ymax=(y1 - 0.5) / 10,
            color=SHADES[QUADRANT_COLOURS[quadrant]],
            gid=f"quadrant-{quadrant.value}",
        )
        # Each name in the cell's outer corner: the extremes of a matrix are its emptiest places.
        left = quadrant in (Quadrant.QUICK_WIN, Quadrant.FILL_IN)
        top = quadrant in (Quadrant.QUICK_WIN, Quadrant.BIG_PROJECT)
        ax.text(
            x0 + 0.1 if left else x1 - 0.1,
            y1 - 0.1 if top else y0 + 0.1,
            quadrant_name(quadrant, language).upper(),
            ha="left" if left else "right",
            va="top" if top else "bottom",
            fontsize=12,
            fontweight="bold",
            color="#555555",
            alpha=0.7,
        )


def _table(
    ax: Any, numbered: list[tuple[int, Scored, int | None]], styles: dict[int, Any], words: Any
) -> None:
    """Every number's full title, wrapped at words, under a heading per sprint in the sprint's colour."""
    ax.axis("off")
    lines: list[tuple[str, str, bool]] = []  # text, colour, heading
    current: object = object()
    for n, s, sprint in numbered:
        if sprint != current:
            current = sprint
            heading = words["sprint"].format(index=sprint) if sprint is not None else words["unplanned"]
            lines.append((heading, styles[sprint][0] if sprint is not None else UNPLANNED, True))
        wrapped = textwrap.wrap(one_line(s.action.title), TABLE_WIDTH, break_long_words=False) or [""]
        lines.append((f"{n:>3}  {wrapped[0]}", "#222222", False))
        lines.extend((f"     {rest}", "#222222", False) for rest in wrapped[1:])
    if len(lines) > TABLE_LINES:
        hidden = {
            text.split()[0]
            for text, _, heading in lines[TABLE_LINES - 1 :]
            if not heading and text[:3].strip()
        }
        lines = [*lines[: TABLE_LINES - 1], (words["more"].format(n=len(hidden)), "#555555", False)]
    step = 1.0 / TABLE_LINES
    for row, (text, colour, heading) in enumerate(lines):
        ax.text(
            0.0,
            1.0 - row * step,
            text,
            transform=ax.transAxes,
            va="top",
            ha="left",
            fontsize=7.5 if heading else 6.8,
            fontweight="bold" if heading else "normal",
            color=colour,
            family="DejaVu Sans",
            parse_math=False,
        )


def draw_matrix(
    evaluation: Evaluation,
    path: Path,
    language: Language = Language.EN,
    *,
    impact_threshold: int = 6,
    effort_threshold: int = 6,
) -> None:
    check_suffix(path)
    plt = pyplot()
    open_actions = [s for s in evaluation.scored if not s.action.status.is_closed]
    shown = [s for s in open_actions if s.quadrant is not Quadrant.UNSCORED]
    unscored = len(open_actions) - len(shown)
    done = len(evaluation.scored) - len(open_actions)
    words = _words(language, unscored, done)
    fig, (ax, side) = plt.subplots(
        1, 2, figsize=(16, 9.5), dpi=110, gridspec_kw={"width_ratios": [3.2, 1.25], "wspace": 0.04}
    )
    _quadrants(ax, language, impact_threshold, effort_threshold)
    sprints = sorted(
        {sprint for a in evaluation.plan.assignments.values() if (sprint := a.sprint) is not None}
    )
    styles = {index: sprint_style(position) for position, index in enumerate(sprints)}
    numbered = _numbered(evaluation, shown)
    crowd: dict[tuple[int, int], int] = defaultdict(int)
    for n, s, sprint in sorted(numbered, key=lambda row: -(row[1].ice or 0)):
        a = s.action
        assert a.impact is not None and a.effort is not None
        slot = crowd[(a.effort, a.impact)]
        crowd[(a.effort, a.impact)] += 1
        # Actions sharing a cell stack downwards, so each label keeps its own line.
        x, y = float(a.effort), a.impact - slot * 0.2
        colour, shape = styles[sprint] if sprint is not None else (UNPLANNED, "o")
        size = 40 + (s.ice or 0) / (1000 if (s.ice or 0) > 10 else 10) * 400
        marker = "X" if s.quadrant is Quadrant.TIME_SINK else shape
        ax.scatter(
            [x],
            [y],
            s=size,
            c=[colour],
            marker=marker,
            alpha=0.9,
            edgecolors="white",
            linewidths=0.8,
            gid=f"sprint-{sprint}" if sprint is not None else "not-planned",
        )
        ax.annotate(
            f"{n} {short(a.title)}",
            (x, y),
            xytext=(6, 3),
            textcoords="offset points",
            fontsize=6.5,
            parse_math=False,
        )
    for index in sprints:
        colour, shape = styles[index]
        ax.scatter([], [], c=[colour], marker=shape, s=60, label=words["sprint"].format(index=index))
    ax.scatter([], [], c=[UNPLANNED], s=60, label=words["unplanned"])
    ax.scatter([], [], c=[UNPLANNED], marker="X", s=60, label=words["time_sink"])
    ax.legend(
        loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=min(len(sprints) + 2, 6), fontsize=8, frameon=False
    )
    ax.set_xlim(0.5, 10.5)
    ax.set_ylim(0.5, 10.5)
    ax.set_xticks(range(1, 11))
    ax.set_yticks(range(1, 11))
    ax.set_xlabel(words["effort"])
    ax.set_ylabel(words["impact"])
    fig.suptitle(f"{words['title']} — {evaluation.today.isoformat()} ({words['size']})", y=0.985)
    _table(side, numbered, styles, words)
    notes = [words["unscored"]] if unscored else []
    notes += [words["done"]] if done else []
    if notes:
        fig.text(0.01, 0.01, "; ".join(notes) + ".", fontsize=8.5, color="#333333", gid="note")
    fig.subplots_adjust(left=0.045, right=0.99, top=0.9, bottom=0.09)
    fig.savefig(path)
    plt.close(fig)
