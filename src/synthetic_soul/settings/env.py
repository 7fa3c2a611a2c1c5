"""The one Settings object, read from env vars and `.env` at start-up, cut into sections."""

from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from synthetic_soul.settings.sections import (
    OPENAI_BASE_URL,
    EdgeConfig,
    EmbeddedConfig,
    EmbeddingConfig,
    Endpoint,
    RedisConfig,
    RerankingConfig,
)

DEV_ENVS = frozenset({"dev", "development", "local", "test"})
DEFAULT_JWT_SECRET = "dev-only-jwt-secret-change-me-in-production"
DEFAULT_PEPPER = "dev-only-pepper-change-me"
MIN_JWT_SECRET_CHARS = 32
MIN_PEPPER_CHARS = 16
# Estimated bits (see `estimated_bits`) a secret needs besides its length: 2 per required
# character. Random secrets of the shortest allowed length clear this with room to spare
# (32 hex digits estimate ~96 bits at the lowest, 16 ~33); one character repeated estimates 0
# and two alternating 1 per character.
MIN_JWT_SECRET_BITS = 2 * MIN_JWT_SECRET_CHARS
MIN_PEPPER_BITS = 2 * MIN_PEPPER_CHARS
LOCAL_EMBEDDING_MODEL = "bge-small-en"
LOCAL_RERANKING_MODEL = "ms-marco-minilm-l12"
# The embedding model each provider is asked for when EMBEDDING_MODEL is unset.
PROVIDER_EMBEDDING_MODELS = {
    "hosted": "text-embedding-3-small",
    "local": "nomic-embed-text",
    "compatible": "default",
}


class InsecureSettingsError(RuntimeError):
    """Raised at start-up when production would run with weak secrets."""


def estimated_bits(secret: str) -> float:
    """The secret's length times the Shannon entropy of its own character frequencies.

    An upper estimate for what a guesser faces (a dictionary word scores well), but it reads
    a repetitive secret such as 'a' * 32 or 'ab' * 16 for the little it is.
    """
    counts = Counter(secret).values()
    n = len(secret)
    return sum(c * math.log2(n / c) for c in counts)


def _weak_secret(name: str, value: str, default: str, min_chars: int, min_bits: int) -> str | None:
    """What is wrong with one secret, in a few words; None if nothing."""
    if value == default:
        return f"{name} is the development default"
    if len(value) < min_chars:
        return f"{name} is shorter than {min_chars} characters"
    bits = estimated_bits(value)
    if bits < min_bits:
        return (
            f"{name} has too little entropy (an estimated {bits:.0f} bits, under {min_bits} bits:"
            " too few distinct characters or too repetitive; use a random secret)"
        )
    return None


