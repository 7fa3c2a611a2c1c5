"""The settings each part of the service is given: a section each, never the whole.

`Settings` (env.py) reads every variable once; its properties cut it into these, and the
composition root hands each adapter only its own (the Redis clients a `RedisConfig`, the
embedded model an `EmbeddedConfig`, an OpenAI-compatible provider an `Endpoint`, the
embedders an `EmbeddingConfig`, the reranker a `RerankingConfig`, the HTTP edge an `EdgeConfig`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

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


@dataclass(frozen=True)
class EmbeddedConfig:
    model: str  # a catalogue name or a GGUF path
    directory: Path
    context: int = 8192
    threads: int | None = None
    seed: int | None = None
    timeout_s: float = 60.0
    prefix_reuse: bool = True


@dataclass(frozen=True)
class EmbeddingConfig:
    """Which embedder turns text into vectors: the local model (`local`, offline), the
    configured provider's embeddings endpoint (`provider`, with the LLM's `Endpoint`), or none
    (`off`: recall by words alone)."""

    embedder: Literal["local", "provider", "off"]
    model: str  # local: a catalogued embedding model; provider: the provider's model name
    directory: Path  # where pulled models live (local)
    batch_size: int  # texts in one forward pass (local) or one request (provider)
    timeout_s: float = 60.0  # one request to the provider
    max_retries: int = 2  # more requests to the provider after a transport failure


@dataclass(frozen=True)
class RerankingConfig:
    """Whether recall's best few are read again by the local cross-encoder (`local`, offline)
    or kept in the order the searches gave (`off`)."""

    reranker: Literal["local", "off"]
    model: str  # a catalogued reranking model
    directory: Path  # where pulled models live


@dataclass(frozen=True)
class RedisConfig:
    """The deployment's Redis, and how to trust its TLS certificate (`rediss://`)."""

    url: str
    ca_cert: Path | None = None
    insecure_skip_verify: bool = False  # refused outside development


@dataclass(frozen=True)
class EdgeConfig:
    """What the HTTP edge needs of the deployment: cookies, proxy headers, images."""

    cookie_secure: bool
    refresh_max_age_s: int  # how long the refresh cookies live
    trust_proxy_headers: bool  # take the client's address from X-Forwarded-For
    expressions_dir: Path | None  # None: the images packaged with the service
