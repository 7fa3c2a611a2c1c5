"""Job records in the embedded store."""

from __future__ import annotations

import sqlite3
from typing import Any, Literal

from synthetic_soul.adapters.store.sqlite.base import SQLiteBase
from synthetic_soul.adapters.store.sqlite.records import JOB_COLS, job_of
from synthetic_soul.adapters.store.sqlite.statements import finish_job, insert_job, read_job
from synthetic_soul.records import CLIENT_KEY, QUEUE_NAMES, Job


class JobTables(SQLiteBase):
    async def create_job(self, job: Job) -> None:
        await self._run(lambda db: insert_job(db, job))

    async def get_job(self, job_id: str) -> Job | None:
        return await self._read(lambda db: read_job(db, job_id))

    async def job_tokens(self, job_id: str) -> tuple[int, int] | None:
        def read(db: sqlite3.Connection) -> tuple[int, int] | None:
            count, prompt, completion = db.execute(
                "SELECT COUNT(*), SUM(prompt_tokens), SUM(completion_tokens) FROM llm_calls"
                " WHERE job_id = ?",
                (job_id,),
            ).fetchone()
            return (int(prompt), int(completion)) if count else None

        return await self._read(read)

    async def start_job(self, job_id: str, now: float) -> Job | None:
        def tx(db: sqlite3.Connection) -> Job | None:
            cur = db.execute(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, progress = 0.0,"
                " updated_at = ? WHERE id = ? AND status = 'queued'",
                (now, job_id),
            )
            if cur.rowcount != 1:
                return None
            return read_job(db, job_id)

        return await self._run(tx)

    async def set_job_progress(self, job_id: str, progress: float, now: float) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND status = 'running'",
                (progress, now, job_id),
            )
        )

    async def finish_job(
        self,
        job_id: str,
        status: Literal["succeeded", "failed"],
        result: dict[str, Any] | None,
        error: str | None,
        now: float,
    ) -> Job | None:
        return await self._run(lambda db: finish_job(db, job_id, status, result, error, now))

    async def requeue_job(self, job_id: str, now: float) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE jobs SET status = 'queued', attempts = MAX(0, attempts - 1),"
                " progress = NULL, updated_at = ? WHERE id = ? AND status = 'running'",
                (now, job_id),
            )
        )

    async def touch_job(self, job_id: str, now: float) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE jobs SET updated_at = ? WHERE id = ? AND status = 'running'", (now, job_id)
            )
        )

    async def recover_jobs(self, now: float, max_attempts: int, stale_before: float) -> list[Job]:
        def tx(db: sqlite3.Connection) -> list[Job]:
            stale = "status IN ('queued', 'running') AND updated_at <= ?"
            db.execute(
                f"DELETE FROM leases WHERE holder IN (SELECT id FROM jobs WHERE {stale})",
                (stale_before,),
            )
            db.execute(
                "UPDATE jobs SET status = 'failed', error = 'job_failed', progress = 1.0,"
                " updated_at = ? WHERE status = 'running' AND updated_at <= ? AND attempts >= ?",
                (now, stale_before, max_attempts),
            )
            rows = db.execute(
                f"UPDATE jobs SET status = 'queued', progress = NULL, updated_at = ? WHERE {stale}"
                f" RETURNING {JOB_COLS}",
                (now, stale_before),
            ).fetchall()
            return sorted(map(job_of, rows), key=lambda job: (job.created_at, job.id))

        return await self._run(tx)

    async def count_queued(self) -> dict[str, int]:
        rows = await self._read(
            lambda db: db.execute(
                "SELECT queue, COUNT(*) AS n FROM jobs WHERE status = 'queued' GROUP BY queue"
            ).fetchall()
        )
        counts = dict.fromkeys(QUEUE_NAMES, 0)
        counts.update({r["queue"]: r["n"] for r in rows})
        return counts

    async def count_unfinished_jobs(
        self, kind: str, owner_id: str, client: str | None
    ) -> tuple[int, int]:
        def tx(db: sqlite3.Connection) -> tuple[int, int]:
            # Few jobs are ever unfinished (the caps keep it so): the status index narrows
            # the scan to them before the payload is looked at.
            row = db.execute(
                "SELECT COALESCE(SUM(owner_id = ?), 0) AS mine,"
                " COALESCE(SUM(json_extract(payload, ?) = ?), 0) AS client"
                " FROM jobs WHERE status IN ('queued', 'running') AND kind = ?",
                (owner_id, f"$.{CLIENT_KEY}", client, kind),
            ).fetchone()
            return int(row["mine"]), int(row["client"])

        return await self._read(tx)
