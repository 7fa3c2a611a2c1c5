"""When a question asks about: the span of time a phrase such as "last week", "yesterday",
"three months ago", "last summer" or "in May" names, as of a moment, so that recall can look
first at what was said then.

Only plain English phrases are read, and only those that name a span in the past (a
conversation is recalled, not planned). Days are UTC days, as the service's other times are.
Seasons are the northern hemisphere's meteorological ones (summer: June to August). A phrase
that names no span gives None, and recall is by words and meaning alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

DAY_S = 86400.0
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# The first month of each season.
SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple": 2,
    "few": 3,
}  # fmt: skip
UNITS = {"day": 1, "week": 7, "month": 30, "year": 365}

_AGO = re.compile(
    r"\b(?:a\s+)?(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|couple|few)\s+(?:of\s+)?(day|week|month|year)s?\s+ago\b"
)
_LAST_UNIT = re.compile(r"\b(last|this|past)\s+(week|month|year|weekend)\b")
_SEASON = re.compile(r"\b(last|this)\s+(spring|summer|autumn|fall|winter)\b")
_MONTH = re.compile(r"\b(?:in|during|last|back in)\s+(" + "|".join(MONTHS) + r")\b")
_WEEKDAY = re.compile(r"\b(?:on|last)\s+(" + "|".join(WEEKDAYS) + r")\b")
_DAY_WORDS = {
    "today": (0, 1),
    "this morning": (0, 1),
    "tonight": (0, 1),
    "yesterday": (1, 1),
    "last night": (1, 1),
    "the other day": (7, 7),
    "recently": (14, 14),
    "lately": (14, 14),
}


@dataclass(frozen=True)
class Timeframe:
    """From `start` (inclusive) to `end` (exclusive), seconds since the epoch."""

    start: float
    end: float

    def holds(self, moment: float) -> bool:
        return self.start <= moment < self.end


def _midnight(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _month_start(year: int, month: int) -> date:
    while month < 1:
        year, month = year - 1, month + 12
    while month > 12:
        year, month = year + 1, month - 12
    return date(year, month, 1)


def _days(today: date, back: int, length: int) -> Timeframe:
    """`length` days, the last of which is `back` days before `today` (0: today)."""
    last = today - timedelta(days=back)
    return Timeframe(_midnight(last - timedelta(days=length - 1)), _midnight(last) + DAY_S)


def _months(start: date, count: int) -> Timeframe:
    end = _month_start(start.year, start.month + count)
    return Timeframe(_midnight(start), _midnight(end))


def timeframe(text: str, now: float | None) -> Timeframe | None:
    """The span of the past `text` names, as of `now`: a date it names ("on 25 May, 2022",
    "in August 2023", "in 2022"), else the first relative phrase found (none when `now` is
    not known)."""
    said = " ".join(text.lower().split())
    dated = _dated(said)
    if dated is not None or now is None:
        return dated
    today = datetime.fromtimestamp(now, UTC).date()
    for phrase, (back, length) in _DAY_WORDS.items():
        if re.search(rf"\b{phrase}\b", said):
            return _days(today, back, length)
    if m := _AGO.search(said):
        count = int(m[1]) if m[1].isdigit() else NUMBERS[m[1]]
        unit = UNITS[m[2]]
        # Said loosely: a span one unit wide around the moment named.
        return _days(today, count * unit - unit // 2, max(unit, 1))
    if m := _LAST_UNIT.search(said):
        return _last_unit(today, m[1], m[2])
    if m := _SEASON.search(said):
        return _season(today, m[1], m[2])
    if m := _MONTH.search(said):
        month = MONTHS.index(m[1]) + 1
        year = today.year if month <= today.month else today.year - 1
        if m[0].startswith("last") and month == today.month:
            year -= 1
        return _months(date(year, month, 1), 1)
    if m := _WEEKDAY.search(said):
        back = (today.weekday() - WEEKDAYS.index(m[1])) % 7 or 7
        return _days(today, back, 1)
    return None


def _last_unit(today: date, which: str, unit: str) -> Timeframe:
    if unit == "weekend":
        saturday = today - timedelta(days=(today.weekday() - 5) % 7 or 7)
        return Timeframe(_midnight(saturday), _midnight(saturday) + 2 * DAY_S)
    if unit == "week":
        monday = today - timedelta(days=today.weekday())
        if which == "this":
            return Timeframe(_midnight(monday), _midnight(today) + DAY_S)
        if which == "past":
            return _days(today, 0, 7)
        return Timeframe(_midnight(monday) - 7 * DAY_S, _midnight(monday))
    if unit == "month":
        first = today.replace(day=1)
        if which == "this":
            return Timeframe(_midnight(first), _midnight(today) + DAY_S)
        if which == "past":
            return _days(today, 0, 30)
        return _months(_month_start(today.year, today.month - 1), 1)
    first = date(today.year, 1, 1)
    if which == "this":
        return Timeframe(_midnight(first), _midnight(today) + DAY_S)
    if which == "past":
        return _days(today, 0, 365)
    return Timeframe(_midnight(date(today.year - 1, 1, 1)), _midnight(first))


def _season(today: date, which: str, season: str) -> Timeframe:
    """The season's three months: `this` the latest that has begun, `last` the one before."""
    first = SEASONS[season]
    year = today.year if (today.month, today.day) >= (first, 1) else today.year - 1
    if which == "last":
        # "Last summer" in July is the summer of the year before; in October, this year's.
        current = _months(date(year, first, 1), 3)
        if current.holds(_midnight(today)):
            year -= 1
    return _months(date(year, first, 1), 3)


_MONTH_NAMES = "|".join(MONTHS)
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_NAMES}),?\s+(\d{{4}})\b")
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_NAMES})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH_NAMES}),?\s+(\d{{4}})\b")
_YEAR = re.compile(r"\b(?:in|during|back in|of)\s+((?:19|20)\d{2})\b")
# What happened on a day is told that day or in the week after it ("yesterday I...").
TOLD_WITHIN_DAYS = 7


def _dated(said: str) -> Timeframe | None:
    """The span a written date names, with the days it is told in after it."""
    day: date | None = None
    if m := _DAY_MONTH_YEAR.search(said):
        day = _day(int(m[3]), MONTHS.index(m[2]) + 1, int(m[1]))
    elif m := _MONTH_DAY_YEAR.search(said):
        day = _day(int(m[3]), MONTHS.index(m[1]) + 1, int(m[2]))
    if day is not None:
        return Timeframe(_midnight(day), _midnight(day) + (1 + TOLD_WITHIN_DAYS) * DAY_S)
    if m := _MONTH_YEAR.search(said):
        month = _months(date(int(m[2]), MONTHS.index(m[1]) + 1, 1), 1)
        return Timeframe(month.start, month.end + TOLD_WITHIN_DAYS * DAY_S)
    if m := _YEAR.search(said):
        year = int(m[1])
        return Timeframe(_midnight(date(year, 1, 1)), _midnight(date(year + 1, 1, 1)))
    return None


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
