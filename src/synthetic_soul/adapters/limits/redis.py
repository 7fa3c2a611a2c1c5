"""Sliding-window rate limiter shared by every process through Redis.

Same rule as the in-process limiter: at most `limit` hits in any `window_s`; a refused hit is
not counted. Each key is a sorted set of hit times, checked and updated by one Lua script
(atomic in Redis, one round trip) and expiring with its window. Times come from the
service's clock, like everything else it decides.
"""

from __future__ import annotations

import uuid

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from synthetic_soul.errors import Unavailable
from synthetic_soul.ports import Clock

# KEYS[1]: the key's set; ARGV: now, window (s), limit, a unique member for this hit.
# Redis turns Lua numbers into integers, so the wait goes back as a string.
_HIT = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return '0'
"""


class RedisRateLimiter:
    def __init__(self, client: aioredis.Redis, clock: Clock, prefix: str = "soul:limits:") -> None:
        self._clock = clock
        self._prefix = prefix
        self._hit = client.register_script(_HIT)

    async def hit(self, key: str, limit: int, window_s: float) -> float:
        now = self._clock.now()
        member = uuid.uuid4().hex
        try:
            wait = await self._hit(
                keys=[self._prefix + key], args=[repr(now), repr(window_s), limit, member]
            )
        except RedisError as exc:
            raise Unavailable("Rate limits cannot be checked right now; try again.") from exc
        seconds = float(wait.decode() if isinstance(wait, bytes) else wait)
        return 0.0 if seconds == 0.0 else max(0.001, seconds)
