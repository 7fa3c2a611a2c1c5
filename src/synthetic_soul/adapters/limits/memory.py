"""In-process sliding-window rate limiter."""

from __future__ import annotations

from collections import deque

from synthetic_soul.ports import Clock

_SWEEP_EVERY = 4096


class MemoryRateLimiter:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._hits: dict[str, tuple[float, deque[float]]] = {}  # key -> (window, hit times)
        self._calls = 0

    async def hit(self, key: str, limit: int, window_s: float) -> float:
        now = self._clock.now()
        self._calls += 1
        if self._calls % _SWEEP_EVERY == 0:
            self._sweep(now)
        _, hits = self._hits.setdefault(key, (window_s, deque()))
        while hits and hits[0] <= now - window_s:
            hits.popleft()
        if len(hits) >= limit:
            return max(0.001, hits[0] + window_s - now)
        hits.append(now)
        return 0.0

    def _sweep(self, now: float) -> None:
        """Forget keys whose every hit has left that key's own window."""
        stale = [k for k, (w, h) in self._hits.items() if not h or h[-1] <= now - w]
        for key in stale:
            del self._hits[key]
