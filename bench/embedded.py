"""The embedded model on this machine: how long a person waits, and what the model evaluates.

For each model, a fresh `soul serve` (LLM_MODE=embedded, thinking off, fixed seed) holds a
10-turn conversation with one guest over the public API. Each message is sent once the
service is idle (the previous turn's reflection done), so a figure is one reply's own cost:
- first token: submit -> the first `token` event on the job's SSE stream (the reply text
  starting to appear; the model writes the appraisal before it);
- text complete: submit -> the last `token` event (the reply text whole; the model goes on
  with the appraisal after it, in a DM, and the turn is committed);
- done: submit -> the `done` event;
- prompt tokens evaluated by the reply call and by the reflection call, from the service's
  own record of every call (`llm_calls`): tokens reused from the previous call's prefix are
  not evaluated again, so this is the model's real prompt work. Per turn, the reply call's
  figure is what the new message cost before the first word: the rest of its prompt was
  read ahead while the service idled (`mind.ahead`); its p50 is held against REPLY_GOAL.
Then the same conversation with EMBEDDED_PREFIX_REUSE=false (every prompt evaluated whole).

    .venv/bin/python bench/embedded.py                      # both catalogued models
    .venv/bin/python bench/embedded.py --models smollm2-135m --turns 4 --reuse off --pause 5
    .venv/bin/python bench/embedded.py --models qwen2.5-coder-1.5b --reuse on --embedder off

The models must be pulled first (`soul model pull NAME`; `soul model pull` alone pulls the
default chat, embedding and reranking models, as `make run` does). --embedder local also
reranks recall's best (RERANKER=local) unless --reranker off.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx

from benchlib import BENCH, machine, pct, raise_nofile_limit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness: tests/support
from tests.support.server import running

# The goals (issue 13): prompt tokens a reply call evaluates, first word, done (p50).
REPLY_GOAL = 80
FIRST_TOKEN_GOAL_S = 3.0
TEXT_GOAL_S = 12.0
DONE_GOAL_S = 20.0

CONVERSATION = (
    "Hi Jasmine! I'm new here.",
    "What do you like to do when nobody is talking to you?",
    "I had a rough day at work today, my boss yelled at me.",
    "Thanks for listening, that means a lot.",
    "Do you ever get lonely?",
    "I think you're wonderful, honestly.",
    "My cat knocked my coffee over this morning, ha!",
    "What's your favourite kind of weather?",
    "I'm a bit worried about an exam next week.",
    "Tell me something you thought about recently.",
)


def wait_idle(c: httpx.Client, limit_s: float = 600.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        q = c.get("/v1/meta/queue").json()
        if q["total_backlog"] == 0 and all(w["state"] == "idle" for w in q["workers"]):
            return
        time.sleep(0.2)
    raise RuntimeError("the service did not go idle")


def one_turn(c: httpx.Client, token: str, text: str) -> dict[str, Any]:
    started = time.perf_counter()
    r = c.post(
        "/v1/messages/submit",
        json={"message": text, "type": "dm"},
        headers={"Authorization": f"Bearer {token}"},
    )
    r.raise_for_status()
    job_id = r.json()["job_id"]
    first_token: float | None = None
    last_token: float | None = None
    event = ""
    done: dict[str, Any] = {}
    with c.stream("GET", f"/v1/jobs/{job_id}/events", params={"access_token": token}) as s:
        for line in s.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                if event == "token":
                    last_token = time.perf_counter() - started
                    first_token = last_token if first_token is None else first_token
                if event == "done":
                    done = json.loads(line.split(":", 1)[1])
                    break
    return {
        "job_id": job_id,
        "first_token_s": first_token,
        "text_s": last_token,
        "done_s": time.perf_counter() - started,
        "status": done.get("status"),
        "fallback": (done.get("result") or {}).get("fallback"),
        "answered": (done.get("result") or {}).get("response") is not None,
    }


def tokens_by_call(data_dir: Path) -> list[tuple[str, str, int, int, float]]:
    with closing(sqlite3.connect(data_dir / "soul.sqlite3")) as db:
        rows = db.execute(
            "SELECT job_id, task, prompt_tokens, completion_tokens, latency_ms"
            " FROM llm_calls ORDER BY rowid"
        ).fetchall()
    return [(str(a), str(b), int(c), int(d), float(e)) for a, b, c, d, e in rows]


def run(
    model: str, turns: int, reuse: bool, pause_s: float, embedder: str, reranker: str
) -> dict[str, Any]:
    env = {
        "LLM_MODE": "embedded",
        # Recall of older talk by meaning (the service's default) puts recalled messages in
        # the head from turn 7 on, once the first messages have left the history shown.
        "EMBEDDER": embedder,
        "RERANKER": reranker,
        "SOUL_MODEL": model,
        "SOUL_SEED": "1",
        "THINKING_ENABLED": "false",
        "LLM_TIMEOUT_SECONDS": "300",
        "EMBEDDED_PREFIX_REUSE": "true" if reuse else "false",
        "ACCESS_TTL_MIN": "600",  # a slow conversation outlasts the default 15 minutes
    }
    with tempfile.TemporaryDirectory(prefix="bench-embedded-") as tmp:
        data_dir = Path(tmp)
        raise_nofile_limit()
        with running(data_dir, env, launch=BENCH) as server:
            with httpx.Client(base_url=server.url, timeout=600.0) as c:
                token = c.post("/v1/auth/guest").json()["access_token"]
                results = []
                for text in CONVERSATION[:turns]:
                    wait_idle(c)
                    # A person takes a while to write: meanwhile the model reads the next
                    # reply's prompt ahead (no job: the queue does not show it).
                    time.sleep(pause_s)
                    results.append(one_turn(c, token, text))
                    print(f"  {model} reuse={reuse}: {results[-1]}", flush=True)
                wait_idle(c)
            calls = tokens_by_call(data_dir)
    reply = [c for c in calls if c[1] == "reply"]
    reflect = [c for c in calls if c[1] == "reflect"]
    firsts = [r["first_token_s"] for r in results if r["first_token_s"] is not None]
    # A turn's reply calls (a corrective retry is a second one) by the job that made them.
    for turn, r in enumerate(results, 1):
        r["reply_prompt_tokens"] = sum(c[2] for c in reply if c[0] == r["job_id"])
        print(
            f"  {model} reuse={reuse} turn {turn}: reply call evaluated"
            f" {r['reply_prompt_tokens']} prompt tokens, first token {r['first_token_s']} s,"
            f" text {r['text_s']} s, done {r['done_s']:.2f} s",
            flush=True,
        )
    evaluated = pct([r["reply_prompt_tokens"] for r in results], 50)
    first_p50 = round(pct(firsts, 50), 2) if firsts else None
    texts = [r["text_s"] for r in results if r["text_s"] is not None]
    text_p50 = round(pct(texts, 50), 2) if texts else None
    done_p50 = round(pct([r["done_s"] for r in results], 50), 2)
    return {
        "model": model,
        "prefix_reuse": reuse,
        "embedder": embedder,
        "reranker": reranker,
        "turns": len(results),
        "answered": sum(r["answered"] for r in results),
        "fallbacks": sum(r["fallback"] is not None for r in results),
        "first_token_p50_s": first_p50,
        "first_token_goal_s": FIRST_TOKEN_GOAL_S,
        "text_p50_s": text_p50,
        "text_goal_s": TEXT_GOAL_S,
        "done_p50_s": done_p50,
        "done_goal_s": DONE_GOAL_S,
        "done_max_s": round(max(r["done_s"] for r in results), 2),
        "reply_prompt_tokens_per_turn": [r["reply_prompt_tokens"] for r in results],
        "reply_prompt_tokens_p50": evaluated,
        "reply_prompt_tokens_goal": REPLY_GOAL,
        "goals_met": {
            "reply_prompt_tokens": evaluated <= REPLY_GOAL,
            "first_token": first_p50 is not None and first_p50 <= FIRST_TOKEN_GOAL_S,
            "text": text_p50 is not None and text_p50 <= TEXT_GOAL_S,
            "done": done_p50 <= DONE_GOAL_S,
        },
        "reply_completion_tokens_p50": pct([c[3] for c in reply], 50),
        "reflect_prompt_tokens_p50": pct([c[2] for c in reflect], 50) if reflect else None,
        "reflect_s_p50": round(pct([c[4] / 1000 for c in reflect], 50), 2) if reflect else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["smollm2-135m", "qwen2.5-coder-1.5b"])
    parser.add_argument("--turns", type=int, default=len(CONVERSATION))
    parser.add_argument("--reuse", choices=("both", "on", "off"), default="both")
    parser.add_argument(
        "--pause",
        type=float,
        default=15.0,
        help="seconds between the service going idle and the next message (reading ahead)",
    )
    parser.add_argument(
        "--embedder",
        choices=("local", "off"),
        default="local",
        help="recall of older talk by meaning and words (local, the default; its model must"
        " be pulled) or by words alone (off)",
    )
    parser.add_argument(
        "--reranker",
        choices=("local", "off"),
        default="local",
        help="recall's best read again by the local cross-encoder (local, the default; its"
        " model must be pulled) or not (off)",
    )
    args = parser.parse_args()
    settings = {"both": (True, False), "on": (True,), "off": (False,)}[args.reuse]
    figures = []
    for model in args.models:
        for reuse in settings:
            figures.append(run(model, args.turns, reuse, args.pause, args.embedder, args.reranker))
            print(json.dumps(figures[-1]), flush=True)
    print(json.dumps({"bench": "embedded", "machine": machine(), "figures": figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
