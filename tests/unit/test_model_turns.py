"""Turns at a one-at-a-time model: replies first, a running background call asked to stop."""

from __future__ import annotations

import asyncio

import pytest

from synthetic_soul.adapters.llm.model_turns import ModelTurns

pytestmark = pytest.mark.anyio


async def test_the_first_caller_gets_the_model_at_once() -> None:
    turns = ModelTurns()
    run = await asyncio.wait_for(turns.take(urgent=False), 1)
    assert not run.stop.is_set() and not run.preempted


async def test_a_reply_goes_ahead_of_waiting_background_calls_and_stops_the_running_one() -> None:
    turns = ModelTurns()
    order: list[str] = []
    running = await turns.take(urgent=False)

    async def call(name: str, urgent: bool) -> None:
        run = await turns.take(urgent)
        order.append(name)
        turns.give_back(run)

    waiting = [
        asyncio.create_task(call("reflect", False)),
        asyncio.create_task(call("think", False)),
    ]
    await asyncio.sleep(0)
    assert not running.stop.is_set()  # background calls wait their turn, stopping no one
    replies = [
        asyncio.create_task(call("reply 1", True)),
        asyncio.create_task(call("reply 2", True)),
    ]
    await asyncio.sleep(0)
    assert running.preempted and running.stop.is_set()  # a reply asks it to stop

    turns.give_back(running)
    await asyncio.gather(*waiting, *replies)
    assert order == ["reply 1", "reply 2", "reflect", "think"]


async def test_a_running_reply_is_never_stopped() -> None:
    turns = ModelTurns()
    reply = await turns.take(urgent=True)
    second = asyncio.create_task(turns.take(urgent=True))
    await asyncio.sleep(0)
    assert not reply.stop.is_set() and not second.done()
    turns.give_back(reply)
    turns.give_back(await second)


async def test_a_caller_that_gives_up_while_waiting_is_skipped() -> None:
    turns = ModelTurns()
    first = await turns.take(urgent=False)
    gone = asyncio.create_task(turns.take(urgent=False))
    after = asyncio.create_task(turns.take(urgent=False))
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.sleep(0)

    turns.give_back(first)
    run = await asyncio.wait_for(after, 1)
    turns.give_back(run)
    assert gone.cancelled()
    assert await asyncio.wait_for(turns.take(urgent=False), 1)  # free again
