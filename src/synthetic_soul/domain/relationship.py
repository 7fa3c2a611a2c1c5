"""How an agent sees one user: relationship labels, sentiments and counters."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from synthetic_soul.domain import grudge, occasions
from synthetic_soul.domain.appraisal import Appraisal
from synthetic_soul.domain.facts import LITE_SENTIMENTS, RICH_SENTIMENTS

INITIAL_EXTRINSIC = "stranger"
INITIAL_INTRINSIC = "none"
CREATOR = "creator"


def sentiment_names(mode: str) -> tuple[str, ...]:
    return LITE_SENTIMENTS if mode == "lite" else RICH_SENTIMENTS


def new_profile_doc(mode: str, now: float, intrinsic: str = INITIAL_INTRINSIC) -> dict[str, Any]:
    return {
        "summary": "",
        "extrinsic_relationship": INITIAL_EXTRINSIC,
        "intrinsic_relationship": intrinsic,
        "sentiments": dict.fromkeys(sentiment_names(mode), 0.0),
        "interactions": 0,
        "first_interaction": None,
        "last_interaction": None,
        "created_at": now,
        **grudge.GRUDGE_DEFAULTS,
        **occasions.OCCASION_DEFAULTS,
    }


@dataclass(frozen=True)
class Relationship:
    """How an agent sees one user, read from the profile's doc with each default stated once.

    The doc stays the stored form (older profiles lack newer keys); what changes it returns
    a new doc (`after_interaction`, `reconsider`, a reflection's conclusion).
    """

    extrinsic: str
    intrinsic: str
    sentiments: dict[str, float]
    summary: str
    interactions: int
    last_interaction: float | None
    identity: str  # the agent's identity as this user's talks rewrote it ("": the shared one)
    reflected_message: str | None  # the last message a reflection covered
    insights_upto: float  # episodes up to this time were summed up in insights

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> Relationship:
        last = doc.get("last_interaction")
        return cls(
            extrinsic=str(doc.get("extrinsic_relationship", INITIAL_EXTRINSIC)),
            intrinsic=str(doc.get("intrinsic_relationship", INITIAL_INTRINSIC)),
            sentiments={k: float(v) for k, v in dict(doc.get("sentiments", {})).items()},
            summary=str(doc.get("summary") or ""),
            interactions=int(doc.get("interactions", 0)),
            last_interaction=float(last) if last else None,
            identity=str(doc.get("identity") or "").strip(),
            reflected_message=doc.get("reflected_message"),
            insights_upto=float(doc.get("insights_upto") or 0.0),
        )

    @property
    def words(self) -> str:
        """The relationship as a prompt names it."""
        if self.intrinsic == INITIAL_INTRINSIC:
            return self.extrinsic
        return f"{self.intrinsic} and {self.extrinsic}"


def after_interaction(
    doc: dict[str, Any], appraisal: Appraisal, now: float, proposal: str | None = None
) -> dict[str, Any]:
    """The profile after one appraised exchange: counters, sentiments, relationship label."""
    before = Relationship.of(doc)
    updated = dict(doc)
    updated["interactions"] = before.interactions + 1
    updated["first_interaction"] = doc.get("first_interaction") or now
    updated["last_interaction"] = now
    sentiments = before.sentiments
    held = grudge.held(doc, now)
    updated["sentiments"] = sentiments_after(
        sentiments, appraisal, restoring=grudge.restoring_factor(held)
    )
    closeness = max(0.0, affinity(sentiments)) / 100.0
    updated[grudge.GRUDGE_KEY] = grudge.after_turn(held, warmth(appraisal), closeness)
    updated[grudge.GRUDGE_AT_KEY] = now
    updated["extrinsic_relationship"] = relationship_label(
        before.extrinsic, updated["sentiments"], updated["interactions"], proposal
    )
    return updated


SENTIMENT_CAP_PER_EVENT = 5.0
SENTIMENT_CONFIDENCE = 0.8


def _pos(x: float) -> float:
    return max(0.0, x)


def _neg(x: float) -> float:
    return max(0.0, -x)


def warmth(a: Appraisal) -> float:
    """-10..10: how kind (or, below 0, hostile) the user's action was toward the agent."""
    return (a.liking + a.praiseworthiness) / 2.0


def sentiment_signals(a: Appraisal) -> dict[str, float]:
    """How an appraised action of the user moves each sentiment, -10..10 (both sets)."""
    like, praise, want = a.liking, a.praiseworthiness, a.desirability
    warm = warmth(a)
    threat = _neg(want) * a.unexpectedness / 10.0
    signals = {
        # lite
        "positive": warm,
        "negativity": -warm,
        "love": _pos(like) * 0.6 - _neg(like),
        "hate": _neg(like) * 0.8 - _pos(like) * 0.5,
        "trust": praise * 0.8,
        "admiration": _pos(praise) * 0.7 - _neg(praise) * 0.3,
        "attachment": _pos(warm) * 0.5,
        "empathy": _neg(want) * 0.6 if like >= 0 else 0.0,
        "curiosity": a.unexpectedness * 0.4,
        "skepticism": _neg(praise) * 0.6 - _pos(praise) * 0.3,
        "irritation": _neg(praise) * 0.9 - _pos(warm) * 0.4,
        "fear": threat * 0.6,
        "sadness": _neg(want) * 0.5,
        "rejection": _neg(like) * 0.7 - _pos(like) * 0.3,
        "protectiveness": _neg(want) * 0.5 if like > 0 else 0.0,
        "ambivalence": min(_pos(like), _neg(praise)) + min(_neg(like), _pos(praise)),
        # rich (those not named above keep their value)
        "affection": _pos(like) * 0.8 - _neg(like) * 0.5,
        "admirationMixedWithEnvy": 0.0,
        "gratitude": min(_pos(praise), _pos(want)),
        "fondness": _pos(warm) * 0.7 - _neg(warm) * 0.4,
        "respect": praise * 0.6,
        "comfort": _pos(warm) * 0.5 - threat * 0.5,
        "warmth": warm * 0.7,
        "appreciation": _pos(praise) * 0.7,
        "distrust": _neg(praise) * 0.7 - _pos(praise) * 0.3,
        "resentment": _neg(praise) * 0.6,
        "anger": _neg(praise) * 0.8 - _pos(warm) * 0.3,
        "hurt": _neg(like) * 0.6 + _neg(praise) * 0.3,
        "hostility": _neg(warm) * 0.7,
        "contempt": _neg(like) * 0.5,
        "disappointment": _neg(want) * 0.4,
    }
    return signals


def sentiments_after(
    sentiments: dict[str, float],
    a: Appraisal,
    confidence: float = SENTIMENT_CONFIDENCE,
    restoring: float = 1.0,
) -> dict[str, float]:
    """Sentiments after one appraised action: capped at 5 per event, friction near bounds.

    `restoring` (0..1) scales the steps that mend the agent's view of the user (a warm
    sentiment rising, a cold one falling): below 1 while a grudge is held.
    """
    signals = sentiment_signals(a)
    updated = dict(sentiments)
    for name, value in sentiments.items():
        signal = signals.get(name, 0.0)
        if signal == 0.0:
            continue
        step = SENTIMENT_CAP_PER_EVENT * (1.0 - math.exp(-abs(signal) * confidence / 5.0))
        if (name in _WARM and signal > 0) or (name in _COLD and signal < 0):
            step *= restoring
        room = (100.0 - value) / 100.0 if signal > 0 else value / 100.0
        updated[name] = min(100.0, max(0.0, value + math.copysign(step * room, signal)))
    return updated


_WARM = (
    "positive",
    "love",
    "trust",
    "admiration",
    "attachment",
    "affection",
    "fondness",
    "respect",
    "warmth",
    "appreciation",
    "comfort",
)
_COLD = (
    "hate",
    "negativity",
    "irritation",
    "rejection",
    "distrust",
    "resentment",
    "hostility",
    "contempt",
    "anger",
    "hurt",
)


def affinity(sentiments: dict[str, float]) -> float:
    """-100..100: how much warmth outweighs coldness in the agent's view of the user."""
    warm = [sentiments[n] for n in _WARM if n in sentiments]
    cold = [sentiments[n] for n in _COLD if n in sentiments]
    mean_warm = sum(warm) / len(warm) if warm else 0.0
    mean_cold = sum(cold) / len(cold) if cold else 0.0
    return mean_warm - mean_cold


@dataclass(frozen=True)
class Band:
    """A label's entry and exit conditions: entry is stricter, so labels do not flap."""

    label: str
    enter_affinity: float
    leave_affinity: float
    min_interactions: int


# Checked in order; the first whose entry (or, for the current label, exit) holds wins.
_BANDS = (
    Band("enemy", -35.0, -20.0, 3),
    Band("best friend", 45.0, 35.0, 40),
    Band("friend", 22.0, 12.0, 10),
    Band("acquaintance", -100.0, -100.0, 3),
)
_PROPOSABLE = {"romantic partner": (55.0, 40)}  # the model may propose; rules must allow


def relationship_label(
    current: str, sentiments: dict[str, float], interactions: int, proposal: str | None = None
) -> str:
    """The extrinsic relationship after an interaction, with hysteresis."""
    score = affinity(sentiments)
    if proposal in _PROPOSABLE:
        need, count = _PROPOSABLE[proposal]
        if score >= need and interactions >= count and sentiments.get("love", 100.0) >= 40.0:
            return proposal
    if current == "romantic partner" and score >= _PROPOSABLE[current][0] - 15.0:
        return current
    for band in _BANDS:
        if interactions < band.min_interactions:
            continue
        if band.label == "enemy":
            holds = score <= (band.leave_affinity if current == "enemy" else band.enter_affinity)
        else:
            holds = score >= (band.leave_affinity if current == band.label else band.enter_affinity)
        if holds:
            return band.label
    return INITIAL_EXTRINSIC


def reconsider(doc: dict[str, Any], proposal: str | None) -> dict[str, Any]:
    """The profile after a reflection weighed the model's proposed label: the rules decide."""
    now = Relationship.of(doc)
    updated = dict(doc)
    updated["extrinsic_relationship"] = relationship_label(
        now.extrinsic, now.sentiments, now.interactions, proposal
    )
    return updated
