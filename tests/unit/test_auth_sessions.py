"""The Auth use case end to end on the in-memory store and rate limiter."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass

import pytest

from synthetic_soul.adapters.limits.memory import MemoryRateLimiter
from synthetic_soul.auth.passwords import Passwords
from synthetic_soul.auth.ratelimit import LIMITS, WINDOW_S
from synthetic_soul.auth.sessions import Auth, AuthConfig, Grant
from synthetic_soul.auth.tokens import AccessTokens
from synthetic_soul.domain.agent import ActiveAgent, new_agent
from synthetic_soul.errors import Conflict, RateLimited, Unauthorized
from tests.support.memory_store import MemoryStore
from tests.unit.fakes import FakeClock

pytestmark = pytest.mark.anyio

SECRET = "unit-test-jwt-secret-0123456789abcdef-0123456789abcdef"
PEPPER = "unit-test-pepper-0123456789"
REFRESH_TTL = 7 * 86400
DEVELOPER = "maker@example.com"


@dataclass
class World:
    auth: Auth
    store: MemoryStore
    clock: FakeClock
    agent_id: str


async def make_world(clock: FakeClock) -> tuple[World, Passwords]:
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
        AuthConfig(PEPPER, REFRESH_TTL, ActiveAgent.of(agent), DEVELOPER),
    )
    return World(auth, store, clock, agent.id), passwords


@pytest.fixture
async def world() -> AsyncIterator[World]:
    made, passwords = await make_world(FakeClock())
    try:
        yield made
    finally:
        passwords.close()


async def unauthorized(code: str, call: Awaitable[object]) -> None:
    with pytest.raises(Unauthorized) as caught:
        await call
    assert caught.value.code == code


async def claimed(world: World, email: str = "ada@example.com", name: str = "ada") -> Grant:
    guest = await world.auth.guest()
    who = await world.auth.authenticate(guest.access_token)
    return await world.auth.claim(who, email, "correct horse", name, "10.0.0.1")


async def refresh(world: World, grant: Grant, csrf_header: str | None = None) -> Grant:
    header = grant.csrf_token if csrf_header is None else csrf_header
    return await world.auth.refresh(grant.session_id, grant.refresh_token, grant.csrf_token, header)


async def test_guest_gets_a_working_session(world: World) -> None:
    grant = await world.auth.guest()
    who = await world.auth.authenticate(grant.access_token)
    assert (who.user_id, who.session_id, who.username) == (
        grant.user_id,
        grant.session_id,
        grant.username,
    )
    user = await world.auth.me(who)
    assert user.guest
    assert user.username.startswith("guest_")
    assert await world.store.get_profile(world.agent_id, grant.user_id) is not None
    assert grant.refresh_token != grant.csrf_token
    session = await world.store.get_session(grant.session_id)
    assert session is not None
    assert grant.refresh_token not in (session.refresh_hash, session.csrf_hash)


async def test_missing_or_bad_access_token(world: World) -> None:
    await unauthorized("missing_token", world.auth.authenticate(None))
    await unauthorized("missing_token", world.auth.authenticate(""))
    await unauthorized("invalid_token", world.auth.authenticate("not-a-jwt"))


async def test_claim_then_login(world: World) -> None:
    guest = await world.auth.guest()
    who = await world.auth.authenticate(guest.access_token)
    # As the HTTP layer hands it on: normalised by email-validator (domain lower-cased).
    grant = await world.auth.claim(who, "Ada@example.com", "correct horse", "ada", "10.0.0.1")

    assert grant.user_id == guest.user_id
    assert grant.username == "ada"
    user = await world.auth.me(await world.auth.authenticate(grant.access_token))
    assert (user.guest, user.email, user.username) == (False, "Ada@example.com", "ada")
    await unauthorized("session_revoked", world.auth.authenticate(guest.access_token))

    login = await world.auth.login("ADA@example.com", "correct horse", "10.0.0.2")
    assert login.user_id == guest.user_id
    assert login.session_id != grant.session_id
    await world.auth.authenticate(login.access_token)
    await unauthorized(
        "invalid_credentials", world.auth.login("ada@example.com", "wrong", "10.0.0.2")
    )
    await unauthorized(
        "invalid_credentials", world.auth.login("nobody@example.com", "correct horse", "10.0.0.2")
    )


async def test_claim_conflicts(world: World) -> None:
    first = await claimed(world, "ada@example.com", "ada")

    other = await world.auth.authenticate((await world.auth.guest()).access_token)
    with pytest.raises(Conflict) as taken_email:
        await world.auth.claim(other, "ADA@example.com", "pw-123456", "bob", "10.0.0.1")
    assert taken_email.value.code == "email_in_use"
    with pytest.raises(Conflict) as taken_name:
        await world.auth.claim(other, "bob@example.com", "pw-123456", "ada", "10.0.0.1")
    assert taken_name.value.code == "email_in_use"
    still_guest = await world.auth.me(other)
    assert still_guest.guest
    assert still_guest.email is None

    again = await world.auth.authenticate(first.access_token)
    with pytest.raises(Conflict) as twice:
        await world.auth.claim(again, "new@example.com", "pw-123456", "ada2", "10.0.0.1")
    assert twice.value.code == "already_claimed"


async def test_developer_email_claims_as_creator(world: World) -> None:
    grant = await claimed(world, DEVELOPER.upper(), "maker")
    profile = await world.store.get_profile(world.agent_id, grant.user_id)
    assert profile is not None
    assert profile.doc["intrinsic_relationship"] == "creator"
    assert profile.username == "maker"


async def test_login_is_rate_limited_per_client_ip(world: World) -> None:
    assert LIMITS["login"] == 20
    for _ in range(20):
        await unauthorized(
            "invalid_credentials", world.auth.login("nobody@example.com", "pw", "10.0.0.9")
        )
    with pytest.raises(RateLimited) as caught:
        await world.auth.login("nobody@example.com", "pw", "10.0.0.9")
    assert 0 < caught.value.retry_after <= WINDOW_S
    assert caught.value.code == "rate_limited"
    # Another address is not affected; the same one is let in again once the window passes.
    await unauthorized(
        "invalid_credentials", world.auth.login("nobody@example.com", "pw", "10.0.0.10")
    )
    world.clock.advance(WINDOW_S + 1)
    await unauthorized(
        "invalid_credentials", world.auth.login("nobody@example.com", "pw", "10.0.0.9")
    )


async def test_refresh_rotates_the_session(world: World) -> None:
    first = await world.auth.guest()
    second = await refresh(world, first)

    assert second.user_id == first.user_id
    assert second.session_id != first.session_id
    assert second.refresh_token != first.refresh_token
    assert second.csrf_token != first.csrf_token
    await world.auth.authenticate(second.access_token)
    await unauthorized("session_revoked", world.auth.authenticate(first.access_token))
    third = await refresh(world, second)
    await world.auth.authenticate(third.access_token)


async def test_replayed_refresh_token_ends_every_session(world: World) -> None:
    stolen = await world.auth.guest()
    rotated = await refresh(world, stolen)
    await unauthorized("revoked", refresh(world, stolen))

    await unauthorized("session_revoked", world.auth.authenticate(rotated.access_token))
    await unauthorized("revoked", refresh(world, rotated))


async def test_replay_also_ends_the_users_other_sessions(world: World) -> None:
    grant = await claimed(world)
    laptop = await world.auth.login("ada@example.com", "correct horse", "10.0.0.3")
    await refresh(world, grant)
    await unauthorized("revoked", refresh(world, grant))
    await unauthorized("session_revoked", world.auth.authenticate(laptop.access_token))


async def test_concurrent_refreshes_with_one_token_have_at_most_one_winner(world: World) -> None:
    grant = await world.auth.guest()
    results = await asyncio.gather(
        *(refresh(world, grant) for _ in range(5)), return_exceptions=True
    )
    wins = [r for r in results if isinstance(r, Grant)]
    assert len(wins) <= 1
    assert all(isinstance(r, Unauthorized) for r in results if not isinstance(r, Grant))


async def test_refresh_needs_matching_csrf(world: World) -> None:
    grant = await world.auth.guest()
    await unauthorized("csrf_mismatch", refresh(world, grant, csrf_header="something-else"))
    await unauthorized("csrf_mismatch", refresh(world, grant, csrf_header=""))
    other = await world.auth.guest()
    await unauthorized(
        "csrf_mismatch",
        world.auth.refresh(
            grant.session_id, grant.refresh_token, other.csrf_token, other.csrf_token
        ),
    )
    # The failed attempts did not spend the session.
    await world.auth.authenticate((await refresh(world, grant)).access_token)


async def test_refresh_without_cookies_or_with_a_wrong_token(world: World) -> None:
    grant = await world.auth.guest()
    await unauthorized("no_refresh", world.auth.refresh(None, None, None, None))
    await unauthorized(
        "no_refresh", world.auth.refresh(grant.session_id, None, grant.csrf_token, grant.csrf_token)
    )
    await unauthorized(
        "bad_refresh",
        world.auth.refresh(grant.session_id, "guessed", grant.csrf_token, grant.csrf_token),
    )
    await unauthorized(
        "bad_refresh",
        world.auth.refresh(
            "no-such-session", grant.refresh_token, grant.csrf_token, grant.csrf_token
        ),
    )


async def test_expired_session(world: World) -> None:
    grant = await world.auth.guest()
    world.clock.advance(REFRESH_TTL + 1)
    await unauthorized("session_expired", world.auth.authenticate(grant.access_token))
    await unauthorized("expired", refresh(world, grant))


async def test_logout_revokes_the_session(world: World) -> None:
    grant = await world.auth.guest()
    await world.auth.logout(grant.access_token)
    await unauthorized("session_revoked", world.auth.authenticate(grant.access_token))
    await unauthorized("revoked", refresh(world, grant))
    await world.auth.logout(None)
    await world.auth.logout("not-a-jwt")


async def test_tokens_follow_the_injected_clock() -> None:
    """Auth takes a Clock; a token it mints at clock time must pass its own check then."""
    made, passwords = await make_world(FakeClock(1_700_000_000.0))
    try:
        grant = await made.auth.guest()
        who = await made.auth.authenticate(grant.access_token)
        assert who.user_id == grant.user_id
    finally:
        passwords.close()
