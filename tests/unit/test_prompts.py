"""Prompt layout: what is stable goes first, so a model keeping its context evaluates it once."""

from __future__ import annotations

import random
from dataclasses import replace

from synthetic_soul.domain.agent import new_agent
from synthetic_soul.domain.personality import describe, drift
from synthetic_soul.mind.prompts import ReplyContext, persona, reply_prompt

NOW = 1_800_000_000.0


def test_identity_and_personality_change_the_prompt_never_the_system_prompt() -> None:
    agent = new_agent("a1", "jasmine", "lite", random.Random(1), NOW)
    drifted = drift(agent.personality, {"desirability": 3.0, "liking": 4.0})
    changed = replace(agent, identity="I have come to love quiet mornings.", personality=drifted)
    ctx = ReplyContext(changed, "ada", "friend", "", (), None, "", ("hi",), "dm", NOW)

    assert describe(drifted) != describe(agent.personality)  # the ranking of traits moved
    assert persona(changed) == persona(agent)
    assert reply_prompt(ctx).splitlines()[:2] == [
        "Your identity: I have come to love quiet mornings.",
        f"Your personality: {describe(drifted)}",
    ]
