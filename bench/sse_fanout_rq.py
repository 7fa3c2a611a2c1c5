"""SSE fan-out across two API processes (QUEUE_BACKEND=rq): submitted on one, followed on the other.

A redis-server of the bench's own, one shared DATA_DIR, API processes A and B, and K `soul
worker` processes (default 2) with the scripted model sleeping SCRIPTED_DELAY_MS (500) per
call. Job i is submitted on A and its event stream opened on B when i is even, the other way
round when odd, so every event a client reads came from a worker through Redis pub/sub to
the other process. For each N (default 200; --streams 1000):

1. sign up ceil(N / jobs-per-user) guests;
2. baseline, 3 s: ping both APIs (a pinger process each, every 20 ms), RSS, CPU;
3. launch: submit the N jobs and open their streams (32 in flight), workers not started
   yet, so that no job finishes; ends when every stream has had its first event;
4. hold, 3 s: all N streams open and idle, half on each process;
5. drain: start the K workers and wait for every `done`.

Run: .venv/bin/python bench/sse_fanout_rq.py [--streams 200,1000] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import (
    BENCH,
    CpuSplit,
    HttpStatusError,
    Pinger,
    RawApi,
    SseEvent,
    User,
    UserPool,
    events_path,
    exit_on_sigterm,
    fmt,
    job_rows,
    machine,
    open_fds,
    raise_nofile_limit,
    rss_mib,
    submit,
    summary,
    wait_until_quiet,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness: tests/support
from tests.support.redis import Redis, rq_env, running_redis
from tests.support.server import Server, running
from tests.support.workers import running_workers

DEFINITIONS = """\
delivery = wall time the client parsed `done` - jobs.updated_at of that job in the shared
           store (the worker's time.time() when it built the job's final commit, just before
           writing it). Same host, same clock: the worker's commit + publish to Redis +
           Redis to the other API's subscriber + SSE write + loopback + parse. Jobs answered
           together with another (a user's messages sent during their turn) finish in the
           same commit, so their `done`s leave in a burst.
workers start after the hold, so `drain` includes their start-up (~2 s) and the drain time
is not a throughput figure (see worker_throughput.py)."""


@dataclass
class Record:
    index: int
    user: User
    submit_api: str
    stream_api: str
    job_id: str = ""
    first_event: float | None = None
    done: SseEvent | None = None
    error: str | None = None


class Fanout:
    def __init__(self, apis: dict[str, RawApi], n: int, launch_concurrency: int) -> None:
        self.apis, self.n = apis, n
        self.open_now = {name: 0 for name in apis}
        self.peak_open = 0
        self.first_seen = 0
        self.all_open = asyncio.Event()
        self.launch = asyncio.Semaphore(launch_concurrency)

    def _seen(self) -> None:
        self.first_seen += 1
        if self.first_seen == self.n:
            self.all_open.set()

    async def follow(self, rec: Record) -> None:
        """Submit on one API, open the stream on the other, read it to `done`; the launch
        slot is held until the stream's first event."""
        await self.launch.acquire()
        held = True
        try:
            rec.job_id = await submit(self.apis[rec.submit_api], rec.user, f"hi #{rec.index}")
            stream = self.apis[rec.stream_api].sse(events_path(rec.job_id, rec.user))
            async with contextlib.aclosing(stream) as events:
                async for ev in events:
                    if rec.first_event is None:
                        rec.first_event = ev.perf
                        self.open_now[rec.stream_api] += 1
                        self.peak_open = max(self.peak_open, sum(self.open_now.values()))
                        self._seen()
                        self.launch.release()
                        held = False
                    if ev.event == "done":
                        rec.done = ev
                        break
        except (HttpStatusError, OSError, asyncio.IncompleteReadError, RuntimeError) as exc:
            rec.error = f"{type(exc).__name__}: {exc}"
            if rec.first_event is None:
                self._seen()
        finally:
            if held:
                self.launch.release()
            if rec.first_event is not None:
                self.open_now[rec.stream_api] -= 1


async def until_registered(api: RawApi, count: int, timeout_s: float) -> None:
    """Until /v1/meta/queue counts `count` workers (each builds its service first)."""
    deadline = time.monotonic() + timeout_s
    while True:
        status, body = await api.request("GET", "/v1/meta/queue")
        if status == 200 and json.loads(body)["worker_count"] >= count:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the {count} workers did not all register in time")
        await asyncio.sleep(0.2)


async def sample_rss(pids: dict[str, int], seconds: float) -> dict[str, float]:
    """The highest RSS of each process over `seconds`, in MiB."""
    peak = dict.fromkeys(pids, 0.0)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for name, pid in pids.items():
            peak[name] = max(peak[name], rss_mib(pid))
        await asyncio.sleep(0.25)
    return {name: round(v, 1) for name, v in peak.items()}


async def measure(
    servers: dict[str, Server],
    redis: Redis,
    start_workers: Callable[[], list[int]],
    n: int,
    args: argparse.Namespace,
) -> dict[str, Any]:
    conns = args.launch_concurrency + 4
    apis = {name: RawApi(s.host, s.port, conns) for name, s in servers.items()}
    api_pids = {name: s.pid for name, s in servers.items()}
    pingers = {name: Pinger(s.url, 0.02, 3 * args.timeout + 120) for name, s in servers.items()}
    phases: dict[str, CpuSplit] = {}
    workers: list[int] = []

    def split() -> CpuSplit:
        pings = [p.pid for p in pingers.values() if p.pid]
        groups = {**{k: [v] for k, v in api_pids.items()}, "workers": workers}
        return CpuSplit({**groups, "redis": [redis.pid], "pingers": pings})

    try:
        pool = UserPool(apis["A"])
        await pool.grow(math.ceil(n / args.jobs_per_user))
        for pinger in pingers.values():
            await pinger.start()
        await asyncio.sleep(1.0)

        ph = split()
        rss_base = await sample_rss(api_pids, args.baseline)
        phases["baseline"] = ph.end()

        fan = Fanout(apis, n, args.launch_concurrency)
        records = [
            Record(i, pool.users[i % len(pool.users)], *(("A", "B") if i % 2 == 0 else ("B", "A")))
            for i in range(n)
        ]
        ph = split()
        tasks = [asyncio.create_task(fan.follow(r)) for r in records]
        try:
            await asyncio.wait_for(fan.all_open.wait(), args.timeout)
        except TimeoutError:
            print(f"  ! launch timed out: {fan.first_seen}/{n} streams had a first event")
        phases["launch"] = ph.end()

        open_hold = dict(fan.open_now)
        ph = split()
        rss_hold = await sample_rss(api_pids, args.hold)
        fds_hold = {name: open_fds(pid) for name, pid in api_pids.items()}
        phases["hold"] = ph.end()

        ph = split()
        workers += start_workers()
        await until_registered(apis["A"], len(workers), args.timeout)
        _, pending = await asyncio.wait(tasks, timeout=args.timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        phases["drain"] = ph.end()
        rss_after = {name: round(rss_mib(pid), 1) for name, pid in api_pids.items()}
    finally:
        for pinger in pingers.values():
            await pinger.stop()
        for api in apis.values():
            await api.aclose()

    rows = {r["id"]: r for r in job_rows(next(iter(servers.values())).data_dir)}
    delivery: dict[str, list[float]] = {name: [] for name in servers}
    statuses: dict[str, int] = {}
    for r in records:
        if r.done is None:
            continue
        status = str(r.done.data.get("status"))
        statuses[status] = statuses.get(status, 0) + 1
        if r.job_id in rows:
            delivery[r.stream_api].append((r.done.wall - rows[r.job_id]["updated_at"]) * 1000)
    kinds: dict[str, int] = {}
    for row in rows.values():
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    errors = [r.error for r in records if r.error]
    return {
        "streams": n,
        "users": len(pool.users),
        "workers": args.workers,
        "delay_ms": args.delay_ms,
        "launch_s": round(phases["launch"].seconds, 2),
        "drain_s": round(phases["drain"].seconds, 2),
        "peak_open": fan.peak_open,
        "open_during_hold": open_hold,
        "done_received": sum(1 for r in records if r.done is not None),
        "job_status": statuses,
        "jobs_in_store": kinds,
        "errors": len(errors),
        "error_samples": errors[:3],
        "rss_mib": {"baseline": rss_base, "hold_max": rss_hold, "after": rss_after},
        "rss_kib_per_stream": {
            name: round((rss_hold[name] - rss_base[name]) * 1024 / max(1, open_hold[name]), 1)
            for name in servers
        },
        "fds_hold": fds_hold,
        "ping_errors": {name: p.errors() for name, p in pingers.items()},
        "delivery_ms": summary([x for v in delivery.values() for x in v]),
        "delivery_ms_by_stream_api": {name: summary(v) for name, v in delivery.items()},
        "phases": {
            name: {
                "seconds": round(ph.seconds, 2),
                "ping_ms": {k: summary(p.between(ph.wall0, ph.wall1)) for k, p in pingers.items()},
                "cpu_pct": ph.cpu,
            }
            for name, ph in phases.items()
        },
    }


def run(redis: Redis, n: int, args: argparse.Namespace) -> dict[str, Any]:
    redis.flush()
    env = rq_env(redis.url, args.delay_ms)
    with contextlib.ExitStack() as stack:
        data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="soul-bench-")))
        servers = {
            name: stack.enter_context(running(data, env, launch=BENCH)) for name in ("A", "B")
        }

        def start_workers() -> list[int]:
            procs = stack.enter_context(running_workers(data, env, args.workers, launch=BENCH))
            return [p.pid for p in procs]

        try:
            return asyncio.run(measure(servers, redis, start_workers, n, args))
        except Exception:
            for log in sorted(data.glob("*.log")):
                tail = log.read_text(errors="replace").splitlines()[-15:]
                print(f"--- {log.name}\n" + "\n".join(tail))
            raise
    raise AssertionError("unreachable")


