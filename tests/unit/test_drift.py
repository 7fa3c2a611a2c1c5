"""Personality drifts slowly with experience, capped per event, within bounds."""

from __future__ import annotations

import random
from dataclasses import asdict

from hypothesis import given
from hypothesis import strategies as st

from synthetic_soul.domain.appraisal import Appraisal
from synthetic_soul.domain.lexicon import appraise_text
from synthetic_soul.domain.personality import PERSONALITY_CAP_PER_EVENT, born, drift

signals = st.fixed_dictionaries(
    {
        "desirability": st.floats(-10, 10),
        "praiseworthiness": st.floats(-10, 10),
        "liking": st.floats(-10, 10),
        "unexpectedness": st.floats(0, 10),
    }
)


@given(st.sampled_from(["lite", "rich"]), st.integers(0, 1000), signals, st.floats(0, 1))
def test_one_event_moves_each_trait_at_most_the_cap_and_stays_in_bounds(
    mode: str, seed: int, signal: dict[str, float], confidence: float
) -> None:
    before = born(mode, random.Random(seed))
    after = drift(before, signal, confidence)
    assert after.mbti == before.mbti
    for name, value in after.traits.items():
        assert 0.0 <= value <= 100.0
        assert abs(value - before.traits[name]) <= PERSONALITY_CAP_PER_EVENT


def test_kindness_warms_slowly() -> None:
    before = born("lite", random.Random(5))
    kind = asdict(appraise_text("thank you, you are wonderful and kind"))
    once = drift(before, kind)
    assert 0 < once.traits["warmth"] - before.traits["warmth"] < 0.5
    later = before
    for _ in range(200):
        later = drift(later, kind)
    assert later.traits["warmth"] > once.traits["warmth"]


def test_nothing_felt_changes_nothing() -> None:
    before = born("rich", random.Random(1))
    assert drift(before, asdict(Appraisal())) == before
