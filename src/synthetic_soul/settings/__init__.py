"""Settings: every variable read once (`env.Settings`), handed out in sections."""

from synthetic_soul.settings.env import InsecureSettingsError, Settings
from synthetic_soul.settings.sections import (
    EdgeConfig,
    EmbeddedConfig,
    EmbeddingConfig,
    Endpoint,
    RedisConfig,
    RerankingConfig,
)

__all__ = [
    "EdgeConfig",
    "EmbeddedConfig",
    "EmbeddingConfig",
    "Endpoint",
    "InsecureSettingsError",
    "RedisConfig",
    "RerankingConfig",
    "Settings",
]
