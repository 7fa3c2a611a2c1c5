"""Store contract: job records, their life cycle and recovery after a crash."""

from __future__ import annotations

import asyncio

import pytest

from synthetic_soul.ports import Store
from synthetic_soul.ports.commits import FinishJob, Plan, RecordCalls
from synthetic_soul.records import Job, LLMCall
from tests.contract.builders import T0, job_and_message, uid

pytestmark = pytest.mark.anyio


async def submitted(store: Store, *, now: float = T0, queue: str = "default") -> Job:
    job, message = job_and_message(uid(), now=now, queue=queue)
    await store.submit_message(job, message, "jasmine")
    return job


async def test_submit_message_stores_the_job_with_its_owner(store: Store) -> None:
    owner = uid()
    job, message = job_and_message(owner, text="first words")
    await store.submit_message(job, message, "jasmine")

    got = await store.get_job(job.id)
    assert got == job  # owner, payload and status exactly as submitted, from the first read
    assert got.owner_id == owner
    conversation = await store.get_conversation("jasmine", owner, message.timestamp)
    [stored] = conversation.messages
    assert stored.id == message.id
    assert stored.message == "first words"
    assert stored.job_id == job.id
    assert stored.conversation_id == conversation.id != ""
    assert await store.get_job(uid()) is None


async def test_start_job_only_once(store: Store) -> None:
    job = await submitted(store)
    started = await store.start_job(job.id, T0 + 1)
    assert started is not None
    assert (started.status, started.attempts, started.updated_at) == ("running", 1, T0 + 1)
    assert started.owner_id == job.owner_id
    assert await store.start_job(job.id, T0 + 2) is None
    assert await store.start_job(uid(), T0 + 2) is None


