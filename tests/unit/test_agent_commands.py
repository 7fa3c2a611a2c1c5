"""`soul agent ...` on a real SQLite store in a temporary DATA_DIR: made, exported, imported,
listed, deleted; the default agent stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthetic_soul.cards import read
from synthetic_soul.cli import main
from tests.support.server import SERVICE_ENV


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key, value in SERVICE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_an_agent_is_made_exported_imported_listed_and_deleted(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["agent", "create", "Rose", "--identity", "I am Rose.", "--personality", "shy"]) == 0
    )
    assert main(["agent", "create", "rose", "--identity", "Again."]) == 1
    assert "agent_exists" in capsys.readouterr().err

    assert main(["agent", "export", "rose", "--format", "json"]) == 0
    card = read((data_dir / "rose.json").read_bytes()).card
    assert card.extensions["synthetic_soul"]["identity"] == "I am Rose."
    assert main(["agent", "import", "rose.json", "--name", "rose_two", "--private"]) == 0
    capsys.readouterr()

    assert main(["agent", "list"]) == 0
    listed = [line.split("\t")[:3] for line in capsys.readouterr().out.splitlines()]
    assert listed == [
        ["jasmine", "lite", "public"],
        ["rose", "lite", "public"],
        ["rose_two", "lite", "private"],
    ]
    assert main(["agent", "delete", "rose"]) == 0
    assert main(["agent", "delete", "jasmine"]) == 1
    assert "default_agent" in capsys.readouterr().err
    assert main(["agent", "list"]) == 0
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()] == [
        "jasmine",
        "rose_two",
    ]
