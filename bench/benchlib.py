"""Shared plumbing for the benchmarks: /proc readings, users, SSE, stats, and how the benches
run the tests' harness (tests/support/) that starts the service's processes.

Run as a script (`python bench/benchlib.py ping URL`) it is the pinger child process used by
`sse_fanout.py`, so that ping latencies are not skewed by the stream client's event loop.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import platform
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

# The harness that starts the service's processes is the tests' (tests/support/); a bench runs
# as a script from bench/, so the repository root goes on the path first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.server import SERVICE_ENV, Launch, Server, lifted_limits, running

HERE = Path(__file__).resolve()
# Per-user limits of the service (auth/ratelimit.py), per 60 s; we stay a few under each.
RATE_WINDOW_S = 60.0
RATE_LIMITS = {"submit": 60, "job_poll": 120, "job_events": 120}
RATE_MARGIN = 5
CLK_TCK = os.sysconf("SC_CLK_TCK")
# The harness's processes as the benches run them: thinking as configured, the fairness limits
# lifted further (fairness.py sets its own), each in its DATA_DIR, 20 s for a server to stop.
BENCH = Launch({**SERVICE_ENV, **lifted_limits(1_000_000)}, in_data_dir=True, stop_timeout_s=20.0)


# -- process limits, the service's processes --------------------------------------------------
def raise_nofile_limit() -> tuple[int, int]:
    """Soft RLIMIT_NOFILE up to the hard limit; children spawned afterwards inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def gc_probe_env(threshold: str | None = None) -> dict[str, str]:
    """Server env that loads bench/gcprobe: logs GC passes >= 5 ms, optionally sets the
    GC thresholds ("a,b,c") to A/B that fix."""
    env = {"PYTHONPATH": str(HERE.parent / "gcprobe"), "SOUL_BENCH_GC_PROBE": "1"}
    if threshold:
        env["SOUL_BENCH_GC_THRESHOLD"] = threshold
    return env


@contextmanager
def running_server(
    env: dict[str, str] | None = None, profile_to: Path | None = None
) -> Iterator[Server]:
    """A server with its own temporary DATA_DIR, always stopped (and the dir removed)."""
    raise_nofile_limit()
    with (
        tempfile.TemporaryDirectory(prefix="soul-bench-") as tmp,
        running(Path(tmp), env, launch=BENCH, profile_to=profile_to) as server,
    ):
        yield server


def exit_on_sigterm() -> None:
    """Make SIGTERM unwind like Ctrl-C, so that every `finally` stops its processes."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


def job_rows(data_dir: Path) -> list[dict[str, Any]]:
    """Every job of the shared store: id, kind, status, attempts, created_at, updated_at."""
    return _rows(data_dir, "jobs", "id, kind, status, attempts, created_at, updated_at")


def llm_call_rows(data_dir: Path) -> list[dict[str, Any]]:
    """Every model call the service recorded: job_id, task, latency_ms, ok, at."""
    return _rows(data_dir, "llm_calls", "job_id, task, latency_ms, ok, at")


def _rows(data_dir: Path, table: str, cols: str) -> list[dict[str, Any]]:
    db = sqlite3.connect(data_dir / "soul.sqlite3", timeout=10)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(f"SELECT {cols} FROM {table}")]
    finally:
        db.close()


# -- /proc readings -------------------------------------------------------------------------
def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class CpuMeter:
    """CPU use of a process over an interval, as a percentage of one core."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._cpu = cpu_seconds(pid)
        self._t = time.monotonic()

    def percent(self) -> float:
        cpu, now = cpu_seconds(self.pid), time.monotonic()
        value = 100.0 * (cpu - self._cpu) / max(1e-9, now - self._t)
        self._cpu, self._t = cpu, now
        return value


