"""Head-of-line blocking: one user's burst of messages delays every other user's reply.

A user's turns never overlap (mind/turns.py: a lease per user). A worker that picks a job of
a user whose turn is running waits for that lease *while holding the worker*. With
INLINE_WORKERS=W, a burst of messages from one user can park all W workers, and a message
from anyone else waits for a whole model call (or more) before a worker takes it.

For each W in --workers and each burst size, a fresh server (SCRIPTED_DELAY_MS=--delay-ms per
model call) gets: user A submits `burst` messages back to back, then user B submits one.
Reported: B's submit -> `done` (SSE) and the same in units of one model call. With a free
worker B needs about one model call; more means B waited behind A's parked jobs.

Run: .venv/bin/python bench/turn_blocking.py [--workers 2,4] [--delay-ms 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import (
    Api,
    User,
    UserPool,
    events_path,
    machine,
    make_api,
    raise_nofile_limit,
    running_server,
    submit,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness: tests/support
from tests.support.server import Server

SETTLE_S = 1.0  # plus one model call: start-up jobs (the agent's first thought) finish first


async def _done_at(api: Api, user: User, job_id: str, t0: float) -> tuple[float, str]:
    async with contextlib.aclosing(api.sse(events_path(job_id, user))) as stream:
        async for ev in stream:
            if ev.event == "done":
                return ev.perf - t0, str(ev.data.get("status"))
    return float("nan"), "no done"


async def scenario(server: Server, burst: int, delay_s: float, timeout_s: float) -> dict[str, Any]:
    api = make_api("raw", server, 16)
    try:
        pool = UserPool(api)
        await pool.grow(2)
        a, b = pool.users
        await asyncio.sleep(SETTLE_S + delay_s)
        t0 = time.perf_counter()
        a_jobs = [await submit(api, a, f"message {i} from A") for i in range(burst)]
        b_sent = time.perf_counter() - t0
        b_job = await submit(api, b, "one message from B")
        waits = [_done_at(api, b, b_job, t0), *(_done_at(api, a, j, t0) for j in a_jobs)]
        results = await asyncio.wait_for(asyncio.gather(*waits), timeout_s)
    finally:
        await api.aclose()
    (b_done, b_status), a_done = results[0], results[1:]
    return {
        "burst": burst,
        "b_latency_s": round(b_done - b_sent, 2),
        "b_status": b_status,
        "a_done_s": [round(t, 2) for t, _ in a_done],
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--workers", default="2,4", help="INLINE_WORKERS values")
    p.add_argument("--delay-ms", type=int, default=2000, help="SCRIPTED_DELAY_MS")
    p.add_argument("--timeout", type=float, default=60.0, help="per scenario, seconds")
    args = p.parse_args()
    raise_nofile_limit()
    print(f"machine: {machine()}")
    delay_s = args.delay_ms / 1000.0
    runs = []
    for w in (int(x) for x in args.workers.split(",")):
        for burst in (1, w, w + 2):
            env = {"SCRIPTED_DELAY_MS": str(args.delay_ms), "INLINE_WORKERS": str(w)}
            with running_server(env) as server:
                r = asyncio.run(scenario(server, burst, delay_s, args.timeout))
            r["workers"] = w
            r["b_latency_calls"] = round(r["b_latency_s"] / delay_s, 1)
            print(
                f"INLINE_WORKERS={w}: A sends {burst:>2} at once, then B sends 1 -> B's reply "
                f"after {r['b_latency_s']:>5.2f} s = {r['b_latency_calls']:>3} model calls "
                f"({r['b_status']}); A's jobs done at {r['a_done_s']} s"
            )
            runs.append(r)
    line = {
        "bench": "turn_blocking",
        "delay_ms": args.delay_ms,
        "runs": [
            {k: r[k] for k in ("workers", "burst", "b_latency_s", "b_latency_calls")} for r in runs
        ],
    }
    print(json.dumps(line, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
