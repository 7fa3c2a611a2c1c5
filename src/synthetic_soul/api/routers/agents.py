"""The agent's state and thoughts: /v1/agents/*, /v1/thoughts/*."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from synthetic_soul.api.deps import SignedIn, Soul, Speaking
from synthetic_soul.api.replies import (
    ActiveAgentReply,
    AgentName,
    AgentsByMode,
    AgentView,
    AllAgentsReply,
    ChartMark,
    ChartMood,
    ChartPoint,
    EmotionalStatus,
    HistoryReply,
    HistoryView,
    LatestThoughtReply,
    ListedAgent,
    ListedAgentsReply,
    MarkKind,
    MoodView,
    OwnedAgentReply,
    OwnedAgentView,
    PersonalityView,
    RelationshipReply,
    RelationshipView,
    Scale,
    ThoughtView,
)
from synthetic_soul.api.routers.messages import iso
from synthetic_soul.auth.sessions import Principal
from synthetic_soul.domain import descriptions
from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.emotions import MAX_VALUE, MIN_VALUE
from synthetic_soul.domain.mood import Mood, intensity, octant
from synthetic_soul.domain.personality import TRAIT_MAX, TRAIT_MIN, describe
from synthetic_soul.domain.reasons import shareable
from synthetic_soul.domain.relationship import affinity
from synthetic_soul.mind.history import MAX_POINTS

router = APIRouter(tags=["agents"])


def _scale(value: float, low: float, high: float, description: str) -> Scale:
    return Scale(value=round(value), min=int(low), max=int(high), description=description)


def agent_view(agent: AgentState, now: float) -> AgentView:
    return AgentView(
        id=agent.id,
        name=agent.name,
        mode=agent.mode,
        identity=agent.identity,
        personality=PersonalityView(
            personality_matrix={
                name: _scale(value, TRAIT_MIN, TRAIT_MAX, descriptions.trait(name))
                for name, value in agent.personality.traits.items()
            },
            description=describe(agent.personality),
            myers_briggs=agent.personality.mbti or None,
        ),
        emotional_status=EmotionalStatus(
            emotions={
                name: _scale(value, MIN_VALUE, MAX_VALUE, descriptions.emotion(name))
                for name, value in agent.emotions_at(now).items()
            },
            # Only the fixed sentences: a reason stored before they were the rule could
            # name a user or repeat what they said.
            reason=shareable(agent.reason),
        ),
        mood=mood_view(agent.mood_at(now), agent.mood_name(now)),
        global_expression=agent.global_expression,
        memory_tags=list(agent.memory_tags),
        birthdate=iso(agent.birthdate),
        events_felt=agent.events_felt,
    )


def owned_view(agent: AgentState, now: float, who: Principal) -> OwnedAgentView:
    """The agent as one who may talk to it sees it in detail: whose it is, who may talk to
    it, and how its personality was seeded."""
    view = agent_view(agent, now).model_dump(by_alias=True)
    seeding = agent.extra.get("seeding")
    return OwnedAgentView.model_validate(
        {
            **view,
            "visibility": "private" if agent.visibility == "private" else "public",
            "mine": agent.owner_id == who.user_id,
            "seeding": seeding if isinstance(seeding, dict) else None,
        }
    )


def agent_body(agent: AgentState, now: float) -> dict[str, Any]:
    """The agent as a client reads it in the JSON body."""
    return agent_view(agent, now).model_dump(mode="json", by_alias=True)


def mood_view(mood: Mood, name: str) -> MoodView:
    return MoodView(
        pleasure=round(mood.pleasure, 3),
        arousal=round(mood.arousal, 3),
        dominance=round(mood.dominance, 3),
        label=octant(mood),
        intensity=intensity(mood),
        # What people read: "calm" near the character's default, else how it has moved.
        name=name,
    )


@router.get("/agents/active")
async def active(soul: Soul, speaking: Speaking) -> ActiveAgentReply:
    agent, now = await soul.agents.active(speaking)
    return ActiveAgentReply(agent=agent_view(agent, now))


@router.get("/agents/active/history")
async def history(
    soul: Soul,
    who: SignedIn,
    speaking: Speaking,
    since: float | None = Query(None, description="epoch seconds; default: 24 hours ago"),
    limit: int = Query(500, ge=1, le=MAX_POINTS, description="most chart points returned"),
) -> HistoryReply:
    """Emotions and mood over time, with the user's messages and visible thoughts as marks."""
    h = await soul.histories.of(who.user_id, since, limit, speaking)
    marks = [
        ChartMark(timestamp=iso(m.timestamp), kind=_mark_kind(m), id=m.id) for m in h.messages
    ] + [ChartMark(timestamp=iso(t.timestamp), kind="thought", id=t.id) for t in h.thoughts]
    marks.sort(key=lambda mark: mark.timestamp)
    return HistoryReply(
        history=HistoryView(
            points=[
                ChartPoint(
                    timestamp=iso(p.at),
                    emotions={name: round(v, 2) for name, v in p.emotions.items()},
                    mood=_chart_mood(Mood(**p.mood)),
                )
                for p in h.points
            ],
            marks=marks,
        )
    )


