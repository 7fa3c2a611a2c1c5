"""Nothing waits behind the mind: how much later a reply's first word comes when the embedded
model is busy with the mind's own work (a reflection, or reading the next prompt ahead).

Issue 13's goal: reflection and thinking yield to a reply at once and never delay its first
word by more than 0.5 s. In one process, with the service's adapter (`EmbeddedLLM`, prefix
reuse on) and the real persona, each round times a reply call's first streamed word twice:
- idle: the model has nothing else to do;
- busy: a reflection (or a read-ahead of a long prompt) was started 0.5-4 s before, so the
  reply finds the model evaluating a prompt or writing, stops it and restores its own context.
The two alternate (idle, busy, idle, busy, ...) because this machine's speed drifts; each
reply carries a different message of the same length so that neither finds its tail already
evaluated. The delay is the busy p50 less the idle p50 (and per round: busy less the idle
call just before it). A reply is abandoned after its first word, the mind's call after the
reply, so a round takes seconds.

    .venv/bin/python bench/yielding.py                          # default model, 8 rounds
    .venv/bin/python bench/yielding.py --model smollm2-135m --rounds 4
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import time
from typing import Any

from benchlib import machine, pct
from synthetic_soul.adapters.llm.embedded import EmbeddedLLM
from synthetic_soul.domain.agent import new_agent
from synthetic_soul.mind.prompts import persona
from synthetic_soul.mind.schemas import REPLY_TEXT_PATH, ReflectOutput, ReplyOutput
from synthetic_soul.ports import LLMRequest, TextStream
from synthetic_soul.settings import EmbeddedConfig, Settings

GOAL_S = 0.5
# Messages of one length in words, one per call, so each reply evaluates a fresh tail.
MESSAGES = tuple(
    f"Sam says: I went to the {place} today and saw {what}, it made me think of you."
    for place, what in (
        ("market", "red apples"),
        ("beach", "two seals"),
        ("library", "old maps"),
        ("station", "a brass band"),
        ("park", "a lost kite"),
        ("museum", "a blue whale"),
        ("bakery", "warm pretzels"),
        ("river", "three swans"),
        ("garden", "white roses"),
        ("harbour", "a tall ship"),
        ("forest", "a red fox"),
        ("square", "street dancers"),
        ("cafe", "a chess game"),
        ("bridge", "a rainbow"),
        ("zoo", "a sleepy lion"),
        ("hill", "the whole town"),
    )
)
# What a reflection reads: a conversation of some length (about 600 tokens).
CONVERSATION = "\n".join(
    f"{'Sam' if i % 2 == 0 else 'Jasmine'}: {line}"
    for i, line in enumerate(
        (
            "I have been thinking about moving to another city for work next spring.",
            "That sounds like a big step. What draws you there?",
            "A job at a small design studio, and my sister lives nearby.",
            "Being near your sister would be lovely. Is the studio one you admire?",
            "Yes, they made the posters for the film festival I told you about.",
        )
        * 6
    )
)


def reply_request(system: str, message: str, sink: TextStream) -> LLMRequest:
    return LLMRequest("reply", system, message, stream=sink)


async def first_word(llm: EmbeddedLLM, system: str, message: str) -> float:
    """Seconds from the call to its first streamed word; the call is then abandoned."""
    started = time.perf_counter()
    seen = asyncio.Event()

    async def sink(text: str) -> None:
        if text.strip():
            seen.set()

    call = asyncio.create_task(
        llm.generate(reply_request(system, message, TextStream(REPLY_TEXT_PATH, sink)), ReplyOutput)
    )
    waiting = asyncio.create_task(seen.wait())
    await asyncio.wait({call, waiting}, return_when=asyncio.FIRST_COMPLETED)
    took = time.perf_counter() - started
    for task in (call, waiting):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    if not seen.is_set():
        raise RuntimeError("the reply ended without a word")
    return took


async def mind_work(llm: EmbeddedLLM, system: str, kind: str) -> None:
    if kind == "reflection":
        prompt = f"Reflect on this conversation with Sam:\n{CONVERSATION}"
        await llm.generate(LLMRequest("reflect", system, prompt), ReflectOutput)
    else:  # reading the next reply's prompt ahead, as `mind.ahead` does after a turn
        prompt = f"{CONVERSATION}\nMessage from Sam (dm):"
        await llm.prepare(LLMRequest("reply", system, prompt), ReplyOutput)


async def run(model: str, rounds: int, seed: int) -> dict[str, Any]:
    settings = Settings()
    config = EmbeddedConfig(
        model, settings.model_directory, threads=settings.embedded_threads, seed=1, timeout_s=600
    )
    llm = EmbeddedLLM(config)
    draw = random.Random(seed)
    agent = new_agent("bench", "jasmine", "lite", random.Random(seed), 0.0)
    system = persona(agent)
    messages = iter(MESSAGES * (rounds + 1))
    rows: list[dict[str, Any]] = []
    try:
        await first_word(llm, system, next(messages))  # load the model, read the persona once
        for i in range(rounds):
            kind = ("reflection", "read-ahead")[i % 2]
            idle = await first_word(llm, system, next(messages))
            work = asyncio.create_task(mind_work(llm, system, kind))
            head_start = draw.uniform(0.5, 4.0)
            await asyncio.sleep(head_start)
            busy = await first_word(llm, system, next(messages))
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
            rows.append(
                {
                    "mind": kind,
                    "head_start_s": round(head_start, 2),
                    "idle_s": round(idle, 2),
                    "busy_s": round(busy, 2),
                    "delay_s": round(busy - idle, 2),
                }
            )
            print(f"  round {i + 1}: {rows[-1]}", flush=True)
    finally:
        await llm.close()
    idle_p50 = pct([r["idle_s"] for r in rows], 50)
    busy_p50 = pct([r["busy_s"] for r in rows], 50)
    delay_p50 = round(busy_p50 - idle_p50, 2)
    return {
        "model": model,
        "rounds": rounds,
        "first_word_idle_p50_s": round(idle_p50, 2),
        "first_word_busy_p50_s": round(busy_p50, 2),
        "delay_p50_s": delay_p50,
        "delay_max_s": max(r["delay_s"] for r in rows),
        "delay_goal_s": GOAL_S,
        "goal_met": delay_p50 <= GOAL_S,
        "rows": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    figures = asyncio.run(run(args.model, args.rounds, args.seed))
    print(json.dumps({"bench": "yielding", "machine": machine(), "figures": figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
