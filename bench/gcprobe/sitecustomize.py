"""Loaded only by the server of a benchmark run with --gc-probe (PYTHONPATH=bench/gcprobe).

Logs every garbage-collector pass longer than SOUL_BENCH_GC_LOG_MS (default 5) to stderr as
`GCPAUSE <wall time> gen<N> <ms>`, and, for A/B runs of a fix, applies
SOUL_BENCH_GC_THRESHOLD="a,b,c" with gc.set_threshold. Does nothing without
SOUL_BENCH_GC_PROBE=1.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from typing import Any

if os.environ.get("SOUL_BENCH_GC_PROBE") == "1":
    _LOG_MS = float(os.environ.get("SOUL_BENCH_GC_LOG_MS", "5"))
    _started = [0.0]

    def _probe(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            _started[0] = time.perf_counter()
            return
        ms = (time.perf_counter() - _started[0]) * 1000.0
        if ms >= _LOG_MS:
            sys.stderr.write(f"GCPAUSE {time.time():.3f} gen{info['generation']} {ms:.1f}\n")

    gc.callbacks.append(_probe)
    if os.environ.get("SOUL_BENCH_GC_THRESHOLD"):
        a, b, c = (int(x) for x in os.environ["SOUL_BENCH_GC_THRESHOLD"].split(","))
        gc.set_threshold(a, b, c)