def _mark_kind(m: Message) -> MarkKind:
    if not m.from_agent:
        return "message"
    return "outreach" if m.purpose == "outreach" else "reply"


def _chart_mood(mood: Mood) -> ChartMood:
    return ChartMood(
        pleasure=round(mood.pleasure, 3),
        arousal=round(mood.arousal, 3),
        dominance=round(mood.dominance, 3),
        label=octant(mood),
    )


@router.get("/agents/active/relationship")
async def relationship(soul: Soul, who: SignedIn, speaking: Speaking) -> RelationshipReply:
    """How the agent sees the signed-in user."""
    profile, _ = await soul.agents.relationship(who, speaking)
    seen = profile.relationship
    return RelationshipReply(
        relationship=RelationshipView(
            username=profile.username,
            extrinsic_relationship=seen.extrinsic,
            intrinsic_relationship=seen.intrinsic,
            affinity=round(affinity(seen.sentiments), 2),
            sentiments={
                name: _scale(value, 0, 100, f"The agent's {name} toward you.")
                for name, value in seen.sentiments.items()
            },
            summary=seen.summary,
            interactions=seen.interactions,
            last_interaction=iso(seen.last_interaction) if seen.last_interaction else None,
        )
    )


@router.get("/agents/all")
async def all_agents(soul: Soul, who: SignedIn) -> AllAgentsReply:
    """The agents the caller may talk to, by mode: public ones and their own private ones."""
    agents = await soul.agents.all(who)
    return AllAgentsReply(
        agents=AgentsByMode(
            normal=[AgentName(name=a.name) for a in agents if a.mode == "rich"],
            lite=[AgentName(name=a.name) for a in agents if a.mode == "lite"],
        )
    )


@router.get("/agents")
async def listed_agents(soul: Soul, who: SignedIn) -> ListedAgentsReply:
    """*addition*: the agents the caller may talk to, each with who may talk to it, whether
    it is the caller's, and whether it is the default agent."""
    default = soul.agents.agent.id
    return ListedAgentsReply(
        agents=[
            ListedAgent(
                name=a.name,
                mode="rich" if a.mode == "rich" else "lite",
                visibility="private" if a.visibility == "private" else "public",
                mine=a.owner_id == who.user_id,
                default=a.id == default,
            )
            for a in await soul.agents.all(who)
        ]
    )


@router.get("/thoughts/latest")
async def latest_thought(soul: Soul, who: SignedIn, speaking: Speaking) -> LatestThoughtReply:
    t = await soul.agents.latest_thought(who, speaking)
    return LatestThoughtReply(
        latest_thought=ThoughtView(id=t.id, thought=t.thought, timestamp=iso(t.timestamp))
    )


# After /agents/active, /agents/all and /agents: a name never shadows them.
@router.get("/agents/{name}")
async def one_agent(name: str, soul: Soul, who: SignedIn) -> OwnedAgentReply:
    """*addition* (many agents): one agent the caller may talk to, as `POST /v1/agents`
    answers it: with whose it is and how its personality was seeded (`seeding`)."""
    agent = await soul.agents.visible(who, name)
    return OwnedAgentReply(agent=owned_view(agent, soul.clock.now(), who))
