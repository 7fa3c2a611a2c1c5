"""The failures each operation can answer, listed once, and written into the OpenAPI document.

FastAPI documents only a route's success and its own 422 shape, which is not the one the
service sends. Clients generated from the document need the real failures: every one of them
is the error envelope, and which statuses (and codes) an operation can answer is a fact of the
use cases behind it, so it is stated here, in one table, rather than on each route.
No operation answers 403: a caller who may not see something (another user's job or memory)
is told it does not exist (404), so that nobody learns what others have.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    type: str | None = Field(None, description="pydantic's error type, e.g. `string_too_long`")
    loc: list[str | int] = Field(description="where in the request, e.g. `['body', 'email']`")
    msg: str | None = Field(None, description="what is wrong, in words")


class ErrorBody(BaseModel):
    code: str = Field(description="a stable machine code, e.g. `missing_token`")
    message: str = Field(description="a human sentence; never internals")
    request_id: str = Field(description="the request's `X-Request-ID`, for the logs")
    details: list[ErrorDetail] | None = Field(
        None, description="422 `validation_error` only: what failed validation"
    )


class ErrorEnvelope(BaseModel):
    """Every failure of the API, whatever its status."""

    error: ErrorBody


_SENTENCE: dict[int, str] = {
    400: "The request cannot be done as asked (the code says why).",
    401: "Not signed in, or the token, session or refresh cookies are not valid.",
    403: "Signed in, but not allowed this.",
    404: "No such thing for this caller (another user's counts as absent).",
    409: "Conflicts with what exists.",
    413: "The request body is over 64 KiB (a card upload: over its limits).",
    422: "The request is not valid (`details` says where and why).",
    429: "Too many requests; `Retry-After` says how many seconds to wait.",
    500: "Something failed on the service's side; the message gives nothing away.",
    503: "A backing service (store, Redis) cannot be reached right now; try again.",
}

BEARER = ("missing_token", "invalid_token", "session_revoked", "session_expired")
STORE = ("store_unavailable", "service_unavailable")
INVALID = ("validation_error",)
LIMITED = ("rate_limited",)

# Any operation may answer these: the body limit and the crash guard wrap every route.
EVERY_OPERATION: dict[int, tuple[str, ...]] = {
    413: ("payload_too_large",),
    500: ("internal_error",),
}

# "METHOD path" -> status -> the codes it answers with. Every documented route is listed
# (a test checks it), so a new route has to say how it fails. 422 is added wherever the
# operation takes any input (see `failures_of`).
FAILURES: dict[str, dict[int, tuple[str, ...]]] = {
    "GET /v1/": {},
    "GET /v1/meta/ping": {},
    "GET /v1/meta/version": {},
    "GET /v1/meta/queue": {503: ("queue_unavailable",)},
    "GET /v1/meta/llm": {},
    "POST /v1/auth/guest": {429: LIMITED, 503: STORE},
    "POST /v1/auth/login": {
        401: ("invalid_credentials",),
        429: LIMITED,
        503: STORE,
    },
    "POST /v1/auth/claim": {
        401: BEARER,
        409: ("email_in_use", "already_claimed"),
        429: LIMITED,
        503: STORE,
    },
    "POST /v1/auth/refresh": {
        401: ("no_refresh", "csrf_mismatch", "bad_refresh", "expired", "revoked"),
        503: STORE,
    },
    "POST /v1/auth/logout": {503: STORE},
    "GET /v1/auth/me": {401: BEARER, 503: STORE},
    "DELETE /v1/auth/me": {401: BEARER, 503: STORE},
    "POST /v1/auth/keys": {
        401: BEARER,
        409: ("account_required", "too_many_keys"),
        503: STORE,
    },
    "GET /v1/auth/keys": {401: BEARER, 503: STORE},
    "DELETE /v1/auth/keys/{key_id}": {401: BEARER, 404: ("key_not_found",), 503: STORE},
    "POST /v1/messages/submit": {
        401: BEARER,
        404: ("agent_not_found",),
        429: ("rate_limited", "too_many_pending"),
        503: ("queue_unavailable", *STORE),
    },
    "GET /v1/messages/conversation": {401: BEARER, 404: ("agent_not_found",), 503: STORE},
    "GET /v1/jobs/{job_id}": {401: BEARER, 404: ("not_found",), 429: LIMITED, 503: STORE},
    "GET /v1/jobs/{job_id}/events": {
        401: BEARER,
        404: ("not_found",),
        429: LIMITED,
        503: STORE,
    },
    "GET /v1/agents/active": {401: BEARER, 404: ("agent_not_found",), 503: STORE},
    "GET /v1/agents/active/history": {
        401: BEARER,
        404: ("agent_not_found",),
        503: STORE,
    },
    "GET /v1/agents/active/relationship": {401: BEARER, 404: ("agent_not_found",), 503: STORE},
    "GET /v1/agents/all": {401: BEARER, 503: STORE},
    "GET /v1/agents": {401: BEARER, 503: STORE},
    "POST /v1/agents": {
        400: ("invalid_agent_name", "invalid_mode", "invalid_visibility", "invalid_agent"),
        401: BEARER,
        403: ("account_required",),
        409: ("agent_exists",),
        503: STORE,
    },
    "POST /v1/agents/import": {
        400: ("card_invalid", "invalid_agent_name"),
        401: BEARER,
        403: ("account_required",),
        409: ("agent_exists",),
        413: ("card_too_large", "payload_too_large"),
        503: STORE,
    },
    "PATCH /v1/agents/{name}": {
        400: ("invalid_visibility",),
        401: BEARER,
        403: ("not_owner", "default_agent"),
        404: ("agent_not_found",),
        503: STORE,
    },
    "DELETE /v1/agents/{name}": {
        401: BEARER,
        403: ("not_owner", "default_agent"),
        404: ("agent_not_found",),
        503: STORE,
    },
    "GET /v1/agents/{name}": {401: BEARER, 404: ("agent_not_found",), 503: STORE},
    "GET /v1/agents/{name}/card.json": {401: BEARER, 404: ("agent_not_found",), 503: STORE},
    "GET /v1/agents/{name}/card.png": {401: BEARER, 404: ("agent_not_found",), 503: STORE},
    "GET /v1/agents/{name}/card.charx": {401: BEARER, 404: ("agent_not_found",), 503: STORE},
    "GET /v1/thoughts/latest": {
        401: BEARER,
        404: ("thought_not_found", "agent_not_found"),
        503: STORE,
    },
    "GET /v1/memories": {401: BEARER, 404: ("agent_not_found",), 503: STORE},
    "DELETE /v1/memories/{memory_id}": {
        401: BEARER,
        404: ("memory_not_found", "agent_not_found"),
        503: STORE,
    },
    "GET /static/expressions/{agent}/{filename}": {404: ("expression_not_found",)},
}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}
_ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"
# FastAPI's own 422 models: documented by it, never sent by the service.
_FASTAPI_422 = ("HTTPValidationError", "ValidationError")


def _response(status: int, codes: tuple[str, ...]) -> dict[str, Any]:
    listed = ", ".join(f"`{code}`" for code in codes)
    response: dict[str, Any] = {
        "description": f"{_SENTENCE[status]} Codes: {listed}.",
        "content": {"application/json": {"schema": {"$ref": _ENVELOPE_REF}}},
    }
    if status == 429:
        response["headers"] = _RETRY_AFTER
    return response


def failures_of(name: str, operation: dict[str, Any]) -> dict[int, tuple[str, ...]]:
    """The failures of one operation ("METHOD path"): the table's, those of every operation,
    and 422 wherever it takes input (parameters or a body), by FastAPI's own rule."""
    failures = {**EVERY_OPERATION, **FAILURES.get(name, {})}
    if operation.get("parameters") or operation.get("requestBody"):
        failures[422] = INVALID
    return failures


def add_failures(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with each operation's failures in the envelope's shape."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    envelope = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(envelope.pop("$defs", {}))
    schemas["ErrorEnvelope"] = envelope
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            if operation.get("x-error-shape") == "openai":
                # OpenAI's routes document OpenAI's error object themselves (routers/chat.py);
                # only the body limit, which refuses before any route, answers the envelope.
                # Invalid input is their 400, never FastAPI's 422.
                responses.pop("422", None)
                responses["413"] = _response(413, EVERY_OPERATION[413])
                continue
            for status, codes in failures_of(f"{method.upper()} {path}", operation).items():
                responses[str(status)] = _response(status, codes)
    for name in _FASTAPI_422:
        schemas.pop(name, None)
    return document


def document_failures(app: FastAPI) -> None:
    """Build the app's OpenAPI document with the failures added (once, when first asked)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_failures(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
