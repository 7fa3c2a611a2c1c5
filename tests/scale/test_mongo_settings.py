"""Which MongoDB the settings name: MONGO_MODE picks one, the legacy MONGO_CONNECTION wins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from synthetic_soul.settings import Settings

NAMES = (
    "STORE_BACKEND",
    "MONGO_MODE",
    "MONGO_CONNECTION_LOCAL",
    "MONGO_CONNECTION_HOSTED",
    "MONGO_CONNECTION",
    "DATABASE_NAME",
)
HOSTED = "mongodb+srv://soul:secret@cluster.example.net/"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    yield


def settings(**env: str) -> Settings:
    """The settings read from exactly these environment variables (and no `.env` file)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        return Settings(_env_file=None)


def test_defaults_are_sqlite_and_a_local_mongodb() -> None:
    s = settings()
    assert s.store_backend == "sqlite"
    assert (s.mongo_mode, s.mongo_uri) == ("local", "mongodb://127.0.0.1:27017")
    assert s.database_name == "synthetic_soul"


def test_the_mode_picks_the_connection() -> None:
    both = {"MONGO_CONNECTION_LOCAL": "mongodb://10.0.0.5:27017", "MONGO_CONNECTION_HOSTED": HOSTED}
    assert settings(**both).mongo_uri == "mongodb://10.0.0.5:27017"
    assert settings(MONGO_MODE="hosted", **both).mongo_uri == HOSTED


def test_the_legacy_connection_wins_over_the_mode() -> None:
    s = settings(
        MONGO_CONNECTION="mongodb://legacy:27017",
        MONGO_MODE="hosted",
        MONGO_CONNECTION_HOSTED=HOSTED,
        STORE_BACKEND="mongo",
    )
    assert (s.store_backend, s.mongo_uri) == ("mongo", "mongodb://legacy:27017")


def test_hosted_without_a_hosted_connection_is_refused() -> None:
    with pytest.raises(ValueError, match="MONGO_CONNECTION_HOSTED"):
        _ = settings(MONGO_MODE="hosted").mongo_uri


def test_an_unknown_backend_or_mode_is_refused() -> None:
    with pytest.raises(ValueError):
        settings(STORE_BACKEND="postgres")
    with pytest.raises(ValueError):
        settings(MONGO_MODE="cloud")
