"""What the embedded model's load depends on in the machine: threads and GPU offload.

llama.cpp's matrix work is bound by each core's vector units and the memory bandwidth, so a
second hyper-thread on the same core adds contention, not speed: the default is one thread
per physical core this process may run on (its CPU affinity, which a container or `taskset`
narrows). A build with a GPU backend (CUDA, Vulkan, Metal) gets every layer offloaded.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CPUINFO = Path("/proc/cpuinfo")


def physical_cores(cpuinfo: str, allowed: set[int]) -> int:
    """Distinct (physical id, core id) pairs among the `allowed` CPUs in `cpuinfo`'s text,
    0 when the text does not say (no such fields, as on arm64, or no allowed CPU in it)."""
    cores: set[tuple[str, str]] = set()
    for block in cpuinfo.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip()] = value.strip()
        processor = fields.get("processor", "")
        if not processor.isdigit() or int(processor) not in allowed:
            continue
        if "physical id" not in fields or "core id" not in fields:
            return 0
        cores.add((fields["physical id"], fields["core id"]))
    return len(cores)


def usable_cores() -> int:
    """Physical cores this process may use; the CPUs it may use where the topology is
    unknown (never 0)."""
    try:
        allowed = os.sched_getaffinity(0)
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1
    try:
        counted = physical_cores(CPUINFO.read_text(), allowed)
    except OSError:
        counted = 0
    return counted or len(allowed) or os.cpu_count() or 1


def gpu_offload() -> bool:
    """Whether the installed llama.cpp was built with a backend that can hold layers."""
    try:
        import llama_cpp
    except ImportError:
        return False
    return bool(llama_cpp.llama_supports_gpu_offload())


def load_options(threads: int | None) -> dict[str, Any]:
    """The `llama_cpp.Llama` keyword arguments that depend on the hardware; `threads` is the
    setting (EMBEDDED_THREADS) when given."""
    count = threads or usable_cores()
    return {
        "n_threads": count,
        # Prompt evaluation is the same matrix work in larger batches: same cores.
        "n_threads_batch": count,
        "n_gpu_layers": -1 if gpu_offload() else 0,
        # llama.cpp's own tools default to flash attention wherever the backend has it (the CPU
        # does); llama-cpp-python defaults to off. On: pp512 about 8 % faster on 2 AVX2 cores.
        "flash_attn": True,
    }