def _system_busy_s() -> float:
    """CPU seconds spent not idle by the whole machine (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / CLK_TCK


class Phase:
    """One measured interval: wall/monotonic bounds and CPU of server, client, everything."""

    def __init__(self, server_pid: int, helper_pids: Sequence[int] = ()) -> None:
        self.server_pid = server_pid
        self.helper_pids = [p for p in helper_pids if p]
        self.wall0, self.mono0 = time.time(), time.monotonic()
        self._server0 = cpu_seconds(server_pid)
        self._helpers0 = sum(cpu_seconds(p) for p in self.helper_pids)
        self._client0 = time.process_time()
        self._system0 = _system_busy_s()
        self.wall1 = self.mono1 = 0.0
        self.cpu: dict[str, float] = {}

    def end(self) -> Phase:
        self.wall1, self.mono1 = time.time(), time.monotonic()
        span = max(1e-9, self.mono1 - self.mono0)
        server = cpu_seconds(self.server_pid) - self._server0
        helpers = sum(cpu_seconds(p) for p in self.helper_pids) - self._helpers0
        client = time.process_time() - self._client0
        system = _system_busy_s() - self._system0
        self.cpu = {  # percent of one core
            "server": round(100 * server / span),
            "client": round(100 * client / span),
            "helpers": round(100 * helpers / span),
            "others": round(100 * max(0.0, system - server - client - helpers) / span),
        }
        return self

    @property
    def seconds(self) -> float:
        return self.mono1 - self.mono0


class CpuSplit:
    """Like Phase, for several named groups of processes: CPU of each (% of one core), of
    this client, and of every other process of the machine, over one interval. A group's
    list is read again at the end: a process added meanwhile counts from its start."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups
        self.wall0, self.mono0 = time.time(), time.monotonic()
        self._cpu0 = {p: cpu_seconds(p) for pids in groups.values() for p in pids}
        self._client0, self._system0 = time.process_time(), _system_busy_s()
        self.wall1 = self.mono1 = 0.0
        self.cpu: dict[str, float] = {}

    def end(self) -> CpuSplit:
        self.wall1, self.mono1 = time.time(), time.monotonic()
        span = max(1e-9, self.mono1 - self.mono0)
        used = {
            name: sum(cpu_seconds(p) - self._cpu0.get(p, 0.0) for p in pids)
            for name, pids in self.groups.items()
        }
        used["client"] = time.process_time() - self._client0
        others = _system_busy_s() - self._system0 - sum(used.values())
        self.cpu = {n: round(100 * s / span) for n, s in used.items()}
        self.cpu["others"] = round(100 * max(0.0, others) / span)
        return self

    @property
    def seconds(self) -> float:
        return self.mono1 - self.mono0


async def wait_until_quiet(max_wait_s: float, threshold_pct: float = 30.0) -> float:
    """Wait (up to max_wait_s) until the rest of the machine uses < threshold % of a core.

    Other jobs on a shared 2-core box skew every figure; returns the last reading.
    """
    deadline = time.monotonic() + max_wait_s
    while True:
        b0, t0 = _system_busy_s(), time.monotonic()
        await asyncio.sleep(2.0)
        busy = 100 * (_system_busy_s() - b0) / (time.monotonic() - t0)
        if busy < threshold_pct or time.monotonic() >= deadline:
            return busy


