"""Where an OpenAI-compatible model lives: the endpoint each `LLM_MODE` names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from synthetic_soul.settings import Settings

Mode = Literal["hosted", "local", "compatible"]
OPENAI_BASE_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class Endpoint:
    """Where a mode's model lives and which models answer each tier."""

    mode: Mode
    provider: str
    base_url: str | None
    api_key: str | None
    fast_model: str
    quality_model: str

    @property
    def configured(self) -> bool:
        if self.mode == "hosted":
            return bool(self.api_key)
        return bool(self.base_url)

    @property
    def missing(self) -> str | None:
        """What the operator has not set, if the mode cannot run without it."""
        if self.configured:
            return None
        return "OPENAI_API_KEY is not set" if self.mode == "hosted" else "no base URL is set"


def endpoint_for(settings: Settings) -> Endpoint:
    """The endpoint an `LLM_MODE` of hosted, local or compatible names."""
    mode = settings.llm_mode
    if mode == "hosted":
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        return Endpoint(
            "hosted",
            "openai",
            settings.openai_base_url or OPENAI_BASE_URL,
            key or None,
            settings.gpt_fast_model,
            settings.gpt_quality_model,
        )
    if mode == "local":
        return Endpoint(
            "local",
            "ollama",
            settings.ollama_base_url,
            settings.ollama_api_key.get_secret_value() or None,
            settings.ollama_fast_model,
            settings.ollama_quality_model,
        )
    if mode == "compatible":
        key = settings.compatible_api_key.get_secret_value() if settings.compatible_api_key else ""
        return Endpoint(
            "compatible",
            "compatible",
            settings.compatible_base_url or None,
            key or None,
            settings.compatible_fast_model,
            settings.compatible_quality_model or settings.compatible_fast_model,
        )
    raise ValueError(f"LLM_MODE={mode!r} is not served by an OpenAI-compatible endpoint")
