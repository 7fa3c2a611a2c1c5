"""Reconciliation: after an insult and an apology, sentiment toward the user recovers over
several kind turns, not at once; the grudge behind that fades over days of silence."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthetic_soul.domain import grudge
from synthetic_soul.domain.appraisal import Appraisal
from synthetic_soul.domain.lexicon import appraise_text
from synthetic_soul.domain.relationship import (
    affinity,
    after_interaction,
    new_profile_doc,
    sentiments_after,
)

T0 = 1_700_000_000.0
DAY = 24 * 60 * 60.0
KIND = appraise_text("Thank you, you are wonderful and kind, I love talking with you!")
INSULT = appraise_text("You are stupid and useless, I hate you")
# What a model makes of "I'm sorry, that was unfair of me": a praiseworthy act, mildly warm.
APOLOGY = Appraisal(desirability=2.0, praiseworthiness=6.0, liking=4.0, unexpectedness=3.0)
MARGIN = 1.0  # affinity points: "back where it was"


class Talk:
    """One user's profile as the agent sees it, a minute between turns unless told."""

    def __init__(self, mode: str = "lite", kind_turns: int = 12) -> None:
        self.now = T0
        self.doc: dict[str, Any] = new_profile_doc(mode, T0)
        for _ in range(kind_turns):
            self.say(KIND)

    def say(self, a: Appraisal, after: float = 60.0) -> None:
        self.now += after
        self.doc = after_interaction(self.doc, a, self.now)

    @property
    def affinity(self) -> float:
        return affinity(self.doc["sentiments"])

    def kind_turns_to_recover(self, level: float, most: int = 20) -> int:
        for n in range(1, most + 1):
            self.say(KIND)
            if self.affinity >= level - MARGIN:
                return n
        raise AssertionError(f"not recovered after {most} kind turns")


@pytest.mark.parametrize("mode", ["lite", "rich"])
def test_an_apology_starts_a_reconciliation_that_takes_several_kind_turns(mode: str) -> None:
    talk = Talk(mode)
    assert talk.doc["extrinsic_relationship"] == "friend"
    before, trust = talk.affinity, talk.doc["sentiments"]["trust"]
    talk.say(INSULT)
    talk.say(APOLOGY)
    # Forgiven, not forgotten: the apology alone leaves her view of the user below where
    # it was (it used to restore trust past its old level at once).
    assert talk.affinity < before - 2.0
    assert talk.doc["sentiments"]["trust"] < trust
    # N = 3 kind turns for this friend (was 2 in lite, 2 in rich without a grudge).
    assert 3 <= talk.kind_turns_to_recover(before) <= 6
    # The label held through it all: one insult does not end a friendship.
    assert talk.doc["extrinsic_relationship"] == "friend"


def test_a_close_friends_insult_takes_longer_to_mend_than_a_new_friends() -> None:
    new, close = Talk(kind_turns=12), Talk(kind_turns=30)
    turns = []
    for talk in (new, close):
        before = talk.affinity
        talk.say(INSULT)
        talk.say(APOLOGY)
        turns.append(talk.kind_turns_to_recover(before))
    assert turns[0] < turns[1] <= 6


def test_an_insult_from_a_friend_leaves_a_larger_grudge_than_from_a_stranger() -> None:
    stranger, friend = Talk(kind_turns=0), Talk(kind_turns=12)
    for talk in (stranger, friend):
        talk.say(INSULT)
    held = [grudge.held(t.doc, t.now) for t in (stranger, friend)]
    assert held[0] == pytest.approx(grudge.GRUDGE_PER_HURT)
    assert held[0] < held[1] <= 1.0


def test_without_an_insult_kind_turns_move_sentiments_as_before() -> None:
    talk = Talk(kind_turns=0)
    expected = dict(talk.doc["sentiments"])
    for a in (KIND, APOLOGY, KIND, appraise_text("Hello, how are you?"), KIND):
        expected = sentiments_after(expected, a)
        talk.say(a)
        assert talk.doc["sentiments"] == expected
        assert grudge.held(talk.doc, talk.now) == 0.0


def test_an_old_profile_without_grudge_keys_reads_as_no_grudge() -> None:
    new = new_profile_doc("lite", T0)
    old = {k: v for k, v in new.items() if k not in grudge.GRUDGE_DEFAULTS}
    assert grudge.held(old, T0 + 60) == 0.0
    for a in (INSULT, KIND):
        new, old = after_interaction(new, a, T0 + 60), after_interaction(old, a, T0 + 60)
        assert old == new


def test_the_grudge_fades_over_days_of_silence() -> None:
    talk = Talk()
    talk.say(INSULT)
    fresh = grudge.held(talk.doc, talk.now)
    assert grudge.held(talk.doc, talk.now + 2 * DAY) == pytest.approx(fresh / 2)
    assert grudge.held(talk.doc, talk.now + 7 * DAY) < fresh / 10

    # The same apology, a week later, mends faster than right away.
    soon, late = Talk(), Talk()
    turns = []
    for talk, silence in ((soon, 60.0), (late, 7 * DAY)):
        before = talk.affinity
        talk.say(INSULT)
        talk.say(APOLOGY, after=silence)
        turns.append(talk.kind_turns_to_recover(before))
    assert turns[1] < turns[0]


def test_kindness_wears_the_grudge_down_and_hostility_builds_it_up() -> None:
    talk = Talk()
    talk.say(INSULT)
    held = [grudge.held(talk.doc, talk.now)]
    for _ in range(4):
        talk.say(KIND)
        held.append(grudge.held(talk.doc, talk.now))
    assert all(b < a for a, b in itertools.pairwise(held))
    talk.say(INSULT)
    talk.say(INSULT)
    assert grudge.held(talk.doc, talk.now) > held[0]


appraisals = st.builds(
    Appraisal,
    desirability=st.floats(-10, 10),
    praiseworthiness=st.floats(-10, 10),
    liking=st.floats(-10, 10),
    unexpectedness=st.floats(0, 10),
)


@given(st.lists(st.tuples(appraisals, st.floats(0, 30 * DAY)), max_size=30))
def test_the_grudge_stays_within_bounds(turns: list[tuple[Appraisal, float]]) -> None:
    talk = Talk(kind_turns=0)
    for a, after in turns:
        talk.say(a, after)
        held = grudge.held(talk.doc, talk.now)
        assert 0.0 <= held <= 1.0
        assert 1.0 - grudge.GRUDGE_DAMP <= grudge.restoring_factor(held) <= 1.0
        assert all(0.0 <= v <= 100.0 for v in talk.doc["sentiments"].values())
