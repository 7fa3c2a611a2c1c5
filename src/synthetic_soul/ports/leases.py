"""Expiring leases: who may do a thing that only one may do at a time."""

from __future__ import annotations

from typing import Protocol


class Leases(Protocol):
    async def acquire_lease(self, key: str, holder: str, now: float, ttl_s: float) -> bool:
        """Take (or extend, for the same holder) an expiring lease; False if another holds it."""
        ...

    async def release_lease(self, key: str, holder: str) -> None: ...
