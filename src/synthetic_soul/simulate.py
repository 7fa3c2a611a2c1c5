"""A day in the life, replayed from a seed: simulated time, scripted people, the scripted model.

Three people talk to the agent through the day (a kind one, a moody one, a rude one), each
when a seeded draw says so, mostly in their waking hours; the scheduler thinks on its period.
Everything that is random draws from the seed and time comes from a simulated clock, so the
same seed gives the same day: the summary (and its digest) is identical run after run.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthetic_soul.auth.sessions import Principal
from synthetic_soul.bootstrap import Container, running
from synthetic_soul.domain.mood import default_mood, octant
from synthetic_soul.domain.relationship import affinity
from synthetic_soul.ports import LLM
from synthetic_soul.scenarios import Row, Say, Scenario
from synthetic_soul.settings import Settings

START = 1_893_484_800.0  # 2030-01-01 08:00 UTC
STEP_S = 300.0

PEOPLE: dict[str, tuple[str, ...]] = {
    "kind": (
        "Good morning! I hope you slept well.",
        "Thank you for yesterday, you are wonderful.",
        "I love our talks, you are a great friend.",
        "Look, I finally fixed my bike!",
        "What are you thinking about today?",
    ),
    "moody": (
        "Ugh, I am so tired and sad today.",
        "Actually it turned out fine, thanks.",
        "Do you ever feel lonely?",
        "My exam went terribly, I'm worried.",
        "You're nice, I appreciate you.",
    ),
    "rude": (
        "You are boring and useless.",
        "Whatever. Shut up.",
        "I hate chatting with bots, this is stupid.",
        "Fine, that was an okay answer.",
    ),
}
# Chance per five minutes that a person writes, by UTC hour: awake 8..23, busiest evenings.
_ACTIVITY = {h: 0.0 if h < 8 else 0.08 if h < 18 else 0.15 for h in range(24)}


class SimulatedClock:
    def __init__(self, start: float) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


@dataclass
class Person:
    name: str
    lines: tuple[str, ...]
    who: Principal


async def _idle(soul: Container) -> None:
    while True:
        stats = await soul.queue.stats()
        if not any(stats.backlog.values()) and all(w.state == "idle" for w in stats.workers):
            return
        await asyncio.sleep(0.001)


async def _moment(soul: Container, people: list[Person], clock: SimulatedClock) -> dict[str, Any]:
    agent, now = await soul.agents.active()
    mood = agent.mood_at(now)
    seen: dict[str, Any] = {}
    for person in people:
        profile, _ = await soul.agents.relationship(person.who)
        seen[person.name] = {
            "relationship": profile.relationship.extrinsic,
            "affinity": round(affinity(profile.relationship.sentiments), 2),
            "outreaches": sum(
                1
                for m in (await soul.conversations.conversation(person.who)).messages
                if m.from_agent and m.purpose == "outreach"
            ),
        }
    return {
        "hour": round((now - START) / 3600),
        "emotions": {k: round(v, 2) for k, v in agent.emotions_at(now).items()},
        "mood": {
            "pleasure": round(mood.pleasure, 3),
            "label": octant(mood),
            "name": agent.mood_name(now),
        },
        "expression": agent.global_expression,
        "events_felt": agent.events_felt,
        "people": seen,
    }


def _settings(data_dir: Path, mode: str, seed: int, **pinned: Any) -> Settings:
    """A simulation's service: the scripted model, recall by words (unreranked), one worker,
    a fresh data directory."""
    return Settings(
        APP_ENV="test",
        LLM_MODE="scripted",
        EMBEDDER="off",
        RERANKER="off",
        DATA_DIR=data_dir,
        MODE=mode,
        SOUL_SEED=seed,
        INLINE_WORKERS=1,
        LOG_LEVEL="warning",
        **pinned,
    )


async def simulate(seed: int, hours: int, mode: str, data_dir: Path) -> dict[str, Any]:
    clock = SimulatedClock(START)
    settings = _settings(data_dir, mode, seed, THINKING_ENABLED=True)
    draw = random.Random(seed)
    async with running(settings, clock=clock, background=False) as soul:
        people = []
        for name, lines in PEOPLE.items():
            grant = await soul.auth.guest()
            people.append(Person(name, lines, await soul.auth.authenticate(grant.access_token)))
        timeline = [await _moment(soul, people, clock)]
        said = 0
        for step in range(1, int(hours * 3600 / STEP_S) + 1):
            clock.advance(STEP_S)
            hour = int((clock.now() // 3600) % 24)
            for person in people:
                if draw.random() < _ACTIVITY[hour]:
                    await soul.conversations.submit(person.who, draw.choice(person.lines), "dm")
                    said += 1
                    await _idle(soul)
            await soul.scheduler.tick()
            await _idle(soul)
            if step * STEP_S % 3600 == 0:
                timeline.append(await _moment(soul, people, clock))
    summary: dict[str, Any] = {"seed": seed, "hours": hours, "mode": mode, "messages": said}
    summary["timeline"] = timeline
    summary["digest"] = hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()
    return summary


def run(seed: int, hours: int, mode: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="soul-day-") as tmp:
        return asyncio.run(simulate(seed, hours, mode, Path(tmp)))


# Rows drawn inside a pause, for the chart: enough to show a decay's curve.
PAUSE_SAMPLES = 12


async def _row(
    soul: Container, people: dict[str, Principal], replies: dict[str, int], event: str
) -> Row:
    agent, now = await soul.agents.active()
    mood = agent.mood_at(now)
    row: Row = {"t": now - START, "event": event, "mark": None, "step": False}
    row["mode"] = agent.mode
    row.update({k: round(v, 2) for k, v in agent.emotions_at(now).items()})
    # Rich mode's happiness stands where lite has joy, so one scenario reads in both.
    row.setdefault("joy", row.get("happiness", 0.0))
    row["pleasure"] = round(mood.pleasure, 3)
    row["lift"] = round(mood.pleasure - default_mood(agent.personality).pleasure, 3)
    row["mood"] = agent.mood_name(now)
    for name, who in people.items():
        profile, _ = await soul.agents.relationship(who)
        row[f"affinity.{name}"] = round(affinity(profile.relationship.sentiments), 2)
        row[f"relationship.{name}"] = profile.relationship.extrinsic
        row[f"replies.{name}"] = replies[name]
    return row


async def play_scenario(
    scenario: Scenario, seed: int, mode: str, data_dir: Path, llm: LLM | None = None
) -> list[Row]:
    """The trajectory of one scenario: a row after each step, and a few inside each pause.

    No thinking: what moves the mind is the scripted person alone, so the rows read as the
    scenario's effect. The scripted model answers unless `llm` is given (a bench's real one).
    """
    clock = SimulatedClock(START)
    settings = _settings(data_dir, mode, seed, BOT_NAME="jasmine", THINKING_ENABLED=False)
    async with running(settings, clock=clock, llm=llm, background=False) as soul:
        people: dict[str, Principal] = {}
        for name in scenario.people:
            grant = await soul.auth.guest()
            people[name] = await soul.auth.authenticate(grant.access_token)
        replies = dict.fromkeys(scenario.people, 0)
        agent, _ = await soul.agents.active()
        rows: list[Row] = []
        for step in scenario.steps:
            if isinstance(step, Say):
                text = step.text.format(agent=agent.name.capitalize())
                for _ in range(step.times):
                    clock.advance(step.after)
                    kind = "dm" if step.channel is None else "group"
                    job = await soul.conversations.submit(
                        people[step.who], text, kind, step.channel
                    )
                    await _idle(soul)
                    done = await soul.store.get_job(job.id)
                    if done is not None and (done.result or {}).get("response"):
                        replies[step.who] += 1
                event = f"{step.who}{f' x{step.times}' if step.times > 1 else ''}: {text}"
            else:
                for _ in range(PAUSE_SAMPLES - 1 if step.seconds else 0):
                    clock.advance(step.seconds / PAUSE_SAMPLES)
                    if step.thinking:
                        await _spell(soul, clock.now())
                    rows.append(await _row(soul, people, replies, ""))
                clock.advance(step.seconds / PAUSE_SAMPLES if step.seconds else 0)
                if step.thinking and step.seconds:
                    await _spell(soul, clock.now())
                event = f"(quiet {_span(step.seconds)})" if step.seconds else "(start)"
            row = await _row(soul, people, replies, event)
            rows.append({**row, "mark": step.mark, "step": True})
    return rows


async def _spell(soul: Container, now: float) -> None:
    """The spell of thinking of the tick `now` falls in, queued by the scheduler (thinking is
    off in a scenario, so that only a pause that asks for it thinks)."""
    if await soul.scheduler.spell(now):
        await _idle(soul)


def _span(seconds: float) -> str:
    if seconds >= 86400 and seconds % 86400 == 0:
        return f"{seconds / 86400:g} d"
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    return f"{seconds / 60:g} min"


def run_scenario(scenario: Scenario, seed: int, mode: str) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="soul-scenario-") as tmp:
        return asyncio.run(play_scenario(scenario, seed, mode, Path(tmp)))
