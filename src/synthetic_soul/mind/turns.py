"""One user's turns never overlap: a lease per (agent, user), held by the job replying.

A job that finds the turn taken does not wait in a worker: it goes back to the queue and
is handed to a worker again once the turn is free. That wait is pushed, not polled: the holder
announces its release on the event bus, and a waiter re-checks only then (or when the
lease could have expired, should the holder die).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from synthetic_soul.job_handlers import Busy
from synthetic_soul.ports import Clock, EventBus, Leases

LEASE_TTL_S = 60.0


def turn_key(agent_name: str, user_id: str) -> str:
    return f"turn:{agent_name}:{user_id}"


class Turns:
    def __init__(self, store: Leases, bus: EventBus, clock: Clock, ttl_s: float = LEASE_TTL_S):
        self._store = store
        self._bus = bus
        self._clock = clock
        self._ttl_s = ttl_s

    @asynccontextmanager
    async def hold(self, key: str, holder: str) -> AsyncIterator[None]:
        """Hold the turn for `holder`; if another holds it, raise Busy (the job is re-run
        once the turn is free, see `free`)."""
        if not await self._store.acquire_lease(key, holder, self._clock.now(), self._ttl_s):
            raise Busy(lambda: self.free(key, holder))
        keeper = asyncio.create_task(self._keep(key, holder))
        try:
            yield
        finally:
            keeper.cancel()
            try:
                # Not `await keeper` under suppress(CancelledError): that would also swallow a
                # cancellation of this task (a worker being stopped), which then never ends.
                await asyncio.wait([keeper])
            finally:
                await self._release(key, holder)

    async def free(self, key: str, holder: str) -> None:
        """Return once the turn is free, waiting for its release without polling.

        Free is checked by taking and at once giving back the lease: the job this waits for
        may have been answered meanwhile and never run, so it must not keep the turn."""
        async with self._bus.subscribe(self._channel(key)) as released:
            while not await self._store.acquire_lease(key, holder, self._clock.now(), self._ttl_s):
                await released.next(self._ttl_s / 2)  # or re-check when it could have expired
        await self._release(key, holder)

    async def _release(self, key: str, holder: str) -> None:
        # Announced every time: whoever tried the lease meanwhile is waiting to hear it.
        await self._store.release_lease(key, holder)
        await self._bus.publish(self._channel(key), {"event": "released", "data": {"key": key}})

    @staticmethod
    def _channel(key: str) -> str:
        return f"lease:{key}"

    async def _keep(self, key: str, holder: str) -> None:
        """Renew the lease while the turn lasts (a slow model may take longer than its TTL)."""
        while True:
            await asyncio.sleep(self._ttl_s / 3)
            await self._store.acquire_lease(key, holder, self._clock.now(), self._ttl_s)
