"""What the tools need from a soul, and nothing else: the one seam between the MCP tools and
the two ways of reaching the service (over HTTP with a key, or in process as a principal).

Every shape is the v1 API's own JSON (a job's result, the agent's body, a memory), so the
tools read the same fields whichever way they came, and the API reference documents them.
"""

from __future__ import annotations

from typing import Any, Protocol

# How long `talk` waits for a reply before it says the reply is still being written. An
# embedded model on a small machine answers within a minute; a queue may hold a few first.
REPLY_WAIT_S = 300.0


class SoulUnavailable(Exception):
    """A call the caller cannot get past: a missing or refused key, an unreachable service,
    an unknown agent, a limit. The message is one line meant for the person at the client."""


class Soul(Protocol):
    """The caller's view of the service; `agent` None means the default agent."""

    async def talk(self, agent: str | None, message: str) -> dict[str, Any]:
        """Says `message` as the caller and waits for the reply: the job's final snapshot
        (`job_id`, `status`, `result`, `error`), as `GET /v1/jobs/{id}` answers it."""
        ...

    async def state(self, agent: str | None) -> dict[str, Any]:
        """The agent now, as `GET /v1/agents/active` answers it under `agent`."""
        ...

    async def memories(self, agent: str | None) -> list[dict[str, Any]]:
        """What the agent remembers about the caller, newest first (`GET /v1/memories`)."""
        ...

    async def agents(self) -> dict[str, list[dict[str, Any]]]:
        """The agents the caller may talk to, by mode (`GET /v1/agents/all`'s `agents`)."""
        ...
