"""The rules of writing first: who is appropriate, quiet hours, unanswered outreach, daily cap."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthetic_soul.domain.facts import LITE_SENTIMENTS
from synthetic_soul.domain.outreach import (
    DAILY_CAP,
    DAY_S,
    Contact,
    active_hours,
    appropriate,
    blocked_by,
    hour_of,
    is_quiet,
    reachable,
)

HOUR = 3600.0
NOON = 1_893_499_200.0  # 2030-01-01 12:00 UTC
WARM = {**dict.fromkeys(LITE_SENTIMENTS, 0.0), "positive": 30.0, "trust": 20.0}
COLD = {**dict.fromkeys(LITE_SENTIMENTS, 0.0), "irritation": 30.0, "hate": 20.0}


def contact(**changes: object) -> Contact:
    base = Contact(
        user_id="u1",
        username="ada",
        relationship="friend",
        sentiments=WARM,
        message_times=(NOON - DAY_S, NOON - 2 * DAY_S + 600),  # she writes around noon
        recent_outreaches=(),
        awaiting_answer=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_hour_of_is_the_utc_hour() -> None:
    assert hour_of(NOON) == 12
    assert hour_of(NOON + 11.5 * HOUR) == 23
    assert hour_of(NOON + 12 * HOUR) == 0


@pytest.mark.parametrize(
    ("relationship", "sentiments", "expected"),
    [
        ("stranger", WARM, False),
        ("enemy", WARM, False),
        ("acquaintance", WARM, True),
        ("friend", WARM, True),
        ("best friend", WARM, True),
        ("romantic partner", WARM, True),
        ("friend", COLD, False),
        ("friend", dict.fromkeys(LITE_SENTIMENTS, 0.0), False),  # no warmth yet
    ],
)
def test_appropriate_needs_an_acquaintance_who_is_liked(
    relationship: str, sentiments: dict[str, float], expected: bool
) -> None:
    assert appropriate(contact(relationship=relationship, sentiments=sentiments)) is expected


def test_quiet_hours_are_the_hours_the_user_never_writes_in() -> None:
    c = contact()
    assert active_hours(c.message_times) == {12}
    assert not is_quiet(c, NOON + 30 * 60)
    assert is_quiet(c, NOON + HOUR)
    assert is_quiet(c, NOON - 12 * HOUR)  # midnight
    assert is_quiet(contact(message_times=()), NOON)  # never wrote: always quiet


def test_an_unanswered_outreach_blocks_the_next() -> None:
    assert blocked_by(contact(awaiting_answer=True), NOON) == "awaiting_answer"
    assert blocked_by(contact(awaiting_answer=False), NOON) is None


def test_the_daily_cap_is_a_rolling_day() -> None:
    two = (NOON - 20 * HOUR, NOON - 2 * HOUR)
    assert DAILY_CAP == 2
    assert blocked_by(contact(recent_outreaches=two[1:]), NOON) is None
    assert blocked_by(contact(recent_outreaches=two), NOON) == "daily_cap"
    # Five hours on, the older one has left the window: one more is allowed.
    late = contact(message_times=(NOON + 5 * HOUR - DAY_S,))
    assert blocked_by(replace(late, recent_outreaches=two), NOON + 5 * HOUR) is None


def test_blocked_by_names_the_first_rule_that_fails() -> None:
    assert blocked_by(contact(relationship="enemy", awaiting_answer=True), NOON) == (
        "inappropriate"
    )
    assert blocked_by(contact(), NOON + 3 * HOUR) == "quiet_hours"


def test_reachable_keeps_the_order_and_drops_the_blocked() -> None:
    a = contact(user_id="a", username="ada")
    b = contact(user_id="b", username="bob", relationship="stranger")
    c = contact(user_id="c", username="cy")
    assert [x.username for x in reachable([c, b, a], NOON)] == ["cy", "ada"]


@given(
    hours=st.lists(st.integers(0, 23), max_size=30),
    now_hour=st.integers(0, 23),
    days=st.integers(0, 400),
)
def test_the_agent_writes_only_in_an_hour_the_user_wrote_in(
    hours: list[int], now_hour: int, days: int
) -> None:
    base = NOON - 12 * HOUR  # midnight
    times = tuple(base - (i + 1) * DAY_S + h * HOUR for i, h in enumerate(hours))
    now = base + days * DAY_S + now_hour * HOUR + 59
    c = contact(message_times=times)
    assert (blocked_by(c, now) is None) == (now_hour in set(hours))
