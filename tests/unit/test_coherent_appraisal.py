"""A small model's appraisal made to agree with itself before it is felt (`appraisal.coherent`).

The cases are the ones the embedded model got wrong in bench/plausibility.py: an insult and a
friend's grief both appraised as very good for her (desirability 10)."""

from __future__ import annotations

import pytest

from synthetic_soul.domain.appraisal import Appraisal, coherent, potentials

INSULT = Appraisal(desirability=10, praiseworthiness=-3, liking=2, desirability_for_user=-5)
THEIR_GRIEF = Appraisal(desirability=10, praiseworthiness=5, liking=4, desirability_for_user=-2)
GOOD_NEWS = Appraisal(desirability=10, praiseworthiness=5, liking=8, desirability_for_user=10)


@pytest.mark.parametrize("mode", ["lite", "rich"])
def test_an_insult_the_model_called_good_news_angers_and_brings_no_joy(mode: str) -> None:
    pots = potentials(INSULT, mode)
    assert pots.get("joy", pots.get("happiness")) == 0
    assert pots["anger"] > 0


def test_a_friends_grief_the_model_called_good_news_saddens() -> None:
    pots = potentials(THEIR_GRIEF, "lite", affinity=20.0)
    assert pots["joy"] == 0
    assert pots["sadness"] > 0


def test_an_enemys_loss_is_left_as_the_model_saw_it() -> None:
    """Below regard 0 her fortune and theirs are not bound together: nothing to correct."""
    assert coherent(THEIR_GRIEF, affinity=-60.0) == THEIR_GRIEF


def test_good_news_and_bad_news_for_her_pass_unchanged() -> None:
    assert coherent(GOOD_NEWS) == GOOD_NEWS
    bad = Appraisal(desirability=-6, praiseworthiness=-4, desirability_for_user=-3)
    assert coherent(bad) == bad
