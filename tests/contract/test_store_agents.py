"""Store contract: agents are made once per (name, mode) and read back whole."""

from __future__ import annotations

import asyncio

import pytest

from synthetic_soul.ports import Store
from tests.contract.builders import agent, uid

pytestmark = pytest.mark.anyio


async def test_ensure_agent_creates_then_returns_the_existing_one(store: Store) -> None:
    first = agent()
    created = await store.ensure_agent(first)
    assert created.id == first.id
    assert created.personality == first.personality
    assert created.emotions == first.emotions
    assert created.version == 0

    again = await store.ensure_agent(agent())  # another candidate id, same name and mode
    assert again.id == first.id
    assert again == created


async def test_twenty_concurrent_ensures_make_exactly_one_agent(store: Store) -> None:
    candidates = [agent(agent_id=uid()) for _ in range(20)]
    made = await asyncio.gather(*(store.ensure_agent(c) for c in candidates))
    assert len({m.id for m in made}) == 1
    assert made[0].id in {c.id for c in candidates}
    assert await store.list_agents() == [("jasmine", "lite")]


async def test_get_agent_by_name_and_mode(store: Store) -> None:
    lite = await store.ensure_agent(agent("jasmine", "lite"))
    rich = await store.ensure_agent(agent("jasmine", "rich"))
    assert lite.id != rich.id
    assert await store.get_agent("jasmine", "lite") == lite
    assert await store.get_agent("jasmine", "rich") == rich
    assert await store.get_agent("nobody", "lite") is None


async def test_list_agents(store: Store) -> None:
    assert await store.list_agents() == []
    for name, mode in [("rose", "lite"), ("jasmine", "rich"), ("jasmine", "lite")]:
        await store.ensure_agent(agent(name, mode))
    assert sorted(await store.list_agents()) == [
        ("jasmine", "lite"),
        ("jasmine", "rich"),
        ("rose", "lite"),
    ]
