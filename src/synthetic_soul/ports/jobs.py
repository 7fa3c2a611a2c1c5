"""Job records: what was asked, how far it got, how it ended."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from synthetic_soul.records import Job


class Jobs(Protocol):
    async def create_job(self, job: Job) -> None: ...
    async def get_job(self, job_id: str) -> Job | None: ...
    async def start_job(self, job_id: str, now: float) -> Job | None: ...
    async def set_job_progress(self, job_id: str, progress: float, now: float) -> None: ...
    async def finish_job(
        self,
        job_id: str,
        status: Literal["succeeded", "failed"],
        result: dict[str, Any] | None,
        error: str | None,
        now: float,
    ) -> Job | None: ...
    async def touch_job(self, job_id: str, now: float) -> None:
        """The running job's runner is alive (its heartbeat)."""
        ...

    async def requeue_job(self, job_id: str, now: float) -> None: ...
    async def recover_jobs(self, now: float, max_attempts: int, stale_before: float) -> list[Job]:
        """Jobs whose runner is gone, queued again; every queued job not seen since then.

        A job running but not touched since `stale_before` lost its runner: it is queued again
        (failed instead once it has used `max_attempts`). A queued job not touched since
        `stale_before` may have been lost by the queue that carried it. Both kinds are
        touched at `now`, leases held by any of them are released, and the queued ones are
        returned, oldest first, for the caller to enqueue again.
        """
        ...

    async def job_tokens(self, job_id: str) -> tuple[int, int] | None:
        """Prompt and completion tokens of the model calls recorded for the job, summed;
        None when none was recorded."""
        ...

    async def count_queued(self) -> dict[str, int]: ...
    async def count_unfinished_jobs(
        self, kind: str, owner_id: str, client: str | None
    ) -> tuple[int, int]:
        """Jobs of `kind` queued or running: how many `owner_id` has, and how many carry
        `client` as their payload's `CLIENT_KEY` (0 when `client` is None)."""
        ...
