"""The deployment files (Dockerfile, compose files, Caddyfile, env examples) against the code.

No Docker engine is needed: the compose files are read as YAML, and what they promise is
checked against `Settings`, the routers and the Makefile, so that a renamed setting or a moved
endpoint fails here instead of in a deployment.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml  # PyYAML: a dependency of schemathesis (dev extra)

from synthetic_soul import API_BASE_PATH
from synthetic_soul.api.routers.meta import router as meta_router
from synthetic_soul.settings import InsecureSettingsError, Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILES = ("docker-compose.yml", "docker-compose.api.yml")
SOUL_SERVICES = ("api", "worker", "mind-worker")
# Read by docker compose (interpolation, build args) and the Caddyfile, never by the service.
COMPOSE_ONLY = frozenset({"API_DOMAIN", "WITH_EMBEDDED_MODEL"})
BOT_NETWORK = "soul-net"
_VARIABLE_LINE = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=(.*)$")
_INTERPOLATION = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def _aliases() -> set[str]:
    return {str(field.alias) for field in Settings.model_fields.values() if field.alias}


def _compose(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    return data


def _env_file(name: str, *, commented: bool = True) -> dict[str, str]:
    """NAME=value lines (and `# NAME=value` ones when `commented`)."""
    found: dict[str, str] = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if not commented and line.startswith("#"):
            continue
        match = _VARIABLE_LINE.match(line)
        if match:
            found[match[1]] = match[2]
    return found


def _missing(names: set[str], what: str) -> str:
    return f"{what} not read by Settings (no such alias): {sorted(names)}"


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_service_environments_name_only_settings(name: str) -> None:
    services = _compose(name)["services"]
    for service in SOUL_SERVICES:
        unknown = set(services[service]["environment"]) - _aliases()
        assert not unknown, _missing(unknown, f"{name}: {service}'s environment")
        assert services[service]["env_file"] == ".env"
    assert set(services["caddy"]["environment"]) <= COMPOSE_ONLY


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_api_and_worker_run_the_image_of_the_dockerfile(name: str) -> None:
    services = _compose(name)["services"]
    images = set()
    for service in SOUL_SERVICES:
        build = services[service]["build"]
        assert build["context"] == "."
        assert (ROOT / build.get("dockerfile", "Dockerfile")).is_file()
        images.add(services[service]["image"])
    assert len(images) == 1, "api and worker must run the same image"
    assert services["api"]["command"][:2] == ["soul", "serve"]
    assert "0.0.0.0" in services["api"]["command"]
    assert services["worker"]["command"] == ["soul", "worker"]
    assert services["worker"]["deploy"]["replicas"] >= 1
    # One worker takes the mind's own work (queue `low`) first, replies when there is none.
    assert services["mind-worker"]["command"] == ["soul", "worker", "--queues", "low,high,default"]
    assert services["mind-worker"]["environment"] == services["worker"]["environment"]


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_volumes_are_named_and_bind_mounts_exist(name: str) -> None:
    compose = _compose(name)
    declared = set(compose["volumes"])
    used = set()
    for service, spec in compose["services"].items():
        for mount in spec.get("volumes", []):
            source, _, _ = mount.partition(":")
            assert ":" in mount, f"{service}: anonymous volume {mount!r}"
            if source.startswith(("./", "/")):
                assert (ROOT / source).exists(), f"{service}: bind mount of missing {source}"
            else:
                assert source in declared, f"{service}: volume {source} is not declared"
                used.add(source)
    assert used == declared, f"declared but unused volumes: {sorted(declared - used)}"


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_the_bot_network_is_external_and_reaches_the_api(name: str) -> None:
    compose = _compose(name)
    network = compose["networks"][BOT_NETWORK]
    assert network["external"] is True
    assert network["name"] == BOT_NETWORK
    api_networks = compose["services"]["api"]["networks"]
    assert {"default", BOT_NETWORK} <= set(api_networks)
    for service, spec in compose["services"].items():
        if service != "api":
            assert BOT_NETWORK not in spec.get("networks", {}), f"{service} is on {BOT_NETWORK}"


def test_full_stack_wires_redis_and_mongo_with_health_checks() -> None:
    services = _compose("docker-compose.yml")["services"]
    assert services["redis"]["image"].startswith("redis:7")
    assert "--appendonly" in services["redis"]["command"]
    assert services["mongo"]["image"].startswith("mongo:7")
    for service in SOUL_SERVICES:
        env = services[service]["environment"]
        assert env["QUEUE_BACKEND"] == "rq"
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert env["STORE_BACKEND"] == "mongo"
        assert env["MONGO_MODE"] == "local"
        assert env["MONGO_CONNECTION_LOCAL"].startswith("mongodb://mongo:")
        assert "DATABASE_NAME" in env
    for service in (*SOUL_SERVICES, "redis", "mongo"):
        assert "healthcheck" in services[service], f"{service} has no health check"
    for service, spec in services.items():
        for needed, condition in spec.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, f"{service} -> {needed}"
            assert "healthcheck" in services[needed]
    assert set(services["api"]["depends_on"]) == {"redis", "mongo"}
    assert set(services["caddy"]["depends_on"]) == {"api"}


def test_api_only_variant_takes_redis_and_mongo_from_the_env() -> None:
    services = _compose("docker-compose.api.yml")["services"]
    assert set(services) == {"api", "worker", "mind-worker", "caddy"}
    for service in SOUL_SERVICES:
        env = services[service]["environment"]
        assert env["QUEUE_BACKEND"] == "rq"
        assert env["STORE_BACKEND"] == "mongo"
        assert env["MONGO_MODE"] == "hosted"
        assert not {"REDIS_URL", "REDIS_TLS_URL", "MONGO_CONNECTION_HOSTED"} & set(env)
    production = _env_file(".env.production.example")
    assert {"REDIS_URL", "REDIS_TLS_URL", "MONGO_CONNECTION_HOSTED"} <= set(production)


def _service_settings(name: str, service: str, env_file: dict[str, str]) -> Settings:
    """Settings as the container gets them: env_file overlaid with `environment:`."""
    env = dict(env_file)
    for key, value in _compose(name)["services"][service]["environment"].items():
        env[key] = _INTERPOLATION.sub(lambda m: env_file.get(m[1]) or m[2] or "", str(value))
    values = {key: value for key, value in env.items() if key not in COMPOSE_ONLY}
    return Settings(_env_file=None, **values)


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_settings_accept_what_each_service_is_given(name: str) -> None:
    production = _env_file(".env.production.example", commented=False)
    for service in SOUL_SERVICES:
        settings = _service_settings(name, service, production)
        assert settings.queue_backend == "rq"
        assert settings.store_backend == "mongo"
        assert not settings.is_development
        with pytest.raises(InsecureSettingsError):  # until the CHANGE_ME secrets are replaced
            settings.check_secrets()


def test_full_stack_uses_its_own_redis_and_mongo_whatever_env_says() -> None:
    elsewhere = {
        **_env_file(".env.production.example", commented=False),
        "REDIS_TLS_URL": "rediss://elsewhere:6380/0",
        "MONGO_CONNECTION": "mongodb://elsewhere:27017",
        "MONGO_CONNECTION_HOSTED": "mongodb://hosted.elsewhere:27017",
    }
    for service in SOUL_SERVICES:
        settings = _service_settings("docker-compose.yml", service, elsewhere)
        assert settings.redis_target == "redis://redis:6379/0"
        assert settings.mongo_uri == "mongodb://mongo:27017/?replicaSet=rs0"
    settings = _service_settings("docker-compose.api.yml", "worker", elsewhere)
    assert settings.redis_target == "rediss://elsewhere:6380/0"


def test_env_example_lists_exactly_the_settings() -> None:
    listed = set(_env_file(".env.example"))
    unknown = listed - _aliases() - COMPOSE_ONLY
    assert not unknown, _missing(unknown, ".env.example")
    assert not _aliases() - listed, f".env.example lacks {sorted(_aliases() - listed)}"
    assert listed >= COMPOSE_ONLY


def test_env_production_example_names_only_settings() -> None:
    production = _env_file(".env.production.example")
    unknown = set(production) - _aliases() - COMPOSE_ONLY
    assert not unknown, _missing(unknown, ".env.production.example")
    assert {"APP_ENV", "JWT_SECRET_ENV", "ARGON2_PEPPER_ENV", "WEB_UI_DOMAIN"} <= set(production)
    assert "API_DOMAIN" in production


def test_dockerfile_promises() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in dockerfile
    assert dockerfile.count("FROM ${PYTHON_IMAGE}") == 2  # builder and runtime stages
    assert "ARG WITH_EMBEDDED_MODEL=false" in dockerfile
    assert "scale,embedded" in dockerfile
    assert "PYTHONUNBUFFERED=1" in dockerfile
    assert "EXPOSE 8000" in dockerfile
    users = re.findall(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert 'CMD ["soul", "serve", "--host", "0.0.0.0"]' in dockerfile
    # The health checks ask an endpoint the service has.
    assert f"{API_BASE_PATH}/meta/ping" in dockerfile
    assert "/meta/ping" in {route.path for route in meta_router.routes}
    for name in COMPOSE_FILES:
        assert f"{API_BASE_PATH}/meta/ping" in (ROOT / name).read_text(encoding="utf-8")


def test_dockerfile_builds_llama_cpp_with_the_makefiles_portable_flags() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    portable = re.search(r"^LLAMA_PORTABLE_ARGS := (.+)$", makefile, re.MULTILINE)
    assert portable, "the Makefile's LLAMA_PORTABLE_ARGS moved"
    assert f'LLAMA_CMAKE_ARGS="{portable[1]}"' in (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_caddy_proxies_the_api_without_buffering_event_streams() -> None:
    caddyfile = (ROOT / "Caddyfile").read_text(encoding="utf-8")
    assert re.search(r"^\{\$API_DOMAIN\} \{$", caddyfile, re.MULTILINE)
    assert "reverse_proxy api:8000" in caddyfile
    assert "flush_interval -1" in caddyfile
    assert not re.search(r"^\s*encode\b", caddyfile, re.MULTILINE)


def test_secrets_and_local_state_stay_out_of_images_and_git() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines())
    assert {".env", ".venv", ".git", "data", "models"} <= ignored
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
