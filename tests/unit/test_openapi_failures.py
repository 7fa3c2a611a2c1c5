"""The OpenAPI document lists each operation's failures, all in the error envelope's shape."""

from __future__ import annotations

from typing import Any

import pytest

from synthetic_soul.api.openapi import FAILURES
from tests.support.openapi import openapi_document, operations

ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"
OPENAI_ERROR_REF = "#/components/schemas/OpenAIError"
# The OpenAI-compatible routes answer OpenAI's error object instead (docs/api.md).
OPENAI_SHAPED = {"GET /v1/models", "GET /v1/models/{model}", "POST /v1/chat/completions"}

# What the contract and the use cases say, written out here rather than read from the table.
SIGNED_IN = (
    "POST /v1/auth/claim",
    "GET /v1/auth/me",
    "DELETE /v1/auth/me",
    "POST /v1/messages/submit",
    "GET /v1/messages/conversation",
    "GET /v1/jobs/{job_id}",
    "GET /v1/jobs/{job_id}/events",
    "GET /v1/agents/active",
    "GET /v1/agents/active/history",
    "GET /v1/agents/active/relationship",
    "GET /v1/agents/all",
    "GET /v1/thoughts/latest",
    "GET /v1/memories",
    "DELETE /v1/memories/{memory_id}",
)
RATE_LIMITED = (
    "POST /v1/auth/login",
    "POST /v1/auth/claim",
    "POST /v1/messages/submit",
    "GET /v1/jobs/{job_id}",
    "GET /v1/jobs/{job_id}/events",
)
EXPECTED: dict[int, tuple[str, ...]] = {
    401: (*SIGNED_IN, "POST /v1/auth/login", "POST /v1/auth/refresh"),
    404: (
        "GET /v1/jobs/{job_id}",
        "GET /v1/jobs/{job_id}/events",
        "GET /v1/thoughts/latest",
        "DELETE /v1/memories/{memory_id}",
        "GET /static/expressions/{agent}/{filename}",
    ),
    409: ("POST /v1/auth/claim",),
    422: (
        "POST /v1/auth/login",
        "POST /v1/auth/claim",
        "POST /v1/messages/submit",
        "GET /v1/agents/active/history",
    ),
    429: RATE_LIMITED,
    503: ("GET /v1/meta/queue", "POST /v1/messages/submit"),
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document()


def test_every_operation_says_how_it_fails(document: dict[str, Any]) -> None:
    assert set(operations(document)) - OPENAI_SHAPED == set(FAILURES)


@pytest.mark.parametrize("status", sorted(EXPECTED))
def test_each_failure_is_listed_where_it_can_happen(document: dict[str, Any], status: int) -> None:
    ops = operations(document)
    for name in EXPECTED[status]:
        assert str(status) in ops[name]["responses"], f"{name} does not list {status}"


def test_every_operation_lists_the_body_limit_and_the_crash_guard(document: dict[str, Any]) -> None:
    for name, operation in operations(document).items():
        assert {"413", "500"} <= set(operation["responses"]), name


def test_every_failure_is_the_error_envelope(document: dict[str, Any]) -> None:
    for name, operation in operations(document).items():
        for status, response in operation["responses"].items():
            if int(status) < 400 or (name in OPENAI_SHAPED and status != "413"):
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": ENVELOPE_REF}, f"{name} {status}"
            assert "Codes: `" in response["description"], f"{name} {status}"
    # FastAPI's own 422 shape ({"detail": [...]}) is never sent, so it is never documented.
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_envelope_schema_requires_code_message_and_request_id(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    envelope = schemas["ErrorEnvelope"]
    assert envelope["required"] == ["error"]
    body = schemas[envelope["properties"]["error"]["$ref"].rsplit("/", 1)[1]]
    assert set(body["required"]) == {"code", "message", "request_id"}
    assert "details" in body["properties"]


def test_429_documents_retry_after(document: dict[str, Any]) -> None:
    ops = operations(document)
    for name in RATE_LIMITED:
        assert "Retry-After" in ops[name]["responses"]["429"]["headers"], name


def test_the_claim_conflicts_name_their_codes(document: dict[str, Any]) -> None:
    described = operations(document)["POST /v1/auth/claim"]["responses"]["409"]["description"]
    assert "`email_in_use`" in described
    assert "`already_claimed`" in described


def test_the_openai_routes_document_openais_error_object(document: dict[str, Any]) -> None:
    ops = operations(document)
    for name in OPENAI_SHAPED:
        responses = ops[name]["responses"]
        assert {"400", "401", "404", "429", "500"} <= set(responses), name
        for status, response in responses.items():
            if int(status) < 400 or status == "413":  # the body limit refuses before the route
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": OPENAI_ERROR_REF}, f"{name} {status}"