def code_version() -> str:
    """The commit under test, and whether src/ differs from it (others edit concurrently)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE.parent.parent,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=HERE.parent.parent,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' +uncommitted src changes' if dirty else ''}"


def machine() -> dict[str, Any]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    return {
        "code": code_version(),
        "cpu_model": model,
        "nproc": os.cpu_count(),
        "mem_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


# -- statistics -----------------------------------------------------------------------------
def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: Sequence[float], digits: int = 2) -> dict[str, float | int]:
    return {
        "n": len(values),
        "p50": round(pct(values, 50), digits),
        "p90": round(pct(values, 90), digits),
        "p99": round(pct(values, 99), digits),
        "max": round(max(values), digits) if values else float("nan"),
    }


def fmt(s: dict[str, float | int], unit: str = "ms") -> str:
    return (
        f"n={s['n']:<5} p50={s['p50']:>8.2f}{unit} p90={s['p90']:>8.2f}{unit} "
        f"p99={s['p99']:>8.2f}{unit} max={s['max']:>8.2f}{unit}"
    )


class LoopLag:
    """How late a 10 ms sleep wakes up: a busy client loop would skew its own timings."""

    def __init__(self, period_s: float = 0.01) -> None:
        self.period_s = period_s
        self.samples: list[tuple[float, float]] = []  # (monotonic, lag ms)
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(self.period_s)
            late = (time.perf_counter() - t0 - self.period_s) * 1000.0
            self.samples.append((time.monotonic(), late))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def between(self, t0: float, t1: float) -> list[float]:
        return [lag for t, lag in self.samples if t0 <= t <= t1]


# -- HTTP clients ---------------------------------------------------------------------------
class HttpStatusError(Exception):
    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"HTTP {status}: {body[:200]!r}")
        self.status = status


@dataclass
class SseEvent:
    event: str
    data: dict[str, Any]
    perf: float  # time.perf_counter() when the event was parsed
    wall: float  # time.time() at the same moment (comparable with the server's clock)


def _parse_frame(frame: bytes) -> tuple[str, str] | None:
    name, data = "message", []
    for line in frame.split(b"\n"):
        if not line or line.startswith(b":"):
            continue
        key, _, value = line.partition(b":")
        value = value[1:] if value.startswith(b" ") else value
        if key == b"event":
            name = value.decode()
        elif key == b"data":
            data.append(value.decode())
    if not data:
        return None  # a comment (keep-alive) only
    return name, "\n".join(data)


class SseParser:
    def __init__(self) -> None:
        self._buf = b""

    def feed(self, chunk: bytes) -> list[SseEvent]:
        self._buf += chunk.replace(b"\r\n", b"\n")
        out: list[SseEvent] = []
        while b"\n\n" in self._buf:
            frame, self._buf = self._buf.split(b"\n\n", 1)
            parsed = _parse_frame(frame)
            if parsed is not None:
                data = json.loads(parsed[1])
                out.append(SseEvent(parsed[0], data, time.perf_counter(), time.time()))
        return out


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes]]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("server closed the connection")
    parts = status_line.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 else 0
    headers: dict[bytes, bytes] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            return status, headers
        key, _, value = line.partition(b":")
        headers[key.strip().lower()] = value.strip()


async def _body_chunks(
    reader: asyncio.StreamReader, headers: dict[bytes, bytes]
) -> AsyncIterator[bytes]:
    """The body as it arrives: Content-Length, chunked, or until EOF."""
    if b"content-length" in headers:
        yield await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while True:
            size_line = await reader.readline()
            if not size_line:
                return
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readline()  # the CRLF after the last chunk (no trailers)
                return
            yield (await reader.readexactly(size + 2))[:-2]
    else:
        while data := await reader.read(65536):
            yield data


def _request_bytes(
    method: str, path: str, host: str, port: int, token: str | None, body: bytes | None, close: bool
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


class _RawConn:
    def __init__(self, host: str, port: int, source: str | None = None) -> None:
        self.host, self.port = host, port
        self.local_addr = (source, 0) if source else None
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, token: str | None, body: bytes | None
    ) -> tuple[int, bytes]:
        for attempt in range(2):
            fresh = self.writer is None
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(
                    self.host, self.port, local_addr=self.local_addr
                )
            assert self.reader is not None
            try:
                self.writer.write(
                    _request_bytes(method, path, self.host, self.port, token, body, close=False)
                )
                status, headers = await _read_head(self.reader)
                data = b"".join([c async for c in _body_chunks(self.reader, headers)])
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if fresh or attempt:
                    raise
                continue  # a kept-alive connection the server had closed: once more
            if headers.get(b"connection", b"").lower() == b"close":
                self.close()
            return status, data
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class RawApi:
    """A minimal HTTP/1.1 client on asyncio streams: keep-alive pool, no parsing frills.

    httpx spends about 1.5 ms of client CPU per request; on a 2-core machine that makes the
    client, not the server, the bottleneck above ~600 req/s. This costs a fraction of that.
    `source`: the local address to connect from; any 127.x.y.z reaches a server on
    127.0.0.1 as a client of its own address (per-address limits) with no proxy header.
    """

    name = "raw"

    def __init__(
        self, host: str, port: int, max_connections: int = 64, source: str | None = None
    ) -> None:
        self.host, self.port = host, port
        self.source = source
        self._idle: list[_RawConn] = []
        self._slots = asyncio.Semaphore(max_connections)

    async def request(
        self, method: str, path: str, token: str | None = None, body: Any = None
    ) -> tuple[int, bytes]:
        payload = json.dumps(body).encode() if body is not None else None
        async with self._slots:
            conn = self._idle.pop() if self._idle else _RawConn(self.host, self.port, self.source)
            try:
                result = await conn.request(method, path, token, payload)
            except BaseException:
                conn.close()
                raise
            self._idle.append(conn)
            return result

    async def sse(self, path: str) -> AsyncGenerator[SseEvent, None]:
        """One stream on its own socket (Connection: close)."""
        local_addr = (self.source, 0) if self.source else None
        reader, writer = await asyncio.open_connection(
            self.host, self.port, limit=1 << 20, local_addr=local_addr
        )
        try:
            writer.write(_request_bytes("GET", path, self.host, self.port, None, None, True))
            status, headers = await _read_head(reader)
            if status != 200:
                raise HttpStatusError(
                    status, b"".join([c async for c in _body_chunks(reader, headers)])
                )
            parser = SseParser()
            async for chunk in _body_chunks(reader, headers):
                for event in parser.feed(chunk):
                    yield event
        finally:
            writer.close()
            with suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def aclose(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()


class HttpxApi:
    """The same interface over one httpx.AsyncClient."""

    name = "httpx"

    def __init__(self, url: str, max_connections: int = 64) -> None:
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self.client = httpx.AsyncClient(base_url=url, limits=limits, timeout=60)

    async def request(
        self, method: str, path: str, token: str | None = None, body: Any = None
    ) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        r = await self.client.request(method, path, json=body, headers=headers)
        self.client.cookies.clear()  # refresh cookies are not needed; don't resend them
        return r.status_code, r.content

    async def sse(self, path: str) -> AsyncGenerator[SseEvent, None]:
        async with self.client.stream("GET", path, headers={"Accept": "text/event-stream"}) as r:
            if r.status_code != 200:
                raise HttpStatusError(r.status_code, await r.aread())
            parser = SseParser()
            async for chunk in r.aiter_raw():
                for event in parser.feed(chunk):
                    yield event

    async def aclose(self) -> None:
        await self.client.aclose()


Api = RawApi | HttpxApi


def make_api(kind: str, server: Server, max_connections: int = 64) -> Api:
    if kind == "raw":
        return RawApi(server.host, server.port, max_connections)
    return HttpxApi(server.url, max_connections)


# -- users and their rate budgets -----------------------------------------------------------
@dataclass
class User:
    token: str
    username: str
    hits: dict[str, deque[float]] = field(default_factory=dict)

    def room(self, action: str, now: float) -> int:
        hits = self.hits.setdefault(action, deque())
        while hits and hits[0] <= now - RATE_WINDOW_S:
            hits.popleft()
        return RATE_LIMITS[action] - RATE_MARGIN - len(hits)

    def take(self, action: str) -> None:
        self.hits.setdefault(action, deque()).append(time.monotonic())


async def new_guest(api: Api) -> User:
    status, data = await api.request("POST", "/v1/auth/guest")
    if status != 200:
        raise HttpStatusError(status, data)
    body = json.loads(data)
    return User(body["access_token"], body["username"])


class UserPool:
    """Guest users, handed out so that no one exceeds the per-user rate limits."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.users: list[User] = []
        self._next = 0

    async def grow(self, count: int, concurrency: int = 8) -> None:
        sem = asyncio.Semaphore(concurrency)

        async def one() -> User:
            async with sem:
                return await new_guest(self.api)

        self.users += await asyncio.gather(*(one() for _ in range(count)))

    async def with_room(self, needs: dict[str, int]) -> User:
        """A user (round-robin) with room for `needs`; signs up a new guest if none has."""
        now = time.monotonic()
        for i in range(len(self.users)):
            user = self.users[(self._next + i) % len(self.users)]
            if all(user.room(action, now) >= n for action, n in needs.items()):
                self._next = (self._next + i + 1) % len(self.users)
                return user
        user = await new_guest(self.api)
        self.users.append(user)
        return user


