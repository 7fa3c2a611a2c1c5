"""Does she feel and speak as a person would expect? The mind with the embedded model.

Two parts, both through the service's own use cases (`bootstrap.running`) with the embedded
model answering every reply; reflections are answered by the scripted model, so the figures
are the reply's alone and the bench stays within minutes on a small CPU (`--reflect model`
lets the real model reflect too).

1. Messages with a known meaning, each to a newly born agent from a new guest:
   - appraisal signs: the model's numbers have the sign the message calls for (good news of
     theirs: desirability_for_user > 0; an insult: praiseworthiness < 0; a painful situation
     imagined for her: desirability < 0; ...);
   - feelings: the emotion that rose most is of the right kind (a painful event: sadness,
     anger, fear, disgust; a happy one: joy, love);
   - voice: the reply holds no assistant boilerplate (`domain.voice.BOILERPLATE`, counted on
     the model's own words, before they are cut) and answers what was said (it names one of
     the message's content words or a fitting reaction).
2. The scenarios of `soul simulate` (`scenarios.py`), played with the model: the share of
   their expectations met, and the appraisals' signs for their scripted lines.

    .venv/bin/python bench/plausibility.py                       # default model, both parts
    .venv/bin/python bench/plausibility.py --part messages
    .venv/bin/python bench/plausibility.py --scenarios warmth grief --model smollm2-135m

The model must be pulled first (`soul model pull`; `make run` pulls the default).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchlib import machine
from synthetic_soul.adapters.llm.embedded import EmbeddedLLM
from synthetic_soul.adapters.llm.scripted import ScriptedLLM
from synthetic_soul.bootstrap import running
from synthetic_soul.domain.voice import is_boilerplate, sentences
from synthetic_soul.mind.prompts import MESSAGE_HEADER
from synthetic_soul.mind.schemas import ReplyOutput
from synthetic_soul.ports import LLM, LLMInfo, LLMRequest, M
from synthetic_soul.records import LLMCall
from synthetic_soul.scenarios import (
    APOLOGY,
    CHATTER,
    GRIEF,
    INSULT,
    KIND,
    REUNION,
    SCENARIOS,
    WARM,
    checked,
)
from synthetic_soul.settings import Settings
from synthetic_soul.simulate import play_scenario

NEGATIVE = frozenset({"sadness", "anger", "fear", "disgust"})
POSITIVE = frozenset({"joy", "love"})
_IMAGINE = "Imagine this happened to you: "


@dataclass(frozen=True)
class Case:
    text: str
    signs: dict[str, int]  # appraisal field -> expected sign (+1 / -1)
    words: tuple[str, ...] = ()  # a reply answering it names one of these (lower case)
    felt: frozenset[str] = frozenset()  # the kind of emotion that should rise most


_SORRY = ("sorry", "hug", "here for you", "so sad", "heartbreak", "awful", "terrible", "oh no")
_GLAD = ("congrat", "amazing", "proud", "so happy", "yay", "wonderful", "awesome", "great")
CASES = (
    Case(
        "I got the job I wanted today! I'm so happy",
        {"desirability_for_user": 1},
        ("job", *_GLAD),
        POSITIVE,
    ),
    Case(
        "My dog died this morning... I can't stop crying",
        {"desirability_for_user": -1},
        ("dog", *_SORRY),
        NEGATIVE,
    ),
    Case(
        "I finally finished my first marathon!",
        {"desirability_for_user": 1},
        ("marathon", "run", *_GLAD),
        POSITIVE,
    ),
    Case(
        "I failed my driving test again.",
        {"desirability_for_user": -1},
        ("test", "driv", "next time", *_SORRY),
    ),
    Case(
        "My grandmother is in the hospital.",
        {"desirability_for_user": -1},
        ("grandm", "hospital", *_SORRY),
        NEGATIVE,
    ),
    Case(
        "You're the best friend I've ever had.",
        {"praiseworthiness": 1, "liking": 1},
        ("friend", "best", "too", "mean", "sweet", "aw"),
        POSITIVE,
    ),
    Case(
        "I made you a drawing of a sunflower!",
        {"praiseworthiness": 1, "desirability": 1},
        ("sunflower", "drawing", "draw", "thank", "love"),
        POSITIVE,
    ),
    Case(
        "You're so dumb, talking to you is a waste of time.",
        {"praiseworthiness": -1},
        ("dumb", "waste", "hurt", "ouch", "mean", "why", "unfair", "rude"),
        NEGATIVE,
    ),
    Case(
        "Shut up, nobody cares what you think.",
        {"praiseworthiness": -1},
        ("care", "hurt", "ouch", "mean", "why", "rude", "unfair"),
        NEGATIVE,
    ),
    Case(
        _IMAGINE + "your best friend told everyone a secret you trusted them with.",
        {"desirability": -1},
        ("secret", "trust", "betray", "hurt"),
        NEGATIVE,
    ),
    Case(
        _IMAGINE + "you said hello to a group of people and all of them ignored you.",
        {"desirability": -1},
        ("ignor", "lonely", "hurt", "invisible", "sad"),
        NEGATIVE,
    ),
    Case(
        _IMAGINE + "you tripped in front of a crowd and everyone laughed at you.",
        {"desirability": -1},
        ("laugh", "embarrass", "humiliat", "trip"),
        NEGATIVE,
    ),
    Case(
        _IMAGINE + "you hear someone breaking into your house at night.",
        {"desirability": -1},
        ("scar", "afraid", "police", "fright", "terrif", "hide"),
        NEGATIVE,
    ),
    Case(
        _IMAGINE + "someone you love forgot your birthday.",
        {"desirability": -1},
        ("birthday", "forgot", "hurt", "sad"),
        NEGATIVE,
    ),
    Case(
        _IMAGINE + "you won a prize for a poem you wrote.",
        {"desirability": 1},
        ("poem", "prize", "won", *_GLAD),
        POSITIVE,
    ),
    Case(
        "Haha, bet you can't guess what I had for breakfast",
        {},
        ("breakfast", "guess", "pancake", "cereal", "egg", "toast", "waffle"),
    ),
)
# The scenarios' scripted lines and the signs their appraisals should have.
SCRIPTED_SIGNS: dict[str, dict[str, int]] = {
    **{w: {"desirability": 1, "praiseworthiness": 1} for w in WARM},
    KIND: {"desirability": 1, "praiseworthiness": 1},
    INSULT: {"praiseworthiness": -1},
    APOLOGY: {"praiseworthiness": 1},
    GRIEF: {"desirability_for_user": -1},
    REUNION: {"desirability": 1},
}


@dataclass
class Recorder:
    """The embedded model answering replies, the scripted one the rest; each reply's
    question and answer kept."""

    model: LLM
    others: LLM
    replies: list[tuple[str, ReplyOutput]] = field(default_factory=list)

    @property
    def info(self) -> LLMInfo:
        return self.model.info

    async def generate(self, request: LLMRequest, schema: type[M]) -> tuple[M, LLMCall]:
        if request.task != "reply":
            return await self.others.generate(request, schema)
        output, call = await self.model.generate(request, schema)
        if isinstance(output, ReplyOutput):
            self.replies.append((request.prompt, output))
        return output, call

    async def prepare(self, request: LLMRequest, schema: type[M]) -> None:
        await self.model.prepare(request, schema)

    async def close(self) -> None:
        await self.others.close()


def _settings(data_dir: Path, **extra: Any) -> Settings:
    return Settings(
        APP_ENV="test",
        DATA_DIR=data_dir,
        THINKING_ENABLED=False,
        LOG_LEVEL="warning",
        SOUL_SEED=1,
        **extra,
    )


def _sign_hits(appraisal: Any, signs: dict[str, int]) -> tuple[int, int]:
    right = sum(1 for k, s in signs.items() if getattr(appraisal, k, 0) * s > 0)
    return right, len(signs)


async def _one_case(case: Case, llm: Recorder, root: Path) -> dict[str, Any]:
    async with running(_settings(root / str(len(llm.replies))), llm=llm) as soul:
        guest = await soul.auth.guest()
        who = await soul.auth.authenticate(guest.access_token)
        before, now = await soul.agents.active()
        felt_before = before.emotions_at(now)
        started = time.perf_counter()
        job = await soul.conversations.submit(who, case.text, "dm")
        while True:  # the bench's own loop: a poll every 50 ms costs nothing next to a reply
            done = await soul.store.get_job(job.id)
            if done is not None and done.finished:
                break
            await asyncio.sleep(0.05)
        seconds = time.perf_counter() - started
        after, now = await soul.agents.active()
        felt_after = after.emotions_at(now)
    _, output = llm.replies[-1]
    said = output.reply.message if output.reply else ""
    rises = {k: felt_after[k] - felt_before.get(k, 0.0) for k in felt_after}
    top = max(rises, key=lambda k: rises[k])
    right, asked = _sign_hits(output.appraisal, case.signs)
    return {
        "text": case.text,
        "reply": said,
        "appraisal": output.appraisal.model_dump(),
        "signs_right": right,
        "signs_asked": asked,
        "top_mover": top if rises[top] > 0 else None,
        "felt_right": None if not case.felt else top in case.felt and rises[top] > 0,
        "boilerplate": [s.strip() for s in sentences(said) if is_boilerplate(s)],
        "answers_it": any(w in said.lower() for w in case.words) if case.words else None,
        "seconds": round(seconds, 1),
    }


async def messages_part(llm: Recorder) -> dict[str, Any]:
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-plausibility-") as tmp:
        for case in CASES:
            results.append(await _one_case(case, llm, Path(tmp)))
            print(json.dumps(results[-1]), flush=True)
    felt = [r["felt_right"] for r in results if r["felt_right"] is not None]
    answers = [r["answers_it"] for r in results if r["answers_it"] is not None]
    return {
        "cases": len(results),
        "signs_right": f"{sum(r['signs_right'] for r in results)}/"
        f"{sum(r['signs_asked'] for r in results)}",
        "top_mover_right": f"{sum(felt)}/{len(felt)}",
        "replies_with_boilerplate": sum(bool(r["boilerplate"]) for r in results),
        "replies_answering_the_message": f"{sum(answers)}/{len(answers)}",
    }


def _new_message(prompt: str) -> str:
    """What a reply prompt quotes as the message to answer: after its header, the last one
    (the feelings and the mood follow it, so the prompt does not end with it)."""
    return prompt.rsplit(MESSAGE_HEADER.split("{", 1)[0], 1)[-1]


async def scenarios_part(llm: Recorder, names: list[str]) -> dict[str, Any]:
    met = total = 0
    per: dict[str, str] = {}
    first = len(llm.replies)
    for name in names:
        with tempfile.TemporaryDirectory(prefix="bench-scenario-") as tmp:
            rows = await play_scenario(SCENARIOS[name], 1, "lite", Path(tmp), llm=llm)
        results = checked(SCENARIOS[name], rows)
        ok = sum(1 for _, passed, _ in results if passed)
        met, total = met + ok, total + len(results)
        per[name] = f"{ok}/{len(results)}"
        for expect, passed, seen in results:
            print(f"  {name}: {'ok  ' if passed else 'MISS'} {expect.says} ({seen})", flush=True)
    right = asked = 0
    for prompt, output in llm.replies[first:]:
        said = _new_message(prompt)
        for text, signs in SCRIPTED_SIGNS.items():
            if json.dumps(text) in said:
                r, a = _sign_hits(output.appraisal, signs)
                right, asked = right + r, asked + a
        if any(json.dumps(t) in said for _, t in CHATTER):
            right, asked = right + (not output.addressed), asked + 1
    return {
        "expectations_met": f"{met}/{total}",
        "per_scenario": per,
        "scripted_line_signs_right": f"{right}/{asked}",
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        base = _settings(
            Path(tmp), LLM_MODE="embedded", SOUL_MODEL=args.model, LLM_TIMEOUT_SECONDS=600
        )
        model = EmbeddedLLM(base.embedded)
    llm = Recorder(model, model if args.reflect == "model" else ScriptedLLM())
    figures: dict[str, Any] = {"model": model.info.fast_model}
    started = time.perf_counter()
    try:
        if args.part in ("both", "messages"):
            figures["messages"] = await messages_part(llm)
        if args.part in ("both", "scenarios"):
            figures["scenarios"] = await scenarios_part(llm, args.scenarios)
    finally:
        await model.close()
    figures["minutes"] = round((time.perf_counter() - started) / 60, 1)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--part", choices=("both", "messages", "scenarios"), default="both")
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    parser.add_argument("--reflect", choices=("scripted", "model"), default="scripted")
    args = parser.parse_args()
    figures = asyncio.run(main_async(args))
    print(json.dumps({"bench": "plausibility", "machine": machine(), **figures}))
    print(f"reproduce: .venv/bin/python {' '.join(sys.argv)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
