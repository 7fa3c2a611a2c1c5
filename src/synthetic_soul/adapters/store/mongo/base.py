"""The plumbing of the MongoDB store: one client, the schema at open, transactions, outages.

Each area of the store (accounts, agents, conversations, jobs, leases, thoughts, memories,
the mind's reads, commits) is a mixin over `MongoBase`, one module each, like the SQLite
store's, so `MongoStore` composes them over one client and one database.

A single operation is atomic on its document; a write that spans documents runs in a
transaction (`_transaction`), which MongoDB offers on a replica set (a single-node one will
do) or a sharded cluster. An unreachable server surfaces as `StoreUnavailable` (HTTP 503),
within `SERVER_SELECTION_TIMEOUT_S`; the driver reconnects by itself when it is back.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, PyMongoError, ServerSelectionTimeoutError

from synthetic_soul.adapters.store.mongo.records import Doc
from synthetic_soul.adapters.store.mongo.schema import ensure_schema
from synthetic_soul.errors import StoreOpenError, StoreUnavailable

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

SERVER_SELECTION_TIMEOUT_S = 5.0  # how long a request waits for an unreachable server
TRANSACTION_ATTEMPTS = 8  # a transaction that met a concurrent writer runs again, this often
TRANSACTION_BACKOFF_S = 0.005  # times the attempt: the most a retry waits (at random) first
UNREACHABLE = "The database is unreachable; try again shortly."

Session = AsyncClientSession
Work = Callable[[AsyncClientSession], Awaitable[T]]


def reachable(
    method: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """The store method, with a lost or unreachable server reported as `StoreUnavailable`."""

    @functools.wraps(method)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(*args, **kwargs)
        except ConnectionFailure as exc:
            log.warning("mongodb unreachable in %s: %s", method.__name__, exc)
            raise StoreUnavailable(UNREACHABLE) from exc

    return guarded


class StandaloneServer(RuntimeError):
    """The server cannot run transactions, which the store needs."""


def _hosts_of(uri: str) -> str:
    """The hosts a MongoDB URI names, without its scheme, credentials, database or options
    (parsing a `mongodb+srv` URI with the driver would already query DNS)."""
    rest = uri.partition("://")[2] or uri
    authority = rest.split("/", 1)[0].split("?", 1)[0]
    return authority.rpartition("@")[2] or "(no host)"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


async def _check_transactions(client: AsyncMongoClient[Doc]) -> None:
    """Refuse a server without transactions (a standalone mongod) at once, not mid-commit."""
    hello = await client.admin.command("hello")
    if "setName" not in hello and hello.get("msg") != "isdbgrid":
        raise StandaloneServer(
            "MongoDB is a standalone server here, and the store needs transactions: run it"
            " as a replica set (a single-node one will do) or use a sharded cluster"
        )


class MongoBase:
    def __init__(
        self,
        uri: str,
        database: str,
        *,
        server_selection_timeout_s: float = SERVER_SELECTION_TIMEOUT_S,
    ) -> None:
        self._uri = uri
        self._database_name = database
        self._timeout_s = server_selection_timeout_s
        self._client: AsyncMongoClient[Doc] | None = None
        self._db: AsyncDatabase[Doc] | None = None
        self._text_index = False

    # -- plumbing -------------------------------------------------------------
    @property
    def db(self) -> AsyncDatabase[Doc]:
        if self._db is None:
            raise RuntimeError("store is not open")
        return self._db

    @property
    def text_index(self) -> bool:
        """Whether memory relevance comes from the server's text index (else from stems)."""
        return self._text_index

    async def open(self) -> None:
        timeout_ms = int(self._timeout_s * 1000)
        where = f"MongoDB at {_hosts_of(self._uri)}, database {self._database_name}"
        try:
            client: AsyncMongoClient[Doc] = AsyncMongoClient(
                self._uri,
                serverSelectionTimeoutMS=timeout_ms,
                connectTimeoutMS=timeout_ms,
                tz_aware=True,
            )
        except (PyMongoError, ValueError) as exc:  # a URI it cannot read
            raise StoreOpenError(f"cannot open the store on {where}: {_first_line(exc)}") from exc
        try:
            await _check_transactions(client)
            db = client[self._database_name]
            self._text_index = await ensure_schema(db)
        except ServerSelectionTimeoutError as exc:
            await client.close()
            raise StoreOpenError(
                f"cannot reach {where}: no server answered within {self._timeout_s:g} s"
            ) from exc
        except (PyMongoError, StandaloneServer) as exc:
            await client.close()
            raise StoreOpenError(f"cannot open the store on {where}: {_first_line(exc)}") from exc
        except BaseException:
            await client.close()
            raise
        self._client, self._db = client, db

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client, self._db = None, None

    async def ping(self) -> bool:
        try:
            await self.db.command("ping")
        except ConnectionFailure:
            return False
        return True

    async def _transaction(self, work: Work[T]) -> T:
        """Run `work` in one transaction: all of its writes are applied, or none.

        A transaction that met a concurrent writer (MongoDB labels that error transient) runs
        again from the start, a few times at most; an unreachable server is not waited for.
        """
        if self._client is None:
            raise RuntimeError("store is not open")
        for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
            async with self._client.start_session() as session:
                try:
                    async with await session.start_transaction():
                        return await work(session)
                except ConnectionFailure:
                    raise
                except PyMongoError as exc:
                    transient = exc.has_error_label("TransientTransactionError")
                    if not transient or attempt == TRANSACTION_ATTEMPTS:
                        raise
                    log.debug("transaction met a concurrent writer; again (%d)", attempt)
            # Apart at random, so two writers that met do not meet again at once.
            await asyncio.sleep(random.uniform(0, TRANSACTION_BACKOFF_S * attempt))
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def _next_seqs(self, name: str, n: int) -> int:
        """The first of `n` fresh numbers of sequence `name`, increasing in write order.

        Drawn outside any transaction, so concurrent writers never conflict on the counter; a
        transaction that then fails leaves a gap, which ordering does not mind.
        """
        counter = await self.db["counters"].find_one_and_update(
            {"_id": name},
            {"$inc": {"seq": n}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert counter is not None
        return int(counter["seq"]) - n + 1
