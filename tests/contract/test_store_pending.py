"""Store contract: counting a user's and an address's unfinished jobs, for the pending caps.

The count is the store's, not a process's, so the caps hold across API processes.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from synthetic_soul.ports import Store
from synthetic_soul.records import CLIENT_KEY, Job
from tests.contract.builders import T0, job_and_message, uid

pytestmark = pytest.mark.anyio


async def submitted(store: Store, owner: str, client: str | None, kind: str = "reply") -> Job:
    job, message = job_and_message(owner, kind=kind)
    if client is not None:
        job = replace(job, payload={**job.payload, CLIENT_KEY: client})
    await store.submit_message(job, message, "jasmine")
    return job


async def test_counts_queued_and_running_jobs_of_the_owner_and_of_the_address(
    store: Store,
) -> None:
    owner, housemate, stranger = uid(), uid(), uid()
    address, elsewhere = f"addr-{uid()}", f"addr-{uid()}"
    await submitted(store, owner, address)
    running = await submitted(store, owner, address)
    await store.start_job(running.id, T0 + 1)
    succeeded = await submitted(store, owner, address)
    await store.start_job(succeeded.id, T0 + 1)
    await store.finish_job(succeeded.id, "succeeded", {"response": "hi"}, None, T0 + 2)
    failed = await submitted(store, owner, address)
    await store.start_job(failed.id, T0 + 1)
    await store.finish_job(failed.id, "failed", None, "job_failed", T0 + 2)
    await submitted(store, housemate, address)  # same address, another user
    await submitted(store, stranger, elsewhere)
    await submitted(store, owner, None)  # submitted with no address recorded
    await submitted(store, owner, address, kind="reflect")  # not a reply

    assert await store.count_unfinished_jobs("reply", owner, address) == (3, 3)
    assert await store.count_unfinished_jobs("reply", housemate, address) == (1, 3)
    assert await store.count_unfinished_jobs("reply", stranger, elsewhere) == (1, 1)
    assert await store.count_unfinished_jobs("reply", owner, None) == (3, 0)
    assert await store.count_unfinished_jobs("reflect", owner, address) == (1, 1)
    assert await store.count_unfinished_jobs("reply", uid(), f"addr-{uid()}") == (0, 0)


async def test_a_job_put_back_in_the_queue_still_counts(store: Store) -> None:
    owner, address = uid(), f"addr-{uid()}"
    job = await submitted(store, owner, address)
    await store.start_job(job.id, T0 + 1)
    await store.requeue_job(job.id, T0 + 2)  # deferred: its user's turn was busy

    assert await store.count_unfinished_jobs("reply", owner, address) == (1, 1)

    await store.start_job(job.id, T0 + 3)
    await store.finish_job(job.id, "succeeded", {}, None, T0 + 4)
    assert await store.count_unfinished_jobs("reply", owner, address) == (0, 0)
