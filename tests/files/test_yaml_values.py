"""The fast YAML reader (``moteur/yaml_reading.py``, from libyaml's events) reads exactly what the full loader
(``yaml_plan.compose_and_load``, PyYAML's composer and constructor) reads, or hands the text over."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from moteur.connectors.files import yaml_plan
from moteur.connectors.files.edits import same
from moteur.yaml_reading import Unusual, load_values

SAMPLES = [
    "country: NO\nzip: 01234\nslot: 22:30\nversion: 1.10\ndue: 2026-12-18\n",
    "x: [true, True, .inf, -.inf, +.inf, .NaN, -.5, 1e3, 0x1F, 0o17, yes, -0, +3, 1., '1', \"2\", ~, null]\n",
    "dup: 1\ndup: 2\n'<<': merge-less\n? lone\n",
    "- a\n- [b, {c: d}]\n- {}\n- []\n- ''\n-\n",
    "text: |\n  line 1\n  line 2\nfolded: >-\n  a\n  b\nkept: |+\n  x\n\n",
    "%YAML 1.2\n---\nactions:\n  - title: A   # comment\n...\n",
    "",
    "# nothing but a comment\n",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_the_fast_reader_reads_what_the_full_loader_reads(text: str) -> None:
    assert same(load_values(text), yaml_plan.compose_and_load(text)[1])


@pytest.mark.parametrize("text", ["a: !!str 5\n", "? [a]\n: 1\n", "a: 1\n---\nb: 2\n"])
def test_tags_complex_keys_and_several_documents_are_left_to_the_full_loader(text: str) -> None:
    with pytest.raises(Unusual):
        load_values(text)


def test_an_alias_is_refused_where_it_stands() -> None:
    with pytest.raises(yaml_plan.AliasRefused) as caught:
        load_values("a: &x 1\nb: 2\nc: *x\n")
    assert caught.value.line == 3


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(alphabet=st.sampled_from(list("aN0O1y:.-+ #'\"\n~é[]{},")), max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(value=VALUES, flow=st.booleans(), pyyaml=st.booleans())
def test_any_dumped_value_reads_the_same_both_ways(value: Any, flow: bool, pyyaml: bool) -> None:
    # moteur's own dumper, or PyYAML's (as a user's script would write a plan)
    text = (
        yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
        if pyyaml
        else yaml_plan.dump(value, flow=flow)
    )
    full = yaml_plan.compose_and_load(text)[1]
    assert same(load_values(text), full)
    if not pyyaml:  # what moteur writes reads back as what it meant, whatever YAML version reads it
        assert same(full, value)