def report(r: dict[str, Any]) -> None:
    print(
        f"\n=== {r['streams']} streams over 2 API processes, {r['users']} guest users, "
        f"{r['workers']} workers, SCRIPTED_DELAY_MS={r['delay_ms']} ==="
    )
    print(
        f"launch {r['launch_s']} s; peak open {r['peak_open']}; open during hold "
        f"{r['open_during_hold']}; drain {r['drain_s']} s"
    )
    print(
        f"done received {r['done_received']}/{r['streams']}  job status {r['job_status']}  "
        f"jobs in store {r['jobs_in_store']}  client errors {r['errors']} {r['error_samples']}"
    )
    rss = r["rss_mib"]
    for name in ("A", "B"):
        print(
            f"API {name}: RSS {rss['baseline'][name]} -> {rss['hold_max'][name]} MiB all open "
            f"(+{r['rss_kib_per_stream'][name]} KiB/stream), after {rss['after'][name]} MiB; "
            f"fds {r['fds_hold'][name]}; ping errors {r['ping_errors'][name]}"
        )
    for name, ph in r["phases"].items():
        for api in ("A", "B"):
            label = f"{name} ({ph['seconds']:.1f}s)" if api == "A" else ""
            print(f"  {label:<17} ping {api} {fmt(ph['ping_ms'][api])}")
        print(f"  {'':<17} CPU % of a core: {ph['cpu_pct']}")
    print(f"  delivery        {fmt(r['delivery_ms'])}")
    for name, s in r["delivery_ms_by_stream_api"].items():
        print(f"    streams on {name} {fmt(s)}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--streams", default="200", help="comma-separated N values (e.g. 200,1000)")
    p.add_argument("--workers", type=int, default=2, help="K `soul worker` processes")
    p.add_argument("--delay-ms", type=int, default=500, help="SCRIPTED_DELAY_MS per model call")
    p.add_argument("--jobs-per-user", type=int, default=20, help="<= 55: per-user rate limits")
    p.add_argument("--launch-concurrency", type=int, default=32)
    p.add_argument("--baseline", type=float, default=3.0, help="seconds")
    p.add_argument("--hold", type=float, default=3.0, help="seconds with all streams open")
    p.add_argument("--timeout", type=float, default=300.0, help="per phase, seconds")
    p.add_argument("--quiet-wait", type=float, default=60.0, help="max s to wait for idle CPU")
    args = p.parse_args()
    if not 1 <= args.jobs_per_user <= 55:
        p.error("--jobs-per-user must be within 1..55 (60 submits/min/user)")
    exit_on_sigterm()
    soft, hard = raise_nofile_limit()
    print(f"machine: {machine()}  RLIMIT_NOFILE={soft}/{hard}")
    print(DEFINITIONS)
    results = []
    with running_redis() as redis:
        for n in (int(x) for x in args.streams.split(",")):
            busy = asyncio.run(wait_until_quiet(args.quiet_wait))
            print(f"\n(other load before the {n}-stream run: {busy:.0f}% of a core)")
            result = run(redis, n, args)
            result["others_before_pct"] = round(busy)
            report(result)
            results.append(result)
    line = {
        "bench": "sse_fanout_rq",
        "runs": [
            {
                "streams": r["streams"],
                "workers": r["workers"],
                "peak_open": r["peak_open"],
                "done": r["done_received"],
                "job_status": r["job_status"],
                "errors": r["errors"],
                "launch_s": r["launch_s"],
                **{
                    f"ping_{ph}_{api}_p99_ms": r["phases"][ph]["ping_ms"][api]["p99"]
                    for ph in ("baseline", "launch", "hold", "drain")
                    for api in ("A", "B")
                },
                "delivery_p50_ms": r["delivery_ms"]["p50"],
                "delivery_p99_ms": r["delivery_ms"]["p99"],
                "rss_base_mib": r["rss_mib"]["baseline"],
                "rss_open_mib": r["rss_mib"]["hold_max"],
                "others_before_pct": r["others_before_pct"],
            }
            for r in results
        ],
    }
    print(json.dumps(line, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
