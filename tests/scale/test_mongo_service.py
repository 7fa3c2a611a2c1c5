"""The real service (`soul serve`) on the MongoDB store, and through an outage of MongoDB.

MongoDB here is SecantusDB as a process of its own on a free port, keeping its data on disk,
so that the test can stop it and start it again on the same port with the same data.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import bearer, client, conversation, guest, submit, wait_job
from tests.support import mongo
from tests.support.server import Server, free_port, start, stop

pytestmark = pytest.mark.e2e


class Mongo:
    """A SecantusDB process that can be stopped and started again on its port."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.uri = mongo.uri_of(self.port)
        self._data = root / "mongo-data"
        self._log = root / "mongo.log"
        self._process = mongo.as_process(self.port, self._data, self._log)

    def stop(self) -> None:
        mongo.stop_process(self._process)

    def start(self) -> None:
        self._process = mongo.as_process(self.port, self._data, self._log)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mongo-service")


@pytest.fixture(scope="module")
def database(root: Path) -> Iterator[Mongo]:
    server = Mongo(root)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def service(root: Path, database: Mongo) -> Iterator[Server]:
    env = {
        "STORE_BACKEND": "mongo",
        "MONGO_MODE": "local",
        "MONGO_CONNECTION_LOCAL": database.uri,
        "DATABASE_NAME": "soul_e2e",
    }
    server = start(root / "service", env)
    try:
        yield server
    finally:
        stop(server)


def test_a_guest_talks_with_the_agent_over_mongodb(service: Server) -> None:
    with client(service.url) as c:
        g = guest(c)
        body = wait_job(c, g.token, submit(c, g.token, "Hello Jasmine!"), timeout=30)
        assert body["status"] == "succeeded", body
        said = [(m["from_agent"], m["message"]) for m in conversation(c, g.token)["messages"]]
    assert said[0] == (False, "Hello Jasmine!")
    assert said[1] == (True, body["result"]["response"])


def test_without_mongodb_the_service_answers_503_and_recovers_when_it_is_back(
    service: Server, database: Mongo
) -> None:
    with client(service.url, timeout=60) as c:
        g = guest(c)
        database.stop()
        try:
            unreachable = [
                c.get("/v1/messages/conversation", headers=bearer(g.token)),  # a read
                c.post("/v1/auth/guest"),  # a transaction
            ]
            for r in unreachable:
                assert r.status_code == 503, r.text
                error = r.json()["error"]
                assert error["code"] == "store_unavailable"
                assert error["message"] == "The database is unreachable; try again shortly."
                # Failed fast: within the store's 5 s wait for a server (and one retry).
                assert r.elapsed.total_seconds() < 20
            assert service.process.poll() is None, service.log()
        finally:
            database.start()

        # Back on the same port with the same data: the guest of before carries on.
        deadline = time.monotonic() + 30
        while True:
            r = c.get("/v1/messages/conversation", headers=bearer(g.token))
            if r.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert r.status_code == 200, r.text
        body = wait_job(c, g.token, submit(c, g.token, "Are you back?"), timeout=30)
        assert body["status"] == "succeeded", body
        assert guest(c).token  # and a new guest can join
    assert service.process.poll() is None, service.log()


def test_the_service_does_not_start_without_its_database(root: Path) -> None:
    nowhere = mongo.uri_of(free_port())
    env = {"STORE_BACKEND": "mongo", "MONGO_CONNECTION": nowhere, "DATABASE_NAME": "soul_e2e"}
    with pytest.raises(RuntimeError, match="exited early"):
        start(root / "nowhere", env)
