"""`soul worker` processes for the scaled-out end-to-end tests and benchmarks."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

from tests.support.server import TESTS, Launch, Server, stop_process


def start_worker(
    data_dir: Path,
    env: Mapping[str, str],
    args: Sequence[str] = (),
    *,
    launch: Launch = TESTS,
) -> subprocess.Popen[bytes]:
    """A worker (with `args` on its command line), logging to a file of its own in data_dir."""
    command = ["-m", "synthetic_soul.cli", "worker", *args]
    return launch.spawn(command, data_dir, env, data_dir / f"worker-{time.monotonic_ns()}.log")


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """A warm stop (the current job finishes first), or a kill after 20 s."""
    stop_process(worker)


@contextmanager
def running_workers(
    data_dir: Path,
    env: Mapping[str, str],
    count: int,
    args: Sequence[Sequence[str]] = (),
    *,
    launch: Launch = TESTS,
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` workers on the store in data_dir, always stopped; worker i gets `args[i]` on
    its command line (none past the end of the list)."""
    workers: list[subprocess.Popen[bytes]] = []
    try:
        for i in range(count):
            own = args[i] if i < len(args) else ()
            workers.append(start_worker(data_dir, env, own, launch=launch))
        yield workers
    finally:
        for worker in workers:
            worker.terminate()  # all at once: each finishes its job in parallel
        for worker in workers:
            stop_worker(worker)


def wait_for_workers(
    server: Server, workers: Sequence[subprocess.Popen[bytes]], timeout_s: float = 60.0
) -> None:
    """Until /v1/meta/queue counts every worker (each builds its service before registering)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if any(w.poll() is not None for w in workers):
            raise RuntimeError(f"a worker exited early; see {server.data_dir}/worker-*.log")
        with suppress(httpx.HTTPError, ValueError):
            body = httpx.get(f"{server.url}/v1/meta/queue", timeout=5).json()
            if body.get("worker_count", 0) >= len(workers):
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"only some of {len(workers)} workers registered in time")
        time.sleep(0.2)
