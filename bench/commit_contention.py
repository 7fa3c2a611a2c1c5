"""Reproduces job failures when many in-process workers finish reply jobs at the same moment.

Every reply job commits the one agent row with an optimistic version check and retries a
stale commit a fixed number of times (mind/writing.py `COMMIT_ATTEMPTS`). This bench submits
--jobs jobs at once, one per guest user, to a server with SCRIPTED_DELAY_MS (so that a whole
wave of workers finishes together) for each INLINE_WORKERS value, then counts jobs that ended
`failed` and the "kept changing under the commit" errors in the server log.

Run: .venv/bin/python bench/commit_contention.py [--workers 2,8,16,32,64] [--jobs 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import (
    UserPool,
    machine,
    make_api,
    raise_nofile_limit,
    running_server,
    submit,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness: tests/support
from tests.support.server import Server

STALE = "kept changing under the commit"


def _counts(server: Server) -> dict[str, int]:
    """Reply jobs by status (follow-up jobs a reply may create are left out)."""
    db = sqlite3.connect(server.data_dir / "soul.sqlite3", timeout=10)
    try:
        rows = db.execute(
            "SELECT status, COUNT(*) FROM jobs WHERE kind = 'reply' GROUP BY status"
        ).fetchall()
    finally:
        db.close()
    return {str(status): int(n) for status, n in rows}


async def run(server: Server, jobs: int, timeout_s: float) -> dict[str, Any]:
    api = make_api("raw", server, 32)
    try:
        pool = UserPool(api)
        # One user per job: a user's jobs share one turn (a lease) and get folded into one
        # reply, so only distinct users' turns run (and commit) concurrently.
        await pool.grow(jobs)
        t0 = time.monotonic()
        await asyncio.gather(
            *(submit(api, user, f"hello {i}") for i, user in enumerate(pool.users))
        )
        while time.monotonic() - t0 < timeout_s:
            counts = _counts(server)
            if counts.get("queued", 0) + counts.get("running", 0) == 0:
                break
            await asyncio.sleep(0.2)
        return {"seconds": round(time.monotonic() - t0, 1), "status": _counts(server)}
    finally:
        await api.aclose()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--workers", default="2,8,16,32,64")
    p.add_argument("--jobs", type=int, default=64)
    p.add_argument("--delay-ms", type=int, default=500)
    p.add_argument("--timeout", type=float, default=120.0)
    args = p.parse_args()
    raise_nofile_limit()
    print(f"machine: {machine()}")
    results = []
    for w in (int(x) for x in args.workers.split(",")):
        env = {"SCRIPTED_DELAY_MS": str(args.delay_ms), "INLINE_WORKERS": str(w)}
        with running_server(env) as server:
            r = asyncio.run(run(server, args.jobs, args.timeout))
            log = server.log_path.read_text(errors="replace").splitlines()
            stale = sum(1 for line in log if "CommitFailed: " in line and STALE in line)
        r |= {"workers": w, "stale_errors_in_log": stale}
        failed = r["status"].get("failed", 0)
        print(
            f"INLINE_WORKERS={w:>2}: {args.jobs} reply jobs in {r['seconds']:>5.1f}s  "
            f"status {r['status']}  failed {100 * failed / args.jobs:.0f}%  "
            f"'{STALE}' x{stale}"
        )
        results.append(r)
    line = {
        "bench": "commit_contention",
        "jobs": args.jobs,
        "delay_ms": args.delay_ms,
        "runs": [
            {"workers": r["workers"], "failed": r["status"].get("failed", 0)} for r in results
        ],
    }
    print(json.dumps(line, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
