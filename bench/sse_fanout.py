"""SSE fan-out: N concurrent `GET /v1/jobs/{id}/events` streams on one server process.

For each N (default 100 then 1000) a fresh `soul serve` is started (temp DATA_DIR, scripted
LLM sleeping SCRIPTED_DELAY_MS per call, INLINE_WORKERS in-process workers). The bench

1. signs up ceil(N / jobs-per-user) guests (rate limits: 60 submits, 120 streams / min / user);
2. baseline: measures /v1/meta/ping latency (from a separate pinger process, every 20 ms),
   server RSS and CPU with no stream open;
3. launch: submits N jobs, opening each job's event stream right after its 202;
4. hold: once every stream has had its first event, keeps them all open for --hold seconds
   (jobs are still sleeping in the LLM) and measures ping, RSS, CPU;
5. drain: waits for every `done` event, measuring ping meanwhile and the delivery latency
   of each `done` (see DEFINITIONS below).

Run: .venv/bin/python bench/sse_fanout.py [--streams 100,1000] [--delay-ms 6000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import (
    Api,
    HttpStatusError,
    LoopLag,
    Phase,
    Pinger,
    SseEvent,
    User,
    UserPool,
    events_path,
    fmt,
    gc_probe_env,
    machine,
    make_api,
    open_fds,
    raise_nofile_limit,
    rss_mib,
    running_server,
    submit,
    summary,
    wait_until_quiet,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness: tests/support
from tests.support.server import Server

DEFINITIONS = """\
delivery  = wall time the client parsed `done` - jobs.updated_at of that job in the DB (the
            server's time.time() when it built the final commit, just before writing it).
            Same host, same clock: this is commit + publish + SSE write + loopback + parse.
            Only for streams that were open before the job finished (pushed `done`).
submit->done = `done` received - submit sent; includes waiting for one of INLINE_WORKERS
            and for the user's turn (one turn per user at a time; messages sent meanwhile are
            answered together), in waves of SCRIPTED_DELAY_MS: it grows with N by design."""


@dataclass
class Record:
    index: int
    user: User
    job_id: str = ""
    submit_sent: float = 0.0
    first_event: float | None = None
    done: SseEvent | None = None
    done_at_open: bool = False
    error: str | None = None


class Fanout:
    def __init__(self, api: Api, n: int, launch_concurrency: int) -> None:
        self.api, self.n = api, n
        self.records: list[Record] = []
        self.open_now = 0
        self.peak_open = 0
        self.first_seen = 0
        self.all_open = asyncio.Event()
        self.launch_sem = asyncio.Semaphore(launch_concurrency)

    def _count_first(self) -> None:
        self.first_seen += 1
        if self.first_seen == self.n:
            self.all_open.set()

    async def stream_job(self, rec: Record) -> None:
        """Submit, open the job's stream, read it to `done`; the launch slot is held until
        the first event, so at most launch_concurrency submits/opens are in flight."""
        await self.launch_sem.acquire()
        released = False
        try:
            rec.submit_sent = time.perf_counter()
            rec.job_id = await submit(self.api, rec.user, f"hello number {rec.index}, how are you")
            async with contextlib.aclosing(self.api.sse(events_path(rec.job_id, rec.user))) as s:
                async for ev in s:
                    if rec.first_event is None:
                        rec.first_event = ev.perf
                        rec.done_at_open = ev.data.get("status") in ("succeeded", "failed")
                        self.open_now += 1
                        self.peak_open = max(self.peak_open, self.open_now)
                        self._count_first()
                        self.launch_sem.release()
                        released = True
                    if ev.event == "done":
                        rec.done = ev
                        break
        except (HttpStatusError, OSError, asyncio.IncompleteReadError, RuntimeError) as exc:
            rec.error = f"{type(exc).__name__}: {exc}"
            if rec.first_event is None:
                self._count_first()  # so that the launch phase can end
        finally:
            if not released:
                self.launch_sem.release()
            if rec.first_event is not None:
                self.open_now -= 1


def _job_rows(server: Server) -> tuple[dict[str, tuple[str, float]], int]:
    """Each job's final status and updated_at (server clock); and how many model calls ran."""
    db = sqlite3.connect(server.data_dir / "soul.sqlite3", timeout=10)
    try:
        rows = db.execute("SELECT id, status, updated_at FROM jobs").fetchall()
        try:
            calls = int(db.execute("SELECT COUNT(*) FROM llm_calls").fetchone()[0])
        except sqlite3.Error:
            calls = -1
    finally:
        db.close()
    return {r[0]: (r[1], r[2]) for r in rows}, calls


