"""Reading ahead: while the service idles, the model reads the next reply's prompt up to where
the new message goes, so that a message costs only its own words before the first word of the
answer (`LLM.prepare`; a provider that keeps no context does nothing).

It follows what changes that head in a private conversation: a reply (the conversation grew,
the thought and feelings moved) and a reflection on that user (what the agent knows of them,
its memories). A group reply prepares nothing: the next message there may come from anyone.

The head is built by the reply's own function (`mind.reading.read_reply`) from the turn as
the store gives it, exactly as the next reply will load it; memories are only looked at, not
marked recalled, so the reply finds them ranked as they were.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from synthetic_soul.mind.prompts import persona, reply_head
from synthetic_soul.mind.reading import HISTORY_TURNS, read_reply
from synthetic_soul.mind.schemas import DirectReplyOutput
from synthetic_soul.ports import LLM, Clock, Conversations, LLMRequest, Memories
from synthetic_soul.usecases.recall import Recall

log = logging.getLogger(__name__)


class AheadStore(Conversations, Memories, Protocol):
    """The ports reading ahead uses."""


class Ahead:
    def __init__(
        self, store: AheadStore, llm: LLM, clock: Clock, recall: Recall | None = None
    ) -> None:
        self._store = store
        self._llm = llm
        self._clock = clock
        self._recall = recall  # as the reply recalls, so that the heads are the same
        # One look ahead per user at a time, the latest (an older head is out of date); held
        # here so that a running one is not garbage-collected, and can be stopped.
        self._running: dict[tuple[str, str], asyncio.Task[None]] = {}

    def after(self, agent: str, mode: str, user_id: str, message_id: str) -> None:
        """Prepare the next reply to `user_id` in the conversation of `message_id` (a direct
        message), in the background: whoever calls this is never delayed by it.

        A worker whose event loop ends with its job (a forking RQ worker's child) stops it
        unfinished: its model goes with the process anyway.
        """
        key = (agent, user_id)
        earlier = self._running.pop(key, None)
        if earlier is not None:
            earlier.cancel()
        task = asyncio.create_task(
            self._prepare(agent, mode, user_id, message_id), name=f"ahead:{user_id}"
        )
        self._running[key] = task
        task.add_done_callback(lambda done: self._forget(key, done))

    def _forget(self, key: tuple[str, str], done: asyncio.Task[None]) -> None:
        if self._running.get(key) is done:
            del self._running[key]

    async def _prepare(self, agent: str, mode: str, user_id: str, message_id: str) -> None:
        try:
            turn = await self._store.load_turn(message_id, agent, mode, user_id, HISTORY_TURNS)
            if turn is None or turn.message.channel is not None:
                return
            if any(m.channel is None for m in turn.pending):
                return  # the next reply is already on its way: reading ahead would delay it
            now = self._clock.now()
            ctx = await read_reply(
                self._store, turn, user_id, (), now, mark=False, recall=self._recall
            )
            request = LLMRequest("reply", persona(ctx.agent), reply_head(ctx), about=ctx)
            await self._llm.prepare(request, DirectReplyOutput)
        except Exception:  # best effort: the reply reads the whole prompt instead
            log.warning("reading ahead for user %s failed", user_id, exc_info=True)

    async def settle(self) -> None:
        """Wait for every look ahead under way (tests; a process about to exit)."""
        while self._running:
            await asyncio.gather(*tuple(self._running.values()), return_exceptions=True)

    async def stop(self) -> None:
        """Stop reading ahead: nothing is lost but time the next reply will spend."""
        running, self._running = tuple(self._running.values()), {}
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
