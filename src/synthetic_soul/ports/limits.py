"""Counting hits against a limit in a window, shared by every process of the service."""

from __future__ import annotations

from typing import Protocol


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_s: float) -> float:
        """Count one hit; 0 if allowed, else seconds until the next hit is allowed."""
        ...