async def _sample_rss(pid: int, seconds: float, into: list[float]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        into.append(rss_mib(pid))
        await asyncio.sleep(0.25)


def _gc_pauses(server: Server) -> list[tuple[float, int, float]]:
    """(wall time, generation, ms) of the server's GC passes logged by bench/gcprobe."""
    out = []
    for line in server.log_path.read_text(errors="replace").splitlines():
        if line.startswith("GCPAUSE "):
            _, wall, gen, ms = line.split()
            out.append((float(wall), int(gen[3:]), float(ms)))
    return out


async def measure(server: Server, n: int, args: argparse.Namespace) -> dict[str, Any]:
    pid = server.pid
    # raw: streams get their own sockets, the pool serves submits; httpx: one pool for all.
    conns = args.launch_concurrency + (n + 16 if args.client == "httpx" else 0)
    api = make_api(args.client, server, conns)
    pinger = Pinger(server.url, interval_s=0.02, max_s=3 * args.timeout + 120)
    lag = LoopLag()
    phases: dict[str, Phase] = {}
    try:
        pool = UserPool(api)
        await pool.grow(math.ceil(n / args.jobs_per_user))
        await pinger.start()
        lag.start()
        await asyncio.sleep(1.0)  # let the pinger connect and warm up
        helpers = [pinger.pid or 0]

        # -- baseline: no stream open
        ph = Phase(pid, helpers)
        rss_base: list[float] = []
        await _sample_rss(pid, args.baseline, rss_base)
        phases["baseline"] = ph.end()

        # -- launch: submit + open each stream
        fan = Fanout(api, n, args.launch_concurrency)
        fan.records = [Record(i, pool.users[i % len(pool.users)]) for i in range(n)]
        ph = Phase(pid, helpers)
        tasks = [asyncio.create_task(fan.stream_job(r)) for r in fan.records]
        try:
            await asyncio.wait_for(fan.all_open.wait(), args.timeout)
        except TimeoutError:
            print(f"  ! launch timed out: {fan.first_seen}/{n} streams had a first event")
        phases["launch"] = ph.end()

        # -- hold: all streams open, jobs still in the LLM (if the delay is long enough)
        open_at_hold_start = fan.open_now
        ph = Phase(pid, helpers)
        rss_hold: list[float] = []
        await _sample_rss(pid, args.hold, rss_hold)
        server_fds_hold = open_fds(pid)
        phases["hold"] = ph.end()
        open_at_hold_end = fan.open_now

        # -- drain: every job finishes, `done` is pushed
        ph = Phase(pid, helpers)
        _, pending = await asyncio.wait(tasks, timeout=args.timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        phases["drain"] = ph.end()
        rss_after = rss_mib(pid)
        rows, llm_calls = _job_rows(server)
        gc_pauses = _gc_pauses(server)
    finally:
        await lag.stop()
        await pinger.stop()
        await api.aclose()

    # -- figures
    delivery, e2e = [], []
    statuses: dict[str, int] = {}
    for r in fan.records:
        if r.done is None:
            continue
        status = str(r.done.data.get("status"))
        statuses[status] = statuses.get(status, 0) + 1
        e2e.append((r.done.perf - r.submit_sent) * 1000.0)
        if r.done_at_open:
            continue
        row = rows.get(r.job_id)
        if row is not None:
            delivery.append((r.done.wall - row[1]) * 1000.0)
    errors = [r.error for r in fan.records if r.error]
    out: dict[str, Any] = {
        "streams": n,
        "users": len(pool.users),
        "client": args.client,
        "delay_ms": args.delay_ms,
        "workers": args.workers,
        "launch_s": round(phases["launch"].seconds, 2),
        "peak_open": fan.peak_open,
        "open_during_hold": [open_at_hold_start, open_at_hold_end],
        "done_before_open": sum(1 for r in fan.records if r.done_at_open),
        "done_received": sum(1 for r in fan.records if r.done is not None),
        "job_status": statuses,
        "llm_calls": llm_calls,
        "errors": len(errors),
        "error_samples": errors[:3],
        "rss_mib": {
            "baseline": round(max(rss_base), 1),
            "hold_max": round(max(rss_hold), 1),
            "after": round(rss_after, 1),
        },
        "rss_kib_per_stream": round(
            (max(rss_hold) - max(rss_base)) * 1024 / max(1, open_at_hold_start), 1
        ),
        "server_fds_hold": server_fds_hold,
        "ping_errors": pinger.errors(),
        "gc_probe": args.gc_probe,
        "gc_threshold": args.gc_threshold,
        "delivery_ms": summary(delivery),
        "submit_to_done_ms": summary(e2e, 0),
        "phases": {
            name: {
                "seconds": round(ph.seconds, 2),
                "ping_ms": summary(pinger.between(ph.wall0, ph.wall1)),
                "cpu_pct": ph.cpu,
                "client_loop_lag_ms": summary(lag.between(ph.mono0, ph.mono1)),
                "server_gc_pauses_ms": [
                    ms for wall, _, ms in gc_pauses if ph.wall0 <= wall <= ph.wall1
                ],
            }
            for name, ph in phases.items()
        },
    }
    return out


def report(r: dict[str, Any]) -> None:
    print(
        f"\n=== {r['streams']} streams ({r['client']} client), {r['users']} guest users, "
        f"SCRIPTED_DELAY_MS={r['delay_ms']}, INLINE_WORKERS={r['workers']} ==="
    )
    print(
        f"launch (submit + open all): {r['launch_s']} s; peak concurrently open: "
        f"{r['peak_open']}; open during hold: {r['open_during_hold'][0]} -> "
        f"{r['open_during_hold'][1]}; done before its stream opened: {r['done_before_open']}"
    )
    print(
        f"done received: {r['done_received']}/{r['streams']}  job status: {r['job_status']}  "
        f"model calls (all job kinds): {r['llm_calls']}  "
        f"client errors: {r['errors']} {r['error_samples']}"
    )
    rss = r["rss_mib"]
    print(
        f"server RSS: baseline {rss['baseline']} MiB, all streams open {rss['hold_max']} MiB "
        f"(+{r['rss_kib_per_stream']} KiB/stream), after {rss['after']} MiB; "
        f"server fds while open: {r['server_fds_hold']}"
    )
    for name, ph in r["phases"].items():
        print(f"  {name:<8} {ph['seconds']:>6.1f}s  ping {fmt(ph['ping_ms'])}")
        cpu = ph["cpu_pct"]
        print(
            f"  {'':<16} CPU % of a core: server {cpu['server']}, client {cpu['client']}, "
            f"pinger {cpu['helpers']}, other processes {cpu['others']}; "
            f"client loop lag p99 {ph['client_loop_lag_ms']['p99']} ms"
        )
        if r["gc_probe"]:
            pauses = ph["server_gc_pauses_ms"]
            print(
                f"  {'':<16} server GC passes >= 5 ms: {len(pauses)}"
                + (f", longest {max(pauses):.1f} ms: {pauses}" if pauses else "")
            )
    print(f"  delivery      {fmt(r['delivery_ms'])}")
    print(f"  submit->done  {fmt(r['submit_to_done_ms'])}")
    print(f"  ping errors: {r['ping_errors']}")
    if r["gc_threshold"]:
        print(f"  (server ran with gc.set_threshold({r['gc_threshold']}))")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--streams", default="100,1000", help="comma-separated N values")
    p.add_argument("--delay-ms", type=int, default=8000, help="SCRIPTED_DELAY_MS of the server")
    p.add_argument("--workers", type=int, default=64, help="INLINE_WORKERS (the service caps 64)")
    p.add_argument("--jobs-per-user", type=int, default=20, help="<= 55: per-user rate limits")
    p.add_argument("--launch-concurrency", type=int, default=32)
    p.add_argument("--baseline", type=float, default=3.0, help="seconds")
    p.add_argument("--hold", type=float, default=3.0, help="seconds with all streams open")
    p.add_argument("--timeout", type=float, default=300.0, help="per phase, seconds")
    p.add_argument("--client", choices=("raw", "httpx"), default="raw")
    p.add_argument("--quiet-wait", type=float, default=60.0, help="max s to wait for idle CPU")
    p.add_argument("--profile", type=Path, help="run the server under cProfile, write here")
    p.add_argument(
        "--gc-probe",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="log the server's GC passes >= 5 ms (bench/gcprobe/sitecustomize.py)",
    )
    p.add_argument("--gc-threshold", help="A/B a fix: gc.set_threshold(a,b,c) in the server")
    args = p.parse_args()
    if args.gc_threshold and not args.gc_probe:
        p.error("--gc-threshold needs --gc-probe")
    if not 1 <= args.jobs_per_user <= 55:
        p.error("--jobs-per-user must be within 1..55 (60 submits/min/user)")
    soft, hard = raise_nofile_limit()
    print(f"machine: {machine()}  RLIMIT_NOFILE={soft}/{hard}")
    print(DEFINITIONS)
    results = []
    for n in (int(x) for x in args.streams.split(",")):
        busy = asyncio.run(wait_until_quiet(args.quiet_wait))
        print(f"\n(other load before the {n}-stream run: {busy:.0f}% of a core)")
        env = {"SCRIPTED_DELAY_MS": str(args.delay_ms), "INLINE_WORKERS": str(args.workers)}
        if args.gc_probe:
            env |= gc_probe_env(args.gc_threshold)
        profile = None
        if args.profile is not None:
            profile = args.profile.with_name(f"{args.profile.stem}-{n}{args.profile.suffix}")
        with running_server(env, profile) as server:
            result = asyncio.run(measure(server, n, args))
        report(result)
        results.append(result)
    line = {
        "bench": "sse_fanout",
        "runs": [
            {
                "streams": r["streams"],
                "peak_open": r["peak_open"],
                "done": r["done_received"],
                "job_status": r["job_status"],
                "errors": r["errors"],
                "ping_base_p99_ms": r["phases"]["baseline"]["ping_ms"]["p99"],
                "ping_hold_p50_ms": r["phases"]["hold"]["ping_ms"]["p50"],
                "ping_hold_p99_ms": r["phases"]["hold"]["ping_ms"]["p99"],
                "ping_launch_p99_ms": r["phases"]["launch"]["ping_ms"]["p99"],
                "ping_drain_p99_ms": r["phases"]["drain"]["ping_ms"]["p99"],
                "delivery_p50_ms": r["delivery_ms"]["p50"],
                "delivery_p99_ms": r["delivery_ms"]["p99"],
                "rss_base_mib": r["rss_mib"]["baseline"],
                "rss_open_mib": r["rss_mib"]["hold_max"],
                "others_cpu_pct_max": max(ph["cpu_pct"]["others"] for ph in r["phases"].values()),
                "gc_pause_launch_max_ms": max(
                    r["phases"]["launch"]["server_gc_pauses_ms"], default=0.0
                ),
                "gc_threshold": r["gc_threshold"],
            }
            for r in results
        ],
    }
    print(json.dumps(line, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