def _secret(value: SecretStr | None) -> str | None:
    """The secret's text; None when unset or empty."""
    return (value.get_secret_value() if value is not None else "") or None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    app_env: str = Field("development", alias="APP_ENV")
    bot_name: str = Field("jasmine", alias="BOT_NAME")
    mode: Literal["lite", "rich"] = Field("lite", alias="MODE")
    jwt_secret: str = Field(DEFAULT_JWT_SECRET, alias="JWT_SECRET_ENV")
    argon2_pepper: str = Field(DEFAULT_PEPPER, alias="ARGON2_PEPPER_ENV")
    access_ttl_min: int = Field(15, alias="ACCESS_TTL_MIN", ge=1)
    refresh_ttl_days: int = Field(90, alias="REFRESH_TTL_DAYS", ge=1)
    web_ui_domain: str = Field("", alias="WEB_UI_DOMAIN")
    developer_email: str = Field("", alias="DEVELOPER_EMAIL")
    debug_mode: bool = Field(False, alias="DEBUG_MODE")
    thinking_rate_seconds: int = Field(900, alias="THINKING_RATE_SECONDS", ge=1)
    emotional_decay_rate_seconds: int = Field(240, alias="EMOTIONAL_DECAY_RATE_SECONDS", ge=1)
    thinking_enabled: bool = Field(True, alias="THINKING_ENABLED")
    soul_seed: int | None = Field(None, alias="SOUL_SEED")
    # Unset, it follows what is configured: OPENAI_API_KEY -> hosted, COMPATIBLE_BASE_URL ->
    # compatible, OLLAMA_BASE_URL -> local, nothing -> embedded (see `_infer_llm_mode`).
    llm_mode: Literal["embedded", "scripted", "hosted", "local", "compatible"] = Field(
        "embedded", alias="LLM_MODE"
    )
    soul_model: str = Field("qwen2.5-coder-1.5b", alias="SOUL_MODEL")
    soul_model_dir: Path | None = Field(None, alias="SOUL_MODEL_DIR")
    embedded_context: int = Field(8192, alias="EMBEDDED_CONTEXT", ge=512)
    embedded_threads: int | None = Field(None, alias="EMBEDDED_THREADS", ge=1)
    # Off only to measure what reusing the evaluated prompt prefix saves (bench/embedded.py).
    embedded_prefix_reuse: bool = Field(True, alias="EMBEDDED_PREFIX_REUSE")
    # Unset: 60 s for a model server, 300 s for the embedded model (a CPU writes ~8 tokens/s).
    llm_timeout_seconds: float | None = Field(None, alias="LLM_TIMEOUT_SECONDS", gt=0)
    llm_max_retries: int = Field(2, alias="LLM_MAX_RETRIES", ge=0, le=10)
    # Recall by meaning: the local model (offline), the LLM_MODE provider's endpoint, or off
    # (recall by words alone).
    embedder: Literal["local", "provider", "off"] = Field("local", alias="EMBEDDER")
    embedding_model: str | None = Field(None, alias="EMBEDDING_MODEL")
    embedding_batch_size: int = Field(32, alias="EMBEDDING_BATCH_SIZE", ge=1, le=2048)
    # Recall's best few read again by the local cross-encoder (offline), or not (off).
    reranker: Literal["local", "off"] = Field("local", alias="RERANKER")
    openai_api_key: SecretStr | None = Field(None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, alias="OPENAI_BASE_URL")
    gpt_fast_model: str = Field("gpt-4o-mini", alias="GPT_FAST_MODEL")
    gpt_quality_model: str = Field("gpt-4o", alias="GPT_QUALITY_MODEL")
    ollama_base_url: str = Field("http://127.0.0.1:11434/v1", alias="OLLAMA_BASE_URL")
    ollama_api_key: SecretStr = Field(SecretStr("ollama"), alias="OLLAMA_API_KEY")
    ollama_fast_model: str = Field("llama3.2:3b", alias="OLLAMA_FAST_MODEL")
    ollama_quality_model: str = Field("llama3.1:8b", alias="OLLAMA_QUALITY_MODEL")
    compatible_base_url: str | None = Field(None, alias="COMPATIBLE_BASE_URL")
    compatible_api_key: SecretStr | None = Field(None, alias="COMPATIBLE_API_KEY")
    compatible_fast_model: str = Field("default", alias="COMPATIBLE_FAST_MODEL")
    compatible_quality_model: str | None = Field(None, alias="COMPATIBLE_QUALITY_MODEL")
    scripted_delay_ms: int = Field(0, alias="SCRIPTED_DELAY_MS", ge=0)
    scripted_prompt_log: Path | None = Field(None, alias="SCRIPTED_PROMPT_LOG")
    data_dir: Path = Field(Path("./data"), alias="DATA_DIR")
    redis_url: str | None = Field(None, alias="REDIS_URL")
    redis_tls_url: str | None = Field(None, alias="REDIS_TLS_URL")  # wins over REDIS_URL
    redis_ca_cert: Path | None = Field(None, alias="REDIS_CA_CERT")
    redis_tls_insecure_skip_verify: bool = Field(False, alias="REDIS_TLS_INSECURE_SKIP_VERIFY")
    store_backend: Literal["sqlite", "mongo"] = Field("sqlite", alias="STORE_BACKEND")
    # MongoDB (STORE_BACKEND=mongo): MONGO_MODE picks MONGO_CONNECTION_LOCAL or
    # MONGO_CONNECTION_HOSTED; the legacy MONGO_CONNECTION, when set, wins over both (older
    # deployments set only that one). See `mongo_uri`.
    mongo_mode: Literal["local", "hosted"] = Field("local", alias="MONGO_MODE")
    mongo_connection_local: str = Field("mongodb://127.0.0.1:27017", alias="MONGO_CONNECTION_LOCAL")
    mongo_connection_hosted: SecretStr | None = Field(None, alias="MONGO_CONNECTION_HOSTED")
    mongo_connection: SecretStr | None = Field(None, alias="MONGO_CONNECTION")
    database_name: str = Field("synthetic_soul", alias="DATABASE_NAME", min_length=1)
    queue_backend: Literal["inline", "rq"] = Field("inline", alias="QUEUE_BACKEND")
    # `soul worker` runs jobs in its own process, connected once; true forks one per job.
    rq_use_fork_worker: bool = Field(False, alias="RQ_USE_FORK_WORKER")
    inline_workers: int = Field(2, alias="INLINE_WORKERS", ge=1, le=64)
    job_max_attempts: int = Field(3, alias="JOB_MAX_ATTEMPTS", ge=1)
    job_timeout_s: int = Field(600, alias="JOB_TIMEOUT_S", ge=1)
    # A running job beats every third of this; one silent this long lost its worker (rq).
    job_stale_after_s: float = Field(30.0, alias="JOB_STALE_AFTER_S", ge=1)
    sse_keepalive_s: float = Field(15.0, alias="SSE_KEEPALIVE_SECONDS", gt=0, le=15)
    expressions_dir: Path | None = Field(None, alias="EXPRESSIONS_DIR")
    # Fairness: a guest costs nothing to make and each may queue replies, so both are capped
    # per client address (and the replies per user) to keep one client from taking the model.
    guest_signups_per_hour: int = Field(20, alias="GUEST_SIGNUPS_PER_HOUR", ge=1)
    max_pending_replies_per_user: int = Field(10, alias="MAX_PENDING_REPLIES_PER_USER", ge=1)
    max_pending_replies_per_address: int = Field(20, alias="MAX_PENDING_REPLIES_PER_ADDRESS", ge=1)
    cookie_secure: bool = Field(True, alias="COOKIE_SECURE")
    trust_proxy_headers: bool = Field(False, alias="TRUST_PROXY_HEADERS")
    # A request's line and headers together: larger is refused with 431 (a browser's, cookies
    # and a bearer token included, is a few KiB).
    max_header_bytes: int = Field(32 * 1024, alias="MAX_HEADER_BYTES", ge=1024)
    # From a connection's opening, or a request's first byte, to the end of its headers.
    header_timeout_seconds: float = Field(10.0, alias="HEADER_TIMEOUT_SECONDS", gt=0)
    host: str = Field("127.0.0.1", alias="HOST")
    port: int = Field(8000, alias="PORT")
    log_level: str = Field("info", alias="LOG_LEVEL")

    @field_validator("bot_name")
    @classmethod
    def _lower_name(cls, value: str) -> str:
        return value.strip().lower() or "jasmine"

    @model_validator(mode="after")
    def _infer_llm_mode(self) -> Settings:
        if "llm_mode" in self.model_fields_set:
            return self
        if self.openai_api_key is not None and self.openai_api_key.get_secret_value():
            self.llm_mode = "hosted"
        elif self.compatible_base_url:
            self.llm_mode = "compatible"
        elif "ollama_base_url" in self.model_fields_set:
            self.llm_mode = "local"
        return self

    @property
    def redis_target(self) -> str:
        """The Redis to use: REDIS_TLS_URL, else REDIS_URL, else the local default."""
        return self.redis_tls_url or self.redis_url or "redis://127.0.0.1:6379/0"

    @property
    def endpoint(self) -> Endpoint:
        """The endpoint an `LLM_MODE` of hosted, local or compatible names."""
        if self.llm_mode == "hosted":
            return Endpoint(
                "hosted",
                "openai",
                self.openai_base_url or OPENAI_BASE_URL,
                _secret(self.openai_api_key),
                self.gpt_fast_model,
                self.gpt_quality_model,
            )
        if self.llm_mode == "local":
            return Endpoint(
                "local",
                "ollama",
                self.ollama_base_url,
                _secret(self.ollama_api_key),
                self.ollama_fast_model,
                self.ollama_quality_model,
            )
        if self.llm_mode == "compatible":
            return Endpoint(
                "compatible",
                "compatible",
                self.compatible_base_url or None,
                _secret(self.compatible_api_key),
                self.compatible_fast_model,
                self.compatible_quality_model or self.compatible_fast_model,
            )
        raise ValueError(
            f"LLM_MODE={self.llm_mode!r} is not served by an OpenAI-compatible endpoint"
        )

    @property
    def embedded(self) -> EmbeddedConfig:
        return EmbeddedConfig(
            self.soul_model,
            self.model_directory,
            self.embedded_context,
            self.embedded_threads,
            self.soul_seed,
            self.llm_timeout,
            self.embedded_prefix_reuse,
        )

    @property
    def reranking(self) -> RerankingConfig:
        return RerankingConfig(self.reranker, LOCAL_RERANKING_MODEL, self.model_directory)

    @property
    def embedding(self) -> EmbeddingConfig:
        """The embedder's section; a `provider` embedder also takes `endpoint`."""
        if self.embedder != "provider":
            default = LOCAL_EMBEDDING_MODEL
        else:
            default = PROVIDER_EMBEDDING_MODELS.get(self.llm_mode, "text-embedding-3-small")
        return EmbeddingConfig(
            embedder=self.embedder,
            model=self.embedding_model or default,
            directory=self.model_directory,
            batch_size=self.embedding_batch_size,
            timeout_s=self.llm_timeout_seconds or 60.0,
            max_retries=self.llm_max_retries,
        )

    @property
    def redis(self) -> RedisConfig:
        return RedisConfig(
            self.redis_target, self.redis_ca_cert, self.redis_tls_insecure_skip_verify
        )

    @property
    def edge(self) -> EdgeConfig:
        return EdgeConfig(
            cookie_secure=self.cookie_secure,
            refresh_max_age_s=self.refresh_ttl_days * 86400,
            trust_proxy_headers=self.trust_proxy_headers,
            expressions_dir=self.expressions_dir,
        )

    @property
    def mongo_uri(self) -> str:
        """The MongoDB to use: MONGO_CONNECTION if set, else the one MONGO_MODE names."""
        if self.mongo_connection is not None and self.mongo_connection.get_secret_value():
            return self.mongo_connection.get_secret_value()
        if self.mongo_mode == "hosted":
            if self.mongo_connection_hosted is None:
                raise ValueError("MONGO_MODE=hosted needs MONGO_CONNECTION_HOSTED")
            return self.mongo_connection_hosted.get_secret_value()
        return self.mongo_connection_local

    @property
    def llm_timeout(self) -> float:
        if self.llm_timeout_seconds is not None:
            return self.llm_timeout_seconds
        return 300.0 if self.llm_mode == "embedded" else 60.0

    @property
    def model_directory(self) -> Path:
        """Where pulled models live: SOUL_MODEL_DIR, else the user's cache directory."""
        if self.soul_model_dir is not None:
            return self.soul_model_dir
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(cache) / "synthetic-soul" / "models"

    @property
    def is_development(self) -> bool:
        return self.app_env.strip().lower() in DEV_ENVS

    @property
    def database_path(self) -> Path:
        return self.data_dir / "soul.sqlite3"

    @property
    def cors_origins(self) -> list[str]:
        origins = ["http://localhost:5173"]
        domain = self.web_ui_domain.strip().rstrip("/")
        if domain:
            origins.append(domain if "://" in domain else f"https://{domain}")
        return origins

    def check_secrets(self) -> None:
        """Refuse weak secrets outside development, naming each problem."""
        if self.is_development:
            return
        weak = (
            _weak_secret(
                "JWT_SECRET_ENV",
                self.jwt_secret,
                DEFAULT_JWT_SECRET,
                MIN_JWT_SECRET_CHARS,
                MIN_JWT_SECRET_BITS,
            ),
            _weak_secret(
                "ARGON2_PEPPER_ENV",
                self.argon2_pepper,
                DEFAULT_PEPPER,
                MIN_PEPPER_CHARS,
                MIN_PEPPER_BITS,
            ),
        )
        problems = [problem for problem in weak if problem]
        if not self.cookie_secure:
            # Refresh cookies over plain HTTP would hand a session to anyone on the path.
            problems.append("COOKIE_SECURE=false is allowed only in development")
        if self.redis_tls_insecure_skip_verify:
            problems.append("REDIS_TLS_INSECURE_SKIP_VERIFY is allowed only in development")
        if problems:
            raise InsecureSettingsError(
                f"refusing to start with APP_ENV={self.app_env!r}: " + "; ".join(problems)
            )
