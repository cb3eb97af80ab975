"""``plan --json`` is written from precomputed fragments (``plan_json_chunks``) rather than through
``Output.json``; these tests pin that the two give the same bytes, at a terminal (indented sprints) and in a
pipe, for one team and several, with the text JSON escapes (quotes, backslashes, control and non-ASCII
characters) and more actions than one chunk holds.
"""

from __future__ import annotations

import io
import json
import random
import sys
from datetime import date

import pytest

from moteur.cli import Output
from moteur.core.evaluate import Evaluation, evaluate
from moteur.core.model import Action, ItemRef, Status, Tool
from moteur.core.policy import IceFormula, PlanningPolicy
from moteur.views.plan_json import plan_json_chunks, plan_payload

TODAY = date(2026, 12, 1)
TITLES = [
    'Webinar "SEO"',
    "Salon\\pro",
    "Livre blanc ✨",
    "tab\there",
    "ctrl\x01",
    "日本語",
    "a\u2028b",
    "plain",
]
STATUSES = [Status.TODO, Status.DOING, Status.DONE, Status.ARCHIVED]


def actions(count: int, board: str, seed: int) -> list[Action]:
    rnd = random.Random(seed)

    def score() -> int | None:
        return rnd.choice([None, *range(1, 11)])

    return [
        Action(
            ref=ItemRef(tool=Tool.FILE, board=board, item=f"{board}-{n}"),
            title=f"{rnd.choice(TITLES)} {n}",
            status=rnd.choice(STATUSES),
            impact=score(),
            effort=score(),
            confidence=score(),
            objective=rnd.choice([None, "", "  ", "leads"]),
            due=rnd.choice([None, date(2026, 12, 18), date(2027, 3, 1), date(2026, 11, 2)]),
        )
        for n in range(count)
    ]


def printed(payload: dict[str, object], *, tty: bool, monkeypatch: pytest.MonkeyPatch) -> str:
    """What ``Output.json`` prints for ``payload`` on a terminal (``tty``) or a pipe."""

    class Stdout(io.StringIO):
        def isatty(self) -> bool:
            return tty

    stdout = Stdout()
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", stdout)
        Output(json_mode=True).json(payload)
    return stdout.getvalue()


def teams() -> list[tuple[str, Evaluation]]:
    policy = PlanningPolicy(capacity_per_sprint=400)
    mean = PlanningPolicy(ice_formula=IceFormula.MEAN, closures=[(date(2026, 12, 24), date(2027, 1, 1))])
    return [
        ("Marketing", evaluate(actions(4500, "plan.csv", seed=1), policy, TODAY)),
        ("Events", evaluate(actions(300, "events.json", seed=2), mean, TODAY)),
    ]


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "terminal"])
@pytest.mark.parametrize("count", [1, 2], ids=["one team", "two teams"])
def test_fragments_print_what_output_json_prints(
    tty: bool, count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluations = teams()[:count]
    expected = printed(plan_payload(evaluations), tty=tty, monkeypatch=monkeypatch)
    text = "".join(plan_json_chunks(evaluations, indent=2 if tty else None))
    assert text == expected
    document = json.loads(text)
    assert len(document["actions"]) == sum(len(ev.scored) for _, ev in evaluations)


def test_an_evaluation_without_actions_prints_an_empty_list(monkeypatch: pytest.MonkeyPatch) -> None:
    evaluations = [("empty", evaluate([], PlanningPolicy(), TODAY))]
    text = "".join(plan_json_chunks(evaluations, indent=None))
    assert text == printed(plan_payload(evaluations), tty=False, monkeypatch=monkeypatch)
    assert json.loads(text)["actions"] == []


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "terminal"])
def test_each_team_says_the_capacity_that_sized_it(tty: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    evaluations = teams()
    sized = {
        "Marketing": {
            "per_sprint": 400,
            "source": "setting",
            "reason": "capacity_per_sprint = 400",
            "sprints_used": 0,
        },
        "Events": {
            "per_sprint": 18.5,
            "source": "velocity",
            "reason": "mean of 3 sprints",
            "sprints_used": 3,
        },
    }
    expected = printed(
        plan_payload(evaluations, capacity=sized["Marketing"], team_capacity=sized),
        tty=tty,
        monkeypatch=monkeypatch,
    )
    text = "".join(
        plan_json_chunks(
            evaluations, indent=2 if tty else None, capacity=sized["Marketing"], team_capacity=sized
        )
    )
    assert text == expected
    document = json.loads(text)
    assert document["capacity"] == sized["Marketing"]
    assert [(t["name"], t["capacity"]) for t in document["teams"]] == list(sized.items())
    assert list(document["teams"][0]) == ["name", "capacity", "sprints"]
