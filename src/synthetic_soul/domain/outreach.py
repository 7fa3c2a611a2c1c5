"""When the agent may write first: pure rules over what it knows of each contact.

Quiet hours. The intent is "not between 23:00 and 08:00 in the user's own day", but the
service knows no time zones. A user's own messages are the best evidence of when they are
awake, so the UTC hours of the day in which they have written stand in for their waking
hours: the agent writes first only in an hour (UTC) in which the user has written before.
A short history makes this strict (few active hours), which is the right side to err on.

Caps. No second outreach while the last one is unanswered (any message from the user after
it answers it), and at most `DAILY_CAP` in any rolling 24 hours (a calendar day would need
the user's time zone again).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from synthetic_soul.domain.relationship import Relationship, affinity

RECENT_S = 14 * 86400  # users who talked with the agent within this window are candidates
CANDIDATE_LIMIT = 5  # the most recent of them
HISTORY_LIMIT = 200  # the user's latest message times that shape the hours histogram
DAILY_CAP = 2
DAY_S = 86400.0
WELCOME = frozenset({"acquaintance", "friend", "best friend", "romantic partner"})
PURPOSE = "outreach"  # the purpose of a message the agent sends first


@dataclass(frozen=True)
class Contact:
    """What the rules need to know about one user the agent might write to."""

    user_id: str
    username: str
    relationship: str  # the extrinsic label
    sentiments: dict[str, float]
    message_times: tuple[float, ...]  # the user's own recent messages
    recent_outreaches: tuple[float, ...]  # the agent's outreach to them, last 24 hours
    awaiting_answer: bool  # the latest outreach has no message from the user after it
    awaiting_since: float | None = None  # when that unanswered outreach was sent
    doc: dict[str, Any] = field(default_factory=dict)  # the profile doc, to record occasions

    @classmethod
    def of_profile(
        cls,
        user_id: str,
        username: str,
        doc: dict[str, Any],
        message_times: tuple[float, ...],
        recent_outreaches: tuple[float, ...],
        awaiting_since: float | None,
    ) -> Contact:
        """The contact a store reads: its standing from the profile's doc, and an answer
        awaited since `awaiting_since` (None: the latest outreach was answered, or none)."""
        seen = Relationship.of(doc)
        return cls(
            user_id=user_id,
            username=username,
            relationship=seen.extrinsic,
            sentiments=seen.sentiments,
            message_times=message_times,
            recent_outreaches=recent_outreaches,
            awaiting_answer=awaiting_since is not None,
            awaiting_since=awaiting_since,
            doc=dict(doc),
        )


def hour_of(timestamp: float) -> int:
    """The UTC hour of the day (0..23) of a Unix time."""
    return int(timestamp // 3600) % 24


def active_hours(times: Iterable[float]) -> frozenset[int]:
    """The UTC hours of the day in which the user has written at least once."""
    return frozenset(hour_of(t) for t in times)


def is_quiet(contact: Contact, now: float) -> bool:
    return hour_of(now) not in active_hours(contact.message_times)


def appropriate(contact: Contact) -> bool:
    """At least an acquaintance, not an enemy, and warmth outweighs coldness."""
    return contact.relationship in WELCOME and affinity(contact.sentiments) > 0.0


def blocked_by(contact: Contact, now: float) -> str | None:
    """Why the agent may not write to this contact now, or None if it may."""
    if not appropriate(contact):
        return "inappropriate"
    if contact.awaiting_answer:
        return "awaiting_answer"
    if sum(1 for t in contact.recent_outreaches if now - t < DAY_S) >= DAILY_CAP:
        return "daily_cap"
    if is_quiet(contact, now):
        return "quiet_hours"
    return None


def reachable(contacts: Iterable[Contact], now: float) -> list[Contact]:
    """The contacts the agent may write to now, in the order given."""
    return [c for c in contacts if blocked_by(c, now) is None]
