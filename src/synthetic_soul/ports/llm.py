"""The language model: one typed answer per request, streamed where the provider streams."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from pydantic import BaseModel

from synthetic_soul.domain.prompt_context import (
    ReflectContext,
    ReplyContext,
    SeedContext,
    ThinkContext,
)
from synthetic_soul.records import LLMCall

M = TypeVar("M", bound=BaseModel)

Tier = Literal["fast", "quality"]


TextSink = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class TextStream:
    """Where one string field of the answer goes while the model is still writing it.

    A provider that streams calls `sink` with the field's decoded text so far each time it
    grows; one that does not stream never calls it. Every attempt at an answer (a transport
    retry, the caller's corrective call) starts again from "", so the sink's owner, not the
    provider, decides what a watcher has already seen (`mind.streaming.Shown`).
    """

    path: tuple[str, ...]  # keys from the answer's root, e.g. ("reply", "message")
    sink: TextSink


@dataclass(frozen=True)
class LLMRequest:
    task: str
    system: str
    prompt: str
    tier: Tier = "fast"
    # Per call, like the tier: riding on the request keeps `LLM.generate` one signature for
    # every provider and lets a corrective retry (`dataclasses.replace`) keep streaming.
    stream: TextStream | None = None
    # What the prompt was rendered from, for the scripted stand-in; real providers ignore it.
    about: ReplyContext | ReflectContext | ThinkContext | SeedContext | None = None


@dataclass(frozen=True)
class LLMInfo:
    mode: str
    provider: str
    base_url: str | None
    fast_model: str
    quality_model: str
    configured: bool


class LLMError(Exception):
    """The model could not be reached or gave no usable answer."""


class LLM(Protocol):
    @property
    def info(self) -> LLMInfo: ...

    async def generate(self, request: LLMRequest, schema: type[M]) -> tuple[M, LLMCall]: ...

    async def prepare(self, request: LLMRequest, schema: type[M]) -> None:
        """Read `request` ahead of a coming call of the same task and schema whose prompt
        starts with `request.prompt`, so that call reads only what follows it. Best effort,
        never urgent (a reply stops it), and a no-op for a provider that keeps no context."""
        ...

    async def close(self) -> None:
        """Let go of connections or a loaded model, if any."""
        ...
