"""Job records in the MongoDB store.

Every change of a job's state is one conditional update (`find_one_and_update` where the
caller needs the job back): a job starts only from `queued`, ends only once, and is
recovered only if it has not been seen since.
"""

from __future__ import annotations

from typing import Any, Literal

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from synthetic_soul.adapters.store.mongo.base import MongoBase, reachable
from synthetic_soul.adapters.store.mongo.records import job_of
from synthetic_soul.adapters.store.mongo.statements import OPEN, finish_job, insert_job, read_job
from synthetic_soul.records import CLIENT_KEY, QUEUE_NAMES, Job


class JobCollections(MongoBase):
    @reachable
    async def create_job(self, job: Job) -> None:
        await insert_job(self.db, None, job)

    @reachable
    async def get_job(self, job_id: str) -> Job | None:
        return await read_job(self.db, None, job_id)

    @reachable
    async def job_tokens(self, job_id: str) -> tuple[int, int] | None:
        found = False
        prompt = completion = 0
        async for doc in self.db["llm_calls"].find(
            {"job_id": job_id}, {"prompt_tokens": 1, "completion_tokens": 1}
        ):
            found = True
            prompt += int(doc["prompt_tokens"])
            completion += int(doc["completion_tokens"])
        return (prompt, completion) if found else None

    @reachable
    async def start_job(self, job_id: str, now: float) -> Job | None:
        doc = await self.db["jobs"].find_one_and_update(
            {"_id": job_id, "status": "queued"},
            {
                "$set": {"status": "running", "progress": 0.0, "updated_at": now},
                "$inc": {"attempts": 1},
            },
            return_document=ReturnDocument.AFTER,
        )
        return job_of(doc) if doc else None

    @reachable
    async def set_job_progress(self, job_id: str, progress: float, now: float) -> None:
        await self.db["jobs"].update_one(
            {"_id": job_id, "status": "running"},
            {"$set": {"progress": progress, "updated_at": now}},
        )

    @reachable
    async def finish_job(
        self,
        job_id: str,
        status: Literal["succeeded", "failed"],
        result: dict[str, Any] | None,
        error: str | None,
        now: float,
    ) -> Job | None:
        return await finish_job(self.db, None, job_id, status, result, error, now)

    @reachable
    async def requeue_job(self, job_id: str, now: float) -> None:
        # An update pipeline, so the attempt is given back in the same atomic write.
        await self.db["jobs"].update_one(
            {"_id": job_id, "status": "running"},
            [
                {
                    "$set": {
                        "status": "queued",
                        "attempts": {"$max": [0, {"$subtract": ["$attempts", 1]}]},
                        "progress": None,
                        "updated_at": now,
                    }
                }
            ],
        )

    @reachable
    async def touch_job(self, job_id: str, now: float) -> None:
        await self.db["jobs"].update_one(
            {"_id": job_id, "status": "running"}, {"$set": {"updated_at": now}}
        )

    @reachable
    async def recover_jobs(self, now: float, max_attempts: int, stale_before: float) -> list[Job]:
        stale = {"status": {"$in": OPEN}, "updated_at": {"$lte": stale_before}}

        async def tx(s: AsyncClientSession) -> list[Job]:
            jobs = self.db["jobs"]
            ids = [d["_id"] async for d in jobs.find(stale, {"_id": 1}, session=s)]
            if not ids:
                return []
            # A runner that is gone holds its leases no more.
            await self.db["leases"].delete_many({"holder": {"$in": ids}}, session=s)
            await jobs.update_many(
                {
                    **stale,
                    "_id": {"$in": ids},
                    "status": "running",
                    "attempts": {"$gte": max_attempts},
                },
                {
                    "$set": {
                        "status": "failed",
                        "error": "job_failed",
                        "progress": 1.0,
                        "updated_at": now,
                    }
                },
                session=s,
            )
            # The rest, queued (again): those just failed no longer match `stale`.
            again = [d["_id"] async for d in jobs.find(stale, {"_id": 1}, session=s)]
            await jobs.update_many(
                {**stale, "_id": {"$in": again}},
                {"$set": {"status": "queued", "progress": None, "updated_at": now}},
                session=s,
            )
            cursor = jobs.find({"_id": {"$in": again}}, session=s)
            return sorted([job_of(d) async for d in cursor], key=lambda j: (j.created_at, j.id))

        return await self._transaction(tx)

    @reachable
    async def count_queued(self) -> dict[str, int]:
        counts = dict.fromkeys(QUEUE_NAMES, 0)
        cursor = await self.db["jobs"].aggregate(
            [{"$match": {"status": "queued"}}, {"$group": {"_id": "$queue", "n": {"$sum": 1}}}]
        )
        counts.update({d["_id"]: int(d["n"]) async for d in cursor})
        return counts

    @reachable
    async def count_unfinished_jobs(
        self, kind: str, owner_id: str, client: str | None
    ) -> tuple[int, int]:
        jobs = self.db["jobs"]
        unfinished = {"status": {"$in": OPEN}, "kind": kind}
        mine = await jobs.count_documents({**unfinished, "owner_id": owner_id})
        if client is None:
            return mine, 0
        return mine, await jobs.count_documents({**unfinished, f"payload.{CLIENT_KEY}": client})
