"""Sentiments toward a user and the relationship label: bounded, directed, no flapping."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthetic_soul.domain.appraisal import Appraisal
from synthetic_soul.domain.facts import LITE_SENTIMENTS, RICH_SENTIMENTS
from synthetic_soul.domain.lexicon import appraise_text
from synthetic_soul.domain.relationship import (
    SENTIMENT_CAP_PER_EVENT,
    affinity,
    after_interaction,
    new_profile_doc,
    relationship_label,
    sentiments_after,
)

T0 = 1_700_000_000.0
appraisals = st.builds(
    Appraisal,
    desirability=st.floats(-10, 10),
    praiseworthiness=st.floats(-10, 10),
    liking=st.floats(-10, 10),
    unexpectedness=st.floats(0, 10),
)
levels = st.floats(0, 100)
sentiment_sets = st.sampled_from([LITE_SENTIMENTS, RICH_SENTIMENTS])
KIND = appraise_text("Thank you, you are wonderful and kind, I love talking with you!")
INSULT = appraise_text("You are stupid and useless, I hate you")


@given(sentiment_sets, levels, appraisals)
def test_sentiments_stay_in_bounds_and_move_at_most_the_cap(
    names: tuple[str, ...], level: float, a: Appraisal
) -> None:
    before = dict.fromkeys(names, level)
    after = sentiments_after(before, a)
    assert set(after) == set(before)
    for name, value in after.items():
        assert 0.0 <= value <= 100.0
        assert abs(value - before[name]) <= SENTIMENT_CAP_PER_EVENT + 1e-9


def test_the_scripted_appraisal_of_a_kind_message_raises_warm_sentiments() -> None:
    before = dict.fromkeys(LITE_SENTIMENTS, 20.0)
    after = sentiments_after(before, KIND)
    for name in ("positive", "love", "trust", "admiration", "attachment"):
        assert after[name] > before[name], name
    for name in ("hate", "irritation", "negativity"):
        assert after[name] < before[name], name
    assert affinity(after) > affinity(before)


def test_the_scripted_appraisal_of_an_insult_lowers_sentiment() -> None:
    before = dict.fromkeys(LITE_SENTIMENTS, 20.0)
    after = sentiments_after(before, INSULT)
    assert after["positive"] < before["positive"]
    assert after["trust"] < before["trust"]
    assert after["irritation"] > before["irritation"]
    assert affinity(after) < affinity(before)


def _talk(doc: dict[str, object], a: Appraisal, times: int) -> dict[str, object]:
    for i in range(times):
        doc = after_interaction(doc, a, T0 + i)
    return doc


def test_kindness_over_time_makes_a_friend_and_insults_an_enemy() -> None:
    friend = _talk(new_profile_doc("lite", T0), KIND, 30)
    assert friend["extrinsic_relationship"] in ("friend", "best friend")
    enemy = _talk(new_profile_doc("lite", T0), INSULT, 30)
    assert enemy["extrinsic_relationship"] == "enemy"
    assert new_profile_doc("lite", T0)["extrinsic_relationship"] == "stranger"


@given(st.lists(st.floats(-2, 2), min_size=20, max_size=60), st.floats(-40, 60))
def test_labels_do_not_flap_under_small_wobbles(wobbles: list[float], start: float) -> None:
    """Affinity wandering a little around any point changes the label at most once."""
    sentiments = dict.fromkeys(LITE_SENTIMENTS, 0.0)
    label = "acquaintance"
    labels = []
    for w in [0.0, *wobbles]:
        level = start + w
        warm, cold = max(0.0, level), max(0.0, -level)
        for name in ("positive", "love", "trust", "admiration", "attachment"):
            sentiments[name] = warm
        for name in ("hate", "negativity", "irritation", "rejection"):
            sentiments[name] = cold
        label = relationship_label(label, sentiments, 50)
        labels.append(label)
    changes = sum(1 for a, b in itertools.pairwise(labels) if a != b)
    assert changes <= 1, labels


def test_a_proposal_is_taken_only_when_the_rules_allow() -> None:
    cool = dict.fromkeys(LITE_SENTIMENTS, 0.0)
    assert relationship_label("friend", cool, 100, "romantic partner") != "romantic partner"
    warm = {**cool, "positive": 90.0, "love": 90.0, "trust": 80.0, "admiration": 80.0}
    warm["attachment"] = 80.0
    assert relationship_label("friend", warm, 100, "romantic partner") == "romantic partner"
    assert relationship_label("friend", warm, 3, "romantic partner") != "romantic partner"


@pytest.mark.parametrize("interactions", [0, 1, 2])
def test_a_few_exchanges_leave_a_stranger(interactions: int) -> None:
    warm = dict.fromkeys(LITE_SENTIMENTS, 90.0)
    assert relationship_label("stranger", warm, interactions) == "stranger"
