"""Clients for the deployment's Redis, built one way for every adapter that uses it."""

from __future__ import annotations

from typing import Any

import redis
import redis.asyncio as aioredis

from synthetic_soul.settings import Settings


def _options(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {"health_check_interval": 30}
    if settings.redis_target.startswith("rediss://"):
        if settings.redis_ca_cert is not None:
            options["ssl_ca_certs"] = str(settings.redis_ca_cert)
        if settings.redis_tls_insecure_skip_verify:  # refused outside development
            options["ssl_cert_reqs"] = "none"
            options["ssl_check_hostname"] = False
    return options


def async_redis(settings: Settings) -> aioredis.Redis:
    return aioredis.Redis.from_url(settings.redis_target, **_options(settings))


def sync_redis(settings: Settings) -> redis.Redis:
    """For RQ, which speaks to Redis synchronously."""
    return redis.Redis.from_url(settings.redis_target, **_options(settings))
