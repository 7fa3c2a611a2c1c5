"""Leadership through a Redis key with expiry: one scheduler across every process.

Each process asks before each scheduler tick (at most every 30 s). The key names the holder
and expires after `ttl_s`; the holder renews it by asking again. If the holder dies, the key
expires and the next process to ask takes over. A process that cannot reach Redis does not
lead: two schedulers at once would think twice, none for a while only delays a thought.
"""

from __future__ import annotations

import contextlib
import logging
import uuid

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# KEYS[1]: the key; ARGV: this process's token, ttl (ms). 1 if this process holds it now.
_CLAIM = """
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisLeadership:
    def __init__(
        self, client: aioredis.Redis, key: str = "soul:scheduler:leader", ttl_s: float = 90.0
    ) -> None:
        self._key = key
        self._ttl_ms = int(ttl_s * 1000)
        self.token = uuid.uuid4().hex
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE)
        self._leading = False

    async def __call__(self) -> bool:
        """Whether this process leads now (taking or renewing the lead if it can)."""
        try:
            leading = bool(await self._claim(keys=[self._key], args=[self.token, self._ttl_ms]))
        except RedisError as exc:
            log.warning("scheduler leadership unknown (Redis: %s): not leading", exc)
            leading = False
        if leading != self._leading:
            log.info("scheduler: %s", "leading" if leading else "not leading")
            self._leading = leading
        return leading

    async def release(self) -> None:
        """Let another process lead at once (on a clean stop)."""
        with contextlib.suppress(RedisError):
            await self._release(keys=[self._key], args=[self.token])
        self._leading = False
