"""Feeling for others (OCC's fortunes of others): what happens to the user is felt too,
as much as the agent likes them; an enemy's good fortune is resented, never pitied."""

from __future__ import annotations

import pytest

from synthetic_soul.domain.affect import feel
from synthetic_soul.domain.appraisal import Appraisal, regard
from synthetic_soul.domain.lexicon import appraise_text
from synthetic_soul.domain.personality import Personality
from tests.unit.test_calibration import CHARACTERS, IDS, T0, at_rest, joy_of

LIKED = 30.0  # affinity of a friend
DISLIKED = -60.0  # affinity of an enemy
LOSS = Appraisal(desirability_for_user=-9)
GOOD_NEWS = Appraisal(desirability_for_user=9)


def rise(mode: str, p: Personality, a: Appraisal, emotion: str, affinity: float) -> float:
    before = at_rest(mode, p)
    after = feel(before, a, mode, p, T0 + 10, affinity=affinity)
    now = T0 + 10
    return after.emotions_at(p, now)[emotion] - before.emotions_at(p, now)[emotion]


@pytest.mark.parametrize(("mode", "p"), CHARACTERS, ids=IDS)
def test_a_liked_users_loss_saddens_as_a_strong_event(mode: str, p: Personality) -> None:
    assert 15.0 <= rise(mode, p, LOSS, "sadness", LIKED) <= 30.0


@pytest.mark.parametrize(("mode", "p"), CHARACTERS, ids=IDS)
def test_a_liked_users_good_news_brings_joy(mode: str, p: Personality) -> None:
    assert 15.0 <= rise(mode, p, GOOD_NEWS, joy_of(mode), LIKED) <= 30.0
    assert rise(mode, p, GOOD_NEWS, "sadness", LIKED) <= 0.0


@pytest.mark.parametrize(("mode", "p"), CHARACTERS, ids=IDS)
def test_a_disliked_users_misfortune_brings_no_sorrow(mode: str, p: Personality) -> None:
    assert rise(mode, p, LOSS, "sadness", DISLIKED) == pytest.approx(0.0, abs=1e-9)
    assert rise(mode, p, GOOD_NEWS, joy_of(mode), DISLIKED) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(("mode", "p"), CHARACTERS, ids=IDS)
def test_the_more_liked_the_more_it_is_felt(mode: str, p: Personality) -> None:
    stranger = rise(mode, p, LOSS, "sadness", 0.0)
    assert 0.0 < stranger < rise(mode, p, LOSS, "sadness", LIKED)
    assert rise(mode, p, LOSS, "sadness", -20.0) < stranger


def test_regard_follows_affinity_from_resentment_to_full_fellow_feeling() -> None:
    assert regard(-100.0) == -1.0 and regard(100.0) == 1.0
    assert 0.0 < regard(0.0) < 1.0
    assert regard(-30.0) == pytest.approx(0.0)
    assert regard(LIKED) == 1.0 and regard(DISLIKED) < 0.0


def test_rich_mode_pities_a_friend_and_resents_an_enemys_good_fortune() -> None:
    rich = [(m, p) for m, p in CHARACTERS if m == "rich"]
    assert rich
    _, p = rich[0]
    assert rise("rich", p, LOSS, "compassion", LIKED) >= 15.0
    assert rise("rich", p, LOSS, "compassion", DISLIKED) == pytest.approx(0.0, abs=1e-9)
    # OCC's resentment (envy, jealousy) is in the rich set; gloating has no emotion there.
    assert rise("rich", p, GOOD_NEWS, "envy", DISLIKED) >= 15.0
    assert rise("rich", p, GOOD_NEWS, "envy", LIKED) == pytest.approx(0.0, abs=1e-9)


def test_own_and_fellow_feelings_do_not_add_up_past_the_stronger() -> None:
    _, p = CHARACTERS[0]
    both = Appraisal(desirability=-9, desirability_for_user=-9)
    assert rise("lite", p, both, "sadness", LIKED) == pytest.approx(
        rise("lite", p, LOSS, "sadness", LIKED)
    )


@pytest.mark.parametrize(
    "text",
    [
        "My dog died this morning, I can't stop crying",
        "I got fired today",
        "My grandma passed away last night",
        "I'm so sick, stuck in hospital",
        "Still grieving the loss of my dad",
    ],
)
def test_the_lexicon_hears_bad_news_for_the_user(text: str) -> None:
    assert appraise_text(text).desirability_for_user <= -8.0


@pytest.mark.parametrize(
    "text",
    [
        "I got the job I wanted today! I'm so happy",
        "We got engaged last night",
        "I passed my driving test",
        "I was promoted!",
    ],
)
def test_the_lexicon_hears_good_news_for_the_user(text: str) -> None:
    assert appraise_text(text).desirability_for_user >= 8.0


def test_the_lexicon_hears_no_news_in_small_talk() -> None:
    assert appraise_text("What do you think about the weather?").desirability_for_user == 0.0
    assert appraise_text("You are stupid, I hate this.").desirability_for_user == 0.0
