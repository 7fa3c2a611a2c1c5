"""The one writer of the agent: a commit that went stale is made again on the state read anew,
at most `COMMIT_ATTEMPTS` times, and no other commit of the process runs in between."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import replace

import pytest

from synthetic_soul.domain.agent import AgentState, new_agent
from synthetic_soul.mind.writing import COMMIT_ATTEMPTS, CommitFailed, Writer
from synthetic_soul.ports import MindCommit, StaleStateError
from synthetic_soul.records import Job
from tests.support.memory_store import MemoryStore

pytestmark = pytest.mark.anyio
NOW = 1_893_456_000.0  # 2030-01-01 00:00 UTC


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


async def running_job(store: MemoryStore) -> Job:
    job = Job(uuid.uuid4().hex, "agent:jasmine", "think", "low", {}, "queued", NOW, NOW)
    await store.create_job(job)
    started = await store.start_job(job.id, NOW)
    assert started is not None
    return started


async def another_process_writes(store: MemoryStore, read: AgentState) -> None:
    """The agent written by someone else after `read` was taken: a commit made on it is stale."""
    job = await running_job(store)
    changed = replace(read, identity="changed elsewhere")
    await store.commit(
        MindCommit(job.id, {}, (), NOW, agent=changed, expected_version=read.version).plan()
    )


class Feeling:
    """A job's commit of the agent's new identity, beaten `rivals` times by another writer."""

    def __init__(self, store: MemoryStore, job: Job, rivals: int) -> None:
        self.store, self.job, self.rivals = store, job, rivals
        self.built_on: list[int] = []  # the agent's version each attempt was made on
        self.reloads = 0

    async def write(self, agent: AgentState) -> Job:
        self.built_on.append(agent.version)
        if len(self.built_on) <= self.rivals:
            await another_process_writes(self.store, agent)
        felt = replace(agent, identity="I feel it")
        commit = MindCommit(
            self.job.id, {"felt": True}, (), NOW, agent=felt, expected_version=agent.version
        )
        (done,) = await self.store.commit(commit.plan())
        return done

    async def reload(self) -> AgentState:
        self.reloads += 1
        agent = await self.store.get_agent("jasmine", "lite")
        assert agent is not None
        return agent


async def test_a_stale_commit_is_made_again_on_the_state_read_anew(store: MemoryStore) -> None:
    agent = await store.ensure_agent(new_agent("a1", "jasmine", "lite", random.Random(3), NOW))
    job = await running_job(store)
    feeling = Feeling(store, job, rivals=3)

    done = await Writer().commit(job.id, agent, feeling.write, feeling.reload)

    assert (done.status, done.result) == ("succeeded", {"felt": True})
    assert feeling.built_on == [agent.version + n for n in range(4)]
    assert feeling.reloads == 3
    now = await store.get_agent("jasmine", "lite")
    assert now is not None
    assert (now.identity, now.version) == ("I feel it", agent.version + 4)


async def test_a_commit_that_stays_stale_fails_after_the_stated_attempts(
    store: MemoryStore,
) -> None:
    agent = await store.ensure_agent(new_agent("a1", "jasmine", "lite", random.Random(3), NOW))
    job = await running_job(store)
    feeling = Feeling(store, job, rivals=COMMIT_ATTEMPTS)

    with pytest.raises(CommitFailed, match="kept changing"):
        await Writer().commit(job.id, agent, feeling.write, feeling.reload)

    assert len(feeling.built_on) == COMMIT_ATTEMPTS
    assert feeling.reloads == COMMIT_ATTEMPTS - 1  # none after the last attempt
    now = await store.get_agent("jasmine", "lite")
    assert now is not None and now.identity == "changed elsewhere"
    unfinished = await store.get_job(job.id)
    assert unfinished is not None and unfinished.status == "running"


async def test_no_other_commit_runs_while_one_is_retried() -> None:
    writer = Writer()
    done: list[str] = []
    reloading, resume = asyncio.Event(), asyncio.Event()

    async def first(version: int) -> str:
        done.append(f"first on {version}")
        if version == 1:
            raise StaleStateError
        return "first"

    async def reload_first() -> int:
        reloading.set()
        await resume.wait()  # the moment another commit would get in, were the lock let go
        return 2

    async def second(version: int) -> str:
        done.append(f"second on {version}")
        return "second"

    async def never() -> int:
        raise AssertionError("the second commit was not stale")

    one = asyncio.create_task(writer.commit("j1", 1, first, reload_first))
    async with asyncio.timeout(5):
        await reloading.wait()
    two = asyncio.create_task(writer.commit("j2", 7, second, never))
    await asyncio.sleep(0.05)
    assert done == ["first on 1"] and not two.done()

    resume.set()
    assert (await one, await two) == ("first", "second")
    assert done == ["first on 1", "first on 2", "second on 7"]
