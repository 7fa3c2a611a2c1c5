"""The rate-limit policy (per 60 s, from the reference facts) and its enforcement.

Guest sign-ups have a limit of their own per client address and hour (a setting,
GUEST_SIGNUPS_PER_HOUR): a guest costs nothing to make, and each one is a new user who may
queue replies.
"""

from __future__ import annotations

from synthetic_soul.errors import RateLimited
from synthetic_soul.ports import RateLimiter

WINDOW_S = 60.0
LIMITS: dict[str, int] = {
    "login": 20,  # per client IP
    "claim": 10,  # per client IP
    "submit": 60,  # per user
    "job_poll": 120,  # per user
    "job_events": 120,  # per user
}


GUEST_WINDOW_S = 3600.0


async def enforce(
    limiter: RateLimiter,
    action: str,
    who: str,
    limit: int | None = None,
    window_s: float = WINDOW_S,
) -> None:
    """Count one `action` by `who`; RateLimited when over `limit` (LIMITS[action]) a window."""
    allowed = LIMITS[action] if limit is None else limit
    retry_after = await limiter.hit(f"{action}:{who}", allowed, window_s)
    if retry_after > 0:
        raise RateLimited(retry_after)
