"""Fairness: one client floods, another chats; how long does the chatter wait for replies?

One `soul serve` per scenario (the embedded deployment: inline queue, INLINE_WORKERS
workers), the scripted model sleeping --delay-ms per call, thinking off. The chatter comes
from 127.0.0.1 and sends --chats messages one after another, each once the last was
answered (`done` on its event stream) and --pause seconds have passed. The flooder comes
from 127.0.0.2 (a source address of its own, no proxy header): it signs up --flood-guests
guests as fast as it can, and every guest it gets sends --flood-messages messages back to
back, while the chatter chats. Scenarios:

  alone          the chatter only (the baseline)
  flood          the flood, with the service's default limits (GUEST_SIGNUPS_PER_HOUR,
                 MAX_PENDING_REPLIES_PER_USER / _PER_ADDRESS as in settings/env.py)
  flood, no caps the flood with those limits lifted: what the queue's turns alone do (the
                 RQ deployment has no turns and relies on the caps)

Reported: the chatter's submit -> `done` p50 / p95 / max, and the flooder's guests and
messages accepted and refused (429). A chatter message unanswered after --reply-timeout
counts at that time. Timings are printed, never judged.

Run: .venv/bin/python bench/fairness.py [--delay-ms 500] [--chats 12] [--flood-guests 100]
                                        [--flood-messages 25] [--scenarios alone,flood,nocaps]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchlib import (
    HttpStatusError,
    RawApi,
    User,
    events_path,
    machine,
    new_guest,
    pct,
    raise_nofile_limit,
    running_server,
    submit,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness: tests/support
from tests.support.server import Server

from synthetic_soul.settings import Settings

CHATTER, FLOODER = "127.0.0.1", "127.0.0.2"
LIFTED = "1000000"
LIMITS = (
    "GUEST_SIGNUPS_PER_HOUR",
    "MAX_PENDING_REPLIES_PER_USER",
    "MAX_PENDING_REPLIES_PER_ADDRESS",
)
SCENARIOS = {"alone": "alone", "flood": "flood", "nocaps": "flood, no caps"}


def default_limits() -> dict[str, str]:
    """The limits as settings/env.py sets them by default (benchlib lifts them for other benches);
    none with a `src/` from before the limits (PYTHONPATH), to measure that code too."""
    fields = {f.alias: f.default for f in Settings.model_fields.values() if f.alias in LIMITS}
    return {name: str(fields[name]) for name in LIMITS if name in fields}


@dataclass
class Flood:
    guests: Counter[str] = field(default_factory=Counter)  # "accepted" / "refused" / "other"
    messages: Counter[str] = field(default_factory=Counter)


def outcome(exc: HttpStatusError | None) -> str:
    if exc is None:
        return "accepted"
    return "refused" if exc.status == 429 else f"http_{exc.status}"


async def flood(api: RawApi, guests: int, messages: int, tally: Flood) -> None:
    """Sign guests up (8 at a time) and let each send its messages back to back."""
    slots = asyncio.Semaphore(8)

    async def one_guest() -> None:
        async with slots:
            try:
                user = await new_guest(api)
            except HttpStatusError as exc:
                tally.guests[outcome(exc)] += 1
                return
            tally.guests["accepted"] += 1
        for i in range(messages):
            try:
                await submit(api, user, f"flood message {i}: answer me, answer me now!")
                tally.messages["accepted"] += 1
            except HttpStatusError as exc:
                tally.messages[outcome(exc)] += 1

    await asyncio.gather(*(one_guest() for _ in range(guests)))


async def reply_latency(api: RawApi, user: User, text: str, timeout_s: float) -> float:
    """Submit -> `done` seconds (`timeout_s` if no `done` came by then)."""
    t0 = time.perf_counter()
    job_id = await submit(api, user, text)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout_s):
            async with contextlib.aclosing(api.sse(events_path(job_id, user))) as stream:
                async for ev in stream:
                    if ev.event == "done":
                        return ev.perf - t0
    return timeout_s


async def scenario(server: Server, flooding: bool, args: argparse.Namespace) -> dict[str, Any]:
    chat_api = RawApi(server.host, server.port, 8, source=CHATTER)
    flood_api = RawApi(server.host, server.port, 16, source=FLOODER)
    tally = Flood()
    flooder: asyncio.Task[None] | None = None
    try:
        chatter = await new_guest(chat_api)
        if flooding:
            flooder = asyncio.create_task(
                flood(flood_api, args.flood_guests, args.flood_messages, tally)
            )
            await asyncio.sleep(args.head_start)  # the flood is under way when the chat starts
        latencies = []
        for i in range(args.chats):
            text = f"hello, this is message {i} of an ordinary conversation. How are you?"
            latencies.append(await reply_latency(chat_api, chatter, text, args.reply_timeout))
            await asyncio.sleep(args.pause)
    finally:
        if flooder is not None:
            flooder.cancel()
            await asyncio.gather(flooder, return_exceptions=True)
        await chat_api.aclose()
        await flood_api.aclose()
    return {
        "chat_p50_s": round(pct(latencies, 50), 2),
        "chat_p95_s": round(pct(latencies, 95), 2),
        "chat_max_s": round(max(latencies), 2),
        "timed_out": sum(t >= args.reply_timeout for t in latencies),
        "flood_guests": dict(tally.guests),
        "flood_messages": dict(tally.messages),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--delay-ms", type=int, default=500, help="SCRIPTED_DELAY_MS per model call")
    p.add_argument("--workers", type=int, default=2, help="INLINE_WORKERS")
    p.add_argument("--chats", type=int, default=12, help="the chatter's messages")
    p.add_argument("--pause", type=float, default=0.5, help="chatter's pause between messages")
    p.add_argument("--flood-guests", type=int, default=100, help="guest sign-ups tried")
    p.add_argument("--flood-messages", type=int, default=25, help="messages per flood guest")
    p.add_argument("--head-start", type=float, default=2.0, help="flood's lead, seconds")
    p.add_argument("--reply-timeout", type=float, default=60.0, help="per chatter message")
    p.add_argument("--scenarios", default="alone,flood,nocaps", help=", ".join(SCENARIOS))
    args = p.parse_args()
    raise_nofile_limit()
    print(f"machine: {machine()}")
    limits = default_limits()
    print(f"default limits: {limits}")
    runs = []
    for name in args.scenarios.split(","):
        env = {
            "SCRIPTED_DELAY_MS": str(args.delay_ms),
            "INLINE_WORKERS": str(args.workers),
            "THINKING_ENABLED": "false",
            **(dict.fromkeys(LIMITS, LIFTED) if name == "nocaps" else limits),
        }
        with running_server(env) as server:
            r = asyncio.run(scenario(server, name != "alone", args))
        r["scenario"] = SCENARIOS[name]
        runs.append(r)
        print(
            f"{r['scenario']:<15} chatter submit->done p50 {r['chat_p50_s']:>6.2f} s, "
            f"p95 {r['chat_p95_s']:>6.2f} s, max {r['chat_max_s']:>6.2f} s "
            f"({r['timed_out']} of {args.chats} timed out); flooder guests {r['flood_guests']}, "
            f"messages {r['flood_messages']}"
        )
    print(
        f"reproduce: .venv/bin/python bench/fairness.py --delay-ms {args.delay_ms} "
        f"--workers {args.workers} --chats {args.chats} --pause {args.pause} "
        f"--flood-guests {args.flood_guests} --flood-messages {args.flood_messages} "
        f"--head-start {args.head_start} --reply-timeout {args.reply_timeout} "
        f"--scenarios {args.scenarios}"
    )
    line = {"bench": "fairness", "delay_ms": args.delay_ms, "limits": limits, "runs": runs}
    print(json.dumps(line, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
