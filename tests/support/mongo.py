"""The MongoDB the tests use: SecantusDB, a MongoDB wire-protocol server from PyPI.

It runs in this process (its own threads, so it does not mind the tests' event loops) or, for
a test that stops and restarts it, as a process of its own. `SOUL_TEST_MONGO_URL` points the
contract suite at another server instead (a real mongod replica set, say). Tests keep apart
by using a database of their own (`database_name`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError
from secantus import SecantusDBServer

from tests.support.server import free_port

EXTERNAL_URL = os.environ.get("SOUL_TEST_MONGO_URL")


def database_name() -> str:
    return f"soul_test_{uuid.uuid4().hex[:16]}"


def in_process(
    port: int = 0, storage_path: str = ":memory:", ttl_sweep_s: float = 0.0
) -> SecantusDBServer:
    """A started SecantusDB in this process on 127.0.0.1 (`port` 0: any free one).

    `ttl_sweep_s` 0 turns TTL deletion off: the contract suite's records are dated 2023, so
    every session it makes has expired and would otherwise vanish mid-test at a sweep.
    """
    server = SecantusDBServer(
        host="127.0.0.1", port=port, storage_path=storage_path, ttl_sweep_seconds=ttl_sweep_s
    )
    server.start()
    return server


def uri_of(port: int) -> str:
    return f"mongodb://127.0.0.1:{port}/"


def as_process(port: int, storage_path: Path, log_path: Path) -> subprocess.Popen[bytes]:
    """SecantusDB as a process of its own on 127.0.0.1:`port`, keeping its data in
    `storage_path` (so a restart on the same port finds it again); returns once it answers."""
    storage_path.mkdir(parents=True, exist_ok=True)
    log = log_path.open("ab")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "secantus", "--host", "127.0.0.1", "--port", str(port)),
            *("--storage-path", str(storage_path)),
        ],
        # Its own directory: the daemon would read a secantusd.toml found in the working one.
        cwd=storage_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_answering(uri_of(port), process, log_path)
    return process


def wait_answering(
    uri: str, process: subprocess.Popen[bytes] | None = None, log_path: Path | None = None
) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            log = log_path.read_text(errors="replace") if log_path else ""
            raise RuntimeError(f"secantus exited early:\n{log}")
        client: MongoClient[dict[str, object]] = MongoClient(uri, serverSelectionTimeoutMS=500)
        try:
            client.admin.command("ping")
            return
        except PyMongoError:
            time.sleep(0.1)
        finally:
            client.close()
    raise RuntimeError(f"no MongoDB answered at {uri}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def drop_database(uri: str, name: str) -> None:
    client: MongoClient[dict[str, object]] = MongoClient(uri, serverSelectionTimeoutMS=5000)
    try:
        client.drop_database(name)
    finally:
        client.close()


@contextmanager
def shared_store(kind: str, root: Path, database: str) -> Iterator[dict[str, str]]:
    """The settings that put several processes on one store: none for "sqlite" (the file in
    their shared DATA_DIR), a SecantusDB process of its own under `root` for "mongo"."""
    if kind == "sqlite":
        yield {}
        return
    port = free_port()
    server = as_process(port, root / "mongo-data", root / "mongo.log")
    try:
        yield {
            "STORE_BACKEND": "mongo",
            "MONGO_CONNECTION_LOCAL": uri_of(port),
            "DATABASE_NAME": database,
        }
    finally:
        stop_process(server)
