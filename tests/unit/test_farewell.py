"""Being forgotten (issue 17): a close user's farewell is a loss the agent feels, a
stranger's stirs nothing, and nothing of the user is kept to feel it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from synthetic_soul.auth.sessions import Principal
from synthetic_soul.bootstrap import Container, running
from synthetic_soul.domain import occasions
from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.reasons import FORGOTTEN, shareable
from synthetic_soul.domain.relationship import affinity
from synthetic_soul.errors import QueueUnavailable
from synthetic_soul.records import Job
from synthetic_soul.settings import Settings
from tests.unit.fakes import FakeClock

pytestmark = pytest.mark.anyio
START = 1_893_456_000.0  # 2030-01-01 00:00 UTC: every run of a test the same
KIND = "You are wonderful, thank you so much!"
BEST = 45.0  # affinity where `best friend` begins


def test_the_loss_weighs_as_far_as_the_user_was_close() -> None:
    best = occasions.forgotten(BEST, "lite")
    assert best == {"sadness": pytest.approx(occasions.OCCASION_PEAK)}
    half = occasions.forgotten(BEST / 2, "lite")["sadness"]
    assert half == pytest.approx(occasions.OCCASION_PEAK / 2)
    assert occasions.forgotten(0.0, "lite") == {}
    assert occasions.forgotten(-40.0, "rich") == {}


def test_rich_mode_feels_the_loss_as_sadness_and_some_loneliness() -> None:
    pots = occasions.forgotten(BEST, "rich")
    assert pots["sadness"] == pytest.approx(occasions.OCCASION_PEAK)
    assert 0.0 < pots["loneliness"] < pots["sadness"]


def test_the_reason_is_one_anyone_may_read() -> None:
    assert shareable(FORGOTTEN) == FORGOTTEN


@pytest.fixture(params=["lite", "rich"])
async def soul(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Container]:
    settings = Settings(
        APP_ENV="test",
        LLM_MODE="scripted",
        EMBEDDER="off",
        RERANKER="off",
        DATA_DIR=tmp_path,
        MODE=request.param,
        SOUL_SEED=7,
        INLINE_WORKERS=1,
        LOG_LEVEL="warning",
        BOT_NAME="jasmine",
        THINKING_ENABLED=False,
    )
    async with running(settings, clock=FakeClock(START), background=False) as made:
        yield made


async def idle(soul: Container) -> None:
    """Until no job waits and no worker is busy."""
    async with asyncio.timeout(5):
        while True:
            stats = await soul.queue.stats()
            if not any(stats.backlog.values()) and all(w.state == "idle" for w in stats.workers):
                return
            await asyncio.sleep(0.005)


async def guest(soul: Container) -> Principal:
    grant = await soul.auth.guest()
    return await soul.auth.authenticate(grant.access_token)


async def agent(soul: Container) -> AgentState:
    found, _ = await soul.agents.active()
    return found


def farewells(soul: Container, monkeypatch: pytest.MonkeyPatch) -> list[Job]:
    """The farewell jobs handed to the queue from now on (each still runs)."""
    seen: list[Job] = []
    enqueue = soul.queue.enqueue

    async def spying(job: Job) -> None:
        if job.kind == "farewell":
            seen.append(job)
        await enqueue(job)

    monkeypatch.setattr(soul.queue, "enqueue", spying)
    return seen


def sadness(soul: Container, state: AgentState) -> float:
    return state.emotions_at(soul.clock.now())["sadness"]


async def test_a_close_users_farewell_is_felt_as_a_loss(
    soul: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    friend = await guest(soul)
    for _ in range(12):  # a friend by now, most of the way to best friend
        assert isinstance(soul.clock, FakeClock)
        soul.clock.advance(10)
        await soul.conversations.submit(friend, KIND, "dm")
        await idle(soul)
    profile, _ = await soul.agents.relationship(friend)
    closeness = occasions.closeness(affinity(profile.doc.get("sentiments", {})))
    assert closeness > 0.5
    before = await agent(soul)
    queued = farewells(soul, monkeypatch)

    await soul.forgetting.forget(friend)
    await idle(soul)

    after = await agent(soul)
    # The job knows the agent and how close it was, nothing of who it was.
    assert [set(job.payload) for job in queued] == [{"agent", "mode", "affinity"}]
    assert friend.user_id not in repr(queued) and friend.username not in repr(queued)
    assert after.events_felt == before.events_felt + 1
    assert after.reason == FORGOTTEN
    assert friend.username not in after.reason
    assert sadness(soul, after) > sadness(soul, before) + 3.0
    if after.mode == "rich":
        now = soul.clock.now()
        assert after.emotions_at(now)["loneliness"] > before.emotions_at(now)["loneliness"]
    # Still forgotten whole: the farewell keeps nothing of them.
    assert await soul.store.get_user(friend.user_id) is None
    assert await soul.store.get_profile(after.id, friend.user_id) is None


async def test_a_strangers_farewell_stirs_nothing(
    soul: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranger = await guest(soul)
    before = await agent(soul)
    queued = farewells(soul, monkeypatch)

    await soul.forgetting.forget(stranger)
    await idle(soul)

    after = await agent(soul)
    assert queued == []
    assert after.events_felt == before.events_felt
    assert after.reason == before.reason
    assert sadness(soul, after) == pytest.approx(sadness(soul, before))
    assert await soul.store.get_user(stranger.user_id) is None


async def test_a_queue_out_of_reach_after_the_erase_leaves_the_farewell_stored(
    soul: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    friend = await guest(soul)
    for _ in range(12):
        assert isinstance(soul.clock, FakeClock)
        soul.clock.advance(10)
        await soul.conversations.submit(friend, KIND, "dm")
        await idle(soul)

    async def unreachable(job: Job) -> None:
        raise QueueUnavailable("Redis is down")

    monkeypatch.setattr(soul.queue, "enqueue", unreachable)

    await soul.forgetting.forget(friend)  # the erase is what was asked: no error

    assert await soul.store.get_user(friend.user_id) is None
    # The farewell, stored as queued: the recovery of long-queued jobs hands it on later.
    assert sum((await soul.store.count_queued()).values()) == 1
