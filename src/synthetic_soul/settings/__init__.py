"""Settings: every variable read once (`env.Settings`), handed out in sections."""

from synthetic_soul.settings.env import InsecureSettingsError, Settings
from synthetic_soul.settings.sections import EdgeConfig, EmbeddedConfig, Endpoint, RedisConfig

__all__ = [
    "EdgeConfig",
    "EmbeddedConfig",
    "Endpoint",
    "InsecureSettingsError",
    "RedisConfig",
    "Settings",
]
