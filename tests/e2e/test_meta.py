"""Root, meta endpoints and the conventions every response follows (headers, envelope, CORS)."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest

from tests.e2e.helpers import (
    API_VERSION,
    WEB_ORIGIN,
    assert_api_headers,
    assert_cors,
    assert_error,
    assert_validation_error,
    bearer,
    guest,
)
from tests.support.server import TEST_ENV

pytestmark = pytest.mark.e2e

# The configured web UI origin is allowed besides the local dev origin.
SERVER_ENV = {"WEB_UI_DOMAIN": "chat.example.test"}
CONFIGURED_ORIGIN = "https://chat.example.test"


# -- root and meta -------------------------------------------------------------------------
def test_root_names_the_active_agent(api: httpx.Client) -> None:
    r = api.get("/v1/")
    assert r.status_code == 200
    assert_api_headers(r)
    assert r.json() == {"active_agent": "jasmine"}


def test_ping_answers_ok(api: httpx.Client) -> None:
    r = api.get("/v1/meta/ping")
    assert r.status_code == 200
    assert_api_headers(r)
    assert r.json() == {"status": "ok"}


def test_version_body_is_exactly_the_contract(api: httpx.Client) -> None:
    r = api.get("/v1/meta/version")
    assert r.status_code == 200
    assert_api_headers(r)
    assert r.json() == {
        "version": "1.1.0",
        "api_base_path": "/v1",
        "semver": {"major": 1, "minor": 1, "patch": 0},
        "versioning_policy": {
            "url_versioning": "major",
            "breaking_changes": "major-only",
            "non_breaking_changes": "minor-or-patch",
        },
    }


def test_queue_reports_in_process_workers_and_backend(api: httpx.Client) -> None:
    r = api.get("/v1/meta/queue")
    assert r.status_code == 200
    assert_api_headers(r)
    body = r.json()
    expected = {
        "status",
        "timestamp",
        "redis_ok",
        "worker_count",
        "workers",
        "queues",
        "total_backlog",
        "backend",
    }
    assert expected <= set(body)
    assert body["status"] in {"ok", "degraded"}
    assert body["status"] == "ok", "embedded mode: redis_ok false is not an error"
    assert dt.datetime.fromisoformat(body["timestamp"]).tzinfo is not None
    assert isinstance(body["redis_ok"], bool)
    assert isinstance(body["backend"], str) and body["backend"]
    assert isinstance(body["worker_count"], int) and body["worker_count"] >= 1
    assert len(body["workers"]) == body["worker_count"]
    for worker in body["workers"]:
        assert {"name", "state", "queues"} <= set(worker)
        assert isinstance(worker["name"], str) and isinstance(worker["state"], str)
        assert set(worker["queues"]) <= {"high", "default", "low"}
    assert set(body["queues"]) == {"high", "default", "low"}
    assert all(isinstance(n, int) and n >= 0 for n in body["queues"].values())
    assert body["total_backlog"] == sum(body["queues"].values())


def test_llm_reports_configuration_without_secrets(api: httpx.Client) -> None:
    r = api.get("/v1/meta/llm")
    assert r.status_code == 200
    assert_api_headers(r)
    body = r.json()
    assert {"mode", "provider", "base_url", "models", "configured"} <= set(body)
    assert isinstance(body["mode"], str) and isinstance(body["provider"], str)
    assert body["base_url"] is None or isinstance(body["base_url"], str)
    assert isinstance(body["models"]["fast"], str)
    assert isinstance(body["models"]["quality"], str)
    assert isinstance(body["configured"], bool)
    lowered = r.text.lower()
    for secret in (TEST_ENV["JWT_SECRET_ENV"], TEST_ENV["ARGON2_PEPPER_ENV"]):
        assert secret.lower() not in lowered
    for word in ("api_key", "apikey", "secret", "password"):
        assert word not in lowered


def test_docs_and_openapi_are_served(api: httpx.Client) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        r = api.get(path)
        assert r.status_code == 200, path
        assert_api_headers(r)
    assert "/v1/meta/version" in api.get("/openapi.json").json()["paths"]


# -- headers on every response -------------------------------------------------------------
def test_a_new_request_id_is_a_uuid4_when_none_is_sent(api: httpx.Client) -> None:
    first = api.get("/v1/meta/ping").headers["X-Request-ID"]
    second = api.get("/v1/meta/ping").headers["X-Request-ID"]
    assert uuid.UUID(first).version == 4
    assert first != second


def test_a_sent_request_id_is_echoed(api: httpx.Client) -> None:
    rid = f"client-{uuid.uuid4().hex}"
    r = api.get("/v1/meta/ping", headers={"X-Request-ID": rid})
    assert r.headers["X-Request-ID"] == rid
    assert r.headers["X-API-Version"] == API_VERSION


def test_a_sent_request_id_is_echoed_in_the_error_envelope(api: httpx.Client) -> None:
    rid = f"client-{uuid.uuid4().hex}"
    r = api.get("/v1/auth/me", headers={"X-Request-ID": rid})
    error = assert_error(r, 401, "missing_token")
    assert error["request_id"] == rid


def test_unknown_route_is_a_404_envelope(api: httpx.Client) -> None:
    assert_error(api.get("/v1/no/such/route"), 404, "not_found")
    assert_error(api.get("/nothing-here"), 404, "not_found")


def test_wrong_method_is_a_405_envelope(api: httpx.Client) -> None:
    r = api.post("/v1/meta/ping")
    assert_error(r, 405)
    r = api.get("/v1/messages/submit")
    assert_error(r, 405)


def test_validation_error_carries_the_headers(api: httpx.Client) -> None:
    token = guest(api).token
    r = api.post("/v1/messages/submit", json={}, headers=bearer(token))
    assert_validation_error(r)


# -- CORS ----------------------------------------------------------------------------------
def test_preflight_from_the_web_ui_is_allowed_with_credentials(api: httpx.Client) -> None:
    r = api.options(
        "/v1/messages/submit",
        headers={
            "Origin": WEB_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type, Authorization, X-CSRF-Token, "
            "X-Request-ID",
        },
    )
    assert r.status_code == 200, r.text
    assert_api_headers(r)
    assert_cors(r)
    allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
    assert {"content-type", "authorization", "x-csrf-token", "x-request-id"} <= allowed
    assert "POST" in r.headers["access-control-allow-methods"]


def test_the_configured_web_ui_origin_is_allowed_too(api: httpx.Client) -> None:
    r = api.options(
        "/v1/auth/refresh",
        headers={
            "Origin": CONFIGURED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "X-CSRF-Token",
        },
    )
    assert r.status_code == 200, r.text
    assert_cors(r, CONFIGURED_ORIGIN)
    r = api.get("/v1/auth/me", headers={"Origin": CONFIGURED_ORIGIN})
    assert_error(r, 401, "missing_token")
    assert_cors(r, CONFIGURED_ORIGIN)


def test_preflight_from_an_unknown_origin_is_not_allowed(api: httpx.Client) -> None:
    r = api.options(
        "/v1/messages/submit",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert_api_headers(r)
    assert r.headers.get("access-control-allow-origin") != "http://evil.example"
    assert r.headers.get("access-control-allow-origin") != "*"


def test_simple_request_exposes_the_api_headers(api: httpx.Client) -> None:
    r = api.get("/v1/meta/version", headers={"Origin": WEB_ORIGIN})
    assert r.status_code == 200
    assert_cors(r)
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert {"x-request-id", "x-api-version", "location", "retry-after"} <= exposed


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/auth/me", 401),
        ("GET", "/v1/no/such/route", 404),
        ("POST", "/v1/meta/ping", 405),
        ("POST", "/v1/auth/login", 422),
        ("GET", "/static/expressions/jasmine/not_an_expression.png", 404),
    ],
)
def test_error_responses_carry_cors_and_api_headers(
    api: httpx.Client, method: str, path: str, status: int
) -> None:
    r = api.request(
        method, path, headers={"Origin": WEB_ORIGIN}, json={} if method == "POST" else None
    )
    assert_error(r, status)
    assert_cors(r)
