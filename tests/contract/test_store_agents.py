"""Store contract: an agent is made once per name, whatever its mode, and read back whole."""

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


async def test_a_name_is_one_agent_whatever_its_mode(store: Store) -> None:
    lite = await store.ensure_agent(agent("jasmine", "lite"))
    rich = await store.ensure_agent(agent("jasmine", "rich"))
    assert rich == lite  # the one of that name, in the mode it was made in
    assert await store.get_agent("jasmine", "lite") == lite
    assert await store.get_agent("jasmine", "rich") is None
    assert await store.get_agent("nobody", "lite") is None
    assert await store.list_agents() == [("jasmine", "lite")]


async def test_concurrent_ensures_in_both_modes_make_one_agent(store: Store) -> None:
    modes = ["lite", "rich"] * 10
    made = await asyncio.gather(*(store.ensure_agent(agent("rose", m)) for m in modes))
    assert len({m.id for m in made}) == 1
    assert await store.list_agents() == [("rose", made[0].mode)]


async def test_list_agents(store: Store) -> None:
    assert await store.list_agents() == []
    for name, mode in [("rose", "lite"), ("jasmine", "rich"), ("iris", "lite")]:
        await store.ensure_agent(agent(name, mode))
    assert await store.list_agents() == [("iris", "lite"), ("jasmine", "rich"), ("rose", "lite")]


async def test_all_agents_are_read_whole_by_name(store: Store) -> None:
    assert await store.all_agents() == []
    made = [await store.ensure_agent(agent(n, m)) for n, m in [("rose", "rich"), ("iris", "lite")]]
    assert await store.all_agents() == sorted(made, key=lambda a: a.name)
    assert [await store.get_agent(a.name, a.mode) for a in made] == made
