"""RateLimiter contract: a sliding window per key."""

from __future__ import annotations

import pytest

from tests.contract.builders import LimiterHarness

pytestmark = pytest.mark.anyio


async def test_allows_up_to_the_limit_then_says_how_long_to_wait(limiter: LimiterHarness) -> None:
    for _ in range(5):
        assert await limiter.limiter.hit("login:1.2.3.4", 5, 60.0) == 0
    retry_after = await limiter.limiter.hit("login:1.2.3.4", 5, 60.0)
    assert 0 < retry_after <= 60.0


async def test_retry_after_counts_down_to_the_oldest_hit_leaving(limiter: LimiterHarness) -> None:
    await limiter.limiter.hit("k", 2, 60.0)
    await limiter.advance(20.0)
    await limiter.limiter.hit("k", 2, 60.0)
    await limiter.advance(10.0)
    retry_after = await limiter.limiter.hit("k", 2, 60.0)
    assert retry_after == pytest.approx(30.0, abs=1.0)
    await limiter.advance(retry_after + 0.01)
    assert await limiter.limiter.hit("k", 2, 60.0) == 0


async def test_refused_hits_do_not_extend_the_wait(limiter: LimiterHarness) -> None:
    assert await limiter.limiter.hit("k", 1, 10.0) == 0
    for _ in range(5):
        await limiter.advance(1.0)
        assert await limiter.limiter.hit("k", 1, 10.0) > 0
    await limiter.advance(5.01)
    assert await limiter.limiter.hit("k", 1, 10.0) == 0


async def test_the_window_slides(limiter: LimiterHarness) -> None:
    assert await limiter.limiter.hit("k", 3, 10.0) == 0  # t=0
    await limiter.advance(4.0)
    assert await limiter.limiter.hit("k", 3, 10.0) == 0  # t=4
    assert await limiter.limiter.hit("k", 3, 10.0) == 0  # t=4
    assert await limiter.limiter.hit("k", 3, 10.0) > 0
    await limiter.advance(6.5)  # t=10.5: the hit at t=0 has left the window, t=4 ones not
    assert await limiter.limiter.hit("k", 3, 10.0) == 0
    assert await limiter.limiter.hit("k", 3, 10.0) > 0
    await limiter.advance(4.0)  # t=14.5: both hits at t=4 have left
    assert await limiter.limiter.hit("k", 3, 10.0) == 0
    assert await limiter.limiter.hit("k", 3, 10.0) == 0
    assert await limiter.limiter.hit("k", 3, 10.0) > 0


async def test_keys_are_independent(limiter: LimiterHarness) -> None:
    for _ in range(3):
        assert await limiter.limiter.hit("login:a", 3, 60.0) == 0
    assert await limiter.limiter.hit("login:a", 3, 60.0) > 0
    for _ in range(3):
        assert await limiter.limiter.hit("login:b", 3, 60.0) == 0
        assert await limiter.limiter.hit("claim:a", 3, 60.0) == 0
    assert await limiter.limiter.hit("login:a", 3, 60.0) > 0


async def test_busy_short_window_keys_do_not_reset_a_long_window_key(
    limiter: LimiterHarness,
) -> None:
    """Housekeeping of other keys must never forget hits still inside a key's own window."""
    assert await limiter.limiter.hit("slow", 1, 3600.0) == 0
    for i in range(5000):
        await limiter.limiter.hit(f"fast:{i}", 100, 1.0)
        if i % 1000 == 0:
            await limiter.advance(2.0)
    assert await limiter.limiter.hit("slow", 1, 3600.0) > 0
