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
from synthetic_soul.ports import Clock, JobQueue, RateLimiter
from synthetic_soul.records import Job

# A refused client's own replies finish within seconds (hosted) to a minute (embedded), and
# their job events say exactly when; this is only a polling pace for those that do not watch.
PENDING_RETRY_AFTER_S = 5.0


class ConversationStore(ports.Conversations, ports.Jobs, Protocol):
    """The ports talking with the agent uses."""


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
        name = (agent or self.agent).name
        return await self._store.get_conversation(name, who.user_id, self._clock.now())
