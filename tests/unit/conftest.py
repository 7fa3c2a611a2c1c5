"""Unit tests run async code on asyncio through anyio's pytest plugin; shared fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from synthetic_soul.adapters.llm.openai_compat import OpenAICompatLLM
from synthetic_soul.settings import Endpoint
from tests.support.openai_stub import OpenAIStub


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


KEY = "sk-test-secret-0123456789"
Build = Callable[..., OpenAICompatLLM]


def endpoint(stub: OpenAIStub, mode: str = "hosted", key: str | None = KEY) -> Endpoint:
    provider = {"hosted": "openai", "local": "ollama", "compatible": "compatible"}[mode]
    return Endpoint(mode, provider, stub.url, key, "fast-model", "quality-model")  # type: ignore[arg-type]


@pytest.fixture
async def build() -> AsyncIterator[Build]:
    """Models made in a test, closed at its end (their connections belong to its loop)."""
    made: list[OpenAICompatLLM] = []

    def _build(
        stub: OpenAIStub, mode: str = "hosted", timeout_s: float = 5.0, max_retries: int = 2
    ) -> OpenAICompatLLM:
        model = OpenAICompatLLM(endpoint(stub, mode), timeout_s, max_retries, backoff_s=0.01)
        made.append(model)
        return model

    yield _build
    for model in made:
        await model.close()
