"""The stated targets of issue 17: how far feelings and mood move, and how fast they settle.

Each number below is a target from the issue, checked through the domain functions for every
lite character (the 16 MBTI presets) and a rich one (all traits at 50).
"""

from __future__ import annotations

import random

import pytest

from synthetic_soul.domain.affect import Affect, baselines, feel
from synthetic_soul.domain.appraisal import Appraisal
from synthetic_soul.domain.emotions import Emotion, initial_emotions
from synthetic_soul.domain.facts import MBTI_PRESETS
from synthetic_soul.domain.mood import Mood, default_mood, mood_name
from synthetic_soul.domain.personality import Personality, born

T0 = 1_700_000_000.0
WARM = Appraisal(desirability=8, praiseworthiness=8, liking=8, unexpectedness=5)
INSULT = Appraisal(desirability=-8, praiseworthiness=-8, liking=-8, unexpectedness=2)


def characters() -> list[tuple[str, Personality]]:
    lite = [
        ("lite", Personality({k: float(v) for k, v in MBTI_PRESETS[kind].items()}, kind))
        for kind in sorted(MBTI_PRESETS)
    ]
    return [*lite, ("rich", born("rich", random.Random(1)))]


CHARACTERS = characters()
IDS = [p.mbti or "rich" for _, p in CHARACTERS]


def at_rest(mode: str, p: Personality) -> Affect:
    """Feelings at their baselines and the mood at its default: nothing has happened."""
    rest = baselines(p, list(initial_emotions(mode, T0)))
    return Affect({n: Emotion(v, T0) for n, v in rest.items()}, default_mood(p), T0)


def named(emotion: str, mode: str) -> str:
    """The rich set's name for what drives a lite emotion: happiness for joy, and
    affection (rich love is its quieter companion) for love."""
    rich = {"joy": "happiness", "love": "affection"}
    return rich.get(emotion, emotion) if mode == "rich" else emotion


def joy_of(mode: str) -> str:
    return named("joy", mode)


# (appraisal, the emotion it drives) for each strongly appraised kind of event.
STRONG = [
    (Appraisal(desirability=8), "joy"),
    (Appraisal(desirability=-10), "sadness"),
    (Appraisal(praiseworthiness=-8), "anger"),
    (Appraisal(desirability=10, praiseworthiness=10, liking=10), "love"),
]


@pytest.mark.parametrize(("mode", "p"), CHARACTERS, ids=IDS)
@pytest.mark.parametrize(("appraisal", "emotion"), STRONG)
def test_one_strong_event_moves_its_emotion_by_15_to_30(
    mode: str, p: Personality, appraisal: Appraisal, emotion: str
) -> None:
    name = named(emotion, mode)
    before = at_rest(mode, p)
    after = feel(before, appraisal, mode, p, T0 + 10)
    rise = after.emotions_at(p, T0 + 10)[name] - before.emotions_at(p, T0 + 10)[name]
    assert 15.0 <= rise <= 30.0, (name, rise)


@pytest.mark.parametrize(("mode", "p"), CHARACTERS, ids=IDS)
@pytest.mark.parametrize(("appraisal", "emotion"), STRONG)
def test_three_strong_events_in_a_minute_bring_it_to_40_to_70(
    mode: str, p: Personality, appraisal: Appraisal, emotion: str
) -> None:
    name = named(emotion, mode)
    affect = at_rest(mode, p)
    for second in (10, 30, 50):
        affect = feel(affect, appraisal, mode, p, T0 + second)
    value = affect.emotions_at(p, T0 + 60)[name]
    assert 40.0 <= value <= 70.0, (name, value)


@pytest.mark.parametrize(("mode", "p"), CHARACTERS, ids=IDS)
@pytest.mark.parametrize("strength", [1.0, 2.0, 3.0])
def test_a_mild_event_moves_its_emotion_a_few_points(
    mode: str, p: Personality, strength: float
) -> None:
    name = joy_of(mode)
    before = at_rest(mode, p)
    after = feel(before, Appraisal(desirability=strength), mode, p, T0 + 10)
    rise = after.emotions_at(p, T0 + 10)[name] - before.emotions_at(p, T0 + 10)[name]
    assert 0.0 < rise <= 8.0, rise


def three(mode: str, p: Personality, appraisal: Appraisal) -> Affect:
    affect = at_rest(mode, p)
    for second in (10, 20, 30):
        affect = feel(affect, appraisal, mode, p, T0 + second)
    return affect


@pytest.mark.parametrize(("mode", "p"), CHARACTERS, ids=IDS)
def test_three_warm_messages_lift_the_mood_then_it_settles(mode: str, p: Personality) -> None:
    home = default_mood(p)
    affect = three(mode, p, WARM)
    assert affect.mood_at(p, T0 + 60).pleasure >= home.pleasure + 0.15
    assert affect.mood_at(p, T0 + 120).pleasure >= home.pleasure + 0.15
    assert mood_name(affect.mood_at(p, T0 + 60), home) != "calm"
    # Back within tens of minutes: close to the default after 45, named calm after 60.
    assert abs(affect.mood_at(p, T0 + 45 * 60).pleasure - home.pleasure) < 0.05
    assert mood_name(affect.mood_at(p, T0 + 60 * 60), home) == "calm"


@pytest.mark.parametrize(("mode", "p"), CHARACTERS, ids=IDS)
def test_three_insults_sink_the_mood_then_it_settles(mode: str, p: Personality) -> None:
    home = default_mood(p)
    affect = three(mode, p, INSULT)
    assert affect.mood_at(p, T0 + 60).pleasure <= home.pleasure - 0.15
    assert affect.mood_at(p, T0 + 120).pleasure <= home.pleasure - 0.15
    assert abs(affect.mood_at(p, T0 + 45 * 60).pleasure - home.pleasure) < 0.05


@pytest.mark.parametrize("mode", ["lite", "rich"])
def test_surprise_fades_in_minutes_love_and_sadness_over_hours(mode: str) -> None:
    p = born(mode, random.Random(5))
    rest = baselines(p, list(initial_emotions(mode, T0)))
    affect = Affect({n: Emotion(60.0, T0) for n in rest}, default_mood(p), T0)

    def left(name: str, seconds: float) -> float:
        """The share of the excess over the baseline still felt after `seconds`."""
        return (affect.emotions_at(p, T0 + seconds)[name] - rest[name]) / (60.0 - rest[name])

    assert left("surprise", 15 * 60) < 0.2
    assert left("love", 60 * 60) > 0.8
    assert left("sadness", 60 * 60) > 0.5
    assert left("sadness", 6 * 3600) < 0.2


def test_a_mood_near_its_default_is_calm() -> None:
    home = Mood(0.2, -0.1, 0.1)
    assert mood_name(home, home) == "calm"
    assert mood_name(Mood(0.25, -0.05, 0.12), home) == "calm"
    assert mood_name(Mood(0.55, 0.1, 0.2), home) == "slightly exuberant"
    assert mood_name(Mood(-0.3, 0.4, 0.2), home) == "moderately hostile"
    # Named by how it moved: a cheerful character just insulted is not "exuberant".
    cheerful = Mood(0.5, 0.15, 0.25)
    assert mood_name(Mood(0.03, 0.5, 0.3), cheerful) == "moderately hostile"
