"""The Makefile builds llama.cpp for the instruction sets the host's CPU reports, never AMX.

Runs the real `make` on the real Makefile, with the CPU's flags given as `/proc/cpuinfo`
spells them (HOST_CPU_FLAGS is what the Makefile reads from there).
"""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HASWELL = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx fma f16c bmi1 bmi2 avx2"
SAPPHIRE_RAPIDS = (
    f"{HASWELL} avx_vnni avx512f avx512dq avx512cd avx512bw avx512vl avx512vbmi avx512_vnni "
    "avx512_bf16 amx_bf16 amx_tile amx_int8"
)

pytestmark = pytest.mark.skipif(platform.machine() != "x86_64", reason="x86-64 flags")


def build_args(*assignments: str) -> dict[str, str]:
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", str(ROOT), "llama-cmake-args", *assignments],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # The last value of an option wins, as it does for CMake.
    return dict(arg.removeprefix("-D").split("=", 1) for arg in out.split())


def test_a_server_cpu_gets_avx512_and_vnni_but_never_amx() -> None:
    args = build_args(f"HOST_CPU_FLAGS={SAPPHIRE_RAPIDS}")
    on = {"GGML_AVX2", "GGML_AVX512", "GGML_AVX512_VBMI", "GGML_AVX512_VNNI", "GGML_AVX_VNNI"}
    assert {name: args[name] for name in on} == dict.fromkeys(on, "ON")
    assert (args["GGML_AMX_TILE"], args["GGML_AMX_INT8"], args["GGML_NATIVE"]) == ("OFF",) * 3


def test_an_older_cpu_gets_no_instruction_it_lacks() -> None:
    args = build_args("HOST_CPU_FLAGS=fpu sse sse2 ssse3 sse4_1 sse4_2 avx")
    assert (args["GGML_AVX"], args["GGML_AVX2"], args["GGML_FMA"]) == ("ON", "OFF", "OFF")


def test_avx512_needs_all_of_the_subsets_ggml_compiles_for() -> None:
    # Xeon Phi has AVX-512 F and CD but not the VL, DQ, BW that ggml's AVX-512 build uses.
    args = build_args(f"HOST_CPU_FLAGS={HASWELL} avx512f avx512cd avx512er avx512pf")
    assert (args["GGML_AVX2"], args["GGML_AVX512"]) == ("ON", "OFF")


def test_added_flags_win_over_the_detected_ones() -> None:
    added = "LLAMA_CMAKE_ARGS=-DGGML_CUDA=on -DGGML_AVX2=OFF"
    args = build_args(f"HOST_CPU_FLAGS={HASWELL}", added)
    assert (args["GGML_CUDA"], args["GGML_AVX2"], args["GGML_AVX"]) == ("on", "OFF", "ON")
