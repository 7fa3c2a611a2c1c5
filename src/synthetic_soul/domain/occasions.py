"""Events that are not a message: appraised from numbers alone (OCC's event branch).

Four occasions, each weighed by how close the agent is to the user concerned:
- an outreach (a message the agent wrote first) left unanswered for hours: disappointment,
  a prospect of contact that did not come true (lite: sadness; rich: sadness and loneliness);
- a close user silent for days: missing them (lite: sadness; rich: loneliness and sadness),
  felt once per silence, in a spell of thinking;
- a user writing again after days apart: joy at the reunion (lite: joy and love; rich:
  happiness, relief and affection), felt in the turn that answers them;
- a user asking to be forgotten: the loss of someone (lite: sadness; rich: sadness and
  loneliness), felt once, right after they are erased.

Each gives emotion potentials (0..10) for `affect.feel_potentials`; closeness comes from the
affinity of the profile (-100..100), so an enemy's silence, return or farewell stirs nothing.
"""

from __future__ import annotations

from typing import Any

HOUR_S = 3600.0
DAY_S = 86400.0

# Unanswered outreach: felt once, when the first spell of thinking finds it unanswered for
# this long (a few hours: a reply within the afternoon is not a snub).
UNANSWERED_AFTER_S = 6 * HOUR_S
# Missing someone: a close user's silence is felt once it lasts this long (a day without
# news is ordinary), at MISSED_SHARE of an unanswered outreach's weight: nothing was asked of
# them, so it is longing, not a snub.
MISSED_AFTER_S = 2 * DAY_S
MISSED_SHARE = 0.75
# Reunion: a user's return is an event after this many days of silence, and weighs fully
# from REUNION_FULL_S on (the longer the absence, the gladder the return, up to a week).
REUNION_AFTER_S = 3 * DAY_S
REUNION_FULL_S = 7 * DAY_S
# Being forgotten: the loss felt at the whole peak (a friend leaving for good is no lighter
# than a snub), and in rich mode loneliness at FORGOTTEN_LONELY_SHARE of it: the loss itself
# is grief; being alone after it is the lesser part, since the agent has others.
FORGOTTEN_LONELY_SHARE = 0.6
# The potential of any occasion for the closest user: 8 is a strong event (about 22
# points, see affect.EMOTION_CAP_PER_EVENT); a friend (affinity 22) gets about half of it.
OCCASION_PEAK = 8.0
# Affinity at which a user counts as fully close: where `best friend` begins.
CLOSE_AFFINITY = 45.0

# Profile-doc keys (old docs lack them: nothing felt yet).
FELT_UNANSWERED_KEY = "unanswered_felt_at"  # the time of the last outreach already felt
FELT_MISSED_KEY = "missed_felt_at"  # the last exchange whose silence was already felt
OCCASION_DEFAULTS: dict[str, Any] = {FELT_UNANSWERED_KEY: None, FELT_MISSED_KEY: None}


def closeness(affinity: float) -> float:
    """0..1: how close the agent feels to a user of this affinity (nothing for a cold one)."""
    return min(1.0, max(0.0, affinity / CLOSE_AFFINITY))


def unanswered(waited_s: float, affinity: float, mode: str) -> dict[str, float]:
    """Potentials for an outreach unanswered for `waited_s` seconds; none before the
    threshold."""
    if waited_s < UNANSWERED_AFTER_S:
        return {}
    p = OCCASION_PEAK * closeness(affinity)
    if p <= 0.0:
        return {}
    if mode == "lite":
        return {"sadness": p}
    return {"sadness": 0.7 * p, "loneliness": p}


def missed(apart_s: float, affinity: float, mode: str) -> dict[str, float]:
    """Potentials for a user silent for `apart_s` seconds; none before the threshold."""
    if apart_s < MISSED_AFTER_S:
        return {}
    p = MISSED_SHARE * OCCASION_PEAK * closeness(affinity)
    if p <= 0.0:
        return {}
    if mode == "lite":
        return {"sadness": p}
    return {"loneliness": p, "sadness": 0.5 * p}


def missed_due(doc: dict[str, Any], now: float) -> bool:
    """Whether the silence since the last exchange is long enough and not yet felt."""
    last = doc.get("last_interaction")
    if last is None or now - float(last) < MISSED_AFTER_S:
        return False
    felt = doc.get(FELT_MISSED_KEY, OCCASION_DEFAULTS[FELT_MISSED_KEY])
    return felt is None or float(felt) < float(last)


def reunion(apart_s: float, affinity: float, mode: str) -> dict[str, float]:
    """Potentials for a user writing again after `apart_s` seconds of silence."""
    if apart_s < REUNION_AFTER_S:
        return {}
    p = OCCASION_PEAK * closeness(affinity) * min(1.0, apart_s / REUNION_FULL_S)
    if p <= 0.0:
        return {}
    if mode == "lite":
        return {"joy": p, "love": 0.5 * p}
    return {"happiness": p, "relief": 0.6 * p, "affection": 0.5 * p}


def unanswered_due(doc: dict[str, Any], outreach_at: float | None, now: float) -> bool:
    """Whether the outreach sent at `outreach_at` is unanswered long enough and not yet felt."""
    if outreach_at is None or now - outreach_at < UNANSWERED_AFTER_S:
        return False
    felt = doc.get(FELT_UNANSWERED_KEY, OCCASION_DEFAULTS[FELT_UNANSWERED_KEY])
    return felt is None or float(felt) < outreach_at


def apart(doc: dict[str, Any], now: float) -> float:
    """Seconds since the user's last exchange with the agent (0 for a first one)."""
    last = doc.get("last_interaction")
    return 0.0 if last is None else max(0.0, now - float(last))


def forgotten(affinity: float, mode: str) -> dict[str, float]:
    """Potentials for a user of this affinity asking to be forgotten: the loss of them."""
    p = OCCASION_PEAK * closeness(affinity)
    if p <= 0.0:
        return {}
    if mode == "lite":
        return {"sadness": p}
    return {"sadness": p, "loneliness": FORGOTTEN_LONELY_SHARE * p}
