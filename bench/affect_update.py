"""Cost of one affect update: `feel` (decay, mood, appraisal, reinforcement), plus the
sentiment, relationship and personality updates a reply applies, per event.

    .venv/bin/python bench/affect_update.py
"""

from __future__ import annotations

import json
import random
import statistics
import time
from dataclasses import asdict

from synthetic_soul.domain.affect import feel
from synthetic_soul.domain.agent import new_agent
from synthetic_soul.domain.appraisal import Appraisal
from synthetic_soul.domain.personality import drift
from synthetic_soul.domain.relationship import after_interaction, new_profile_doc

EVENTS = 5000
T0 = 1_700_000_000.0


def measure(mode: str) -> dict[str, float]:
    rng = random.Random(1)
    agent = new_agent("a", "jasmine", mode, rng, T0)
    doc = new_profile_doc(mode, T0)
    affect, personality = agent.affect, agent.personality
    feel_us, whole_us = [], []
    for i in range(EVENTS):
        now = T0 + 30.0 * (i + 1)
        a = Appraisal(
            rng.uniform(-10, 10), rng.uniform(-10, 10), rng.uniform(-10, 10), rng.uniform(0, 10)
        )
        started = time.perf_counter()
        affect = feel(affect, a, mode, personality, now)
        felt = time.perf_counter()
        personality = drift(personality, asdict(a))
        doc = after_interaction(doc, a, now)
        done = time.perf_counter()
        feel_us.append((felt - started) * 1e6)
        whole_us.append((done - started) * 1e6)
    quantiles = statistics.quantiles
    return {
        "feel_p50_us": round(statistics.median(feel_us), 1),
        "feel_p99_us": round(quantiles(feel_us, n=100)[98], 1),
        "event_p50_us": round(statistics.median(whole_us), 1),
        "event_p99_us": round(quantiles(whole_us, n=100)[98], 1),
    }


def main() -> None:
    results = {mode: measure(mode) for mode in ("lite", "rich")}
    for mode, r in results.items():
        print(
            f"{mode}: feel p50 {r['feel_p50_us']} us, p99 {r['feel_p99_us']} us;"
            f" whole event p50 {r['event_p50_us']} us, p99 {r['event_p99_us']} us"
        )
    print(json.dumps({"events": EVENTS, **results}))


if __name__ == "__main__":
    main()
