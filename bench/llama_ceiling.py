"""The embedded model's ceiling: llama.cpp's own `llama-bench` beside the service's call path.

`llama-bench` is built from the same vendored llama.cpp that the installed llama-cpp-python
compiled (its sdist, fetched with pip), with the Makefile's LLAMA_CMAKE_ARGS (or
`--cmake-args`), once: the build is kept under ~/.cache/synthetic-soul/llama-bench/, keyed by
the version and the flags. It runs pp512 and tg64 on the model file the service loads, with
the threads the service uses (`hardware.load_options`).

The service's side is `EmbeddedLLM.generate`, prefix reuse off (every prompt evaluated
whole), on a ~512-token prompt with the answer type `ReplyText`, its `message` streamed:
- prompt rate: prompt tokens / time to the first streamed piece, less the few tokens the
  model writes before the message (`{"message": "`) at the generation rate;
- generation rate: the tokens written after the first piece / the rest of the call.
The two measurements alternate (A B A B ...) because this machine's speed drifts; the
figures are the medians.

    .venv/bin/python bench/llama_ceiling.py                       # default model, 3 rounds
    .venv/bin/python bench/llama_ceiling.py --model smollm2-135m --rounds 2
    .venv/bin/python bench/llama_ceiling.py --cmake-args "-DGGML_NATIVE=ON" --only-llama-bench
    .venv/bin/python bench/llama_ceiling.py --builds   # + where a difference comes from

`--builds` adds, in each round, the same llama-bench program on llama-cpp-python's own
libraries (so a difference between the builds shows alone) and a plain llama-cpp-python loop
(`Llama.eval` of the prompt, then 64 times `Llama.sample` and a one-token `Llama.eval`, no
grammar: the binding without the service).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import importlib.metadata
import json
import os
import shlex
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import machine
from synthetic_soul.adapters.llm.embedded import (
    REPEAT_PENALTY,
    TEMPERATURE,
    EmbeddedLLM,
)
from synthetic_soul.adapters.llm.hardware import load_options
from synthetic_soul.adapters.llm.model_files import DEFAULT_MODEL, resolve
from synthetic_soul.mind.schemas import ReplyText
from synthetic_soul.ports import LLMRequest, TextStream
from synthetic_soul.settings import EmbeddedConfig, Settings

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path.home() / ".cache" / "synthetic-soul" / "llama-bench"
PROMPT_TOKENS = 512
SYSTEM = (
    "You are Jasmine, a warm and curious companion who talks with people in a chat. "
    "You answer briefly, in two or three sentences."
)
# Filler for the prompt: what a reply's prompt holds (memories, feelings, lines of talk).
LINES = (
    "Earlier they told you about their sister's wedding by the lake and how nervous she was.",
    "You felt glad when they laughed about the cat that sleeps on their keyboard.",
    "They said work has been hard since the new manager came and changed every plan.",
    "You remember they like rainy mornings, strong tea and long walks without a goal.",
    "Last week they worried about an exam and asked you to wish them luck.",
    "They mentioned a friend who moved away and how quiet the evenings became.",
)


# -- llama-bench: the same source and flags as the installed llama-cpp-python ---------------
def installed_version() -> str:
    return importlib.metadata.version("llama-cpp-python")


def makefile_cmake_args() -> str:
    """LLAMA_CMAKE_ARGS as the Makefile sets it on this host (or the environment overrides)."""
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", str(ROOT), "llama-cmake-args"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def llama_bench(version: str, cmake_args: str, jobs: int) -> Path:
    """The `llama-bench` binary for this version and these flags, built on first use."""
    key = hashlib.sha256(f"{version}\n{cmake_args}".encode()).hexdigest()[:12]
    home = CACHE / f"{version}-{key}"
    binary = home / "build" / "bin" / "llama-bench"
    if binary.is_file():
        return binary
    home.mkdir(parents=True, exist_ok=True)
    (home / "cmake-args.txt").write_text(cmake_args + "\n")
    source = home / f"llama_cpp_python-{version}" / "vendor" / "llama.cpp"
    if not source.is_dir():
        with tempfile.TemporaryDirectory() as tmp:
            print(f"fetching the llama-cpp-python {version} sdist with pip", file=sys.stderr)
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                 "--no-binary", "llama-cpp-python", f"llama-cpp-python=={version}", "-d", tmp],
                check=True,
            )  # fmt: skip
            (sdist,) = Path(tmp).glob("*.tar.gz")
            with tarfile.open(sdist) as tar:
                tar.extractall(home, filter="data")
    build = home / "build"
    # What llama-cpp-python's build sets besides the flags: a Release build (scikit-build's
    # default), shared libraries, no curl; tests, examples and the server are not needed.
    configure = [
        "cmake", "-S", str(source), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
        "-DBUILD_SHARED_LIBS=ON", "-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_TESTS=OFF",
        "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_SERVER=OFF", *shlex.split(cmake_args),
    ]  # fmt: skip
    started = time.monotonic()
    print(f"building llama-bench in {build} ({cmake_args})", file=sys.stderr)
    subprocess.run(configure, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["cmake", "--build", str(build), "--target", "llama-bench", "-j", str(jobs)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (home / "build-seconds.txt").write_text(f"{time.monotonic() - started:.0f}\n")
    return binary


def installed_libraries() -> Path:
    """The llama.cpp libraries the service loads (llama-cpp-python's own build)."""
    import llama_cpp

    return Path(llama_cpp.__file__).parent / "lib"


def run_llama_bench(
    binary: Path, model: Path, threads: int, gpu_layers: int, libraries: Path | None = None
) -> dict[str, float]:
    """One repetition of pp512 and tg64 (after llama-bench's own warm-up): tokens/s each.
    With `libraries`, the same program on those libllama/libggml builds instead of its own
    (the loader looks in LD_LIBRARY_PATH before a RUNPATH): the builds' difference alone."""
    layers = "99" if gpu_layers else "0"
    cmd = [str(binary), "-m", str(model), "-p", str(PROMPT_TOKENS), "-n", "64",
           "-t", str(threads), "-ngl", layers, "-r", "1", "-o", "json"]  # fmt: skip
    env = dict(os.environ)
    if libraries is not None:
        env["LD_LIBRARY_PATH"] = str(libraries)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    rates: dict[str, float] = {}
    for test in json.loads(out):
        kind = "prompt" if test["n_prompt"] else "generation"
        rates[kind] = float(test["avg_ts"])
    return rates


# -- llama-cpp-python without the service: eval of the whole prompt, then one token at a time
class PlainLoop:
    def __init__(self, model: Path, threads: int | None) -> None:
        import llama_cpp

        # The service's hardware options (threads, offload, flash attention), nothing else.
        self.llama = llama_cpp.Llama(str(model), n_ctx=2048, verbose=False, **load_options(threads))
        words = " ".join(LINES * 20).encode()
        self.tokens = self.llama.tokenize(words)[:PROMPT_TOKENS]

    def call(self) -> dict[str, float]:
        llama = self.llama
        llama.reset()
        started = time.perf_counter()
        llama.eval(self.tokens)
        evaluated = time.perf_counter()
        for _ in range(64):
            llama.eval([llama.sample(temp=TEMPERATURE, repeat_penalty=REPEAT_PENALTY)])
        ended = time.perf_counter()
        return {
            "prompt": len(self.tokens) / (evaluated - started),
            "generation": 64 / (ended - evaluated),
        }


# -- the service's call path --------------------------------------------------------------
def prompt_text(vocab: Any, target: int) -> str:
    """Lines of filler whose whole call (system, schema instruction, prompt) is ~target
    tokens, counted with the model's own tokenizer."""
    from synthetic_soul.adapters.llm.json_schemas import grammar_schema, instruction

    head = f"{SYSTEM}\n{instruction(grammar_schema(ReplyText))}\n\n"
    ask = "\nThey write: How was your day? Tell me in two sentences."
    template = 20  # the chat template's role markers, about
    lines: list[str] = []
    while True:
        text = "\n".join(lines) + ask
        if len(vocab.tokenize((head + text).encode())) + template >= target:
            return text
        lines.append(LINES[len(lines) % len(LINES)])


class ServicePath:
    """EmbeddedLLM as the service builds it, prefix reuse off; one timed call at a time."""

    def __init__(self, model: str, directory: Path, threads: int | None) -> None:
        import llama_cpp

        config = EmbeddedConfig(model, directory, threads=threads, seed=1, timeout_s=600.0)
        self.llm = EmbeddedLLM(dataclasses.replace(config, prefix_reuse=False))
        _, path = resolve(model, directory)
        vocab = llama_cpp.Llama(str(path), vocab_only=True, verbose=False)
        self.prompt = prompt_text(vocab, PROMPT_TOKENS)
        # What the model writes before the message's first character: the first streamed
        # piece comes after these tokens.
        self.lead = len(vocab.tokenize(b'{"message": "', add_bos=False, special=False))

    async def call(self) -> dict[str, float]:
        first: list[float] = []

        async def sink(text: str) -> None:
            if not first:
                first.append(time.perf_counter())

        request = LLMRequest("reply", SYSTEM, self.prompt, stream=TextStream(("message",), sink))
        started = time.perf_counter()
        _, call = await self.llm.generate(request, ReplyText)
        ended = time.perf_counter()
        if not first:
            raise RuntimeError("the answer streamed nothing")
        lead = self.lead
        written = call.completion_tokens - lead
        generation = written / max(1e-9, ended - first[0])
        # The first piece came after the prompt and `lead` written tokens.
        prompt_s = first[0] - started - lead / generation
        return {
            "prompt": call.prompt_tokens / prompt_s,
            "generation": generation,
            "prompt_tokens": call.prompt_tokens,
            "completion_tokens": call.completion_tokens,
            "first_piece_s": first[0] - started,
            "total_s": ended - started,
        }


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help="catalogue name or GGUF path")
    parser.add_argument("--rounds", type=int, default=3, help="A B rounds (default 3)")
    parser.add_argument("--threads", type=int, default=None, help="default: physical cores")
    parser.add_argument("--cmake-args", default=None, help="default: the Makefile's")
    parser.add_argument("--jobs", type=int, default=2, help="parallel compile jobs")
    parser.add_argument("--only-llama-bench", action="store_true")
    parser.add_argument(
        "--builds",
        action="store_true",
        help="also llama-bench on the installed libraries and a plain llama-cpp-python loop",
    )
    args = parser.parse_args()

    directory = Settings().model_directory
    _, model_path = resolve(args.model, directory)
    options = load_options(args.threads)
    threads, gpu_layers = options["n_threads"], options["n_gpu_layers"]
    version = installed_version()
    cmake_args = args.cmake_args if args.cmake_args is not None else makefile_cmake_args()
    binary = llama_bench(version, cmake_args, args.jobs)
    service = None if args.only_llama_bench else ServicePath(args.model, directory, args.threads)
    if service is not None:
        await service.call()  # loads the model and builds the grammar: not measured

    plain = PlainLoop(model_path, args.threads) if args.builds else None
    ceiling: list[dict[str, float]] = []
    installed: list[dict[str, float]] = []
    loops: list[dict[str, float]] = []
    ours: list[dict[str, Any]] = []
    for n in range(args.rounds):
        ceiling.append(run_llama_bench(binary, model_path, threads, gpu_layers))
        print(f"round {n + 1} llama-bench: {fmt_rates(ceiling[-1])}", file=sys.stderr)
        if plain is not None:
            libraries = installed_libraries()
            installed.append(run_llama_bench(binary, model_path, threads, gpu_layers, libraries))
            print(f"round {n + 1} llama-bench, installed libs: {fmt_rates(installed[-1])}",
                  file=sys.stderr)  # fmt: skip
            loops.append(plain.call())
            print(f"round {n + 1} plain llama-cpp-python: {fmt_rates(loops[-1])}",
                  file=sys.stderr)  # fmt: skip
        if service is not None:
            ours.append(await service.call())
            print(f"round {n + 1} service:     {fmt_rates(ours[-1])}", file=sys.stderr)
    if service is not None:
        await service.llm.close()

    figures: dict[str, Any] = {"llama_bench": medians(ceiling)}
    print(f"\nmodel {model_path.name}, {threads} threads, llama-cpp-python {version}")
    print(f"llama-bench ({cmake_args or 'host defaults'}), {binary}")
    print(f"  llama-bench pp{PROMPT_TOKENS} / tg64, median of {args.rounds}: "
          f"{fmt_rates(figures['llama_bench'])}")  # fmt: skip
    for name, rows, what in (
        ("installed_libraries", installed, "llama-bench on llama-cpp-python's own libraries"),
        ("plain_loop", loops, "llama-cpp-python eval/sample loop, no grammar"),
    ):
        if rows:
            figures[name] = medians(rows)
            figures[f"{name}_rounds"] = rounds(rows)
            print(f"  {what}: {fmt_rates(figures[name])}")
    if ours:
        figures["service"] = medians(ours)
        figures["ratio"] = {
            k: round(figures["service"][k] / figures["llama_bench"][k], 3)
            for k in ("prompt", "generation")
        }
        print(f"  service (EmbeddedLLM.generate, ~{PROMPT_TOKENS}-token prompt), median: "
              f"{fmt_rates(figures['service'])}")  # fmt: skip
        print(f"  service / llama-bench: prompt {figures['ratio']['prompt']:.0%}, "
              f"generation {figures['ratio']['generation']:.0%}")  # fmt: skip
        figures["service_rounds"] = rounds(ours)
    figures["llama_bench_rounds"] = rounds(ceiling)
    command = [".venv/bin/python", "bench/llama_ceiling.py", "--model", args.model,
               "--rounds", str(args.rounds)]  # fmt: skip
    if args.threads is not None:
        command += ["--threads", str(args.threads)]
    if args.cmake_args is not None:
        command += ["--cmake-args", args.cmake_args]
    if args.builds:
        command.append("--builds")
    if args.only_llama_bench:
        command.append("--only-llama-bench")
    print(f"reproduce: {shlex.join(command)}")
    result = {"bench": "llama_ceiling", "machine": machine(), "model": model_path.name,
              "threads": threads, "cmake_args": cmake_args, "version": version,
              **figures}  # fmt: skip
    print(json.dumps(result))
    return 0


def medians(rows: list[dict[str, Any]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in rows), 2) for k in rows[0]}


def rounds(rows: list[dict[str, Any]]) -> dict[str, list[float]]:
    return {k: [round(r[k], 1) for r in rows] for k in ("prompt", "generation")}


def fmt_rates(r: dict[str, float]) -> str:
    return f"prompt {r['prompt']:.1f} tok/s, generation {r['generation']:.1f} tok/s"


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "warning")
    sys.exit(asyncio.run(main()))