async def submit(api: Api, user: User, text: str) -> str:
    user.take("submit")
    status, data = await api.request(
        "POST", "/v1/messages/submit", user.token, {"message": text, "type": "dm"}
    )
    if status != 202:
        raise HttpStatusError(status, data)
    job_id: str = json.loads(data)["job_id"]
    return job_id


def events_path(job_id: str, user: User) -> str:
    user.take("job_events")
    return f"/v1/jobs/{job_id}/events?access_token={user.token}"


# -- the pinger child process ---------------------------------------------------------------
async def _ping_loop(kind: str, url: str, interval_s: float, max_s: float) -> list[list[float]]:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    samples: list[list[float]] = []  # [wall time sent, latency ms, status]
    deadline = time.monotonic() + max_s
    parsed = httpx.URL(url)
    api: Api = RawApi(parsed.host, parsed.port or 80, 1) if kind == "raw" else HttpxApi(url, 1)
    next_at = time.perf_counter()
    while not stop.is_set() and time.monotonic() < deadline:
        wall, t0 = time.time(), time.perf_counter()
        try:
            status, _ = await asyncio.wait_for(api.request("GET", "/v1/meta/ping"), 10)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, httpx.HTTPError):
            status = 0
        samples.append([wall, (time.perf_counter() - t0) * 1000.0, status])
        next_at += interval_s
        delay = next_at - time.perf_counter()
        if delay < 0:
            next_at = time.perf_counter()  # late: don't try to catch up with a burst
            delay = 0
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
    await api.aclose()
    return samples


