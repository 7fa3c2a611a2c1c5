"""The service's OpenAPI document as a test reads it: built in process, by operation."""

from __future__ import annotations

from typing import Any

from synthetic_soul.api.app import create_app
from synthetic_soul.settings import Settings


def openapi_document() -> dict[str, Any]:
    settings = Settings(_env_file=None, app_env="test")
    return create_app(settings).openapi()


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each operation, named `METHOD /path`."""
    return {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
