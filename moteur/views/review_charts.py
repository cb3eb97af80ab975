"""The report's charts as SVG text, drawn with matplotlib and embedded in the page (no file, no fetch).

Three pictures: velocity (planned and done effort per finished sprint, the mean as a line), alignment (each
objective's share of the planned and done effort beside its target share) and the priority matrix (at the
page's width; ``plan --chart`` draws the large one). matplotlib is the ``charts`` extra: without it
``charts`` returns no picture and the page says how to get them; the figures are in the tables either way.

Embedding several SVGs in one page needs ids that differ between them: matplotlib derives clip-path ids
from ``svg.hashsalt``, set per chart, and the glyphs it defines are the same glyph wherever they appear.
The date metadata is left out, so the same review gives the same page.
"""

from __future__ import annotations

import io
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from moteur.core.evaluate import Evaluation
from moteur.core.labels import QUADRANT_COLOURS, quadrant_name
from moteur.core.model import Quadrant
from moteur.core.policy import Language, PlanningPolicy
from moteur.core.review_model import Review
from moteur.core.scoring import Scored
from moteur.i18n import gettext_in
from moteur.views.chart import SHADES, UNPLANNED, sprint_style

PLANNED, DONE, TARGET, MEAN = "#9ecae1", "#2c7fb8", "#d35400", "#5e3c99"
_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def _pyplot() -> Any | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def _svg_text(fig: Any, plt: Any, salt: str) -> str:
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": salt}):
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return _embeddable(buffer.getvalue())


def _embeddable(svg: str) -> str:
    """The ``<svg>`` element alone (no XML prologue, no doctype), scaling to the width it is given."""
    svg = _PROLOGUE.sub("", svg, count=1)
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)


def velocity_chart(review: Review, language: Language, plt: Any) -> str | None:
    sprints = review.velocity.sprints
    if not sprints:
        return None
    _ = gettext_in(language)
    fig, ax = plt.subplots(figsize=(7.2, 2.8), dpi=96)
    xs = list(range(len(sprints)))
    ax.bar([x - 0.2 for x in xs], [s.planned_effort for s in sprints], 0.4, color=PLANNED, label=_("planned"))
    ax.bar([x + 0.2 for x in xs], [s.done_effort for s in sprints], 0.4, color=DONE, label=_("done"))
    if review.velocity.mean is not None:
        ax.axhline(review.velocity.mean, color=MEAN, linestyle="--", linewidth=1.2, label=_("mean done"))
    ax.set_xticks(xs)
    ax.set_xticklabels([f"Sprint {s.number}" for s in sprints], fontsize=8)
    ax.set_ylabel(_("effort points"), fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, ncol=3, loc="upper left", bbox_to_anchor=(0, 1.18))
    fig.tight_layout()
    return _svg_text(fig, plt, "velocity")


