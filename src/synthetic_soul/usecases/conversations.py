"""Talking to the agent: submitting a message (as a job) and reading the conversation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from synthetic_soul import ports
from synthetic_soul.auth.ratelimit import enforce
from synthetic_soul.auth.sessions import Principal
from synthetic_soul.auth.tokens import keyed_hash
from synthetic_soul.domain.agent import ActiveAgent
from synthetic_soul.domain.conversation import Conversation, Message
from synthetic_soul.errors import TooManyPending
from synthetic_soul.mind.asked import ReplyAsked
from synthetic_soul.mind.character import greeting
from synthetic_soul.ports import Clock, JobQueue, RateLimiter
from synthetic_soul.records import Job

# A refused client's own replies finish within seconds (hosted) to a minute (embedded), and
# their job events say exactly when; this is only a polling pace for those that do not watch.
PENDING_RETRY_AFTER_S = 5.0


class ConversationStore(ports.Conversations, ports.Jobs, ports.Agents, Protocol):
    """The ports talking with the agent uses."""


_GREETINGS = uuid.UUID("6f0b6c1e-3c55-4d0e-9d7b-5f7a0c9e2a41")  # names each greeting's id


@dataclass(frozen=True)
class PendingCaps:
    """How many replies may be unfinished (queued or running) at once, per user and per
    client address; `address_key` keys the hash recorded on jobs instead of the address."""

    per_user: int = 10
    per_address: int = 20
    address_key: str = ""


class Conversations:
    def __init__(
        self,
        store: ConversationStore,
        queue: JobQueue,
        limiter: RateLimiter,
        clock: Clock,
        agent: ActiveAgent,
        caps: PendingCaps | None = None,
    ) -> None:
        self._store = store
        self._queue = queue
        self._limiter = limiter
        self._clock = clock
        self.agent = agent
        self._caps = caps or PendingCaps()

    async def submit(
        self,
        who: Principal,
        text: str,
        kind: str,
        channel_id: str | None = None,
        client_ip: str | None = None,
        agent: ActiveAgent | None = None,
    ) -> Job:
        """Keep the message and its reply job in one write, then hand the job to a worker.

        Refused while the user or their address has its cap of unfinished replies: however
        fair the queue, replies queued without bound would keep the model from everyone else.
        The count is the store's, so it holds across API processes; two submits at the same
        instant may both pass it, which only lets a cap be passed by the few in flight. The
        caps count the user's replies from every agent: they share one model.
        """
        agent = agent or self.agent
        await enforce(self._limiter, "submit", who.user_id)
        client = None
        if client_ip is not None:
            client = keyed_hash(self._caps.address_key, f"client-address:{client_ip}")
        mine, from_address = await self._store.count_unfinished_jobs("reply", who.user_id, client)
        if mine >= self._caps.per_user or from_address >= self._caps.per_address:
            raise TooManyPending(PENDING_RETRY_AFTER_S)
        now = self._clock.now()
        if kind == "dm":
            await self._greet(agent, who, now)
        job_id = uuid.uuid4().hex
        message = Message(
            id=uuid.uuid4().hex,
            conversation_id="",
            message=text,
            timestamp=now,
            sender_id=who.user_id,
            sender_username=who.username,
            from_agent=False,
            job_id=job_id,
            kind=kind,
            # Group messages without a channel share one group context.
            channel=(channel_id or "") if kind == "group" else None,
        )
        payload = ReplyAsked(agent.name, agent.mode, message.id, client).payload()
        job = Job.queued(job_id, who.user_id, "reply", "default", payload, now)
        await self._store.submit_message(job, message, agent.name)
        await self._queue.enqueue(job)
        return job

    async def conversation(self, who: Principal, agent: ActiveAgent | None = None) -> Conversation:
        agent = agent or self.agent
        now = self._clock.now()
        await self._greet(agent, who, now)
        return await self._store.get_conversation(agent.name, who.user_id, now)

    async def _greet(self, agent: ActiveAgent, who: Principal, now: float) -> None:
        """An agent made from a card opens a new conversation with one of the card's
        greetings (its first message or an alternate, the same for this user every time),
        written once, before anything the user says (the default agent has no card, so
        nothing is read for it)."""
        if agent.id == self.agent.id:
            return
        state = await self._store.get_agent(agent.name, agent.mode)
        text = None if state is None else greeting(state, who.user_id, who.username)
        if state is None or text is None:
            return
        await self._store.greet(
            agent.name,
            who.user_id,
            Message(
                id=uuid.uuid5(_GREETINGS, f"{state.id}:{who.user_id}").hex,
                conversation_id="",
                message=text,
                timestamp=now,
                sender_id=state.id,
                sender_username=state.name,
                from_agent=True,
                purpose="greeting",
            ),
        )
