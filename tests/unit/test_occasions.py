"""Occasions that are no message (issue 17): their size, their scaling, felt once."""

from __future__ import annotations

import pytest

from synthetic_soul.domain import occasions
from synthetic_soul.domain.affect import Affect, baselines, feel_potentials
from synthetic_soul.domain.emotions import Emotion, initial_emotions
from synthetic_soul.domain.facts import MBTI_PRESETS
from synthetic_soul.domain.mood import default_mood
from synthetic_soul.domain.occasions import (
    DAY_S,
    FELT_UNANSWERED_KEY,
    HOUR_S,
    REUNION_AFTER_S,
    UNANSWERED_AFTER_S,
    reunion,
    unanswered,
    unanswered_due,
)
from synthetic_soul.domain.personality import Personality
from synthetic_soul.domain.reasons import MISSED, REUNION, UNANSWERED, shareable
from synthetic_soul.domain.relationship import new_profile_doc

BEST = 45.0  # affinity where `best friend` begins
FRIEND = 22.0


def test_an_outreach_is_not_felt_before_hours_have_passed() -> None:
    assert unanswered(UNANSWERED_AFTER_S - 1, BEST, "lite") == {}
    assert unanswered(UNANSWERED_AFTER_S, BEST, "lite")["sadness"] == pytest.approx(8.0)


def test_an_unanswered_outreach_hurts_as_far_as_the_user_is_close() -> None:
    waited = 8 * HOUR_S
    best = unanswered(waited, BEST, "lite")["sadness"]
    friend = unanswered(waited, FRIEND, "lite")["sadness"]
    assert best == pytest.approx(8.0)
    assert friend == pytest.approx(8.0 * FRIEND / BEST)
    assert unanswered(waited, 0.0, "lite") == {}
    assert unanswered(waited, -30.0, "lite") == {}


def test_rich_mode_feels_disappointment_as_sadness_and_loneliness() -> None:
    pots = unanswered(8 * HOUR_S, BEST, "rich")
    assert pots["loneliness"] == pytest.approx(8.0)
    assert 0.0 < pots["sadness"] < pots["loneliness"]


def test_a_reunion_needs_days_apart_and_grows_with_them_up_to_a_week() -> None:
    assert reunion(REUNION_AFTER_S - 1, BEST, "lite") == {}
    three = reunion(3 * DAY_S, BEST, "lite")["joy"]
    week = reunion(7 * DAY_S, BEST, "lite")["joy"]
    month = reunion(30 * DAY_S, BEST, "lite")["joy"]
    assert 0.0 < three < week
    assert week == pytest.approx(8.0) == month
    assert reunion(7 * DAY_S, FRIEND, "lite")["joy"] == pytest.approx(8.0 * FRIEND / BEST)
    assert reunion(7 * DAY_S, -10.0, "lite") == {}
    rich = reunion(7 * DAY_S, BEST, "rich")
    assert rich["happiness"] == pytest.approx(8.0) and rich["relief"] > 0.0


@pytest.mark.parametrize("kind", sorted(MBTI_PRESETS))
def test_a_best_friends_silence_is_a_strong_event_and_a_friends_a_milder_one(kind: str) -> None:
    p = Personality({k: float(v) for k, v in MBTI_PRESETS[kind].items()}, kind)
    now = 1_700_000_000.0
    rest = baselines(p, list(initial_emotions("lite", now)))
    affect = Affect({n: Emotion(v, now) for n, v in rest.items()}, default_mood(p), now)

    def rise(affinity: float) -> float:
        pots = unanswered(8 * HOUR_S, affinity, "lite")
        felt = feel_potentials(affect, pots, p, now)
        return felt.emotions_at(p, now)["sadness"] - rest["sadness"]

    assert 15.0 <= rise(BEST) <= 30.0
    assert 3.0 <= rise(FRIEND) < rise(BEST)


def test_each_unanswered_outreach_is_due_once() -> None:
    doc = new_profile_doc("lite", 0.0)
    sent = 1000.0
    assert doc[FELT_UNANSWERED_KEY] is None
    assert not unanswered_due(doc, None, sent + DAY_S)
    assert not unanswered_due(doc, sent, sent + UNANSWERED_AFTER_S - 1)
    assert unanswered_due(doc, sent, sent + UNANSWERED_AFTER_S)
    felt = {**doc, FELT_UNANSWERED_KEY: sent}
    assert not unanswered_due(felt, sent, sent + DAY_S)
    # A later outreach left unanswered is a new occasion.
    assert unanswered_due(felt, sent + DAY_S, sent + 2 * DAY_S)
    # A profile stored before this key existed reads as nothing felt yet.
    old = {k: v for k, v in doc.items() if k != FELT_UNANSWERED_KEY}
    assert unanswered_due(old, sent, sent + DAY_S)


def test_the_apart_time_comes_from_the_last_interaction() -> None:
    doc = new_profile_doc("lite", 0.0)
    assert occasions.apart(doc, 5 * DAY_S) == 0.0  # a first message is no reunion
    assert occasions.apart({**doc, "last_interaction": DAY_S}, 5 * DAY_S) == 4 * DAY_S


def test_the_occasions_reasons_name_no_one_and_may_be_shared() -> None:
    assert shareable(UNANSWERED) == UNANSWERED
    assert shareable(REUNION) == REUNION
    assert shareable(MISSED) == MISSED


def test_a_close_users_silence_is_missed_after_days_and_a_cold_ones_is_not() -> None:
    assert occasions.missed(occasions.MISSED_AFTER_S - 1, 45.0, "lite") == {}
    close = occasions.missed(occasions.MISSED_AFTER_S, 45.0, "lite")
    assert close == {"sadness": occasions.MISSED_SHARE * occasions.OCCASION_PEAK}
    assert occasions.missed(occasions.MISSED_AFTER_S, -20.0, "lite") == {}
    rich = occasions.missed(occasions.MISSED_AFTER_S, 45.0, "rich")
    assert rich["loneliness"] > rich["sadness"] > 0


def test_each_silence_is_missed_once() -> None:
    doc = {**new_profile_doc("lite", 0.0), "last_interaction": DAY_S}
    assert not occasions.missed_due(doc, DAY_S + occasions.MISSED_AFTER_S - 1)
    assert occasions.missed_due(doc, DAY_S + occasions.MISSED_AFTER_S)
    felt = {**doc, occasions.FELT_MISSED_KEY: DAY_S}
    assert not occasions.missed_due(felt, 10 * DAY_S)
    # They wrote again and fell silent again: a new silence.
    assert occasions.missed_due({**felt, "last_interaction": 2 * DAY_S}, 10 * DAY_S)
    assert not occasions.missed_due(new_profile_doc("lite", 0.0), 10 * DAY_S)