def alignment_chart(review: Review, language: Language, plt: Any) -> str | None:
    rows = review.alignment.by_objective
    if not rows or (review.alignment.planned_total <= 0 and not review.alignment.done_total):
        return None
    _ = gettext_in(language)
    names = [row.name if row.name is not None else _("no objective") for row in rows]
    fig, ax = plt.subplots(figsize=(7.2, max(1.9, 0.8 + 0.42 * len(rows))), dpi=96)
    ys = list(range(len(rows)))
    ax.barh([y - 0.2 for y in ys], [100 * (r.planned_share or 0) for r in rows], 0.4, color=PLANNED,
            label=_("planned"))  # fmt: skip
    ax.barh(
        [y + 0.2 for y in ys], [100 * (r.done_share or 0) for r in rows], 0.4, color=DONE, label=_("done")
    )
    targets = [(y, 100 * r.target_share) for y, r in zip(ys, rows, strict=True) if r.target_share is not None]
    if targets:
        ax.scatter([t for _y, t in targets], [y for y, _t in targets], marker="|", s=260, color=TARGET,
                   linewidths=2.5, label=_("target"), zorder=3)  # fmt: skip
    ax.set_yticks(ys)
    ax.set_yticklabels(names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(_("share of the effort, %"), fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, ncol=3, loc="lower left", bbox_to_anchor=(0, 1.0))
    fig.tight_layout()
    return _svg_text(fig, plt, "alignment")


def _cells(policy: PlanningPolicy) -> dict[Quadrant, tuple[float, float, float, float]]:
    """Each quadrant's box on the 1–10 axes: x0, x1 (effort), y0, y1 (impact)."""
    e, i = policy.effort_threshold - 0.5, policy.impact_threshold - 0.5
    return {
        Quadrant.QUICK_WIN: (0.5, e, i, 10.5),
        Quadrant.BIG_PROJECT: (e, 10.5, i, 10.5),
        Quadrant.FILL_IN: (0.5, e, 0.5, i),
        Quadrant.TIME_SINK: (e, 10.5, 0.5, i),
    }


@dataclass(frozen=True)
class MatrixPoint:
    """An action the matrix shows, by the number it carries on the chart and in the list under it."""

    number: int
    title: str
    sprint: int | None
    quadrant: Quadrant


def matrix_points(evaluation: Evaluation) -> list[tuple[MatrixPoint, Scored]]:
    """The open scored actions, numbered as the list reads: sprint by sprint (unplanned last), then by ICE."""
    shown = [
        s for s in evaluation.scored if not s.action.status.is_closed and s.quadrant is not Quadrant.UNSCORED
    ]

    def order(s: Scored) -> tuple[int, float, str]:
        sprint = evaluation.plan.sprint_of(s.key)
        return (sprint if sprint is not None else 10**6, -(s.ice or 0), s.key)

    return [
        (MatrixPoint(n, s.action.title, evaluation.plan.sprint_of(s.key), s.quadrant), s)
        for n, s in enumerate(sorted(shown, key=order), 1)
    ]


def matrix_chart(evaluation: Evaluation, policy: PlanningPolicy, language: Language, plt: Any) -> str | None:
    """The priority matrix at the page's width: open scored actions by effort and impact, numbered, coloured
    by the sprint the plan gives them; their titles are in the list under it (``matrix_points``), as text,
    so they never overlap (``plan --chart`` draws the large one)."""
    points = matrix_points(evaluation)
    if not points:
        return None
    _ = gettext_in(language)
    fig, ax = plt.subplots(figsize=(7.2, 5.0), dpi=96)
    for quadrant, (x0, x1, y0, y1) in _cells(policy).items():
        ax.add_patch(
            plt.Rectangle((x0, y0), x1 - x0, y1 - y0, color=SHADES[QUADRANT_COLOURS[quadrant]], zorder=0)
        )
        left = quadrant in (Quadrant.QUICK_WIN, Quadrant.FILL_IN)
        top = quadrant in (Quadrant.QUICK_WIN, Quadrant.BIG_PROJECT)
        ax.text(x0 + 0.1 if left else x1 - 0.1, y1 - 0.1 if top else y0 + 0.1,
                quadrant_name(quadrant, language).upper(), ha="left" if left else "right",
                va="top" if top else "bottom", fontsize=8, fontweight="bold", color="#555555")  # fmt: skip
    sprints = sorted({p.sprint for p, _s in points if p.sprint is not None})
    styles = {index: sprint_style(position) for position, index in enumerate(sprints)}
    crowd: dict[tuple[int, int], int] = defaultdict(int)
    for point, s in points:
        a = s.action
        assert a.impact is not None and a.effort is not None
        slot = crowd[(a.effort, a.impact)]
        crowd[(a.effort, a.impact)] += 1
        # Actions sharing a cell spread along it, three to a row, so each number keeps its own place.
        row, column = divmod(slot, 3)
        x, y = a.effort - 0.3 + column * 0.3, a.impact + 0.25 - row * 0.3
        colour, shape = styles[point.sprint] if point.sprint is not None else (UNPLANNED, "o")
        marker = "X" if s.quadrant is Quadrant.TIME_SINK else shape
        ax.scatter([x], [y], s=30, c=[colour], marker=marker, edgecolors="white", linewidths=0.5, zorder=3)
        ax.annotate(str(point.number), (x, y), xytext=(3, 1), textcoords="offset points", fontsize=6.5,
                    zorder=4)  # fmt: skip
    for index in sprints:
        colour, shape = styles[index]
        ax.scatter([], [], c=[colour], marker=shape, s=30, label=f"Sprint {index}")
    ax.scatter([], [], c=[UNPLANNED], s=30, label=_("not planned"))
    ax.legend(
        fontsize=7, frameon=False, ncol=min(len(sprints) + 1, 7), loc="lower left", bbox_to_anchor=(0, 1.0)
    )
    ax.set_xlim(0.5, 10.5)
    ax.set_ylim(0.5, 10.5)
    ax.set_xticks(range(1, 11))
    ax.set_yticks(range(1, 11))
    ax.tick_params(labelsize=7)
    ax.set_xlabel(_("Effort"), fontsize=8)
    ax.set_ylabel("Impact", fontsize=8)
    fig.tight_layout()
    return _svg_text(fig, plt, "matrix")


def charts(
    review: Review, evaluation: Evaluation, policy: PlanningPolicy, language: Language
) -> dict[str, str]:
    """The SVG of each chart that has something to show, by name (velocity, alignment, matrix); empty
    without matplotlib."""
    plt = _pyplot()
    if plt is None:
        return {}
    with warnings.catch_warnings():
        # A title holding a character no font draws (the stand-in of a control character, an emoji) is
        # drawn as a box; the tables beside the chart say it in full.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        # A very long objective name can leave no room for the margins: the chart is drawn as it is.
        warnings.filterwarnings("ignore", message="Tight layout not applied")
        drawn = {
            "velocity": velocity_chart(review, language, plt),
            "alignment": alignment_chart(review, language, plt),
            "matrix": matrix_chart(evaluation, policy, language, plt),
        }
    return {name: svg for name, svg in drawn.items() if svg}


def have_charts() -> bool:
    return _pyplot() is not None
