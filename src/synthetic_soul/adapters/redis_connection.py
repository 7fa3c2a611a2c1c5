"""Clients for the deployment's Redis, built one way for every adapter that uses it."""

from __future__ import annotations

from typing import Any

import redis
import redis.asyncio as aioredis

from synthetic_soul.settings import RedisConfig


def _options(config: RedisConfig) -> dict[str, Any]:
    options: dict[str, Any] = {"health_check_interval": 30}
    if config.url.startswith("rediss://"):
        if config.ca_cert is not None:
            options["ssl_ca_certs"] = str(config.ca_cert)
        if config.insecure_skip_verify:  # refused outside development
            options["ssl_cert_reqs"] = "none"
            options["ssl_check_hostname"] = False
    return options


def async_redis(config: RedisConfig) -> aioredis.Redis:
    return aioredis.Redis.from_url(config.url, **_options(config))


def sync_redis(config: RedisConfig) -> redis.Redis:
    """For RQ, which speaks to Redis synchronously."""
    return redis.Redis.from_url(config.url, **_options(config))
