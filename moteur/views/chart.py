"""The priority matrix as a picture (``plan --chart matrix.png|.svg``), and the sprint load chart.

matplotlib is an optional extra (``pip install 'moteur[charts]'``): imported only here, only when asked.
Effort runs along x, impact up y; the four quadrants are shaded and named at the thresholds; each open,
scored action is a point labelled with its short title, sized by ICE and coloured by sprint; time sinks are
crosses. Points that share a cell are spread a little so every label stays readable.

Titles are text: drawn with ``parse_math=False`` (a "$" pair in a title is not TeX, and a lone "\\frac" used
to stop the drawing), control characters made visible first.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from moteur.core.errors import UsageError
from moteur.core.evaluate import Evaluation
from moteur.core.labels import QUADRANT_COLOURS, quadrant_name
from moteur.core.model import Quadrant
from moteur.core.policy import Language
from moteur.views.terminal import clean_text

SHADES = {"green": "#d9f2d9", "blue": "#dbe8fb", "yellow": "#fff5cc", "red": "#fadcdc"}
SUFFIXES = (".png", ".svg", ".pdf")


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError(
            "drawing a chart needs matplotlib", hint="install it with: pip install 'moteur[charts]'"
        ) from None
    return plt


def _short(title: str, width: int = 28) -> str:
    title = clean_text(title)
    return title if len(title) <= width else title[: width - 1] + "…"


def draw_matrix(
    evaluation: Evaluation,
    path: Path,
    language: Language = Language.EN,
    *,
    impact_threshold: int = 6,
    effort_threshold: int = 6,
) -> None:
    if path.suffix.lower() not in SUFFIXES:
        raise UsageError(f"--chart {path}: unknown picture type", hint="end the name in .png, .svg or .pdf")
    plt = _pyplot()
    scored = [
        s for s in evaluation.scored if s.quadrant is not Quadrant.UNSCORED and not s.action.status.is_closed
    ]
    fig, ax = plt.subplots(figsize=(13, 9), dpi=110)
    policy_impact, policy_effort = impact_threshold, effort_threshold
    low_e, high_e = (0.5, policy_effort - 0.5), (policy_effort - 0.5, 10.5)
    low_i, high_i = (0.5, policy_impact - 0.5), (policy_impact - 0.5, 10.5)
    cells = {
        Quadrant.QUICK_WIN: (low_e, high_i),
        Quadrant.BIG_PROJECT: (high_e, high_i),
        Quadrant.FILL_IN: (low_e, low_i),
        Quadrant.TIME_SINK: (high_e, low_i),
    }
    for quadrant, ((x0, x1), (y0, y1)) in cells.items():
        ax.axvspan(
            x0, x1, ymin=(y0 - 0.5) / 10, ymax=(y1 - 0.5) / 10, color=SHADES[QUADRANT_COLOURS[quadrant]]
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
    sprints = sorted({a.sprint for a in evaluation.plan.assignments.values() if a.sprint is not None})
    cmap = plt.get_cmap("viridis", max(len(sprints), 1))
    colour_of = {index: cmap(n) for n, index in enumerate(sprints)}
    crowd: dict[tuple[int, int], int] = defaultdict(int)
    for s in sorted(scored, key=lambda s: -(s.ice or 0)):
        a = s.action
        assert a.impact is not None and a.effort is not None
        n = crowd[(a.effort, a.impact)]
        crowd[(a.effort, a.impact)] += 1
        # Actions sharing a cell stack downwards, so each label keeps its own line.
        x, y = float(a.effort), a.impact - n * 0.2
        assignment = evaluation.plan.assignments.get(a.key)
        sprint = assignment.sprint if assignment else None
        colour = colour_of.get(sprint, "#999999") if sprint is not None else "#999999"
        size = 40 + (s.ice or 0) / (1000 if (s.ice or 0) > 10 else 10) * 400
        marker = "X" if s.quadrant is Quadrant.TIME_SINK else "o"
        ax.scatter(
            [x], [y], s=size, c=[colour], marker=marker, alpha=0.85, edgecolors="white", linewidths=0.8
        )
        ax.annotate(
            _short(a.title, 20),
            (x, y),
            xytext=(5, 3),
            textcoords="offset points",
            fontsize=6.5,
            parse_math=False,
        )
    for index in sprints:
        ax.scatter([], [], c=[colour_of[index]], s=60, label=f"Sprint {index}")
    ax.scatter([], [], c="#999999", s=60, label="not planned" if language is Language.EN else "non planifiée")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.set_xlim(0.5, 10.5)
    ax.set_ylim(0.5, 10.5)
    ax.set_xticks(range(1, 11))
    ax.set_yticks(range(1, 11))
    ax.set_xlabel("Effort" if language is Language.EN else "Effort (charge)")
    ax.set_ylabel("Impact")
    title = "Priority matrix" if language is Language.EN else "Matrice de priorisation"
    ax.set_title(f"{title} — {evaluation.today.isoformat()} (size = ICE)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def draw_load(evaluation: Evaluation, path: Path, language: Language = Language.EN) -> None:
    """Capacity against load per sprint, holidays and closures marked under each bar."""
    plt = _pyplot()
    sprints = evaluation.plan.sprints
    fig, ax = plt.subplots(figsize=(10, 5), dpi=110)
    xs = range(len(sprints))
    ax.bar(
        xs,
        [sp.capacity for sp in sprints],
        color="#dbe8fb",
        label="capacity" if language is Language.EN else "capacité",
    )
    loads = [evaluation.plan.load.get(sp.index, 0.0) for sp in sprints]
    ax.bar(xs, loads, width=0.5, color="#2c7fb8", label="load" if language is Language.EN else "charge")
    labels = []
    for sp in sprints:
        notes = ", ".join(name for _, name in sp.holidays)
        labels.append(f"{sp.name}\n{sp.start:%d/%m}" + (f"\n{_short(notes, 20)}" if notes else ""))
    ax.set_xticks(list(xs))
    ax.set_xticklabels(labels, fontsize=8, parse_math=False)
    ax.set_ylabel("effort points" if language is Language.EN else "points d'effort")
    title = "Sprint load against capacity" if language is Language.EN else "Charge des sprints et capacité"
    ax.set_title(f"{title} — {evaluation.today.isoformat()}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
