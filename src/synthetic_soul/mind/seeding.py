"""A card agent's personality asked of the model, after its import, while nobody waits.

Importing a card seeds the personality from its words at once (`cards.seed`) and queues this
low-priority job (`seed_job`). It asks the model once what personality the card describes:
one of the MBTI presets for a lite agent, every rich trait rated 0..10 for a rich one. The card is
someone else's text: it is cut to `SEED_FIELD_CHARS` a field and quoted (`seed_prompt`), and
the names and ranges asked for are the schema's, which no card changes.

The answer replaces the words' seeding only while the agent's personality is still exactly
the one the words gave (the job carries it): a conversation that moved it first has made the
agent its own, and the model's reading of the card no longer outranks that. The write goes
through the agent's version check (`Writer`), so a conversation committing meanwhile is seen.
What happened is kept as `extra.seeding`: the model's record (`method` "model", which model,
the words' record it replaced), or the words' record with `model_failed` (the model gave no
usable answer) or `model_skipped` (the personality had moved) added.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any, Protocol

from pydantic import BaseModel

from synthetic_soul.cards import Card
from synthetic_soul.cards.seeding import METHOD as WORDS_METHOD
from synthetic_soul.cards.seeding import bounded
from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.facts import MBTI_PRESETS, RICH_TRAITS
from synthetic_soul.domain.personality import TRAIT_MAX, Personality
from synthetic_soul.domain.prompt_context import SeedContext
from synthetic_soul.job_handlers import Outcome, Report
from synthetic_soul.mind.asked import SeedingAsked
from synthetic_soul.mind.asking import ask
from synthetic_soul.mind.character import card_of
from synthetic_soul.mind.prompts import SEED_SYSTEM, seed_prompt
from synthetic_soul.mind.schemas import SEED_RATING_MAX, LiteSeedOutput, RichSeedOutput
from synthetic_soul.mind.writing import Writer
from synthetic_soul.ports import LLM, Agents, Clock, Commits, LLMRequest, MindCommit
from synthetic_soul.records import Job, LLMCall

SEEDING_KEY = "seeding"  # extra.seeding: how the agent's personality was chosen
MODEL_METHOD = "model"
SEED_FIELD_CHARS = 2_000  # a card's field is cut to this in the prompt; a card may be far longer
PERSONALITY_CHANGED = "personality_changed"


class SeedingStore(Agents, Commits, Protocol):
    """The ports seeding by the model uses."""


def seed_job(agent: AgentState, now: float) -> Job:
    """The model's seeding of an agent just seeded from its card's words: owned by the agent."""
    seeded = agent.personality
    asked = SeedingAsked(agent.name, agent.mode, agent.id, dict(seeded.traits), seeded.mbti)
    return Job.queued(uuid.uuid4().hex, f"agent:{agent.name}", "seed", "low", asked.payload(), now)


def seed_context(mode: str, card: Card) -> SeedContext:
    """What the model is shown of the card: its name, description and personality, cut."""
    return SeedContext(
        mode=mode,
        name=" ".join(card.name.split())[:100],
        description=card.description.strip()[:SEED_FIELD_CHARS],
        personality=card.personality.strip()[:SEED_FIELD_CHARS],
    )


def schema_for(mode: str) -> type[BaseModel]:
    return LiteSeedOutput if mode == "lite" else RichSeedOutput


def proposed(output: BaseModel) -> Personality:
    """The personality the model's answer gives: its preset as it is (lite), or each trait's
    rating on our scale, kept off the walls as a seed is (rich)."""
    if isinstance(output, LiteSeedOutput):
        preset = MBTI_PRESETS[output.mbti]
        return Personality({t: float(v) for t, v in preset.items()}, output.mbti)
    step = TRAIT_MAX / SEED_RATING_MAX  # a point of the rating in our traits' points
    return Personality({t: bounded(getattr(output, t) * step) for t in RICH_TRAITS})


def model_record(words: dict[str, Any], personality: Personality, call: LLMCall) -> dict[str, Any]:
    """`extra.seeding` when the model's answer was applied: which model, and what it replaced."""
    return {
        "method": MODEL_METHOD,
        "model": {"provider": call.provider, "model": call.model},
        "preset": personality.mbti,
        "replaced": words,
    }


class Seed:
    def __init__(
        self, store: SeedingStore, llm: LLM, clock: Clock, writer: Writer | None = None
    ) -> None:
        self._store = store
        self._llm = llm
        self._clock = clock
        self._writer = writer or Writer()  # shared by every use case that changes the agent

    async def __call__(self, job: Job, report: Report) -> Outcome:
        asked = SeedingAsked.of(job)
        seeded = Personality(asked.traits, asked.mbti)

        async def load() -> AgentState | None:
            agent = await self._store.get_agent(asked.agent, asked.mode)
            return agent if agent is not None and agent.id == asked.agent_id else None

        agent = await load()
        card = None if agent is None else card_of(agent)
        if agent is None or card is None or not _words_seeded(agent):
            return await self._finish(job, {"seeded": False, "reason": "nothing_to_seed"}, ())
        output: BaseModel | None = None
        calls: tuple[LLMCall, ...] = ()
        if agent.personality == seeded:  # else no call: the answer could not be applied
            ctx = seed_context(asked.mode, card)
            request = LLMRequest("seed", SEED_SYSTEM, seed_prompt(ctx), tier="quality", about=ctx)
            output, calls = await ask(self._llm, request, schema_for(asked.mode))
        await report.progress(0.8)

        async def write(current: AgentState | None) -> Outcome:
            if current is None or not _words_seeded(current):
                return await self._finish(
                    job, {"seeded": False, "reason": "nothing_to_seed"}, calls
                )
            words = dict(current.extra[SEEDING_KEY])
            personality = current.personality
            if current.personality != seeded:
                record, result = {**words, "model_skipped": PERSONALITY_CHANGED}, "words"
            elif output is None:
                why = calls[-1].error if calls else "llm_unavailable"
                record, result = {**words, "model_failed": why}, "words"
            else:
                personality = proposed(output)
                record, result = model_record(words, personality, calls[-1]), MODEL_METHOD
            now = self._clock.now()
            extra = {**current.extra, SEEDING_KEY: record}
            changed = replace(current, personality=personality, extra=extra)
            commit = MindCommit(
                job.id,
                {"seeded": result == MODEL_METHOD, "method": result},
                calls,
                now,
                agent=changed,
                expected_version=current.version,
            )
            return Outcome(await self._store.commit(commit.plan()))

        first: AgentState | None = agent
        return await self._writer.commit(job.id, first, write, load)

    async def _finish(
        self, job: Job, result: dict[str, Any], calls: tuple[LLMCall, ...]
    ) -> Outcome:
        done = await self._store.commit(MindCommit(job.id, result, calls, self._clock.now()).plan())
        return Outcome(done)


def _words_seeded(agent: AgentState) -> bool:
    """Whether the agent's personality is still on record as seeded from its card's words
    (not given by a card we wrote, nor seeded by the model already)."""
    record = agent.extra.get(SEEDING_KEY)
    return (
        isinstance(record, dict)
        and record.get("method") == WORDS_METHOD
        and "model_failed" not in record
        and "model_skipped" not in record
    )
