"""Autonomous thinking, one spell per scheduler tick: a vibe, maybe a thought, maybe a message
the agent sends first.

Randomness is seeded per tick from `SOUL_SEED` (or the agent's id) and the tick index, so the
same seed and the same clock replay the same day. The prompt holds the agent's own state,
its thoughts about no one, and the usernames and relationship labels of the users it may
write to: never what any user said. What the model writes back is shown to everyone only if it
names none of those users: a thought or memory naming one is theirs, naming several is not kept.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from synthetic_soul.domain import expressions, occasions
from synthetic_soul.domain.affect import feel, feel_potentials
from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.facts import THOUGHT_VIBES
from synthetic_soul.domain.memory import Memory
from synthetic_soul.domain.mentions import named
from synthetic_soul.domain.outreach import (
    CANDIDATE_LIMIT,
    DAY_S,
    PURPOSE,
    RECENT_S,
    Contact,
    reachable,
)
from synthetic_soul.domain.prompt_context import ThinkContext
from synthetic_soul.domain.reasons import MISSED, UNANSWERED, musing_reason
from synthetic_soul.domain.relationship import affinity
from synthetic_soul.domain.thought import Thought
from synthetic_soul.job_handlers import Outcome, Report
from synthetic_soul.mind.asked import ThinkingAsked
from synthetic_soul.mind.asking import ask
from synthetic_soul.mind.episodes import episode
from synthetic_soul.mind.history import snapshot_of
from synthetic_soul.mind.prompts import persona, think_prompt
from synthetic_soul.mind.schemas import MemoryOut, ThinkOutput
from synthetic_soul.mind.writing import CommitFailed, Writer
from synthetic_soul.ports import (
    LLM,
    Clock,
    Commits,
    LLMRequest,
    MindCommit,
    MindReads,
    Musing,
    Profile,
)
from synthetic_soul.records import Job, LLMCall

RANDOM_THOUGHT_PROBABILITY = 0.4  # the chance that a tick brings a thought at all
MEMORY_TAGS_KEPT = 30  # the agent's latest distinct memory tags (of memories about no one)
_JOB_IDS = uuid.UUID("5d0c1b52-9a4e-4d53-b0a7-6f1e3c2a9b10")  # namespace of think job ids


class ThinkingStore(MindReads, Commits, Protocol):
    """The ports a spell of thinking uses."""


def think_job(agent: str, mode: str, tick: int, now: float) -> Job:
    """The spell of thinking for one tick; its id is fixed by the tick, so it is made once."""
    job_id = uuid.uuid5(_JOB_IDS, f"{agent}:{mode}:{tick}").hex
    payload = ThinkingAsked(agent, mode, tick).payload()
    return Job.queued(job_id, f"agent:{agent}", "think", "low", payload, now)


def tick_rng(seed: int | None, agent_id: str, tick: int) -> random.Random:
    """The randomness of one tick: the same seed and tick always draw the same."""
    return random.Random(f"{agent_id if seed is None else seed}:{tick}")


class Think:
    def __init__(
        self,
        store: ThinkingStore,
        llm: LLM,
        clock: Clock,
        seed: int | None = None,
        writer: Writer | None = None,
    ) -> None:
        self._store = store
        self._llm = llm
        self._clock = clock
        self._seed = seed
        self._writer = writer or Writer()  # shared by every use case that changes the agent

    async def __call__(self, job: Job, report: Report) -> Outcome:
        musing = await self._load(job)
        agent = musing.agent
        rng = tick_rng(self._seed, agent.id, ThinkingAsked.of(job).tick)
        vibe = rng.choice(THOUGHT_VIBES)
        if rng.random() >= RANDOM_THOUGHT_PROBABILITY:
            result = {"thought": None, "vibe": vibe, "reason": "declined"}
            return await self._settle(job, result, musing=musing)
        now = self._clock.now()
        ctx = ThinkContext(
            agent=agent,
            vibe=vibe,
            thoughts=tuple(t.thought for t in musing.thoughts),
            contacts=tuple((c.username, c.relationship) for c in _writable(musing, now)),
            now=now,
        )
        request = LLMRequest("think", persona(agent), think_prompt(ctx), tier="quality", about=ctx)
        output, calls = await ask(self._llm, request, ThinkOutput)
        await report.progress(0.8)
        if output is None:
            result = {"thought": None, "vibe": vibe, "reason": "model_failed"}
            return await self._settle(job, result, calls, musing)

        async def write(current: Musing) -> Outcome:
            commit = _conclude(job, current, vibe, output, calls, self._clock.now())
            return Outcome(await self._store.commit(commit.plan()))

        # Stale: the agent changed meanwhile (and maybe a contact's standing): re-read.
        return await self._writer.commit(job.id, musing, write, lambda: self._load(job))

    async def _load(self, job: Job) -> Musing:
        now = self._clock.now()
        asked = ThinkingAsked.of(job)
        musing = await self._store.load_musing(
            asked.agent, asked.mode, now - RECENT_S, now - DAY_S, CANDIDATE_LIMIT
        )
        if musing is None:
            raise CommitFailed(f"job {job.id}: no agent {asked.agent!r}")
        return musing

    async def _settle(
        self,
        job: Job,
        result: Mapping[str, object],
        calls: tuple[LLMCall, ...] = (),
        musing: Musing | None = None,
    ) -> Outcome:
        """End a spell without a thought; an occasion due (`_occasion`) is felt all the same."""
        if musing is None or _occasion(musing, self._clock.now()) is None:
            done = await self._store.commit(
                MindCommit(job.id, dict(result), calls, self._clock.now()).plan()
            )
            return Outcome(done)

        async def write(current: Musing) -> Outcome:
            now = self._clock.now()
            agent, profile = _occasion(current, now) or (current.agent, None)
            commit = MindCommit(
                job.id,
                dict(result),
                calls,
                now,
                agent=agent,
                expected_version=current.agent.version,
                profile=profile,
                snapshot=snapshot_of(agent, now),
            )
            return Outcome(await self._store.commit(commit.plan()))

        return await self._writer.commit(job.id, musing, write, lambda: self._load(job))


def _occasion(musing: Musing, now: float) -> tuple[AgentState, Profile] | None:
    """The agent after feeling one occasion of a contact (the first due: an outreach left
    unanswered, else a close user's silence of days), and that contact's profile marked as
    felt; None when none is due.

    One a spell, since a spell writes one profile; the next finds the next one. The mark is
    the outreach's time (the last exchange's, for a silence), so each is felt once.
    """
    agent = musing.agent
    due = [
        (c, c.awaiting_since, occasions.unanswered, occasions.FELT_UNANSWERED_KEY, UNANSWERED)
        for c in musing.contacts
        if c.awaiting_answer and occasions.unanswered_due(c.doc, c.awaiting_since, now)
    ] + [
        (c, c.doc.get("last_interaction"), occasions.missed, occasions.FELT_MISSED_KEY, MISSED)
        for c in musing.contacts
        if occasions.missed_due(c.doc, now)
    ]
    for c, since, potentials_of, key, reason in due:
        assert since is not None
        pots = potentials_of(now - float(since), affinity(c.sentiments), agent.mode)
        felt = agent
        if pots:
            felt = agent.with_affect(
                feel_potentials(agent.affect, pots, agent.personality, now), reason
            )
        return felt, Profile(agent.id, c.user_id, c.username, {**c.doc, key: since})
    return None


def _addressee(musing: Musing, to: str | None, now: float) -> Contact | None:
    """The contact the model chose, if the rules let the agent write to them now."""
    if not to:
        return None
    wanted = to.strip().lstrip("@").lower()
    return next((c for c in _writable(musing, now) if c.username.lower() == wanted), None)


def _writable(musing: Musing, now: float) -> list[Contact]:
    """The contacts the agent may write to first now: within the rules (`reachable`), and
    users who may talk to it (a private agent writes to its owner alone)."""
    agent = musing.agent
    return [c for c in reachable(musing.contacts, now) if agent.may_talk(c.user_id)]


def _concerned(text: str, contacts: Sequence[Contact], also: str | None = None) -> tuple[str, ...]:
    """The users `text` is about: `also` (whom it was written to), then the contacts it names.

    The think prompt lists contacts by username, so a thought can name one; what names no one
    is shown to everyone, what names one user is theirs, what names several is kept by no one.
    """
    by_name = {c.username: c.user_id for c in contacts}
    ids = [by_name[username] for username in named(text, by_name)]
    return tuple(dict.fromkeys([also, *ids] if also else ids))


def _memory(
    out: MemoryOut, agent_id: str, contacts: Sequence[Contact], now: float
) -> Memory | None:
    """The memory of the spell: about the one contact it names, or no one; None if several."""
    kept = episode(out, agent_id, None, now)
    said = " ".join((kept.event, kept.thoughts, kept.emotional_impact, *kept.tags))
    about = _concerned(said, contacts)
    if len(about) > 1:
        return None
    return replace(kept, user_id=about[0]) if about else kept


def _felt(agent: AgentState, vibe: str, output: ThinkOutput, now: float) -> AgentState:
    """The agent after the thought: feelings from its appraisal, maybe a new expression."""
    updated = agent
    if output.appraisal is not None:
        affect = feel(
            agent.affect, output.appraisal.to_domain(), agent.mode, agent.personality, now
        )
        updated = agent.with_affect(affect, musing_reason(vibe))
    if output.expression:
        pick = expressions.choose(output.expression, updated.emotions_at(now))
        updated = replace(updated, global_expression=pick)
    return updated


def _conclude(
    job: Job,
    musing: Musing,
    vibe: str,
    output: ThinkOutput,
    calls: tuple[LLMCall, ...],
    now: float,
) -> MindCommit:
    """Every write of the spell, computed from the state as last read."""
    agent = musing.agent
    felt, profile = _occasion(musing, now) or (agent, None)
    updated = _felt(felt, vibe, output, now)
    letter = output.outreach if output.outreach and output.outreach.message.strip() else None
    target = _addressee(musing, letter.to, now) if letter else None
    text = (output.thought or "").strip()
    # A thought is about no one, unless it led the agent to write to someone or names a user.
    about = _concerned(text, musing.contacts, target.user_id if target else None)
    thought = (
        Thought(uuid.uuid4().hex, agent.id, text, now, about[0] if about else None, "think")
        if text and len(about) <= 1
        else None
    )
    kept = _memory(output.memory, agent.id, musing.contacts, now) if output.memory else None
    memories = (kept,) if kept is not None else ()
    outreach = None
    if target is not None and letter is not None:
        outreach = Message(
            id=uuid.uuid4().hex,
            conversation_id="",
            message=letter.message.strip(),
            timestamp=now,
            sender_id=agent.id,
            sender_username=agent.name,
            from_agent=True,
            purpose=PURPOSE,
            job_id=job.id,
        )
    if memories and memories[0].user_id is None:
        # The agent's tags are shown to everyone: only those of memories about no one.
        shared = (*memories[0].tags, *updated.memory_tags)
        updated = replace(updated, memory_tags=tuple(dict.fromkeys(shared))[:MEMORY_TAGS_KEPT])
    return MindCommit(
        job_id=job.id,
        result={
            "thought": thought.thought if thought else None,
            "vibe": vibe,
            "expression": updated.global_expression,
            "memories": [m.id for m in memories],
            "outreach_to": target.username if target else None,
        },
        llm_calls=calls,
        now=now,
        agent=updated,
        expected_version=agent.version,
        profile=profile,
        memories=memories,
        thought=thought,
        outreach=outreach,
        outreach_to=target.user_id if target else None,
        snapshot=snapshot_of(updated, now),
    )
