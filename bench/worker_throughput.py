"""Messages per second with 1, 2 and 4 `soul worker` processes (QUEUE_BACKEND=rq).

One redis-server of the bench's own (loopback, no persistence). For each worker count N a
fresh DATA_DIR, Redis flushed, one `soul serve` and N `soul worker` processes, the scripted
model sleeping SCRIPTED_DELAY_MS (default 500 ms, a hosted model's pace) per call, thinking
off. Once /v1/meta/queue counts N workers:

1. warm-up: 2N messages from guests of their own, answered and reflected on (not measured);
2. a burst of M messages (--messages), one per guest (one user's turns are serialized by
   design, so many users), each job's event stream opened right after its 202;
3. wait for every `done`, then until the store has no queued or running job left (each
   reply asks for a reflection: a follow-up job on the `low` queue, one more model call).

With --mind-workers K, K of the N workers of each run are started with
`--queues low,high,default` (as docker-compose.yml's mind-worker): they take a reflection
first and a reply only when no reflection waits; the other N - K take high, default, low.

Run: .venv/bin/python bench/worker_throughput.py [--workers 1,2,4] [--messages 48]
                                                 [--mind-workers K]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import (
    BENCH,
    CpuSplit,
    HttpStatusError,
    RawApi,
    SseEvent,
    User,
    UserPool,
    events_path,
    exit_on_sigterm,
    fmt,
    job_rows,
    llm_call_rows,
    machine,
    raise_nofile_limit,
    rss_mib,
    submit,
    summary,
    wait_until_quiet,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness: tests/support
from tests.support.redis import Redis, rq_env, running_redis
from tests.support.server import Server, running
from tests.support.workers import running_workers, wait_for_workers

DEFINITIONS = """\
replies/s    = replies that succeeded / (last reply's `done` received - first submit sent),
               client clock; a failed reply counts in the span, not in the rate. In a
               burst the workers take every reply (`default` queue) before any reflection
               (`low`), so this is the rate at which users get answers: ideal N / delay.
messages/s   = replies that succeeded / (last job of the burst finished - first submit
               sent): replies and their reflections all done (jobs.updated_at, same host
               clock). The rate the service can sustain: ideal N / (2 x delay) with 2 model
               calls a message.
jobs/s       = measured jobs finished (replies + reflections) / that same span.
efficiency   = the rate at N workers / (N x the rate at 1 worker).
worker s/job = N x span / jobs: how long a worker is taken per job; minus the mean model
               time per job (llm_calls.latency_ms) it is the per-job overhead.
submit->done = the reply's `done` received - its submit sent (queueing included: it grows
               with M / N).
reflect lag  = per reflection that succeeded: its jobs.updated_at (finished) - its
               jobs.created_at, which is its reply's commit (the reflection is written in
               the same transaction, with the same timestamp, as the reply's `succeeded`):
               how long a reflection waits behind the replies, plus its own ~0.5 s run.
reflected in burst = reflections finished before the last reply's `done`."""
FINAL = ("succeeded", "failed")
MIND_ARGS = ("--queues", "low,high,default")  # docker-compose.yml's mind-worker


@dataclass
class Sent:
    user: User
    job_id: str = ""
    submit_wall: float = 0.0  # time.time() when the submit was sent
    submit_perf: float = 0.0
    done: SseEvent | None = None
    error: str | None = None


async def send_and_follow(api: RawApi, sent: Sent, text: str, slots: asyncio.Semaphore) -> None:
    """Submit (within `slots`), open the job's stream, read it to `done`."""
    try:
        async with slots:
            sent.submit_wall, sent.submit_perf = time.time(), time.perf_counter()
            sent.job_id = await submit(api, sent.user, text)
        path = events_path(sent.job_id, sent.user)
        async with contextlib.aclosing(api.sse(path)) as stream:
            async for ev in stream:
                if ev.event == "done":
                    sent.done = ev
                    return
    except (HttpStatusError, OSError, asyncio.IncompleteReadError) as exc:
        sent.error = f"{type(exc).__name__}: {exc}"


async def settle(data_dir: Path, timeout_s: float) -> None:
    """Until no job of the store is queued or running (reflections included)."""
    deadline = time.monotonic() + timeout_s
    while any(r["status"] not in FINAL for r in job_rows(data_dir)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"jobs still unfinished after {timeout_s:.0f} s")
        await asyncio.sleep(0.2)


async def burst(api: RawApi, users: list[User], tag: str, timeout_s: float) -> list[Sent]:
    slots = asyncio.Semaphore(16)
    sent = [Sent(u) for u in users]
    tasks = [
        send_and_follow(api, s, f"hello, this is {tag} message {i}. How was your day?", slots)
        for i, s in enumerate(sent)
    ]
    await asyncio.wait_for(asyncio.gather(*tasks), timeout_s)
    return sent


