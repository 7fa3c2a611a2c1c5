"""`soul worker` processes for the scaled-out end-to-end tests and benchmarks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.server import TEST_ENV


def start_worker(data_dir: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A worker on the test's settings, logging to a file of its own in `data_dir`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **TEST_ENV, "DATA_DIR": str(data_dir), **env}
    log = (data_dir / f"worker-{time.monotonic_ns()}.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "synthetic_soul.cli", "worker"],
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """A warm stop (the current job finishes first), or a kill after 20 s."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
