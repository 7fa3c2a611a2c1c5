"""Losing parts of a scaled-out deployment: a worker killed mid-job, Redis restarted.

One API process and `soul worker` processes over a redis-server of this module's own,
sharing one store: a SQLite file, then a MongoDB (SecantusDB) process. Jobs beat every third
of JOB_STALE_AFTER_S; the scheduler's leader queues again what lost its worker or what Redis
lost.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from tests.e2e.helpers import bearer, client, conversation, guest, submit, wait_job
from tests.support import mongo
from tests.support.redis import redis_server
from tests.support.server import Server, free_port, start, stop
from tests.support.workers import start_worker, stop_worker

pytestmark = pytest.mark.e2e

STALE_AFTER_S = 2


class Redis:
    """The module's redis-server, on a port that stays the same across restarts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = redis_server(self.port)
        deadline = time.monotonic() + 10
        while not self.answers():
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def answers(self) -> bool:
        ping = ["redis-cli", "-p", str(self.port), "ping"]
        return subprocess.run(ping, capture_output=True, check=False).stdout.strip() == b"PONG"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture(scope="module")
def redis() -> Iterator[Redis]:
    server = Redis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rq-recovery")


@pytest.fixture(scope="module", params=["sqlite", "mongo"])
def env(request: pytest.FixtureRequest, redis: Redis, data_dir: Path) -> Iterator[dict[str, str]]:
    """The settings of every process: on the SQLite store they share, or on MongoDB."""
    base = {
        "QUEUE_BACKEND": "rq",
        "REDIS_URL": redis.url,
        "SCRIPTED_DELAY_MS": "1500",
        "JOB_STALE_AFTER_S": str(STALE_AFTER_S),
    }
    with mongo.shared_store(request.param, data_dir / "mongo", "soul_recovery") as store:
        yield {**base, **store}


@pytest.fixture(scope="module")
def api(data_dir: Path, env: dict[str, str]) -> Iterator[Server]:
    server = start(data_dir, env)
    try:
        yield server
    finally:
        stop(server)


class Workers:
    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir = data_dir
        self.env = env
        self.running: dict[int, subprocess.Popen[bytes]] = {}

    def add(self) -> int:
        worker = start_worker(self.data_dir, self.env)
        self.running[worker.pid] = worker
        return worker.pid

    def kill(self, pid: int) -> None:
        worker = self.running.pop(pid)
        os.kill(pid, signal.SIGKILL)
        worker.wait(10)

    def stop_all(self) -> None:
        for worker in self.running.values():
            stop_worker(worker)
        self.running.clear()


@pytest.fixture
def workers(data_dir: Path, env: dict[str, str], api: Server) -> Iterator[Workers]:
    made = Workers(data_dir, env)
    try:
        yield made
    finally:
        made.stop_all()


def wait_for_workers(c: httpx.Client, pids: set[int]) -> None:
    deadline = time.monotonic() + 30
    while not pids <= registered_pids(c):
        assert time.monotonic() < deadline, f"workers {pids} did not register"
        time.sleep(0.1)


def registered_pids(c: httpx.Client) -> set[int]:
    r = c.get("/v1/meta/queue")
    if r.status_code != 200:
        return set()
    return {int(w["name"].rsplit("-", 1)[1]) for w in r.json()["workers"]}


def busy_pid(c: httpx.Client) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        busy = [w for w in c.get("/v1/meta/queue").json()["workers"] if w["state"] == "busy"]
        if busy:
            return int(busy[0]["name"].rsplit("-", 1)[1])
        time.sleep(0.05)
    raise AssertionError("no worker is busy")


def attempts_of(env: dict[str, str], data_dir: Path, job_id: str) -> int:
    """How many runs the store counted for the job (read behind the service's back)."""
    if env.get("STORE_BACKEND") == "mongo":
        db: MongoClient[dict[str, Any]] = MongoClient(env["MONGO_CONNECTION_LOCAL"])
        try:
            job = db[env["DATABASE_NAME"]]["jobs"].find_one({"_id": job_id})
        finally:
            db.close()
        assert job is not None
        return int(job["attempts"])
    with sqlite3.connect(data_dir / "soul.sqlite3") as sql:
        (attempts,) = sql.execute("SELECT attempts FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return int(attempts)


def said(c: httpx.Client, token: str) -> list[tuple[bool, str]]:
    return [(m["from_agent"], m["message"]) for m in conversation(c, token)["messages"]]


def test_a_worker_killed_mid_job_leaves_one_job_done_and_one_reply(
    api: Server, workers: Workers, env: dict[str, str], data_dir: Path
) -> None:
    pids = {workers.add(), workers.add()}
    with client(api.url) as c:
        wait_for_workers(c, pids)
        g = guest(c)
        job_id = submit(c, g.token, "Are you still there?")
        wait_job(c, g.token, job_id, until=frozenset({"running"}))
        victim = busy_pid(c)
        assert victim in pids
        workers.kill(victim)  # SIGKILL mid-reply: no cleanup, no requeue, no goodbye

        body = wait_job(c, g.token, job_id, timeout=60, interval=0.5)
        assert body["status"] == "succeeded", body
        assert attempts_of(env, data_dir, job_id) == 2  # the lost run, then the one that finished
        # RQ still holds the killed run; nothing it or a later sweep does adds a word.
        time.sleep(3 * STALE_AFTER_S)
        assert said(c, g.token) == [
            (False, "Are you still there?"),
            (True, body["result"]["response"]),
        ]
        assert c.get(f"/v1/jobs/{job_id}", headers=bearer(g.token)).json() == body
        # The dead worker drops off the list once its last word expires (WORKER_TTL_S).
        deadline = time.monotonic() + 60
        while victim in registered_pids(c):
            assert time.monotonic() < deadline, "the killed worker is still listed"
            time.sleep(1)
        assert registered_pids(c) == pids - {victim}


def test_redis_restarted_mid_run_is_503_then_recovers_what_it_lost(
    api: Server, workers: Workers, redis: Redis
) -> None:
    with client(api.url) as c:
        first, second = guest(c), guest(c)
        # Queued with no worker to take it, then lost with Redis.
        lost = submit(c, first.token, "before the outage")
        redis.stop()
        try:
            r = c.post(
                "/v1/messages/submit",
                json={"message": "during the outage", "type": "dm"},
                headers=bearer(second.token),
            )
            assert r.status_code == 503, r.text
            assert r.json()["error"]["request_id"] == r.headers["x-request-id"]
            assert c.get("/v1/meta/queue").status_code == 503
            assert c.get("/v1/meta/ping").status_code == 200
        finally:
            redis.start()  # empty: the queued job is gone from it
        wait_for_workers(c, {workers.add()})

        after = submit(c, second.token, "after the outage")
        assert wait_job(c, second.token, after, timeout=60, interval=0.5)["status"] == "succeeded"
        assert wait_job(c, first.token, lost, timeout=60, interval=0.5)["status"] == "succeeded"
        assert [m for m, _ in said(c, first.token)] == [False, True]
        assert said(c, second.token)[0] == (False, "after the outage")
