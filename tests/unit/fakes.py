"""Test stand-ins for ports: a clock that moves only when told, a model that answers nonsense."""

from __future__ import annotations

import time

from synthetic_soul.ports import LLMInfo, LLMRequest, M
from synthetic_soul.records import LLMCall


class FakeClock:
    """Starts at the wall clock (JWT checks use it) and then moves only when told to."""

    def __init__(self, now: float | None = None) -> None:
        self.t = time.time() if now is None else now

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class GarbageLLM:
    """A model that always answers with text that is not JSON."""

    def __init__(self) -> None:
        self.calls = 0

    @property
    def info(self) -> LLMInfo:
        return LLMInfo("garbage", "garbage", None, "garbage-1", "garbage-1", True)

    async def close(self) -> None:
        """Nothing to let go of."""

    async def generate(self, request: LLMRequest, schema: type[M]) -> tuple[M, LLMCall]:
        self.calls += 1
        output = schema.model_validate_json("Sure! Here is my answer: {appraisal: nice")
        return output, LLMCall("garbage", "garbage-1", request.task, 1, 1, 0.0)  # unreachable

    async def prepare(self, request: LLMRequest, schema: type[M]) -> None:
        """Keeps no context: nothing to read ahead."""
