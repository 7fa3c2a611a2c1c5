"""Store contract: personal API keys, found by their keyed hash, each user's own."""

from __future__ import annotations

import pytest

from synthetic_soul.ports import Store
from synthetic_soul.records import ApiKey
from tests.contract.builders import T0, StoreFactory, profile, session, uid, user

pytestmark = pytest.mark.anyio


def api_key(user_id: str, name: str = "bot", now: float = T0) -> ApiKey:
    return ApiKey(uid(), user_id, name, f"hash-{uid()}", "sk-soul-AbCd", now)


async def account(store: Store, name: str) -> str:
    u = user(name, f"{name}@example.com", guest=False)
    await store.create_user(u, session(u.id), profile(u.id))
    return u.id


async def test_a_key_is_found_by_its_hash_and_listed_oldest_first(store: Store) -> None:
    ada = await account(store, "ada")
    later = api_key(ada, "discord", now=T0 + 5)
    first = api_key(ada, "laptop", now=T0)
    await store.add_api_key(later)
    await store.add_api_key(first)

    assert await store.api_key_by_hash(later.key_hash) == later
    assert await store.api_key_by_hash("hash-of-nothing") is None
    assert await store.list_api_keys(ada) == [first, later]
    assert await store.list_api_keys(uid()) == []


async def test_deleting_a_key_ends_it_and_only_its_owner_may(store: Store) -> None:
    ada, bob = await account(store, "ada"), await account(store, "bob")
    key = api_key(ada)
    await store.add_api_key(key)

    assert await store.delete_api_key(bob, key.id) is False
    assert await store.api_key_by_hash(key.key_hash) == key
    assert await store.delete_api_key(ada, key.id) is True
    assert await store.api_key_by_hash(key.key_hash) is None
    assert await store.list_api_keys(ada) == []
    assert await store.delete_api_key(ada, key.id) is False


async def test_deleting_a_users_keys_leaves_the_others(store: Store) -> None:
    ada, bob = await account(store, "ada"), await account(store, "bob")
    mine = [api_key(ada, "one", T0), api_key(ada, "two", T0 + 1)]
    theirs = api_key(bob)
    for key in [*mine, theirs]:
        await store.add_api_key(key)

    assert await store.delete_user_api_keys(ada) == 2
    assert await store.list_api_keys(ada) == []
    assert all([await store.api_key_by_hash(k.key_hash) is None for k in mine])
    assert await store.list_api_keys(bob) == [theirs]
    assert await store.delete_user_api_keys(ada) == 0


async def test_touching_a_key_notes_when_it_was_last_used(store: Store) -> None:
    ada = await account(store, "ada")
    key = api_key(ada)
    await store.add_api_key(key)

    await store.touch_api_key(key.id, T0 + 60)
    found = await store.api_key_by_hash(key.key_hash)
    assert found is not None and found.last_used_at == T0 + 60
    await store.touch_api_key(uid(), T0 + 61)  # a key that is gone: nothing happens


async def test_forgetting_a_user_deletes_their_keys_and_no_one_elses(store: Store) -> None:
    ada, bob = await account(store, "ada"), await account(store, "bob")
    mine, theirs = api_key(ada), api_key(bob)
    await store.add_api_key(mine)
    await store.add_api_key(theirs)

    await store.forget_user(ada)

    assert await store.api_key_by_hash(mine.key_hash) is None
    assert await store.list_api_keys(ada) == []
    assert await store.api_key_by_hash(theirs.key_hash) == theirs


async def test_keys_outlive_close_and_reopen(store_factory: StoreFactory) -> None:
    first = store_factory()
    await first.open()
    ada = await account(first, "ada")
    key = api_key(ada)
    await first.add_api_key(key)
    await first.close()

    second = store_factory()
    await second.open()
    try:
        assert await second.api_key_by_hash(key.key_hash) == key
    finally:
        await second.close()
