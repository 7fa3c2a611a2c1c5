"""Password hashing: argon2id over a peppered HMAC, computed off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from synthetic_soul.auth.passwords import Passwords

pytestmark = pytest.mark.anyio

PEPPER = "unit-test-pepper-0123456789"


@pytest.fixture
def passwords() -> Iterator[Passwords]:
    made = Passwords(PEPPER)
    yield made
    made.close()


async def test_hash_is_argon2id_and_salted(passwords: Passwords) -> None:
    first = await passwords.hash("correct horse")
    second = await passwords.hash("correct horse")
    assert first.startswith("$argon2id$")
    assert first != second


async def test_verify(passwords: Passwords) -> None:
    stored = await passwords.hash("correct horse")
    assert await passwords.verify(stored, "correct horse") is True
    assert await passwords.verify(stored, "correct horse ") is False
    assert await passwords.verify(stored, "") is False


async def test_a_hash_made_with_another_pepper_does_not_verify(passwords: Passwords) -> None:
    other = Passwords("another-pepper-0123456789")
    try:
        stored = await other.hash("correct horse")
        assert await other.verify(stored, "correct horse") is True
    finally:
        other.close()
    assert await passwords.verify(stored, "correct horse") is False


async def test_verify_without_a_stored_hash_is_false(passwords: Passwords) -> None:
    assert await passwords.verify(None, "anything") is False
    assert await passwords.verify(None, "timing-equaliser") is False


@pytest.mark.parametrize("stored", ["", "not-a-hash", "$argon2id$v=19$garbage"])
async def test_verify_against_a_malformed_hash_is_false(passwords: Passwords, stored: str) -> None:
    assert await passwords.verify(stored, "anything") is False


async def test_hashing_runs_off_the_event_loop(passwords: Passwords) -> None:
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.005)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = ticks
    hashes = await asyncio.gather(*(passwords.hash(f"password {i}") for i in range(4)))
    during = ticks - before
    stop.set()
    await task
    assert all(h.startswith("$argon2id$") for h in hashes)
    # Four argon2 hashes take well over 100 ms; a blocked loop would not tick at all.
    assert during >= 5