async def measure(
    server: Server, workers: list[int], redis_pid: int, mind: int, args: argparse.Namespace
) -> dict[str, Any]:
    n = len(workers)
    api = RawApi(server.host, server.port, 32)
    try:
        pool = UserPool(api)
        await pool.grow(2 * n + args.messages)
        await burst(api, pool.users[: 2 * n], "warm-up", args.timeout)
        await settle(server.data_dir, args.timeout)
        warm_up = job_rows(server.data_dir)
        before = {r["id"] for r in warm_up}

        cpu = CpuSplit({"api": [server.pid], "workers": workers, "redis": [redis_pid]})
        sent = await burst(api, pool.users[2 * n :], "measured", args.timeout)
        await settle(server.data_dir, args.timeout)
        cpu.end()
        rss = {"api": rss_mib(server.pid), "worker_max": max(rss_mib(pid) for pid in workers)}
    finally:
        await api.aclose()

    jobs = [r for r in job_rows(server.data_dir) if r["id"] not in before]
    ids = {r["id"] for r in jobs}
    calls = [c for c in llm_call_rows(server.data_dir) if c["job_id"] in ids]
    t0 = min(s.submit_wall for s in sent)
    done = [(s, s.done) for s in sent if s.done is not None]
    last_done = max((ev.wall for _, ev in done), default=float("nan"))
    reply_span = last_done - t0
    answered = sum(1 for _, ev in done if ev.data.get("status") == "succeeded")
    all_span = max(r["updated_at"] for r in jobs) - t0
    reflected = [r for r in jobs if r["kind"] == "reflect" and r["status"] == "succeeded"]
    lags = [(r["updated_at"] - r["created_at"]) * 1000 for r in reflected]
    kinds: dict[str, dict[str, int]] = {}
    for r in jobs:
        kinds.setdefault(r["kind"], {}).setdefault(r["status"], 0)
        kinds[r["kind"]][r["status"]] += 1
    tasks: dict[str, int] = {}
    for c in calls:
        tasks[c["task"]] = tasks.get(c["task"], 0) + 1
    model_s = sum(c["latency_ms"] for c in calls) / 1000.0
    m = len(sent)
    return {
        "workers": n,
        "mind_workers": mind,
        "messages": m,
        "users": len(pool.users),
        "done": len(done),
        "errors": [s.error for s in sent if s.error][:3],
        "jobs": kinds,
        "jobs_rerun": sum(1 for r in jobs if r["attempts"] > 1),
        "warm_up_failed": sum(1 for r in warm_up if r["status"] == "failed"),
        "model_calls": tasks,
        "model_calls_per_message": round(len(calls) / m, 2),
        "reply_span_s": round(reply_span, 2),
        "all_span_s": round(all_span, 2),
        "answered": answered,
        "failed": sum(1 for r in jobs if r["status"] == "failed"),
        "replies_per_s": round(answered / reply_span, 2),
        "messages_per_s": round(answered / all_span, 2),
        "jobs_per_s": round(len(jobs) / all_span, 2),
        "worker_s_per_job": round(n * all_span / len(jobs), 3),
        "model_s_per_job": round(model_s / len(jobs), 3),
        "submit_to_done_ms": summary([(ev.perf - s.submit_perf) * 1000 for s, ev in done], 0),
        "reflect_lag_ms": summary(lags, 0),
        "reflected_in_burst": sum(1 for r in reflected if r["updated_at"] <= last_done),
        "cpu_pct": cpu.cpu,
        "rss_mib": {k: round(v, 1) for k, v in rss.items()},
    }


def run(redis: Redis, n: int, args: argparse.Namespace) -> dict[str, Any]:
    redis.flush()
    env = rq_env(redis.url, args.delay_ms)
    mind = args.mind_workers
    with (
        tempfile.TemporaryDirectory(prefix="soul-bench-") as tmp,
        running(Path(tmp), env, launch=BENCH) as server,
        running_workers(Path(tmp), env, n, [MIND_ARGS] * mind, launch=BENCH) as workers,
    ):
        try:
            wait_for_workers(server, workers)
            pids = [w.pid for w in workers]
            result = asyncio.run(measure(server, pids, redis.pid, mind, args))
            if args.keep_logs is not None:
                args.keep_logs.mkdir(parents=True, exist_ok=True)
                for log in Path(tmp).glob("*.log"):
                    shutil.copy(log, args.keep_logs / f"w{n}-{log.name}")
            return result
        except Exception:
            for log in sorted(Path(tmp).glob("*.log")):
                tail = log.read_text(errors="replace").splitlines()[-15:]
                print(f"--- {log.name}\n" + "\n".join(tail))
            raise


def label(r: dict[str, Any]) -> str:
    """N workers, K of them with `low` first: "4" or "4 (1 mind)"."""
    return f"{r['workers']} ({r['mind_workers']} mind)" if r["mind_workers"] else str(r["workers"])


