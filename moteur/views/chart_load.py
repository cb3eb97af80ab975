"""The sprint load chart (``plan --chart matrix.png`` also draws ``matrix-load.png``): capacity against load
along the calendar, with the days nobody works shaded where they fall.

Each sprint is a bar as wide as its dates: its capacity pale, its load dark (red when over capacity). The
company closures (``[planning] closures``, whole ranges, weekends included) are hatched grey and the public
holidays shaded, each named once, so a short sprint says why at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from moteur.core.calendar import Sprint
from moteur.core.evaluate import Evaluation
from moteur.core.policy import DateRange, Language
from moteur.i18n import gettext_in
from moteur.views.chart import check_suffix, one_line, pyplot

CAPACITY, LOAD, OVER = "#c6dbef", "#2c7fb8", "#c0392b"
CLOSED, HOLIDAY = "#7f7f7f", "#bdbdbd"
_DAY = timedelta(days=1)


def _words(language: Language) -> dict[str, str]:
    _ = gettext_in(language)
    return {
        "title": _("Sprint load against capacity"),
        "capacity": _("capacity"),
        "load": _("load"),
        "over": _("load over capacity"),
        "closure": _("closure"),
        "holiday": _("public holiday"),
        "points": _("effort points"),
    }


def _clipped(ranges: Sequence[DateRange], first: date, last: date) -> list[DateRange]:
    """The parts of ``ranges`` between ``first`` and ``last``."""
    return [(max(a, first), min(b, last)) for a, b in ranges if a <= last and b >= first]


def _closed_runs(sprints: Sequence[Sprint]) -> list[DateRange]:
    """Runs of consecutive closed weekdays, when the policy's ranges are not given."""
    runs: list[DateRange] = []
    for day in sorted({d for sp in sprints for d in sp.closed_days}):
        if runs and (day - runs[-1][1]).days <= 3:  # over a weekend: the same closure
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def draw_load(
    evaluation: Evaluation,
    path: Path,
    language: Language = Language.EN,
    *,
    closures: Sequence[DateRange] | None = None,
) -> None:
    """Capacity and load per sprint along the dates; ``closures`` (the policy's) and holidays shaded."""
    check_suffix(path)
    plt = pyplot()
    words = _words(language)
    sprints = evaluation.plan.sprints
    fig, ax = plt.subplots(figsize=(11, 5.2), dpi=110)
    if not sprints:
        fig.savefig(path)
        plt.close(fig)
        return
    first, last = sprints[0].start, sprints[-1].end

    def date2num(day: date) -> float:  # x is days from the first sprint's start: the bars' widths are days
        return float((day - first).days)

    peak = max([sp.capacity for sp in sprints] + [evaluation.plan.load.get(sp.index, 0.0) for sp in sprints])
    top = max(peak * 1.25, 1.0)
    # Behind the bars: what nobody works, so a short sprint shows its reason.
    ranges = _clipped(closures, first, last) if closures is not None else _closed_runs(sprints)
    for n, (start, end) in enumerate(ranges):
        ax.axvspan(
            date2num(start),
            date2num(end + _DAY),
            facecolor="none",
            edgecolor=CLOSED,
            hatch="///",
            linewidth=0,
            label=words["closure"] if n == 0 else None,
            gid="closure",
            zorder=1.5,  # over the capacity it removes, under the load
        )
    holidays = sorted({(day, name) for sp in sprints for day, name in sp.holidays})
    for n, (day, name) in enumerate(holidays):
        ax.axvspan(
            date2num(day),
            date2num(day + _DAY),
            color=HOLIDAY,
            alpha=0.8,
            linewidth=0,
            label=words["holiday"] if n == 0 else None,
            gid="holiday",
            zorder=1.6,
        )
        ax.text(
            date2num(day) + 0.5,
            top * 0.98,
            one_line(name),
            rotation=90,
            va="top",
            ha="center",
            fontsize=7,
            color="#333333",
            parse_math=False,
        )
    lefts = [date2num(sp.start) + 0.5 for sp in sprints]
    widths = [(sp.end - sp.start).days for sp in sprints]
    ax.bar(
        lefts,
        [sp.capacity for sp in sprints],
        widths,
        align="edge",
        color=CAPACITY,
        alpha=0.85,
        label=words["capacity"],
        zorder=1,
    )
    loads = [evaluation.plan.load.get(sp.index, 0.0) for sp in sprints]
    colours = [OVER if load > sp.capacity else LOAD for load, sp in zip(loads, sprints, strict=True)]
    inner = [w * 0.5 for w in widths]
    ax.bar(
        [x + w * 0.25 for x, w in zip(lefts, widths, strict=True)],
        loads,
        inner,
        align="edge",
        color=colours,
        label=words["load"],
        zorder=2,
    )
    if OVER in colours:
        ax.bar([], [], color=OVER, label=words["over"])
    for sp, x, w, load in zip(sprints, lefts, widths, loads, strict=True):
        ax.text(
            x + w / 2,
            max(load, sp.capacity) + top * 0.015,
            f"{load:g} / {sp.capacity:g}",
            ha="center",
            va="bottom",
            fontsize=7.5,
            color="#333333",
        )
    ax.set_xlim(date2num(first), date2num(last + _DAY))
    ax.set_ylim(0, top)
    centres = [x + w / 2 for x, w in zip(lefts, widths, strict=True)]
    names = [f"{sp.name}\n{sp.start:%d/%m}–{sp.end:%d/%m}" for sp in sprints]
    ax.set_xticks(centres, names, fontsize=8)
    ax.set_ylabel(words["points"])
    ax.set_title(f"{words['title']} — {evaluation.today.isoformat()}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
