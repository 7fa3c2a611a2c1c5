"""`soul serve` on a store it cannot open: one line on stderr naming what and where, and a
non-zero exit, before any port is bound (as the refusal of weak secrets does)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import TEST_ENV, free_port


def _serve(env: dict[str, str], timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "synthetic_soul.cli", "serve", "--port", str(free_port())],
        env={**os.environ, **TEST_ENV, **env},
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode not in (0, None), (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    return lines[0]


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    database = tmp_path / "soul.sqlite3"
    database.write_bytes(b"these are not the pages of a database\n" * 200)
    line = _one_line(_serve({"DATA_DIR": str(tmp_path)}))
    assert str(database) in line
    assert "not a database" in line


def test_a_directory_where_the_database_file_should_be(tmp_path: Path) -> None:
    database = tmp_path / "soul.sqlite3"
    database.mkdir()
    line = _one_line(_serve({"DATA_DIR": str(tmp_path)}))
    assert str(database) in line
    assert "directory" in line


def test_a_data_dir_that_cannot_exist(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    data_dir = a_file / "data"  # a folder inside a regular file
    line = _one_line(_serve({"DATA_DIR": str(data_dir)}))
    assert str(data_dir) in line
    assert "DATA_DIR" in line


def test_a_data_dir_that_cannot_be_written() -> None:
    # sysfs refuses new folders even to root (file modes do not stop root).
    data_dir = Path("/sys/synthetic-soul-test-data")
    if data_dir.exists():
        pytest.fail(f"{data_dir} exists on this machine: pick another unwritable place")
    line = _one_line(_serve({"DATA_DIR": str(data_dir)}))
    assert str(data_dir) in line


def test_an_unreachable_mongodb_is_named_without_its_password() -> None:
    port = free_port()  # nothing listens there
    done = _serve(
        {
            "STORE_BACKEND": "mongo",
            "MONGO_CONNECTION": f"mongodb://soul:hunter2secret@127.0.0.1:{port}/?replicaSet=rs0",
        }
    )
    line = _one_line(done)
    assert f"127.0.0.1:{port}" in line
    assert "hunter2secret" not in done.stderr + done.stdout


def test_a_worker_on_a_bad_store_says_so_in_one_line_too(tmp_path: Path) -> None:
    database = tmp_path / "soul.sqlite3"
    database.write_bytes(b"\x00not sqlite\x00" * 500)
    done = subprocess.run(
        [sys.executable, "-m", "synthetic_soul.cli", "worker"],
        env={**os.environ, **TEST_ENV, "DATA_DIR": str(tmp_path), "QUEUE_BACKEND": "rq"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    line = _one_line(done)
    assert str(database) in line
