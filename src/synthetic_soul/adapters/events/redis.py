"""Event bus over Redis pub/sub: a stream on any API process sees events from any worker.

One pub/sub connection per process, however many streams are open: the first local
subscriber to a channel subscribes it in Redis, the last to leave unsubscribes, and one
reader task hands every message to that channel's local queues (bounded, like the
in-process bus: a stalled reader loses its oldest events and never blocks the others).

A subscription is in place once Redis has confirmed it, so an event published after
`subscribe` returns is delivered. The connection also holds a channel of its own, so the
reader always has something to listen to. If Redis goes away the reader waits and
reconnects (redis-py subscribes the channels again); events published meanwhile are lost,
which callers already allow for: a job's stream re-reads the job from the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from synthetic_soul.adapters.events.memory import LocalSubscription
from synthetic_soul.errors import Unavailable

log = logging.getLogger(__name__)

_CONFIRM_S = 5.0
_RECONNECT_S = (0.1, 0.5, 1.0, 2.0)


class RedisEventBus:
    def __init__(self, client: aioredis.Redis, prefix: str = "soul:events:") -> None:
        self._redis = client
        self._prefix = prefix
        self._pubsub = client.pubsub()
        self._own = f"{prefix}_bus:{uuid.uuid4().hex}"
        self._local: defaultdict[str, set[LocalSubscription]] = defaultdict(set)
        self._confirmed: dict[str, asyncio.Future[None]] = {}
        self._changes = asyncio.Lock()  # one SUBSCRIBE/UNSUBSCRIBE decision at a time
        self._reader: asyncio.Task[None] | None = None

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        data = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
        try:
            await self._redis.publish(self._prefix + channel, data)
        except RedisError as exc:
            raise Unavailable("Events cannot be delivered right now.") from exc

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[LocalSubscription]:
        sub = LocalSubscription()
        name = self._prefix + channel
        async with self._changes:
            try:
                await self._start()
            except (RedisError, TimeoutError) as exc:
                raise Unavailable("Events cannot be followed right now.") from exc
            first = not self._local[name]
            self._local[name].add(sub)
            if first:
                try:
                    await self._subscribe(name)
                except BaseException as exc:
                    self._drop(name, sub)
                    if isinstance(exc, RedisError | TimeoutError):
                        raise Unavailable("Events cannot be followed right now.") from exc
                    raise
        try:
            yield sub
        finally:
            async with self._changes:
                if self._drop(name, sub):
                    with contextlib.suppress(RedisConnectionError, RedisTimeoutError):
                        await self._pubsub.unsubscribe(name)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        self._local.clear()
        with contextlib.suppress(RedisConnectionError, RedisTimeoutError):
            # typed from redis 8.2 on, untyped before: called as Any for both
            pubsub: Any = self._pubsub
            await pubsub.aclose()

    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._local.values())

    def _drop(self, name: str, sub: LocalSubscription) -> bool:
        """Forget `sub`; whether it was the channel's last local subscriber."""
        subs = self._local.get(name)
        if subs is None:
            return False
        subs.discard(sub)
        if subs:
            return False
        del self._local[name]
        return True

    async def _start(self) -> None:
        if self._reader is None:
            await self._subscribe(self._own)
            self._reader = asyncio.create_task(self._read(), name="redis-event-bus")

    async def _subscribe(self, name: str) -> None:
        """SUBSCRIBE, and wait until Redis confirms it (the reader sees the confirmation)."""
        confirmed = asyncio.get_running_loop().create_future()
        self._confirmed[name] = confirmed
        try:
            await self._pubsub.subscribe(name)
            if self._reader is None:  # nobody reads yet: this is the first, own channel
                await self._await_own_confirmation(name)
            else:
                await asyncio.wait_for(confirmed, _CONFIRM_S)
        finally:
            self._confirmed.pop(name, None)

    async def _await_own_confirmation(self, name: str) -> None:
        async with asyncio.timeout(_CONFIRM_S):
            while True:
                message = await self._pubsub.get_message(timeout=_CONFIRM_S)
                if message and message["type"] == "subscribe" and _text(message["channel"]) == name:
                    return

    async def _read(self) -> None:
        attempt = 0
        while True:
            try:
                async for message in self._pubsub.listen():
                    attempt = 0
                    self._dispatch(message)
                return  # unsubscribed from everything: only on close
            except asyncio.CancelledError:
                raise
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                delay = _RECONNECT_S[min(attempt, len(_RECONNECT_S) - 1)]
                attempt += 1
                log.warning("event bus lost Redis (%s); reconnecting in %.1f s", exc, delay)
                await asyncio.sleep(delay)
            except Exception:
                log.exception("event bus reader failed; restarting it")
                await asyncio.sleep(_RECONNECT_S[-1])

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        name = _text(message.get("channel"))
        if kind == "subscribe":
            confirmed = self._confirmed.get(name)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)
            return
        if kind != "message":
            return
        subs = self._local.get(name)
        if not subs:
            return
        try:
            event = json.loads(message["data"])
        except (TypeError, ValueError):
            log.warning("event bus: a message on %s was not JSON", name)
            return
        for sub in tuple(subs):
            sub.put(event)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
