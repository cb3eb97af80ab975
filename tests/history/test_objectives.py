"""``[[objectives]]`` in moteur.toml: read, checked in a person's words, and the shares they give."""

from __future__ import annotations

from pathlib import Path

import pytest

from moteur.core.errors import ConfigError
from moteur.core.objectives import Objective, objective_of, target_shares
from moteur.settings import load_settings


def settings_from(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> object:
    path = tmp_path / "moteur.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, env=env or {})


def refusal(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, text, env)
    assert caught.value.exit_code == 2
    return caught.value


def test_objectives_are_read_with_their_kpi_and_target(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path,
        '[[objectives]]\nname = "Notoriété"\nshare = 40\nkpi = "visites / mois"\ntarget = 12000\n'
        '[[objectives]]\nname = "Leads"\nshare = 60\n',
    )
    objectives = settings.objectives  # type: ignore[attr-defined]
    assert [(o.name, o.share, o.kpi, o.target) for o in objectives] == [
        ("Notoriété", 40, "visites / mois", 12000),
        ("Leads", 60, None, None),
    ]
    assert target_shares(objectives) == {"Notoriété": 0.4, "Leads": 0.6}


def test_weights_become_shares_and_none_share_evenly() -> None:
    assert target_shares([Objective(name="A", weight=1), Objective(name="B", weight=3)]) == {
        "A": 0.25,
        "B": 0.75,
    }
    assert target_shares([Objective(name="A"), Objective(name="B")]) == {"A": 0.5, "B": 0.5}


def test_an_action_names_an_objective_as_people_write_it() -> None:
    objectives = [Objective(name="Notoriété", share=40)]
    assert objective_of("notoriete ", objectives) == "Notoriété"
    assert objective_of("Fidélisation", objectives) == "Fidélisation"  # not in the list: kept, not dropped
    assert objective_of("  ", objectives) is None


@pytest.mark.parametrize(
    ("toml", "said"),
    [
        (
            '[[objectives]]\nname = "A"\nweight = 1\nshare = 20\n',
            'objective "A" has both a weight and a share',
        ),
        (
            '[[objectives]]\nname = "A"\nweight = 1\n[[objectives]]\nname = "B"\nshare = 20\n',
            "use weight on every objective or share on every one",
        ),
        (
            '[[objectives]]\nname = "A"\nshare = 60\n[[objectives]]\nname = "B"\nshare = 50\n',
            "shares add up to 110%, more than 100%",
        ),
        ('[[objectives]]\nname = "Leads"\n[[objectives]]\nname = "leads"\n', "are the same name"),
        (
            '[[objectives]]\nname = "A"\nshare = "beaucoup"\n',
            "objectives.share (entry 1 of [[objectives]]): a percentage of the effort from 0 to 100",
        ),
        ('[[objectives]]\nname = "A"\npart = 3\n', "unknown key 'objectives.part'"),
        ("weight = 3\n", "weight belongs under [[objectives]]"),
    ],
)
def test_a_bad_objective_is_refused_in_words(tmp_path: Path, toml: str, said: str) -> None:
    error = refusal(tmp_path, toml)
    assert said in error.message, error.message
    assert "moteur.toml" in error.message  # where the bad value is


def test_objectives_from_the_environment_are_json(tmp_path: Path) -> None:
    settings = settings_from(tmp_path, "", {"MOTEUR_OBJECTIVES": '[{"name": "Leads", "share": 60}]'})
    assert [o.name for o in settings.objectives] == ["Leads"]  # type: ignore[attr-defined]
    error = refusal(tmp_path, "", {"MOTEUR_OBJECTIVES": "Leads"})
    assert error.message == "MOTEUR_OBJECTIVES in the environment is not a JSON list of objectives"


def test_capacity_is_fixed_or_velocity(tmp_path: Path) -> None:
    settings = settings_from(tmp_path, '[planning]\ncapacity = "velocity"\nvelocity_sprints = 4\n')
    assert (settings.planning.capacity, settings.planning.velocity_sprints) == ("velocity", 4)  # type: ignore[attr-defined]
    error = refusal(tmp_path, '[planning]\ncapacity = "measured"\n')
    expected = '"fixed" (capacity_per_sprint or the team) or "velocity" (measured), not "measured"'
    assert f"planning.capacity: {expected}" in error.message
    error = refusal(tmp_path, "", {"MOTEUR_PLANNING__VELOCITY_SPRINTS": "0"})
    assert error.message.startswith("MOTEUR_PLANNING__VELOCITY_SPRINTS in the environment: a whole number")
