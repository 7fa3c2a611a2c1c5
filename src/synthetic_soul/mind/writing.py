"""Writing the agent: one commit at a time in this process, each retried on stale state.

Every commit that changes the agent is made against the version it read, and the store
refuses it (`StaleStateError`) when another writer got there first. A use case says what it
commits, built from the state it read, and how to read that state again; `Writer` holds the
lock, makes the attempts and gives up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from synthetic_soul.ports import StaleStateError

S = TypeVar("S")
R = TypeVar("R")

# A stale attempt means another writer got in first, and each round of retries lets about one
# of the writers racing for the agent through: before the lock, more than ~8 workers finishing
# at once began to fail (bench/README.md, finding 1). Under the lock only writers in other
# processes (RQ workers, a second API process) race, so eight attempts ride out about eight of
# them committing together; past that the job fails rather than retry without end.
COMMIT_ATTEMPTS = 8


class CommitFailed(Exception):
    """A job's commit cannot be made: what it is about is gone (the agent, the message), or the
    agent's state kept changing under it. Never caught: the job fails."""


class Writer:
    """The one writer of the agent in this process, shared by every use case that changes it."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def commit(
        self,
        job_id: str,
        state: S,
        write: Callable[[S], Awaitable[R]],
        reload: Callable[[], Awaitable[S]],
    ) -> R:
        """What `write` made of `state`; when stale, of the state `reload` reads anew.

        The lock is held across the attempts, so a retry does not race its neighbours again.
        """
        async with self._lock:
            for attempt in range(COMMIT_ATTEMPTS):
                if attempt:
                    state = await reload()
                try:
                    return await write(state)
                except StaleStateError:
                    continue  # another writer changed the agent: build again on what it wrote
        raise CommitFailed(f"job {job_id}: agent state kept changing under the commit")
