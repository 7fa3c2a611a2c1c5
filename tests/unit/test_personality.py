"""Personality at birth: an MBTI preset in lite mode, 34 neutral traits in rich mode."""

from __future__ import annotations

import random

import pytest

from synthetic_soul.domain.facts import LITE_TRAITS, MBTI_PRESETS, RICH_TRAITS
from synthetic_soul.domain.personality import TRAIT_MAX, TRAIT_MIN, born, describe

ALL_MBTI = {a + b + c + d for a in "EI" for b in "SN" for c in "TF" for d in "JP"}


def test_there_are_sixteen_presets_of_ten_traits() -> None:
    assert set(MBTI_PRESETS) == ALL_MBTI
    assert len(LITE_TRAITS) == 10
    for kind, traits in MBTI_PRESETS.items():
        assert set(traits) == set(LITE_TRAITS), kind
        assert all(TRAIT_MIN <= v <= TRAIT_MAX for v in traits.values()), kind


@pytest.mark.parametrize("seed", range(20))
def test_lite_is_born_from_a_preset(seed: int) -> None:
    p = born("lite", random.Random(seed))
    assert p.mbti in ALL_MBTI
    assert p.traits == {k: float(v) for k, v in MBTI_PRESETS[p.mbti].items()}
    assert len(p.traits) == 10


def test_lite_birth_is_random_but_seeded() -> None:
    assert born("lite", random.Random(5)) == born("lite", random.Random(5))
    kinds = {born("lite", random.Random(seed)).mbti for seed in range(200)}
    assert len(kinds) >= 12


def test_lite_birth_does_not_share_the_preset_table() -> None:
    p = born("lite", random.Random(1))
    assert p.mbti is not None
    p.traits["warmth"] = -1.0
    assert MBTI_PRESETS[p.mbti]["warmth"] != -1.0


def test_rich_is_born_with_34_traits_at_50() -> None:
    p = born("rich", random.Random(1))
    assert len(RICH_TRAITS) == 34
    assert p.mbti is None
    assert p.traits == dict.fromkeys(RICH_TRAITS, 50.0)


def test_describe_names_the_type_and_extremes() -> None:
    p = born("lite", random.Random(2))
    text = describe(p)
    assert p.mbti is not None
    assert text.startswith(f"{p.mbti}: strongest in ")
    strongest = max(p.traits, key=lambda k: (p.traits[k], [-ord(c) for c in k]))
    assert strongest.replace("_", " ") in text
