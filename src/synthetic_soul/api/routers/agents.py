"""The agent's state and thoughts: /v1/agents/*, /v1/thoughts/*."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from synthetic_soul.api.deps import SignedIn, Soul
from synthetic_soul.api.routers.messages import iso
from synthetic_soul.domain import descriptions
from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.emotions import MAX_VALUE, MIN_VALUE
from synthetic_soul.domain.mood import Mood, intensity, octant
from synthetic_soul.domain.personality import TRAIT_MAX, TRAIT_MIN, describe

router = APIRouter(tags=["agents"])


def _scale(value: float, low: float, high: float, description: str) -> dict[str, Any]:
    return {"value": round(value), "min": int(low), "max": int(high), "description": description}


def agent_body(agent: AgentState, now: float) -> dict[str, Any]:
    personality: dict[str, Any] = {
        "personality_matrix": {
            name: _scale(value, TRAIT_MIN, TRAIT_MAX, descriptions.trait(name))
            for name, value in agent.personality.traits.items()
        },
        "description": describe(agent.personality),
    }
    if agent.personality.mbti:
        personality["myers-briggs"] = agent.personality.mbti
    return {
        "id": agent.id,
        "name": agent.name,
        "mode": agent.mode,
        "identity": agent.identity,
        "personality": personality,
        "emotional_status": {
            "emotions": {
                name: _scale(value, MIN_VALUE, MAX_VALUE, descriptions.emotion(name))
                for name, value in agent.emotions_at(now).items()
            },
            "reason": agent.reason,
        },
        "mood": mood_body(agent.mood_at(now)),
        "global_expression": agent.global_expression,
        "memory_tags": list(agent.memory_tags),
        "birthdate": iso(agent.birthdate),
        "events_felt": agent.events_felt,
    }


def mood_body(mood: Mood) -> dict[str, Any]:
    return {
        "pleasure": round(mood.pleasure, 3),
        "arousal": round(mood.arousal, 3),
        "dominance": round(mood.dominance, 3),
        "label": octant(mood),
        "intensity": intensity(mood),
    }


@router.get("/agents/active")
async def active(soul: Soul, who: SignedIn) -> dict[str, Any]:
    agent, now = await soul.agents.active()
    return {"agent": agent_body(agent, now)}


@router.get("/agents/all")
async def all_agents(soul: Soul, who: SignedIn) -> dict[str, Any]:
    agents = await soul.agents.all()
    return {
        "agents": {
            "normal": [{"name": name} for name, mode in agents if mode == "rich"],
            "lite": [{"name": name} for name, mode in agents if mode == "lite"],
        }
    }


@router.get("/thoughts/latest")
async def latest_thought(soul: Soul, who: SignedIn) -> dict[str, Any]:
    t = await soul.agents.latest_thought(who)
    return {"latest_thought": {"id": t.id, "thought": t.thought, "timestamp": iso(t.timestamp)}}
