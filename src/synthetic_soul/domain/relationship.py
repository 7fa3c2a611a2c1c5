"""How an agent sees one user: relationship labels, sentiments and counters."""

from __future__ import annotations

from typing import Any

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
    }


def relationship_words(doc: dict[str, Any]) -> str:
    extrinsic = str(doc.get("extrinsic_relationship", INITIAL_EXTRINSIC))
    intrinsic = str(doc.get("intrinsic_relationship", INITIAL_INTRINSIC))
    return extrinsic if intrinsic == INITIAL_INTRINSIC else f"{intrinsic} and {extrinsic}"


def after_interaction(doc: dict[str, Any], now: float) -> dict[str, Any]:
    updated = dict(doc)
    updated["interactions"] = int(doc.get("interactions", 0)) + 1
    updated["first_interaction"] = doc.get("first_interaction") or now
    updated["last_interaction"] = now
    return updated
