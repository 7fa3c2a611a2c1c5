"""What the service says about its queue: healthy when jobs are being run."""

from __future__ import annotations

import pytest

from synthetic_soul.adapters.llm.scripted import ScriptedLLM
from synthetic_soul.records import Job, QueueStats, QueueWorker
from synthetic_soul.usecases.status import ServiceStatus
from tests.unit.fakes import FakeClock

pytestmark = pytest.mark.anyio


class Queue:
    """A queue that reports the stats it is given."""

    def __init__(self, stats: QueueStats) -> None:
        self.stats_given = stats

    async def enqueue(self, job: Job) -> None:
        raise AssertionError("status never enqueues")

    async def stats(self) -> QueueStats:
        return self.stats_given


WORKER = QueueWorker("w1", "idle", ("default",))


@pytest.mark.parametrize(
    ("stats", "healthy"),
    [
        (QueueStats("rq", broker_ok=True, workers=(WORKER,)), True),
        (QueueStats("rq", broker_ok=False, workers=(WORKER,)), False),  # Redis is down
        (QueueStats("rq", broker_ok=True, workers=()), False),  # no worker runs jobs
        (QueueStats("inline", broker_ok=False, workers=(WORKER,)), True),  # no broker at all
        (QueueStats("inline", broker_ok=False, workers=()), False),
    ],
)
async def test_the_queue_is_healthy_when_a_worker_runs_its_jobs(
    stats: QueueStats, healthy: bool
) -> None:
    clock = FakeClock()
    status = ServiceStatus(Queue(stats), clock, ScriptedLLM())

    health = await status.queue()

    assert (health.healthy, health.at, health.stats) == (healthy, clock.now(), stats)


def test_the_model_is_named_as_the_provider_says() -> None:
    llm = ScriptedLLM()
    status = ServiceStatus(Queue(QueueStats("inline", True, ())), FakeClock(), llm)
    assert status.model() == llm.info
