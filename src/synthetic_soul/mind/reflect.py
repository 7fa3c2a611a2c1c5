"""Reflection after a reply: one model call over what happened since the last reflection.

The agent rewrites what it knows about the user, weighs a relationship label (the rules
decide), may rewrite its identity, may keep an episodic memory and notes its next thought
about the user. When the importance of the user's memories since the last insight adds up
to `INSIGHT_THRESHOLD`, the same call also draws 1..3 insights from them.

Reflect jobs of one user coalesce: the profile remembers the last message reflected on, so
a job that finds nothing newer finishes without a model call; one that lost the race to
another reflection of the same messages finishes without writing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Protocol

from synthetic_soul.domain.memory import Memory
from synthetic_soul.domain.prompt_context import ReflectContext
from synthetic_soul.domain.relationship import reconsider
from synthetic_soul.domain.thought import Thought
from synthetic_soul.job_handlers import Outcome, Report
from synthetic_soul.mind.ahead import Ahead
from synthetic_soul.mind.asked import ReflectionAsked
from synthetic_soul.mind.asking import ask
from synthetic_soul.mind.episodes import episode
from synthetic_soul.mind.prompts import persona, reflect_prompt
from synthetic_soul.mind.reading import self_view
from synthetic_soul.mind.schemas import InsightOut, ReflectOutput
from synthetic_soul.mind.writing import Writer
from synthetic_soul.ports import (
    LLM,
    Clock,
    Commits,
    LLMRequest,
    Memories,
    MindCommit,
    MindReads,
    Reflection,
)
from synthetic_soul.records import Job, LLMCall

INSIGHT_THRESHOLD = 150  # summed importance that calls for insights (Park et al. 2023)
MESSAGES_PER_REFLECTION = 20  # the latest messages since the last reflection that it reads
INSIGHT_MEMORIES = 20  # the most important memories shown when insights are due


class ReflectionStore(MindReads, Memories, Commits, Protocol):
    """The ports a reflection uses."""


def insight_due(memories: Sequence[Memory], since: float) -> list[Memory]:
    """The episodes made after `since` when their importance adds up to the threshold, else []."""
    pending = [m for m in memories if m.kind == "episode" and m.created_at > since]
    if sum(m.importance for m in pending) < INSIGHT_THRESHOLD:
        return []
    return pending


def reflect_job(agent: str, mode: str, user_id: str, now: float) -> Job:
    """The reflection a reply asks for, created with the reply's commit."""
    payload = ReflectionAsked(agent, mode, user_id).payload()
    return Job.queued(uuid.uuid4().hex, user_id, "reflect", "low", payload, now)


class Reflect:
    def __init__(
        self,
        store: ReflectionStore,
        llm: LLM,
        clock: Clock,
        writer: Writer | None = None,
        ahead: Ahead | None = None,
    ) -> None:
        self._store = store
        self._llm = llm
        self._clock = clock
        self._writer = writer or Writer()  # shared by every use case that changes the agent
        # What the agent knows of the user changed: the next reply's prompt is read again.
        self._ahead = ahead

    async def __call__(self, job: Job, report: Report) -> Outcome:
        state = await self._load(job)
        if state is None or not state.messages:
            return await self._settle(job, "nothing_new", ())
        agent, profile = state.agent, state.profile
        pending = insight_due(
            await self._store.list_memories(agent.id, profile.user_id),
            profile.relationship.insights_upto,
        )
        shown = sorted(pending, key=lambda m: (-m.importance, -m.created_at))[:INSIGHT_MEMORIES]
        shown.sort(key=lambda m: m.created_at)
        ctx = ReflectContext(
            agent=self_view(agent, profile.relationship),
            username=profile.username,
            relationship=profile.relationship.words,
            summary=profile.relationship.summary,
            messages=state.messages,
            memories=tuple(shown),
            now=self._clock.now(),
        )
        request = LLMRequest(
            "reflect", persona(agent), reflect_prompt(ctx), tier="quality", about=ctx
        )
        output, calls = await ask(self._llm, request, ReflectOutput)
        await report.progress(0.8)
        if output is None:
            return await self._settle(job, "model_failed", calls)
        return await self._commit(job, state, output, shown, pending, calls)

    async def _commit(
        self,
        job: Job,
        state: Reflection,
        output: ReflectOutput,
        shown: Sequence[Memory],
        pending: Sequence[Memory],
        calls: tuple[LLMCall, ...],
    ) -> Outcome:
        messages, started_after = state.messages, state.profile.relationship.reflected_message

        async def write(current: Reflection | None) -> Outcome:
            if current is None:
                # Another reflection covered these messages meanwhile.
                return await self._settle(job, "reflected_elsewhere", calls)
            commit = _conclude(job, current, output, shown, pending, calls, self._clock.now())
            done = await self._store.commit(commit.plan())
            self._read_ahead(job, current)
            return Outcome(done)

        async def reload() -> Reflection | None:
            """The agent and profile anew with the same messages; None once they are covered."""
            fresh = await self._load(job)
            if fresh is None or fresh.profile.relationship.reflected_message != started_after:
                return None
            return Reflection(fresh.agent, fresh.profile, messages)

        first: Reflection | None = state  # None: another reflection covered the messages
        return await self._writer.commit(job.id, first, write, reload)

    def _read_ahead(self, job: Job, state: Reflection) -> None:
        """Prepare the next direct reply to this user, found through their latest direct
        message (their talk in groups is no reply's head)."""
        direct = [m for m in state.messages if m.channel is None]
        if self._ahead is not None and direct:
            asked = ReflectionAsked.of(job)
            self._ahead.after(asked.agent, asked.mode, state.profile.user_id, direct[-1].id)

    async def _load(self, job: Job) -> Reflection | None:
        asked = ReflectionAsked.of(job)
        return await self._store.load_reflection(
            asked.agent, asked.mode, asked.user_id, MESSAGES_PER_REFLECTION
        )

    async def _settle(self, job: Job, reason: str, calls: tuple[LLMCall, ...]) -> Outcome:
        """Finish having learned nothing; the model calls made, if any, are still recorded."""
        done = await self._store.commit(
            MindCommit(
                job.id, {"reflected": False, "reason": reason}, calls, self._clock.now()
            ).plan()
        )
        return Outcome(done)


