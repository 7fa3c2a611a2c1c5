"""Per-job overhead and plain request throughput of one `soul serve` process.

1. submit -> succeeded, scripted LLM with no delay, default INLINE_WORKERS, one job at a time:
   - via SSE: time from sending POST /v1/messages/submit to parsing the stream's `done`
     (the stream is opened right after the 202);
   - via polling: the same, polling GET /v1/jobs/{id} every 5 ms until `succeeded`.
   Guest users rotate so that nobody exceeds 60 submits / 120 polls / 120 streams a minute.
2. GET /v1/agents/active (bearer) requests/s with 8 and 32 concurrent requests for 10 s each,
   tokens spread over several users (that endpoint has no rate limit).

Both parts run with each client of --clients: `raw` (a minimal asyncio HTTP/1.1 client, cheap
enough not to be the bottleneck on 2 cores) and `httpx` (what a Python client would use).

Run: .venv/bin/python bench/overhead.py [--jobs 300] [--duration 10] [--clients raw,httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import (
    Api,
    HttpStatusError,
    Phase,
    UserPool,
    events_path,
    fmt,
    gc_probe_env,
    machine,
    make_api,
    raise_nofile_limit,
    running_server,
    submit,
    summary,
    wait_until_quiet,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness: tests/support
from tests.support.server import Server

FINAL = ("succeeded", "failed")
POLL_INTERVAL_S = 0.005
MAX_POLLS = 40
JOB_TIMEOUT_S = 30.0  # a job not done by then counts as not succeeded
PHASE_BUDGET_S = 180.0  # each of the two job loops stops early past this


def _server_times(server: Server) -> dict[str, float]:
    """Per job: created_at -> updated_at of its final state, in ms (the server's own view)."""
    db = sqlite3.connect(server.data_dir / "soul.sqlite3", timeout=10)
    try:
        rows = db.execute("SELECT id, created_at, updated_at FROM jobs").fetchall()
    finally:
        db.close()
    return {r[0]: (r[2] - r[1]) * 1000.0 for r in rows}


async def _await_done(api: Api, path: str) -> tuple[str | None, float]:
    """The final status from the job's event stream, and when `done` was parsed."""
    async with contextlib.aclosing(api.sse(path)) as stream:
        async for ev in stream:
            if ev.event == "done":
                return str(ev.data.get("status")), ev.perf
    return None, time.perf_counter()


async def via_sse(api: Api, pool: UserPool, jobs: int) -> dict[str, Any]:
    total: list[float] = []
    rtt: list[float] = []
    ids: list[str] = []
    bad = 0
    stop_at = time.monotonic() + PHASE_BUDGET_S
    for i in range(jobs):
        if time.monotonic() > stop_at:
            break
        user = await pool.with_room({"submit": 1, "job_events": 1})
        t0 = time.perf_counter()
        job_id = await submit(api, user, f"hello there, message {i}")
        t1 = time.perf_counter()
        try:
            status, t_done = await asyncio.wait_for(
                _await_done(api, events_path(job_id, user)), JOB_TIMEOUT_S
            )
        except TimeoutError:
            status, t_done = None, 0.0
        if status is not None:
            total.append((t_done - t0) * 1000.0)
        rtt.append((t1 - t0) * 1000.0)
        ids.append(job_id)
        bad += status != "succeeded"
    return {"total": total, "submit_rtt": rtt, "ids": ids, "not_succeeded": bad}


async def via_polling(api: Api, pool: UserPool, jobs: int) -> dict[str, Any]:
    total: list[float] = []
    rtt: list[float] = []
    polls: list[int] = []
    ids: list[str] = []
    bad = 0
    stop_at = time.monotonic() + PHASE_BUDGET_S
    for i in range(jobs):
        if time.monotonic() > stop_at:
            break
        user = await pool.with_room({"submit": 1, "job_poll": MAX_POLLS})
        t0 = time.perf_counter()
        job_id = await submit(api, user, f"hello there, message {i}")
        t1 = time.perf_counter()
        status, n = None, 0
        while n < MAX_POLLS:
            n += 1
            user.take("job_poll")
            code, data = await api.request("GET", f"/v1/jobs/{job_id}", user.token)
            if code != 200:
                raise HttpStatusError(code, data)
            status = json.loads(data)["status"]
            if status in FINAL:
                total.append((time.perf_counter() - t0) * 1000.0)
                break
            await asyncio.sleep(POLL_INTERVAL_S)
        rtt.append((t1 - t0) * 1000.0)
        polls.append(n)
        ids.append(job_id)
        bad += status != "succeeded"
    return {"total": total, "submit_rtt": rtt, "polls": polls, "ids": ids, "not_succeeded": bad}


async def throughput(
    api: Api, pool: UserPool, pid: int, concurrency: int, seconds: float
) -> dict[str, Any]:
    tokens = [u.token for u in pool.users]
    lat: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds

    async def worker(k: int) -> None:
        nonlocal errors
        i = k
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            code, _ = await api.request("GET", "/v1/agents/active", tokens[i % len(tokens)])
            lat.append((time.perf_counter() - t0) * 1000.0)
            errors += code != 200
            i += concurrency

    ph = Phase(pid)
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    ph.end()
    return {
        "concurrency": concurrency,
        "requests": len(lat),
        "rps": round(len(lat) / ph.seconds, 1),
        "latency_ms": summary(lat),
        "errors": errors,
        "cpu_pct": ph.cpu,
    }


async def measure(server: Server, kind: str, args: argparse.Namespace) -> dict[str, Any]:
    api = make_api(kind, server, max(args.concurrency) + 4)
    try:
        pool = UserPool(api)
        await pool.grow(args.users)
        await via_sse(api, pool, args.warmup)  # warm-up: imports, caches, first conversation
        ph_sse = Phase(server.pid)
        sse = await via_sse(api, pool, args.jobs)
        ph_sse.end()
        ph_poll = Phase(server.pid)
        poll = await via_polling(api, pool, args.jobs)
        ph_poll.end()
        server_ms = _server_times(server)
        tput = [await throughput(api, pool, server.pid, c, args.duration) for c in args.concurrency]
    finally:
        await api.aclose()
    return {
        "client": kind,
        "users": len(pool.users),
        "sse_ms": summary(sse["total"]),
        "sse_submit_rtt_ms": summary(sse["submit_rtt"]),
        "sse_server_job_ms": summary([server_ms[i] for i in sse["ids"] if i in server_ms]),
        "sse_not_succeeded": sse["not_succeeded"],
        "sse_cpu_pct": ph_sse.cpu,
        "poll_ms": summary(poll["total"]),
        "poll_submit_rtt_ms": summary(poll["submit_rtt"]),
        "poll_server_job_ms": summary([server_ms[i] for i in poll["ids"] if i in server_ms]),
        "poll_count": summary([float(p) for p in poll["polls"]], 1),
        "poll_not_succeeded": poll["not_succeeded"],
        "poll_cpu_pct": ph_poll.cpu,
        "agents_active": tput,
    }


def report(r: dict[str, Any], jobs: int) -> None:
    print(f"\n=== client: {r['client']} ({r['users']} guest users) ===")
    print(f"submit -> succeeded, {jobs} sequential jobs, scripted LLM, no delay")
    print(f"  via SSE done     {fmt(r['sse_ms'])}   not succeeded: {r['sse_not_succeeded']}")
    print(f"    submit 202 RTT {fmt(r['sse_submit_rtt_ms'])}")
    print(f"    server job     {fmt(r['sse_server_job_ms'])}  (jobs.created_at -> updated_at)")
    print(f"    CPU % of a core: {r['sse_cpu_pct']}")
    print(f"  via 5 ms polling {fmt(r['poll_ms'])}   not succeeded: {r['poll_not_succeeded']}")
    print(f"    submit 202 RTT {fmt(r['poll_submit_rtt_ms'])}")
    print(f"    server job     {fmt(r['poll_server_job_ms'])}")
    print(f"    polls per job  {fmt(r['poll_count'], '')}")
    print(f"    CPU % of a core: {r['poll_cpu_pct']}")
    for t in r["agents_active"]:
        print(
            f"GET /v1/agents/active, concurrency {t['concurrency']:>2}: {t['rps']:>7.1f} req/s "
            f"({t['requests']} requests, {t['errors']} errors)  {fmt(t['latency_ms'])}"
        )
        print(f"    CPU % of a core: {t['cpu_pct']}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--jobs", type=int, default=300, help="jobs per method (SSE, polling)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--users", type=int, default=16, help="initial guests (more if needed)")
    p.add_argument("--duration", type=float, default=10.0, help="seconds per throughput run")
    p.add_argument("--concurrency", default="8,32")
    p.add_argument("--clients", default="raw,httpx")
    p.add_argument("--workers", type=int, help="INLINE_WORKERS (default: the service's)")
    p.add_argument("--quiet-wait", type=float, default=60.0, help="max s to wait for idle CPU")
    p.add_argument("--profile", type=Path, help="run the server under cProfile, write here")
    p.add_argument("--gc-threshold", help="A/B a fix: gc.set_threshold(a,b,c) in the server")
    args = p.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    if not 1 <= args.jobs <= 2000:
        p.error("--jobs must be within 1..2000")
    soft, hard = raise_nofile_limit()
    print(f"machine: {machine()}  RLIMIT_NOFILE={soft}/{hard}")
    env = {"SCRIPTED_DELAY_MS": "0"}
    if args.workers:
        env["INLINE_WORKERS"] = str(args.workers)
    if args.gc_threshold:
        env |= gc_probe_env(args.gc_threshold)
        print(f"(server runs with gc.set_threshold({args.gc_threshold}))")
    results = []
    for kind in args.clients.split(","):
        busy = asyncio.run(wait_until_quiet(args.quiet_wait))
        print(f"\n(other load before the {kind} run: {busy:.0f}% of a core)")
        profile = None
        if args.profile is not None:
            profile = args.profile.with_name(f"{args.profile.stem}-{kind}{args.profile.suffix}")
        with running_server(env, profile) as server:
            result = asyncio.run(measure(server, kind, args))
        report(result, args.jobs)
        results.append(result)
    line = {
        "bench": "overhead",
        "jobs": args.jobs,
        "gc_threshold": args.gc_threshold,
        "runs": [
            {
                "client": r["client"],
                "sse_p50_ms": r["sse_ms"]["p50"],
                "sse_p99_ms": r["sse_ms"]["p99"],
                "poll_p50_ms": r["poll_ms"]["p50"],
                "poll_p99_ms": r["poll_ms"]["p99"],
                "not_succeeded": r["sse_not_succeeded"] + r["poll_not_succeeded"],
                **{f"agents_active_rps_c{t['concurrency']}": t["rps"] for t in r["agents_active"]},
            }
            for r in results
        ],
    }
    print(json.dumps(line, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
