"""The report as one self-contained HTML page, and as JSON: the same ``Review`` objects, the same figures.

The page opens from an e-mail attachment or an intranet share: CSS inline, charts as inline SVG, no script,
no link, no font to fetch; ``@page`` and ``@media print`` make it print on A4. Board text reaches the page
only through Jinja2 with autoescape on (``review.html.j2``), so a title holding ``<script>`` is shown, never
run.

Every figure on the page is a ``<span data-figure="PATH" data-value="RAW">`` whose PATH locates it in the
JSON (``reviews.0.sprint.planned_effort``) and whose text is ``format_figure`` of it: the page and the JSON
cannot disagree, and the tests check that they do not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from moteur import __version__
from moteur.core.labels import quadrant_name
from moteur.core.model import Flag, Quadrant
from moteur.core.policy import Language
from moteur.core.review_model import REVIEW_FORMAT, Reason, ReasonKind, Review, Section
from moteur.i18n import gettext_in, ngettext_in
from moteur.views.plan_tables import FLAG_TEXTS
from moteur.views.review_charts import MatrixPoint
from moteur.views.terminal import clean_text

FigureKind = str  # "number" | "percent" | "share" | "day"


@dataclass(frozen=True)
class ReviewPage:
    """One team's review with its charts (SVG text by name: velocity, alignment, matrix) and the actions the
    matrix numbers, listed under it."""

    review: Review
    charts: dict[str, str]
    points: list[MatrixPoint] = field(default_factory=list)


def format_figure(value: object, kind: FigureKind, language: Language) -> str:
    """How a figure reads on the page: ``12``, ``12.5`` (``12,5`` in French), ``85 %``, a day in ISO form;
    ``–`` when absent."""
    if value is None:
        return "–"
    if kind == "day":
        return str(value)
    number = float(value)  # type: ignore[arg-type]
    if kind == "share":
        number = round(number * 100, 1)
    text = str(int(number)) if number == int(number) else f"{number:.1f}"
    if language is Language.FR:
        text = text.replace(".", ",")
    if kind in ("percent", "share"):
        return f"{text}\u202f%" if language is Language.FR else f"{text}%"
    return text


def reason_text(reason: Reason, language: Language) -> str:
    """A late or at-risk reason in words, with its figures."""
    _ = gettext_in(language)
    due = reason.due.isoformat() if reason.due else ""
    if reason.kind is ReasonKind.OVERDUE:
        return _("past due: due {due}, {days} days ago").format(due=due, days=reason.days)
    if reason.kind is ReasonKind.DUE_BEFORE_SPRINT_END:
        end = reason.sprint_end.isoformat() if reason.sprint_end else ""
        return _(
            "due {due}, before the end of Sprint {sprint} that holds it (its last working day: {end})"
        ).format(due=due, sprint=reason.sprint, end=end)
    if reason.kind is ReasonKind.NO_SPRINT:
        return _("due {due}, and no sprint of the horizon has room for it").format(due=due)
    if reason.kind is ReasonKind.DOING_TOO_LONG:
        since = reason.since.isoformat() if reason.since else ""
        if reason.at_least:
            text = _("still doing since at least {since} ({days} days): the history starts then")
        else:
            text = _("still doing since {since} ({days} days)")
        return text.format(since=since, days=reason.days)
    load = format_figure(reason.owner_load, "number", language)
    capacity = format_figure(reason.owner_capacity, "number", language)
    return _("{owner} holds {load} points in Sprint {sprint} and can do {capacity}").format(
        owner=clean_text(reason.owner or ""), load=load, sprint=reason.sprint, capacity=capacity
    )


def section_names(language: Language) -> dict[Section, str]:
    _ = gettext_in(language)
    return {
        Section.SPRINT: _("The sprint"),
        Section.LATE: _("Late and at risk"),
        Section.DELIVERED: _("What the last sprint delivered"),
        Section.VELOCITY: _("Velocity and forecast"),
        Section.MATRIX: _("Priority matrix and decisions"),
        Section.ALIGNMENT: _("Alignment with the objectives"),
        Section.FLAGS: _("Flags"),
    }


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("moteur.views", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clean"] = lambda text: clean_text(str(text)) if text is not None else ""
    return env


def _figure_tag(language: Language) -> Callable[..., Markup]:
    def figure(value: object, path: str, kind: FigureKind = "number") -> Markup:
        raw = "" if value is None else str(value)
        text = format_figure(value, kind, language)
        return Markup('<span class="fig" data-figure="{}" data-value="{}">{}</span>').format(
            escape(path), escape(raw), text
        )

    return figure


def render_html(pages: Sequence[ReviewPage], language: Language, today: date, charts_missing: bool) -> str:
    """The whole page: each team's review in meeting order."""
    _ = gettext_in(language)
    template = _environment().get_template("review.html.j2")
    helpers: dict[str, Any] = {
        "_": _,
        "ngettext": ngettext_in(language),
        "fig": _figure_tag(language),
        "quadrant": lambda q: quadrant_name(Quadrant(q), language),
        "flag_text": lambda f: _(FLAG_TEXTS[Flag(f)]),
        "reason": lambda r: reason_text(r, language),
        "section_name": lambda section: section_names(language)[Section(section)],
        "ReasonKind": ReasonKind,
    }
    return template.render(
        pages=pages,
        language=language.value,
        today=today.isoformat(),
        version=__version__,
        charts_missing=charts_missing,
        **helpers,
    )


def review_json(reviews: Sequence[Review]) -> dict[str, Any]:
    """The JSON object ``review --json`` prints: every team's review, as the page shows it."""
    return {
        "format_version": REVIEW_FORMAT,
        "moteur_version": __version__,
        "reviews": [review.model_dump(mode="json") for review in reviews],
    }