def _insight(
    out: InsightOut, shown: Sequence[Memory], agent_id: str, user_id: str, now: float
) -> Memory | None:
    """An insight citing the shown memories it names by number; None if it names none."""
    cited = [shown[i - 1] for i in dict.fromkeys(out.sources) if 1 <= i <= len(shown)]
    if not cited:
        return None
    importance = max(m.importance for m in cited)
    return Memory(
        id=uuid.uuid4().hex,
        agent_id=agent_id,
        user_id=user_id,
        event=out.insight.strip(),
        thoughts="",
        significance="high" if importance >= 7 else "medium",
        importance=importance,
        created_at=now,
        last_accessed=now,
        kind="insight",
        sources=tuple(m.id for m in cited),
    )


def _conclude(
    job: Job,
    state: Reflection,
    out: ReflectOutput,
    shown: Sequence[Memory],
    pending: Sequence[Memory],
    calls: tuple[LLMCall, ...],
    now: float,
) -> MindCommit:
    """Every write of the reflection, computed from the state as last read."""
    agent, profile = state.agent, state.profile
    doc: dict[str, Any] = dict(profile.doc)
    if out.summary.strip():
        doc["summary"] = out.summary.strip()
    doc = reconsider(doc, out.relationship)
    last = state.messages[-1]
    doc["reflected_message"], doc["reflected_upto"] = last.id, last.timestamp
    memories: list[Memory] = []
    if out.memory is not None:
        memories.append(episode(out.memory, agent.id, profile.user_id, now))
    insights = [
        found
        for found in (_insight(i, shown, agent.id, profile.user_id, now) for i in out.insights)
        if found is not None
    ][:3]
    if insights:
        # The accumulator restarts: what was pending is now summed up (or too minor to show).
        doc["insights_upto"] = max(m.created_at for m in pending)
    memories.extend(insights)
    identity = (out.identity or "").strip()
    if identity:
        # Drawn from this user's words: the agent sees itself so with them alone (the shared
        # identity is in every user's prompts and on everyone's dashboard).
        doc["identity"] = identity
    thought = None
    if out.thought and out.thought.strip():
        thought = Thought(
            uuid.uuid4().hex, agent.id, out.thought.strip(), now, profile.user_id, "reflect"
        )
    return MindCommit(
        job_id=job.id,
        result={
            "reflected": True,
            "messages": len(state.messages),
            "memories": [m.id for m in memories],
            "insights": len(insights),
            "relationship": doc["extrinsic_relationship"],
        },
        llm_calls=calls,
        now=now,
        # The memories' tags stay out of the agent's own tags: those are shown to everyone.
        agent=agent,
        expected_version=agent.version,
        profile=replace(profile, doc=doc),
        memories=tuple(memories),
        thought=thought,
    )
