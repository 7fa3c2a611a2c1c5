"""What a job's handler is and returns, and what a job's watchers see of it.

The contract between the runner (`job_runner.Jobs`) and the use cases that do a job's work
(reply, reflect, think, farewell): a handler gets the job and a `Report`, and returns an
`Outcome` or raises `Busy`. Watchers poll a job's `snapshot` or follow its `job_channel`.
Kept apart from the runner so a use case depends on this contract, not on how jobs are run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from synthetic_soul.records import Job


class Report(Protocol):
    """How a running handler tells whoever watches its job what it is doing (no bus needed)."""

    async def progress(self, fraction: float) -> None: ...

    async def text(self, text: str, reset: bool = False) -> None:
        """More of the reply's text as the model writes it; `reset`: this replaces all before."""
        ...


@dataclass(frozen=True)
class Outcome:
    """What a handler's run resolved: its own job first, then any job it answered too;
    and the jobs it created (already stored) for workers to pick up next."""

    finished: tuple[Job, ...]
    follow_ups: tuple[Job, ...] = ()


Handler = Callable[[Job, Report], Awaitable[Outcome]]


class Busy(Exception):
    """The job cannot run yet (e.g. its user's turn is in progress). It goes back to the
    queue once `until` returns, without holding a worker while it waits."""

    def __init__(self, until: Callable[[], Awaitable[None]]) -> None:
        super().__init__("busy")
        self.until = until


def job_channel(job_id: str) -> str:
    return f"job:{job_id}"


def snapshot(job: Job) -> dict[str, Any]:
    """The job as clients see it when polling."""
    return {
        "job_id": job.id,
        "status": job.status,
        "progress": job.progress,
        "result": job.result,
        "error": job.error,
    }