async def test_concurrent_starts_have_one_winner(store: Store) -> None:
    job = await submitted(store)
    results = await asyncio.gather(*(store.start_job(job.id, T0 + 1) for _ in range(10)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    got = await store.get_job(job.id)
    assert got is not None
    assert got.attempts == 1


async def test_progress_keeps_the_owner(store: Store) -> None:
    job = await submitted(store)
    await store.start_job(job.id, T0 + 1)
    await store.set_job_progress(job.id, 0.5, T0 + 2)
    got = await store.get_job(job.id)
    assert got is not None
    assert (got.status, got.progress, got.owner_id) == ("running", 0.5, job.owner_id)


async def test_finish_job(store: Store) -> None:
    job = await submitted(store)
    await store.start_job(job.id, T0 + 1)
    done = await store.finish_job(job.id, "succeeded", {"response": "hi"}, None, T0 + 2)
    assert done is not None
    assert (done.status, done.result, done.error) == ("succeeded", {"response": "hi"}, None)
    assert done.owner_id == job.owner_id
    assert done.finished
    # A finished job stays as it ended.
    again = await store.finish_job(job.id, "failed", None, "job_failed", T0 + 3)
    assert again == done
    assert await store.get_job(job.id) == done
    assert await store.finish_job(uid(), "failed", None, "job_failed", T0) is None


async def test_failed_job_records_its_error(store: Store) -> None:
    job = await submitted(store)
    await store.start_job(job.id, T0 + 1)
    failed = await store.finish_job(job.id, "failed", None, "job_failed", T0 + 2)
    assert failed is not None
    assert (failed.status, failed.error, failed.result) == ("failed", "job_failed", None)


async def test_requeue_job_gives_the_attempt_back(store: Store) -> None:
    job = await submitted(store)
    await store.start_job(job.id, T0 + 1)
    await store.requeue_job(job.id, T0 + 2)
    got = await store.get_job(job.id)
    assert got is not None
    assert (got.status, got.attempts, got.owner_id) == ("queued", 0, job.owner_id)
    assert await store.start_job(job.id, T0 + 3) is not None


async def test_requeue_leaves_a_finished_job_alone(store: Store) -> None:
    job = await submitted(store)
    await store.start_job(job.id, T0 + 1)
    done = await store.finish_job(job.id, "succeeded", {}, None, T0 + 2)
    await store.requeue_job(job.id, T0 + 3)
    assert await store.get_job(job.id) == done


async def test_recover_jobs(store: Store) -> None:
    max_attempts = 2
    # A job that crashed its process twice: running on its last attempt.
    spent = await submitted(store, now=T0)
    await store.start_job(spent.id, T0 + 1)
    first_crash = await store.recover_jobs(T0 + 2, max_attempts, T0 + 2)
    assert [j.id for j in first_crash] == [spent.id]
    await store.start_job(spent.id, T0 + 3)
    # One still waiting, one cut off on its first attempt, one finished.
    waiting = await submitted(store, now=T0 + 4)
    retry = await submitted(store, now=T0 + 5)
    await store.start_job(retry.id, T0 + 6)
    done = await submitted(store, now=T0 + 7)
    await store.start_job(done.id, T0 + 8)
    await store.finish_job(done.id, "succeeded", {}, None, T0 + 9)

    recovered = await store.recover_jobs(T0 + 10, max_attempts, T0 + 10)

    assert [j.id for j in recovered] == [waiting.id, retry.id]  # oldest first
    assert all(j.status == "queued" for j in recovered)
    got_spent = await store.get_job(spent.id)
    assert got_spent is not None
    assert (got_spent.status, got_spent.error) == ("failed", "job_failed")
    got_waiting = await store.get_job(waiting.id)
    assert got_waiting is not None
    assert (got_waiting.status, got_waiting.attempts) == ("queued", 0)
    got_retry = await store.get_job(retry.id)
    assert got_retry is not None
    assert got_retry.status == "queued"
    assert await store.start_job(retry.id, T0 + 11) is not None
    got_done = await store.get_job(done.id)
    assert got_done is not None
    assert got_done.status == "succeeded"


async def test_recover_jobs_takes_only_what_was_not_seen_since(store: Store) -> None:
    # A worker died at T0 + 2 holding `lost` (and its user's turn); `alive` kept beating.
    lost = await submitted(store, now=T0)
    alive = await submitted(store, now=T0)
    forgotten = await submitted(store, now=T0 + 1)  # queued, but the queue lost it
    fresh = await submitted(store, now=T0 + 30)
    await store.start_job(lost.id, T0 + 2)
    await store.start_job(alive.id, T0 + 2)
    assert await store.acquire_lease("turn:jasmine:lost", lost.id, T0 + 2, 600)
    assert await store.acquire_lease("turn:jasmine:alive", alive.id, T0 + 2, 600)
    await store.touch_job(alive.id, T0 + 25)
    await store.touch_job(forgotten.id, T0 + 25)  # only a running job is touched

    recovered = await store.recover_jobs(T0 + 40, 3, stale_before=T0 + 20)

    assert [j.id for j in recovered] == [lost.id, forgotten.id]
    assert all((j.status, j.updated_at) == ("queued", T0 + 40) for j in recovered)
    got_alive = await store.get_job(alive.id)
    assert got_alive is not None
    assert (got_alive.status, got_alive.updated_at) == ("running", T0 + 25)
    got_fresh = await store.get_job(fresh.id)
    assert got_fresh == fresh
    # The dead runner's turn is free at once; the live one's is still held.
    assert await store.acquire_lease("turn:jasmine:lost", "another", T0 + 41, 60)
    assert not await store.acquire_lease("turn:jasmine:alive", "another", T0 + 41, 60)
    # Touched at recovery, the two are left be by the next sweep; the others' turn has come.
    later = await store.recover_jobs(T0 + 50, 3, stale_before=T0 + 39)
    assert [j.id for j in later] == [alive.id, fresh.id]
    # The job that lost its runner runs again; its attempt counts.
    again = await store.start_job(lost.id, T0 + 51)
    assert again is not None
    assert again.attempts == 2


async def test_touch_job_leaves_other_states_alone(store: Store) -> None:
    job = await submitted(store)
    await store.touch_job(job.id, T0 + 5)
    assert await store.get_job(job.id) == job
    await store.start_job(job.id, T0 + 6)
    done = await store.finish_job(job.id, "succeeded", {}, None, T0 + 7)
    await store.touch_job(job.id, T0 + 8)
    assert await store.get_job(job.id) == done
    await store.touch_job(uid(), T0 + 8)  # no such job: nothing to do


async def test_count_queued_per_queue(store: Store) -> None:
    assert await store.count_queued() == {"high": 0, "default": 0, "low": 0}
    jobs = [
        await submitted(store, queue=q) for q in ("high", "default", "default", "low", "low", "low")
    ]
    assert await store.count_queued() == {"high": 1, "default": 2, "low": 3}
    await store.start_job(jobs[0].id, T0)
    await store.start_job(jobs[3].id, T0)
    assert await store.count_queued() == {"high": 0, "default": 2, "low": 2}


async def test_job_tokens_sum_the_calls_recorded_for_that_job_only(store: Store) -> None:
    job, other = await submitted(store), await submitted(store)
    assert await store.job_tokens(job.id) is None  # nothing recorded yet

    def call(prompt: int, completion: int) -> LLMCall:
        return LLMCall("scripted", "scripted", "reply", prompt, completion, 1.0)

    await store.start_job(job.id, T0 + 1)
    await store.commit(
        Plan(
            job.id,
            T0 + 2,
            (RecordCalls(job.id, (call(100, 20), call(130, 7))), FinishJob(job.id, {})),
        )
    )
    await store.start_job(other.id, T0 + 1)
    await store.commit(
        Plan(other.id, T0 + 2, (RecordCalls(other.id, (call(5, 5),)), FinishJob(other.id, {})))
    )

    assert await store.job_tokens(job.id) == (230, 27)
    assert await store.job_tokens(other.id) == (5, 5)
    assert await store.job_tokens(uid()) is None
