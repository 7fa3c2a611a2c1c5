"""Prompt layout: what is stable goes first, so a model keeping its context evaluates it once."""

from __future__ import annotations

import random
from dataclasses import replace

from synthetic_soul.domain.agent import new_agent
from synthetic_soul.mind.prompts import ReplyContext, persona, reply_prompt

NOW = 1_800_000_000.0


def test_a_new_identity_leaves_the_system_prompt_as_it_was_and_shows_in_the_prompt() -> None:
    agent = new_agent("a1", "jasmine", "lite", random.Random(3), NOW)
    changed = replace(agent, identity="I have come to love quiet mornings.")
    ctx = ReplyContext(changed, "ada", "friend", "", (), None, "", ("hi",), "dm", NOW)

    assert persona(changed) == persona(agent)
    assert agent.identity not in persona(agent)
    assert reply_prompt(ctx).splitlines()[0] == "Your identity: I have come to love quiet mornings."
