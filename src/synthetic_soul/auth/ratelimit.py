"""The rate-limit policy (per 60 s, from the reference facts) and its enforcement."""

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


async def enforce(limiter: RateLimiter, action: str, who: str) -> None:
    retry_after = await limiter.hit(f"{action}:{who}", LIMITS[action], WINDOW_S)
    if retry_after > 0:
        raise RateLimited(retry_after)
