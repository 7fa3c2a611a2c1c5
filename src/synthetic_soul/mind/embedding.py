"""Giving what was said its vectors, after each reply, while nobody waits.

A reply that a model could recall by meaning asks for this as a low-priority follow-up,
beside its reflection (`embed_job`). The job embeds every message of the user's
conversation with the agent that has no vector of the current model yet
(`Recall.embed_new`), so jobs of one user coalesce by themselves: one that finds the
vectors made by an earlier one embeds nothing. Until it runs, the newest messages are found
by words alone, and they are in the reply's history window anyway.

An embedder that fails (an unreachable endpoint) is logged and the job ends: the messages
stay without vectors and the next reply's job tries them again.
"""

from __future__ import annotations

import logging
import uuid

from synthetic_soul.job_handlers import Outcome, Report
from synthetic_soul.mind.asked import EmbeddingAsked
from synthetic_soul.ports import Clock, Commits
from synthetic_soul.ports.commits import FinishJob, Plan
from synthetic_soul.ports.embeddings import EmbeddingError
from synthetic_soul.records import Job
from synthetic_soul.usecases.recall import Recall

log = logging.getLogger(__name__)


def embed_job(agent: str, user_id: str, now: float) -> Job:
    """The embedding a reply asks for, created with the reply's commit."""
    payload = EmbeddingAsked(agent, user_id).payload()
    return Job.queued(uuid.uuid4().hex, user_id, "embed", "low", payload, now)


class Embed:
    def __init__(self, store: Commits, recall: Recall, clock: Clock) -> None:
        self._store = store
        self._recall = recall
        self._clock = clock

    async def __call__(self, job: Job, report: Report) -> Outcome:
        asked = EmbeddingAsked.of(job)
        result: dict[str, object]
        try:
            result = {"embedded": await self._recall.embed_new(asked.agent, asked.user_id)}
        except EmbeddingError as exc:
            log.warning("embedding job %s: messages left without vectors (%s)", job.id, exc)
            result = {"embedded": 0, "error": str(exc)}
        now = self._clock.now()
        return Outcome(await self._store.commit(Plan(job.id, now, (FinishJob(job.id, result),))))
