"""Personal API keys on the in-memory store: made once, kept as keyed hashes, acting as their
user, ended by revoking, by logging out everywhere and by being forgotten."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import astuple, dataclass

import pytest

from synthetic_soul.adapters.limits.memory import MemoryRateLimiter
from synthetic_soul.auth.passwords import Passwords
from synthetic_soul.auth.sessions import Auth, AuthConfig, Principal
from synthetic_soul.auth.tokens import AccessTokens, keyed_hash
from synthetic_soul.domain.agent import ActiveAgent, new_agent
from synthetic_soul.errors import Conflict, NotFound, Unauthorized
from synthetic_soul.usecases.keys import MAX_KEYS_PER_USER, Keys
from tests.support.memory_store import MemoryStore
from tests.unit.fakes import FakeClock

pytestmark = pytest.mark.anyio

SECRET = "unit-test-jwt-secret-0123456789abcdef-0123456789abcdef"
PEPPER = "unit-test-pepper-0123456789"


@dataclass
class World:
    auth: Auth
    keys: Keys
    store: MemoryStore
    clock: FakeClock


@pytest.fixture
async def world() -> AsyncIterator[World]:
    clock = FakeClock()
    store = MemoryStore()
    agent = await store.ensure_agent(
        new_agent("agent-1", "jasmine", "lite", random.Random(1), clock.now())
    )
    passwords = Passwords(PEPPER)
    auth = Auth(
        store,
        AccessTokens(SECRET, 900),
        passwords,
        MemoryRateLimiter(clock),
        clock,
        AuthConfig(PEPPER, 7 * 86400, ActiveAgent.of(agent), "maker@example.com"),
    )
    try:
        yield World(auth, Keys(store, clock, PEPPER), store, clock)
    finally:
        passwords.close()


async def signed_in(world: World, name: str = "ada") -> tuple[Principal, str]:
    """An account (a claimed guest): who it is and its access token."""
    guest = await world.auth.authenticate((await world.auth.guest()).access_token)
    grant = await world.auth.claim(guest, f"{name}@example.com", "correct horse", name, "10.0.0.1")
    return await world.auth.authenticate(grant.access_token), grant.access_token


async def unauthorized(world: World, token: str) -> str:
    with pytest.raises(Unauthorized) as caught:
        await world.auth.authenticate(token)
    return caught.value.code


async def test_a_key_is_shown_once_and_kept_only_as_its_keyed_hash(world: World) -> None:
    ada, _ = await signed_in(world)
    issued = await world.keys.create(ada, "discord bot")

    assert issued.key.startswith("sk-soul-") and len(issued.key) >= len("sk-soul-") + 43
    (kept,) = await world.store.list_api_keys(ada.user_id)
    assert kept == issued.record
    assert kept.key_hash == keyed_hash(PEPPER, issued.key)
    assert issued.key not in astuple(kept), "the key itself is never stored"
    assert issued.key.startswith(kept.prefix) and len(kept.prefix) == len("sk-soul-") + 4
    assert [k.name for k in await world.keys.mine(ada)] == ["discord bot"]
    other = await world.keys.create(ada, "laptop")
    assert other.key != issued.key


async def test_a_key_acts_as_its_user(world: World) -> None:
    ada, _ = await signed_in(world)
    issued = await world.keys.create(ada, "bot")

    who = await world.auth.authenticate(issued.key)

    assert (who.user_id, who.username, who.key_id) == (ada.user_id, "ada", issued.record.id)
    assert who.session_id == ""


async def test_a_key_notes_its_use_at_most_once_a_minute(world: World) -> None:
    ada, _ = await signed_in(world)
    issued = await world.keys.create(ada, "bot")
    start = world.clock.now()

    async def last_used() -> float | None:
        (key,) = await world.store.list_api_keys(ada.user_id)
        return key.last_used_at

    assert await last_used() is None
    await world.auth.authenticate(issued.key)
    assert await last_used() == start
    world.clock.advance(30)
    await world.auth.authenticate(issued.key)
    assert await last_used() == start
    world.clock.advance(30)
    await world.auth.authenticate(issued.key)
    assert await last_used() == start + 60


@pytest.mark.parametrize(
    "wrong",
    ["sk-soul-", "sk-soul-not-a-key-at-all", "sk-soul-" + "A" * 43],
)
async def test_an_unknown_key_is_not_valid(world: World, wrong: str) -> None:
    ada, _ = await signed_in(world)
    await world.keys.create(ada, "bot")
    assert await unauthorized(world, wrong) == "invalid_token"


async def test_a_key_changed_by_one_character_is_not_valid(world: World) -> None:
    ada, _ = await signed_in(world)
    key = (await world.keys.create(ada, "bot")).key
    changed = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert await unauthorized(world, changed) == "invalid_token"


async def test_a_guest_may_not_make_keys(world: World) -> None:
    guest = await world.auth.authenticate((await world.auth.guest()).access_token)
    with pytest.raises(Conflict) as caught:
        await world.keys.create(guest, "bot")
    assert caught.value.code == "account_required"
    assert await world.store.list_api_keys(guest.user_id) == []


async def test_an_account_holds_a_bounded_number_of_keys(world: World) -> None:
    ada, _ = await signed_in(world)
    for n in range(MAX_KEYS_PER_USER):
        await world.keys.create(ada, f"bot {n}")
    with pytest.raises(Conflict) as caught:
        await world.keys.create(ada, "one too many")
    assert caught.value.code == "too_many_keys"
    assert len(await world.keys.mine(ada)) == MAX_KEYS_PER_USER


async def test_a_revoked_key_stops_at_once(world: World) -> None:
    ada, _ = await signed_in(world)
    kept = await world.keys.create(ada, "kept")
    ended = await world.keys.create(ada, "ended")
    await world.auth.authenticate(ended.key)

    await world.keys.revoke(ada, ended.record.id)

    assert await unauthorized(world, ended.key) == "invalid_token"
    assert (await world.auth.authenticate(kept.key)).user_id == ada.user_id
    assert [k.name for k in await world.keys.mine(ada)] == ["kept"]
    with pytest.raises(NotFound) as caught:
        await world.keys.revoke(ada, ended.record.id)
    assert caught.value.code == "key_not_found"


async def test_another_users_key_cannot_be_revoked(world: World) -> None:
    ada, _ = await signed_in(world, "ada")
    bob, _ = await signed_in(world, "bob")
    adas = await world.keys.create(ada, "bot")

    with pytest.raises(NotFound):
        await world.keys.revoke(bob, adas.record.id)

    assert (await world.auth.authenticate(adas.key)).user_id == ada.user_id
    assert await world.keys.mine(bob) == []


async def test_logging_out_ends_the_session_and_every_key_of_the_user(world: World) -> None:
    ada, token = await signed_in(world, "ada")
    other_session = (
        await world.auth.login("ada@example.com", "correct horse", "10.0.0.1")
    ).access_token
    issued = [await world.keys.create(ada, name) for name in ("one", "two")]
    bob, _ = await signed_in(world, "bob")
    bobs = await world.keys.create(bob, "bob's")

    await world.auth.logout(token)

    assert await unauthorized(world, token) == "session_revoked"
    for key in issued:
        assert await unauthorized(world, key.key) == "invalid_token"
    assert (await world.auth.authenticate(other_session)).user_id == ada.user_id
    assert (await world.auth.authenticate(bobs.key)).user_id == bob.user_id


async def test_logging_out_with_a_key_ends_that_key_only(world: World) -> None:
    ada, token = await signed_in(world)
    ended = await world.keys.create(ada, "ended")
    kept = await world.keys.create(ada, "kept")

    await world.auth.logout(ended.key)

    assert await unauthorized(world, ended.key) == "invalid_token"
    assert (await world.auth.authenticate(kept.key)).user_id == ada.user_id
    assert (await world.auth.authenticate(token)).user_id == ada.user_id


@pytest.mark.parametrize("with_key", [False, True])
async def test_logging_out_everywhere_ends_every_session_and_key(
    world: World, with_key: bool
) -> None:
    ada, token = await signed_in(world, "ada")
    other_session = (
        await world.auth.login("ada@example.com", "correct horse", "10.0.0.1")
    ).access_token
    keys = [await world.keys.create(ada, name) for name in ("one", "two")]
    bob, bobs_token = await signed_in(world, "bob")
    bobs = await world.keys.create(bob, "bob's")

    await world.auth.logout(keys[0].key if with_key else token, everywhere=True)

    for ended in (token, other_session):
        assert await unauthorized(world, ended) == "session_revoked"
    for key in keys:
        assert await unauthorized(world, key.key) == "invalid_token"
    assert await world.store.list_api_keys(ada.user_id) == []
    assert (await world.auth.authenticate(bobs.key)).user_id == bob.user_id
    assert (await world.auth.authenticate(bobs_token)).user_id == bob.user_id


async def test_logging_out_everywhere_needs_a_live_credential(world: World) -> None:
    ada, token = await signed_in(world)
    await world.auth.logout(token)  # this session is over; its token is still signed
    issued = await world.keys.create(ada, "bot")

    await world.auth.logout(token, everywhere=True)
    await world.auth.logout("sk-soul-not-a-key", everywhere=True)

    assert (await world.auth.authenticate(issued.key)).user_id == ada.user_id


async def test_being_forgotten_ends_the_keys(world: World) -> None:
    ada, _ = await signed_in(world)
    issued = await world.keys.create(ada, "bot")

    await world.auth.forget(await world.auth.authenticate(issued.key))

    assert await unauthorized(world, issued.key) == "invalid_token"
    assert await world.store.list_api_keys(ada.user_id) == []
