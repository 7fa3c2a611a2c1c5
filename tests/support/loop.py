"""Whether the event loop keeps running while a piece of work is awaited."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable


async def ticks_during(work: Awaitable[object]) -> int:
    """How many times a 1 ms sleep on the loop woke while `work` ran: 0 or 1 if the work held
    the loop, more if it ran elsewhere (a thread) and the loop went on."""
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        await work
    finally:
        ticker.cancel()
    return ticks
