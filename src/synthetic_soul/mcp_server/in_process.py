"""The `Soul` of the `/mcp` mount: the service's own use cases, for the caller its bearer
names. The same use cases, limits and scopes as the v1 routes: a caller reaches only their
own conversation and memories, and their messages count against their own limits."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import Any

from synthetic_soul.api.routers.agents import agent_body
from synthetic_soul.api.routers.memories import memory_view
from synthetic_soul.auth.sessions import Principal
from synthetic_soul.bootstrap import Container
from synthetic_soul.domain.agent import ActiveAgent
from synthetic_soul.errors import SoulError
from synthetic_soul.mcp_server.access import REPLY_WAIT_S, SoulUnavailable


class InProcessSoul:
    def __init__(
        self,
        soul: Container,
        who: Principal,
        client_ip: str,
        reply_wait_s: float = REPLY_WAIT_S,
    ) -> None:
        self._soul = soul
        self._who = who
        self._ip = client_ip
        self._reply_wait_s = reply_wait_s

    async def talk(self, agent: str | None, message: str) -> dict[str, Any]:
        speaking = await self._speaking(agent)
        try:
            job = await self._soul.conversations.submit(
                self._who, message, "dm", None, self._ip, speaking
            )
            events = await self._soul.watching.follow(job.id, self._who.user_id)
            # Closed however the wait ends, so its subscription to the bus ends with it.
            async with aclosing(events), asyncio.timeout(self._reply_wait_s):
                async for event in events:
                    if event is not None and event.name == "done":
                        return event.data
        except TimeoutError as exc:
            raise SoulUnavailable(
                f"No reply within {self._reply_wait_s:g} s; it is still being written and "
                f"will be in the conversation (job {job.id})."
            ) from exc
        except SoulError as exc:
            raise _unavailable(exc) from exc
        raise SoulUnavailable(f"The reply's events ended before it did (job {job.id}).")

    async def state(self, agent: str | None) -> dict[str, Any]:
        speaking = await self._speaking(agent)
        try:
            found, now = await self._soul.agents.active(speaking)
        except SoulError as exc:
            raise _unavailable(exc) from exc
        return agent_body(found, now)

    async def memories(self, agent: str | None) -> list[dict[str, Any]]:
        speaking = await self._speaking(agent)
        try:
            found = await self._soul.memories.about(self._who, speaking)
        except SoulError as exc:
            raise _unavailable(exc) from exc
        return [memory_view(m).model_dump(mode="json") for m in found]

    async def agents(self) -> dict[str, list[dict[str, Any]]]:
        try:
            listed = await self._soul.agents.all(self._who)
        except SoulError as exc:
            raise _unavailable(exc) from exc
        return {
            "normal": [{"name": a.name} for a in listed if a.mode == "rich"],
            "lite": [{"name": a.name} for a in listed if a.mode == "lite"],
        }

    async def _speaking(self, agent: str | None) -> ActiveAgent:
        """The agent asked for (None: the default one), if the caller may talk to it."""
        try:
            return await self._soul.agents.speaking(agent, self._who)
        except SoulError as exc:
            raise _unavailable(exc) from exc


def _unavailable(exc: SoulError) -> SoulUnavailable:
    return SoulUnavailable(f"{exc.message} ({exc.code}).")
