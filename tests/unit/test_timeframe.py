"""The span of the past a phrase names, as of a moment (domain/timeframe.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthetic_soul.domain.timeframe import timeframe

# Thursday 3 December 2026, 15:00 UTC.
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC).timestamp()


def days(text: str, now: float = NOW) -> tuple[date, date] | None:
    """The frame's first day and the day after its last."""
    frame = timeframe(text, now)
    if frame is None:
        return None
    first = datetime.fromtimestamp(frame.start, UTC)
    after = datetime.fromtimestamp(frame.end, UTC)
    assert (first.hour, first.minute, after.hour, after.minute) == (0, 0, 0, 0)
    return first.date(), after.date()


@pytest.mark.parametrize(
    ("text", "first", "after"),
    [
        ("What did I tell you yesterday?", date(2026, 12, 2), date(2026, 12, 3)),
        ("what happened TODAY", date(2026, 12, 3), date(2026, 12, 4)),
        ("remember last night?", date(2026, 12, 2), date(2026, 12, 3)),
        ("what did we talk about last week", date(2026, 11, 23), date(2026, 11, 30)),
        ("this week has been long", date(2026, 11, 30), date(2026, 12, 4)),
        ("last month I moved", date(2026, 11, 1), date(2026, 12, 1)),
        ("last year was hard", date(2025, 1, 1), date(2026, 1, 1)),
        ("last weekend", date(2026, 11, 28), date(2026, 11, 30)),
        ("two weeks ago", date(2026, 11, 16), date(2026, 11, 23)),
        ("a couple of days ago", date(2026, 12, 1), date(2026, 12, 2)),
        ("5 days ago", date(2026, 11, 28), date(2026, 11, 29)),
        ("last summer", date(2026, 6, 1), date(2026, 9, 1)),
        ("last winter", date(2025, 12, 1), date(2026, 3, 1)),
        ("this winter", date(2026, 12, 1), date(2027, 3, 1)),
        ("back in May", date(2026, 5, 1), date(2026, 6, 1)),
        ("in December", date(2026, 12, 1), date(2027, 1, 1)),
        ("last December", date(2025, 12, 1), date(2026, 1, 1)),
        ("on Monday", date(2026, 11, 30), date(2026, 12, 1)),
        ("last Thursday", date(2026, 11, 26), date(2026, 11, 27)),
        # A written date, with the week after it in which it is told.
        ("What did Bea do on 25 May, 2022?", date(2022, 5, 25), date(2022, 6, 2)),
        ("on May 25th 2022", date(2022, 5, 25), date(2022, 6, 2)),
        ("in August 2023", date(2023, 8, 1), date(2023, 9, 8)),
        ("back in 2021", date(2021, 1, 1), date(2022, 1, 1)),
    ],
)
def test_a_phrase_names_its_span(text: str, first: date, after: date) -> None:
    assert days(text) == (first, after)


def test_last_summer_in_july_is_the_summer_before() -> None:
    july = datetime(2026, 7, 10, tzinfo=UTC).timestamp()
    assert days("last summer", july) == (date(2025, 6, 1), date(2025, 9, 1))
    assert days("this summer", july) == (date(2026, 6, 1), date(2026, 9, 1))


@pytest.mark.parametrize("text", ["my sister's name", "the summer house", "may I ask", "ago"])
def test_no_span_without_a_phrase_for_one(text: str) -> None:
    assert timeframe(text, NOW) is None


@given(
    st.sampled_from(
        [
            "yesterday",
            "last week",
            "last month",
            "last year",
            "3 days ago",
            "a month ago",
            "last summer",
            "last winter",
            "in march",
            "last friday",
            "last weekend",
        ]
    ),
    st.floats(min_value=1.6e9, max_value=2.2e9),
)
def test_a_past_phrase_names_a_span_that_begins_before_now(text: str, now: float) -> None:
    frame = timeframe(text, now)
    assert frame is not None
    assert frame.start < frame.end
    assert frame.start <= now


def test_without_now_only_written_dates_name_a_span() -> None:
    assert timeframe("last week", None) is None
    assert timeframe("on 25 May, 2022", None) is not None
