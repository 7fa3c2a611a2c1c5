"""The OpenAPI document shows the shape of every success, so a client can be generated from it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.openapi import openapi_document, operations

JSON = "application/json"
# The operations whose success is not a JSON body, with the media types they send instead.
NOT_JSON: dict[str, set[str]] = {
    # Server-sent events: a stream of frames, not one body (api.md describes each event).
    "GET /v1/jobs/{job_id}/events": {"text/event-stream"},
    # OpenAI's chat completion: one JSON body, or its chunks as server-sent events.
    "POST /v1/chat/completions": {"application/json", "text/event-stream"},
    # The image file itself, in whichever of the set's formats it was found.
    "GET /static/expressions/{agent}/{filename}": {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
    },
    # A Character Card: another format's document (V3), not one of our replies.
    "GET /v1/agents/{name}/card.json": {"application/json"},
    "GET /v1/agents/{name}/card.png": {"image/png"},
    "GET /v1/agents/{name}/card.charx": {"application/zip"},
}
# What only annotates a schema: a schema of nothing else accepts any value at all.
_ANNOTATIONS = {"title", "description", "default", "examples"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document()


def successes(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {status: r for status, r in operation["responses"].items() if status.startswith("2")}


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in schema:
        return schema
    found: dict[str, Any] = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return found


def untyped(document: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    """Where, inside `schema`, a value may be anything (an empty schema)."""
    schema = resolve(document, schema)
    if not set(schema) - _ANNOTATIONS:
        return [where]
    found: list[str] = []
    for name, inner in schema.get("properties", {}).items():
        found += untyped(document, inner, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found += untyped(document, schema[key], f"{where}[{key}]")
    for key in ("anyOf", "oneOf", "allOf"):
        for inner in schema.get(key, []):
            found += untyped(document, inner, where)
    return found


def test_every_json_success_is_an_object_of_named_typed_fields(document: dict[str, Any]) -> None:
    for name, operation in operations(document).items():
        if name in NOT_JSON:
            continue
        [(status, response)] = successes(operation).items()
        assert set(response.get("content", {})) == {JSON}, f"{name} {status}"
        schema = response["content"][JSON]["schema"]
        shape = resolve(document, schema)
        assert shape.get("type") == "object", f"{name} {status}: {shape}"
        assert shape.get("properties"), f"{name} {status} names no fields: {shape}"
        assert untyped(document, schema, "body") == [], f"{name} {status}"


@pytest.mark.parametrize("name", sorted(NOT_JSON))
def test_the_other_successes_name_what_they_send(document: dict[str, Any], name: str) -> None:
    [response] = successes(operations(document)[name]).values()
    assert set(response.get("content", {})) == NOT_JSON[name]


def test_a_field_absent_when_unknown_is_not_required(document: dict[str, Any]) -> None:
    # A rich-mode agent has no Myers-Briggs type, and its body has no such key (not a null).
    schemas = document["components"]["schemas"]
    personality = resolve(document, schemas["AgentView"]["properties"]["personality"])
    assert "myers-briggs" in personality["properties"]
    assert "myers-briggs" not in personality["required"]
    assert {"personality_matrix", "description"} <= set(personality["required"])
