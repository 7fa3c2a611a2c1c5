"""Leases: one holder at a time, extended by its holder, free again once expired or released."""

from __future__ import annotations

import asyncio

import pytest

from synthetic_soul.ports import Store

pytestmark = pytest.mark.anyio

T0 = 1_700_000_000.0
KEY = "turn:jasmine:user-1"


async def test_one_holder_at_a_time(store: Store) -> None:
    assert await store.acquire_lease(KEY, "job-a", T0, 60)
    assert not await store.acquire_lease(KEY, "job-b", T0 + 1, 60)
    assert await store.acquire_lease("turn:jasmine:user-2", "job-b", T0 + 1, 60)


async def test_the_holder_extends_its_lease(store: Store) -> None:
    assert await store.acquire_lease(KEY, "job-a", T0, 60)
    assert await store.acquire_lease(KEY, "job-a", T0 + 50, 60)
    assert not await store.acquire_lease(KEY, "job-b", T0 + 100, 60)  # extended to T0 + 110
    assert await store.acquire_lease(KEY, "job-b", T0 + 110, 60)


async def test_an_expired_lease_can_be_taken(store: Store) -> None:
    assert await store.acquire_lease(KEY, "job-a", T0, 60)
    assert await store.acquire_lease(KEY, "job-b", T0 + 60, 60)
    assert not await store.acquire_lease(KEY, "job-a", T0 + 61, 60)


async def test_release_frees_only_the_holders_lease(store: Store) -> None:
    assert await store.acquire_lease(KEY, "job-a", T0, 60)
    await store.release_lease(KEY, "job-b")
    assert not await store.acquire_lease(KEY, "job-b", T0 + 1, 60)
    await store.release_lease(KEY, "job-a")
    assert await store.acquire_lease(KEY, "job-b", T0 + 1, 60)


async def test_concurrent_takers_get_one_winner(store: Store) -> None:
    won = await asyncio.gather(*(store.acquire_lease(KEY, f"job-{i}", T0, 60) for i in range(20)))
    assert sum(won) == 1
