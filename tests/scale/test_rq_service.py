"""The scaled-out service with real processes: API processes and `soul worker` over Redis + RQ.

Each module run gets a redis-server of its own on a free port (RQ's keys and channels then
belong to this test alone); the API and worker processes share one store: a SQLite file,
then a MongoDB (SecantusDB) process.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.helpers import client, conversation, guest, read_events, submit, wait_job
from tests.support import mongo
from tests.support.redis import redis_server
from tests.support.server import Server, free_port, start, stop
from tests.support.workers import start_worker, stop_worker

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    port = free_port()
    process = redis_server(port)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rq-data")


@pytest.fixture(scope="module", params=["sqlite", "mongo"])
def env(request: pytest.FixtureRequest, redis_url: str, data_dir: Path) -> Iterator[dict[str, str]]:
    """The settings of every process: on the SQLite store they share, or on MongoDB."""
    base = {"QUEUE_BACKEND": "rq", "REDIS_URL": redis_url, "SCRIPTED_DELAY_MS": "200"}
    with mongo.shared_store(request.param, data_dir / "mongo", "soul_rq") as store:
        yield {**base, **store}


@pytest.fixture(scope="module")
def apis(data_dir: Path, env: dict[str, str]) -> Iterator[tuple[Server, Server]]:
    first = start(data_dir, env)
    second = start(data_dir, env)
    try:
        yield first, second
    finally:
        stop(first)
        stop(second)


@pytest.fixture(scope="module")
def workers(data_dir: Path, env: dict[str, str], apis: tuple[Server, Server]) -> Iterator[int]:
    running = [start_worker(data_dir, env) for _ in range(2)]
    try:
        with client(apis[0].url) as c:
            deadline = time.monotonic() + 30
            while c.get("/v1/meta/queue").json()["worker_count"] < 2:
                assert time.monotonic() < deadline, "the workers did not register"
                time.sleep(0.1)
        yield len(running)
    finally:
        for worker in running:
            stop_worker(worker)


def test_meta_queue_reports_the_real_workers(apis: tuple[Server, Server], workers: int) -> None:
    with client(apis[1].url) as c:
        body = c.get("/v1/meta/queue").json()
    assert body["backend"] == "rq" and body["redis_ok"] is True
    assert body["worker_count"] == workers == 2
    assert all(w["queues"] == ["high", "default", "low"] for w in body["workers"])
    assert set(body["queues"]) == {"high", "default", "low"}


def test_a_message_is_answered_by_a_worker(apis: tuple[Server, Server], workers: int) -> None:
    with client(apis[0].url) as c:
        g = guest(c)
        body = wait_job(c, g.token, submit(c, g.token, "Hello Jasmine!"), timeout=30)
        assert body["status"] == "succeeded", body
        said = [(m["from_agent"], m["message"]) for m in conversation(c, g.token)["messages"]]
    assert said[0] == (False, "Hello Jasmine!")
    assert said[1] == (True, body["result"]["response"])


def test_a_stream_on_one_api_process_sees_a_job_submitted_on_the_other(
    apis: tuple[Server, Server], workers: int
) -> None:
    first, second = apis
    with client(first.url) as c1, client(second.url) as c2:
        g = guest(c1)
        job_id = submit(c1, g.token, "What are you thinking about?")
        with c2.stream("GET", f"/v1/jobs/{job_id}/events", params={"access_token": g.token}) as r:
            events, _ = read_events(r, timeout=30)
    names = [e.event for e in events]
    assert names[-1] == "done" and events[-1].data["status"] == "succeeded", names
    assert any(e.event == "token" for e in events)  # the reply's text, pushed from the worker


def test_rate_limits_are_shared_across_api_processes(
    apis: tuple[Server, Server], workers: int
) -> None:
    """60 submits a minute per user, counted in Redis: half on each process still adds up."""
    first, second = apis
    with client(first.url) as c1, client(second.url) as c2:
        g = guest(c1)
        codes = []
        for i in range(62):
            c = c1 if i % 2 == 0 else c2
            r = c.post(
                "/v1/messages/submit",
                json={"message": f"m{i}", "type": "dm"},
                headers={"Authorization": f"Bearer {g.token}"},
            )
            codes.append(r.status_code)
    assert codes[:60] == [202] * 60
    assert codes[60:] == [429, 429]


def test_without_redis_submit_is_503_in_the_envelope(data_dir: Path) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    server = start(data_dir / "no-redis", {"QUEUE_BACKEND": "rq", "REDIS_URL": dead})
    try:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            g = guest(c)  # signing in needs only the store
            r = c.post(
                "/v1/messages/submit",
                json={"message": "anyone there?", "type": "dm"},
                headers={"Authorization": f"Bearer {g.token}"},
            )
            assert r.status_code == 503, r.text
            assert r.json()["error"]["code"] == "service_unavailable"
            assert r.json()["error"]["request_id"] == r.headers["x-request-id"]
            assert conversation(c, g.token)["messages"] == []  # nothing half-stored
            q = c.get("/v1/meta/queue")
            assert q.status_code == 503 and q.json()["error"]["code"] == "queue_unavailable"
            assert c.get("/v1/meta/ping").status_code == 200  # and the process lives on
    finally:
        stop(server)