def report(r: dict[str, Any]) -> None:
    print(
        f"\n=== {label(r)} worker(s): {r['messages']} messages from {r['messages']} guests "
        f"(+ warm-up) ==="
    )
    print(
        f"done {r['done']}/{r['messages']}  jobs {r['jobs']}  re-run jobs {r['jobs_rerun']}  "
        f"failed in the warm-up {r['warm_up_failed']}  "
        f"client errors {r['errors']}"
    )
    print(
        f"model calls {r['model_calls']} = {r['model_calls_per_message']} a message; "
        f"model s/job {r['model_s_per_job']}, worker s/job {r['worker_s_per_job']}"
    )
    print(
        f"replies: {r['replies_per_s']}/s over {r['reply_span_s']} s;  all jobs: "
        f"{r['jobs_per_s']}/s, messages {r['messages_per_s']}/s over {r['all_span_s']} s"
    )
    print(f"submit->done  {fmt(r['submit_to_done_ms'])}")
    print(
        f"reflect lag   {fmt(r['reflect_lag_ms'])}  "
        f"({r['reflected_in_burst']} reflected before the last reply's done)"
    )
    cpu = r["cpu_pct"]
    print(
        f"CPU % of a core: API {cpu['api']}, workers {cpu['workers']} (sum), redis "
        f"{cpu['redis']}, bench client {cpu['client']}, other processes {cpu['others']}; "
        f"RSS MiB {r['rss_mib']}"
    )


def table(results: list[dict[str, Any]]) -> None:
    base = results[0]
    per = base["workers"]
    print(
        "\n| workers | replies/s | eff. | messages/s (+reflection) | eff. | jobs/s | "
        "worker s/job | submit->done p50 / p99 | reflect lag p50 / p90 / max | "
        "reflected in burst | failed jobs |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        k = r["workers"] / per
        e1 = r["replies_per_s"] / (k * base["replies_per_s"])
        e2 = r["messages_per_s"] / (k * base["messages_per_s"])
        r["efficiency"] = {"replies": round(e1, 2), "messages": round(e2, 2)}
        lat, lag = r["submit_to_done_ms"], r["reflect_lag_ms"]
        print(
            f"| {label(r)} | {r['replies_per_s']:.2f} | {e1:.2f} | {r['messages_per_s']:.2f} "
            f"| {e2:.2f} | {r['jobs_per_s']:.2f} | {r['worker_s_per_job']:.3f} | "
            f"{lat['p50'] / 1000:.1f} / {lat['p99'] / 1000:.1f} s | "
            f"{lag['p50'] / 1000:.1f} / {lag['p90'] / 1000:.1f} / {lag['max'] / 1000:.1f} s | "
            f"{r['reflected_in_burst']}/{r['messages']} | {r['failed']} |"
        )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--workers", default="1,2,4", help="comma-separated worker counts")
    p.add_argument("--messages", type=int, default=48, help="M: the measured burst")
    p.add_argument("--delay-ms", type=int, default=500, help="SCRIPTED_DELAY_MS per model call")
    p.add_argument("--timeout", type=float, default=300.0, help="per phase, seconds")
    p.add_argument(
        "--mind-workers", type=int, default=0, help="K of the N workers take `low` first"
    )
    p.add_argument("--keep-logs", type=Path, help="copy the API and worker logs here")
    p.add_argument("--quiet-wait", type=float, default=60.0, help="max s to wait for idle CPU")
    args = p.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
    if not 0 <= args.mind_workers <= min(counts):
        p.error("--mind-workers must be between 0 and the smallest worker count")
    exit_on_sigterm()
    soft, hard = raise_nofile_limit()
    print(f"machine: {machine()}  RLIMIT_NOFILE={soft}/{hard}")
    print(f"SCRIPTED_DELAY_MS={args.delay_ms}, THINKING_ENABLED=false, QUEUE_BACKEND=rq")
    print(f"mind-workers per run: {args.mind_workers} (`soul worker {' '.join(MIND_ARGS)}`)")
    print(DEFINITIONS)
    results = []
    with running_redis() as redis:
        for n in counts:
            busy = asyncio.run(wait_until_quiet(args.quiet_wait))
            print(f"\n(other load before the {n}-worker run: {busy:.0f}% of a core)")
            result = run(redis, n, args)
            result["others_before_pct"] = round(busy)
            report(result)
            results.append(result)
    table(results)
    keys = ("workers", "mind_workers", "answered", "failed", "replies_per_s", "messages_per_s",
            "jobs_per_s", "efficiency", "model_calls_per_message", "worker_s_per_job",
            "model_s_per_job", "jobs", "jobs_rerun", "warm_up_failed", "reflected_in_burst",
            "others_before_pct")  # fmt: skip
    line = {
        "bench": "worker_throughput",
        "delay_ms": args.delay_ms,
        "messages": args.messages,
        "runs": [
            {
                **{k: r[k] for k in keys},
                "submit_to_done_p50_ms": r["submit_to_done_ms"]["p50"],
                "submit_to_done_p99_ms": r["submit_to_done_ms"]["p99"],
                **{f"reflect_lag_{q}_ms": r["reflect_lag_ms"][q] for q in ("p50", "p90", "max")},
            }
            for r in results
        ],
    }
    print(json.dumps(line, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
