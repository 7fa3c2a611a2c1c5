"""Settings: the secrets check that keeps production off development defaults."""

from __future__ import annotations

import random
import string
from pathlib import Path
from typing import Any

import pytest

from synthetic_soul.settings import InsecureSettingsError, Settings
from synthetic_soul.settings.env import DEFAULT_JWT_SECRET, DEFAULT_PEPPER

# Random-looking, as `secrets.token_urlsafe` would give: long enough and varied enough.
STRONG_JWT = "q7Vn2LxK9pRt4ZmW8cYb3HsJ6dFg1Ae5"
STRONG_PEPPER = "Xw4Tz9Lr2Kp7Nv3B"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test passes counts: no variables from the shell running the suite."""
    for field in Settings.model_fields.values():
        if field.alias:
            monkeypatch.delenv(field.alias, raising=False)


def settings(**env: Any) -> Settings:
    return Settings(_env_file=None, **env)


@pytest.mark.parametrize("env", ["dev", "development", "local", "test", "DEV", " Local "])
def test_development_environments(env: str) -> None:
    s = settings(APP_ENV=env)
    assert s.is_development
    s.check_secrets()  # the defaults are fine here


@pytest.mark.parametrize("env", ["production", "prod", "staging", ""])
def test_other_environments_are_not_development(env: str) -> None:
    assert not settings(APP_ENV=env).is_development


def test_development_is_the_default() -> None:
    s = settings()
    assert s.is_development
    s.check_secrets()


def test_production_with_default_secrets_names_both() -> None:
    with pytest.raises(InsecureSettingsError) as caught:
        settings(APP_ENV="production").check_secrets()
    assert "JWT_SECRET_ENV" in str(caught.value)
    assert "ARGON2_PEPPER_ENV" in str(caught.value)


def test_production_with_a_short_jwt_secret() -> None:
    with pytest.raises(InsecureSettingsError) as caught:
        settings(
            APP_ENV="production", JWT_SECRET_ENV=STRONG_JWT[:31], ARGON2_PEPPER_ENV=STRONG_PEPPER
        ).check_secrets()
    assert "JWT_SECRET_ENV" in str(caught.value)
    assert "ARGON2_PEPPER_ENV" not in str(caught.value)


def test_production_with_a_short_pepper() -> None:
    with pytest.raises(InsecureSettingsError) as caught:
        settings(
            APP_ENV="production", JWT_SECRET_ENV=STRONG_JWT, ARGON2_PEPPER_ENV=STRONG_PEPPER[:15]
        ).check_secrets()
    assert "ARGON2_PEPPER_ENV" in str(caught.value)
    assert "JWT_SECRET_ENV" not in str(caught.value)


def test_production_with_one_default_secret() -> None:
    with pytest.raises(InsecureSettingsError, match="JWT_SECRET_ENV"):
        settings(
            APP_ENV="production", JWT_SECRET_ENV=DEFAULT_JWT_SECRET, ARGON2_PEPPER_ENV=STRONG_PEPPER
        ).check_secrets()
    with pytest.raises(InsecureSettingsError, match="ARGON2_PEPPER_ENV"):
        settings(
            APP_ENV="production", JWT_SECRET_ENV=STRONG_JWT, ARGON2_PEPPER_ENV=DEFAULT_PEPPER
        ).check_secrets()


def test_production_with_strong_secrets_passes() -> None:
    settings(
        APP_ENV="production", JWT_SECRET_ENV=STRONG_JWT, ARGON2_PEPPER_ENV=STRONG_PEPPER
    ).check_secrets()


@pytest.mark.parametrize(
    "weak",
    [
        "a" * 32,  # one character
        "ab" * 16,  # two, alternating: an estimated 32 bits
        "abcabcabcabcabcabcabcabcabcabcab",  # three, repeated
        "0" * 31 + "1",
    ],
)
def test_production_refuses_a_jwt_secret_of_the_right_length_but_low_entropy(weak: str) -> None:
    assert len(weak) >= 32
    with pytest.raises(InsecureSettingsError) as caught:
        settings(
            APP_ENV="production", JWT_SECRET_ENV=weak, ARGON2_PEPPER_ENV=STRONG_PEPPER
        ).check_secrets()
    message = str(caught.value)
    assert "JWT_SECRET_ENV" in message
    assert "entropy" in message and "64 bits" in message, "the message says the rule"
    assert "ARGON2_PEPPER_ENV" not in message
    assert "\n" not in message
    assert weak not in message, "a secret is never echoed"


@pytest.mark.parametrize("weak", ["p" * 16, "pq" * 8, "p" * 40])
def test_production_refuses_a_low_entropy_pepper(weak: str) -> None:
    with pytest.raises(InsecureSettingsError) as caught:
        settings(
            APP_ENV="production", JWT_SECRET_ENV=STRONG_JWT, ARGON2_PEPPER_ENV=weak
        ).check_secrets()
    message = str(caught.value)
    assert "ARGON2_PEPPER_ENV" in message and "32 bits" in message
    assert "JWT_SECRET_ENV" not in message


@pytest.mark.parametrize("seed", range(200))
def test_random_secrets_of_the_minimum_length_pass(seed: int) -> None:
    """Generated secrets, hex or url-safe, at the shortest allowed length, are never refused."""
    rng = random.Random(seed)
    alphabet = "0123456789abcdef" if seed % 2 else string.ascii_letters + string.digits + "-_"
    jwt_secret = "".join(rng.choice(alphabet) for _ in range(32))
    pepper = "".join(rng.choice(alphabet) for _ in range(16))
    settings(
        APP_ENV="production", JWT_SECRET_ENV=jwt_secret, ARGON2_PEPPER_ENV=pepper
    ).check_secrets()


@pytest.mark.parametrize("value", ["false", "0", "no"])
def test_production_refuses_cookies_without_secure(value: str) -> None:
    with pytest.raises(InsecureSettingsError, match="COOKIE_SECURE") as caught:
        settings(
            APP_ENV="production",
            JWT_SECRET_ENV=STRONG_JWT,
            ARGON2_PEPPER_ENV=STRONG_PEPPER,
            COOKIE_SECURE=value,
        ).check_secrets()
    assert "JWT_SECRET_ENV" not in str(caught.value)
    settings(APP_ENV="development", COOKIE_SECURE=value).check_secrets()  # fine locally


def test_production_names_every_problem_in_one_line() -> None:
    with pytest.raises(InsecureSettingsError) as caught:
        settings(
            APP_ENV="production",
            JWT_SECRET_ENV="a" * 32,
            ARGON2_PEPPER_ENV="b" * 16,
            COOKIE_SECURE="false",
        ).check_secrets()
    message = str(caught.value)
    assert message.startswith("refusing to start with APP_ENV='production': ")
    assert all(name in message for name in ("JWT_SECRET_ENV", "ARGON2_PEPPER_ENV", "COOKIE_SECURE"))
    assert "\n" not in message


def test_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("JWT_SECRET_ENV", "short")
    monkeypatch.setenv("ARGON2_PEPPER_ENV", STRONG_PEPPER)
    with pytest.raises(InsecureSettingsError, match="JWT_SECRET_ENV"):
        settings().check_secrets()


@pytest.mark.parametrize(
    ("env", "mode"),
    [
        ({}, "embedded"),
        ({"OPENAI_API_KEY": "sk-test"}, "hosted"),
        ({"OPENAI_API_KEY": ""}, "embedded"),
        ({"COMPATIBLE_BASE_URL": "http://127.0.0.1:8080/v1"}, "compatible"),
        ({"OLLAMA_BASE_URL": "http://127.0.0.1:11434/v1"}, "local"),
        ({"OPENAI_API_KEY": "sk-test", "LLM_MODE": "embedded"}, "embedded"),
        ({"OLLAMA_BASE_URL": "http://h/v1", "LLM_MODE": "scripted"}, "scripted"),
    ],
)
def test_the_model_follows_what_is_configured_unless_llm_mode_says(
    env: dict[str, str], mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Settings(_env_file=None).llm_mode == mode  # type: ignore[call-arg]


def test_models_live_in_the_user_cache_unless_told(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert settings().model_directory == tmp_path / "synthetic-soul" / "models"
    assert settings(SOUL_MODEL_DIR=str(tmp_path / "m")).model_directory == tmp_path / "m"


def test_the_model_timeout_suits_the_provider_unless_set() -> None:
    assert settings(LLM_MODE="hosted").llm_timeout == 60.0
    assert settings(LLM_MODE="embedded").llm_timeout == 300.0
    assert settings(LLM_MODE="embedded", LLM_TIMEOUT_SECONDS="12").llm_timeout == 12.0