class Pinger:
    """`GET /v1/meta/ping` every `interval_s` from a separate process; samples on stop()."""

    def __init__(
        self, url: str, interval_s: float = 0.02, max_s: float = 900.0, kind: str = "raw"
    ) -> None:
        self.url, self.interval_s, self.max_s, self.kind = url, interval_s, max_s, kind
        self.samples: list[tuple[float, float, int]] = []
        self._proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable, str(HERE), "ping", self.kind, self.url,
            str(self.interval_s), str(self.max_s), stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip

    async def stop(self) -> None:
        proc = self._proc
        if proc is None:
            return
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
        self.samples = [(w, ms, int(st)) for w, ms, st in json.loads(out or b"[]")]

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def between(self, wall0: float, wall1: float) -> list[float]:
        return [ms for w, ms, _ in self.samples if wall0 <= w <= wall1]

    def errors(self) -> int:
        return sum(1 for _, _, st in self.samples if st != 200)


def _ping_main(argv: list[str]) -> int:
    kind, url, interval, max_s = argv[0], argv[1], float(argv[2]), float(argv[3])
    raise_nofile_limit()
    samples = asyncio.run(_ping_loop(kind, url, interval, max_s))
    sys.stdout.write(json.dumps(samples))
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "ping":
        raise SystemExit(_ping_main(sys.argv[2:]))
    print("usage: benchlib.py ping raw|httpx URL INTERVAL_S MAX_S", file=sys.stderr)
    raise SystemExit(2)
