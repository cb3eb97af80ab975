"""Demo content shared by the three emulators: one marketing team's backlog, the same in every tool.

Terms:

- *DemoAction*: one action as a marketing team would keep it, before any tool shapes it: title, bucket (the
  list / section / group it sits in), scores (1–10 or ``None`` when the team never scored it), objective,
  channel, status, due day, tags and assignee.
- *DemoMember*: a fake person (name and ``example.com`` e-mail): no real person appears here.
- *Bulk actions*: ``bulk_actions(n)`` — n scored actions, generated deterministically (same n, same list).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

BUCKETS: tuple[str, ...] = ("Idées", "À faire", "En cours", "Fait")
"""Bucket names in board order; every DemoAction.bucket is one of them."""


@dataclass(frozen=True)
class DemoMember:
    full_name: str
    username: str
    email: str


@dataclass(frozen=True)
class DemoAction:
    title: str
    description: str
    bucket: str
    impact: int | None
    effort: int | None
    confidence: int | None
    objective: str | None
    channel: str | None
    status: str  # "todo" | "doing" | "done"
    due: str | None  # ISO date
    tags: tuple[str, ...]
    assignee: str | None  # a DemoMember e-mail


DEMO_MEMBERS: list[DemoMember] = [
    DemoMember("Camille Martin", "camillemartin", "camille.martin@example.com"),
    DemoMember("Léa Bernard", "leabernard", "lea.bernard@example.com"),
    DemoMember("Hugo Petit", "hugopetit", "hugo.petit@example.com"),
    DemoMember("Sam Taylor", "samtaylor", "sam.taylor@example.com"),
]

_C, _L, _H, _S = (m.email for m in DEMO_MEMBERS)


def _a(
    title: str,
    bucket: str,
    scores: tuple[int | None, int | None, int | None],
    objective: str | None,
    channel: str | None,
    due: str | None = None,
    tags: tuple[str, ...] = (),
    assignee: str | None = None,
    description: str = "",
) -> DemoAction:
    status = {"En cours": "doing", "Fait": "done"}.get(bucket, "todo")
    impact, effort, confidence = scores
    return DemoAction(
        title,
        description,
        bucket,
        impact,
        effort,
        confidence,
        objective,
        channel,
        status,
        due,
        tags,
        assignee,
    )


DEMO_ACTIONS: list[DemoAction] = [
    # Ideas: several unscored, one time sink.
    _a("Lancer un podcast mensuel", "Idées", (5, 9, 4), "awareness", "content", tags=("podcast",)),
    _a("Refonte complète du site", "Idées", (4, 10, 5), "leads", "web", assignee=_H,
       description="Nouveau CMS, nouvelle charte : gros chantier."),
    _a("Programme ambassadeurs", "Idées", (None, None, None), "retention", "community"),
    _a("TikTok test campaign", "Idées", (None, 4, None), "awareness", "social", tags=("test",)),
    _a("Partenariat avec une école de commerce", "Idées", (5, 6, None), "awareness", "events"),
    _a("Quiz interactif « quel plan pour vous ? »", "Idées", (6, 5, 5), "leads", "web"),
    _a("Livre blanc IA & marketing", "Idées", (8, 7, 6), "leads", "content", assignee=_C),
    _a("Customer advisory board", "Idées", (6, 6, 4), "retention", "events"),
    _a("Traduire le blog en anglais", "Idées", (3, 8, 5), "awareness", "SEO"),
    _a("Sponsoring salon VivaTech", "Idées", (6, 10, 3), "awareness", "events", due="2027-01-29",
       tags=("salon",)),
    _a("Newsletter partenaires", "Idées", (None, None, None), None, "e-mail"),
    # To do: mostly scored, deadlines Dec 2026 - Feb 2027.
    _a("Optimiser les balises title des pages produit", "À faire", (7, 2, 8), "leads", "SEO", assignee=_L),
    _a("Webinar lancement produit v3", "À faire", (9, 6, 7), "leads", "events", due="2027-01-21",
       tags=("lancement",), assignee=_C, description="Invités : 2 clients, 1 analyste."),
    _a("Campagne e-mail de fin d'année", "À faire", (8, 3, 8), "retention", "e-mail", due="2026-12-10",
       tags=("saisonnier",), assignee=_L),
    _a("Étude de cas client industrie", "À faire", (7, 4, 6), "leads", "content", assignee=_S),
    _a("Retarget website visitors on LinkedIn", "À faire", (6, 3, 7), "leads", "paid", assignee=_H),
    _a("Audit SEO technique", "À faire", (8, 5, 7), "leads", "SEO", due="2027-02-12", assignee=_L),
    _a("Vidéo témoignage client", "À faire", (7, 7, 5), "awareness", "content"),
    _a("Update pricing page copy", "À faire", (6, 2, 8), "leads", "web", assignee=_S),
    _a("Kit presse salon du e-commerce", "À faire", (5, 3, 6), "awareness", "events", due="2027-02-03"),
    _a("Séquence d'onboarding e-mail", "À faire", (9, 4, 7), "retention", "e-mail", assignee=_C,
       tags=("automation",)),
    _a("Google Ads : campagne marque", "À faire", (6, 2, None), "leads", "paid"),
    _a("Infographie tendances 2027", "À faire", (5, 4, 6), "awareness", "social", due="2026-12-18"),
    _a("Annual report microsite", "À faire", (4, 9, 4), "awareness", "web", due="2027-02-26"),
    _a("Nettoyer la base CRM", "À faire", (3, 7, 8), "retention", "e-mail"),
    _a("Calendrier éditorial Q1", "À faire", (7, 2, 9), None, "content", due="2026-12-15", assignee=_S),
    _a("Landing page salon", "À faire", (None, 3, None), "leads", "web"),
    # Doing.
    _a("Refresh LinkedIn company page", "En cours", (5, 2, 8), "awareness", "social", assignee=_H),
    _a("Série d'articles SEO « guide achat »", "En cours", (8, 6, 6), "leads", "SEO", assignee=_L,
       tags=("blog",)),
    _a("Campagne Meta Ads Noël", "En cours", (7, 4, 6), "leads", "paid", due="2026-12-05", assignee=_H),
    _a("Customer satisfaction survey", "En cours", (6, 3, 7), "retention", "e-mail", assignee=_S),
    _a("Traduction des fiches produit", "En cours", (4, 8, 6), "leads", "web"),
    # Done.
    _a("Nouveau logo sur les réseaux", "Fait", (3, 1, 9), "awareness", "social"),
    _a("Mise en place Google Analytics 4", "Fait", (8, 5, 8), "leads", "web", assignee=_H),
    _a("Newsletter de rentrée", "Fait", (6, 2, 7), "retention", "e-mail", assignee=_L),
    _a("Press release Series A", "Fait", (9, 3, 8), "awareness", "PR", assignee=_C),
    _a("Stand salon Marketing Days", "Fait", (6, 8, 6), "awareness", "events", tags=("salon",)),
    _a("Sondage clients NPS", "Fait", (None, None, None), "retention", "e-mail"),
    _a("Blog post: 10 growth tips", "Fait", (5, 3, 6), "awareness", "content", assignee=_S),
    _a("Refonte des CTA du blog", "Fait", (7, 2, 7), "leads", "SEO"),
]  # fmt: skip

_BULK_VERBS = ("Optimiser", "Lancer", "Tester", "Rédiger", "Automate", "Launch", "Review", "Publier")
_BULK_OBJECTS = (
    "la newsletter",
    "la page produit",
    "landing page",
    "la campagne Ads",
    "case study",
    "le webinar",
)
_OBJECTIVES = ("leads", "awareness", "retention")
_CHANNELS = ("SEO", "paid", "social", "e-mail", "events", "content", "web")


def bulk_actions(n: int, seed: int = 42) -> list[DemoAction]:
    """N scored actions, deterministic for (n, seed): the ``bulk:N`` seed of every emulator."""
    rng = random.Random(seed)
    first_due = date(2026, 12, 1)
    out: list[DemoAction] = []
    for i in range(n):
        bucket = BUCKETS[rng.randrange(len(BUCKETS))]
        due = (first_due + timedelta(days=rng.randrange(90))).isoformat() if rng.random() < 0.3 else None
        out.append(
            _a(
                f"{rng.choice(_BULK_VERBS)} {rng.choice(_BULK_OBJECTS)} #{i + 1}",
                bucket,
                (rng.randint(1, 10), rng.randint(1, 10), rng.randint(1, 10)),
                rng.choice(_OBJECTIVES),
                rng.choice(_CHANNELS),
                due=due,
                assignee=DEMO_MEMBERS[rng.randrange(len(DEMO_MEMBERS))].email,
            )
        )
    return out
