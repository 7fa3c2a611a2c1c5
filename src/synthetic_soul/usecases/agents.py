"""The agents a user may talk to, as they may see them: which one a request speaks to, its
state, how it sees them, its thoughts; and the agents people make, own and delete."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, replace
from typing import Any, Protocol

from synthetic_soul import ports
from synthetic_soul.auth.sessions import Principal
from synthetic_soul.cards import seed
from synthetic_soul.domain.agent import (
    MAX_AGENT_NAME,
    PUBLIC,
    VISIBILITIES,
    ActiveAgent,
    AgentState,
    agent_handle,
    new_agent,
)
from synthetic_soul.domain.mood import default_mood
from synthetic_soul.domain.personality import Personality
from synthetic_soul.domain.relationship import new_profile_doc
from synthetic_soul.domain.thought import Thought
from synthetic_soul.errors import Conflict, Forbidden, NotFound, SoulError, Unauthorized
from synthetic_soul.ports import Clock, Profile

MODES = ("lite", "rich")
MAX_IDENTITY_CHARS = 2_000
MAX_PERSONALITY_CHARS = 4_000  # words a person writes; a card's are bounded by the card


class AgentStore(ports.Agents, ports.Thoughts, ports.Accounts, Protocol):
    """The ports reading and keeping agents use."""


@dataclass(frozen=True)
class NewAgent:
    """What a person asks for when they make an agent; `personality` is words (a card's
    personality field, say), from which the numbers are seeded."""

    name: str
    mode: str
    identity: str
    personality: str = ""
    visibility: str = PUBLIC
    extra: dict[str, Any] | None = None  # e.g. the card it came from
    seeded: Personality | None = None  # numbers given (a card we wrote): no seeding


def unknown(name: str) -> NotFound:
    """The one answer for an agent that does not exist and for one the user may not see, so
    that a private agent's name does not leak. The name is a client's text: said only when
    it is one an agent could have."""
    shown = agent_handle(name)
    return NotFound(f"No agent named {shown}." if shown else "No such agent.", "agent_not_found")


class Agents:
    def __init__(self, store: AgentStore, clock: Clock, agent: ActiveAgent) -> None:
        self._store = store
        self._clock = clock
        self.agent = agent  # the default agent: what a request naming none speaks to

    # -- which agent a request speaks to ------------------------------------------------
    async def find(self, name: str) -> AgentState | None:
        """The agent known by `name`, compared case-folded, whoever may see it."""
        handle = agent_handle(name)
        if handle is None:
            return None
        return next(
            (a for a in await self._store.all_agents() if a.name.casefold() == handle), None
        )

    async def speaking(self, name: str | None, who: Principal) -> ActiveAgent:
        """The agent a request names (None or blank: the default agent), if this user may
        talk to it."""
        if name is None or name.strip().casefold() in ("", self.agent.name.casefold()):
            return self.agent
        found = await self.find(name)
        if found is None or not found.may_talk(who.user_id):
            raise unknown(name)
        return ActiveAgent.of(found)

    # -- reading one ---------------------------------------------------------------------
    async def active(self, agent: ActiveAgent | None = None) -> tuple[AgentState, float]:
        """The agent and the instant its emotions should be read at."""
        agent = agent or self.agent
        state = await self._store.get_agent(agent.name, agent.mode)
        if state is None:
            raise unknown(agent.name)
        return state, self._clock.now()

    async def relationship(
        self, who: Principal, agent: ActiveAgent | None = None
    ) -> tuple[Profile, float]:
        """How the agent sees this user, and the instant it was read."""
        state, now = await self.active(agent)
        profile = await self._store.get_profile(state.id, who.user_id)
        if profile is None:
            profile = Profile(state.id, who.user_id, who.username, new_profile_doc(state.mode, now))
        return profile, now

    async def all(self, who: Principal | None = None) -> list[AgentState]:
        """Every agent this user may talk to (None: every agent), by name."""
        return [a for a in await self._store.all_agents() if who is None or a.may_talk(who.user_id)]

    async def latest_thought(self, who: Principal, agent: ActiveAgent | None = None) -> Thought:
        """The latest thought this user may see: about them, or about no one in particular."""
        state, _ = await self.active(agent)
        thought = await self._store.latest_thought(state.id, who.user_id)
        if thought is None:
            raise NotFound(
                "The agent has had no thought it can share with you yet.", "thought_not_found"
            )
        return thought

    # -- making, changing, deleting --------------------------------------------------------
    async def create(self, who: Principal | None, asked: NewAgent) -> AgentState:
        """A new agent owned by `who` (None: the operator, from the CLI, owning it as the
        deployment does its default agent). Only an account may own one: a guest's agent
        would be lost with the guest."""
        owner = None
        if who is not None:
            user = await self._store.get_user(who.user_id)
            if user is None:
                raise Unauthorized("The account no longer exists.", "invalid_token")
            if user.guest:
                raise Forbidden("Claim the account before making agents.", "account_required")
            owner = user.id
        name = _checked(asked)
        if await self.find(name) is not None or name == self.agent.name.casefold():
            raise Conflict(f"An agent named {name} exists already.", "agent_exists")
        if asked.seeded is not None:
            personality, record = asked.seeded, {"method": "given"}
        else:
            seeding = seed(asked.mode, asked.identity, asked.personality)
            personality, record = seeding.personality, seeding.record()
        now = self._clock.now()
        # new_agent's drawn personality, and the mood it rests at, are replaced at once.
        born = new_agent(uuid.uuid4().hex, name, asked.mode, random.Random(0), now)
        candidate = replace(
            born,
            identity=asked.identity.strip() or born.identity,
            personality=personality,
            mood=default_mood(personality),  # at rest where this personality rests
            owner_id=owner,
            visibility=asked.visibility,
            extra={**(asked.extra or {}), "seeding": record},
        )
        made = await self._store.ensure_agent(candidate)
        if made.id != candidate.id:  # another made it meanwhile (the same name, in any mode)
            raise Conflict(f"An agent named {name} exists already.", "agent_exists")
        return made

    async def visible(self, who: Principal, name: str) -> AgentState:
        """The agent `name` if this user may talk to it."""
        found = await self.find(name)
        if found is None or not found.may_talk(who.user_id):
            raise unknown(name)
        return found

    async def owned(self, who: Principal | None, name: str) -> AgentState:
        """The agent `name` if `who` owns it (None: the operator owns every agent). Another's
        private agent is unknown; another's public one may be seen but not changed."""
        found = await self.find(name)
        if found is None or (who is not None and not found.may_talk(who.user_id)):
            raise unknown(name)
        if who is not None and found.owner_id != who.user_id:
            raise Forbidden("Only the agent's owner may change it.", "not_owner")
        return found

    def _is_default(self, name: str) -> bool:
        return name.strip().casefold() == self.agent.name.casefold()

    async def set_visibility(self, who: Principal | None, name: str, visibility: str) -> AgentState:
        if visibility not in VISIBILITIES:
            raise SoulError("visibility is public or private.", "invalid_visibility")
        if self._is_default(name):
            raise Forbidden("The default agent is everyone's.", "default_agent")
        found = await self.owned(who, name)
        await self._store.set_visibility(found.id, visibility)
        changed = await self._store.get_agent(found.name, found.mode)
        if changed is None:
            raise unknown(name)
        return changed

    async def delete(self, who: Principal | None, name: str) -> None:
        """Forgets the agent and everything of it. The default agent stays: the service
        speaks for it to every client that names none."""
        if self._is_default(name):
            raise Forbidden("The default agent cannot be deleted.", "default_agent")
        found = await self.owned(who, name)
        if not await self._store.delete_agent(found.id):
            raise unknown(name)


# Names the routes under /v1/agents/ take for themselves: an agent so named could not be read.
RESERVED_NAMES = frozenset({"active", "all", "import"})


def _checked(asked: NewAgent) -> str:
    name = agent_handle(asked.name)
    if name in RESERVED_NAMES:
        raise SoulError(
            f"{name} is a word the API keeps; choose another name.", "invalid_agent_name"
        )
    if name is None:
        raise SoulError(
            f"An agent's name is 1 to {MAX_AGENT_NAME} letters, digits or underscores,"
            " starting with a letter.",
            "invalid_agent_name",
        )
    if asked.mode not in MODES:
        raise SoulError("mode is lite or rich.", "invalid_mode")
    if asked.visibility not in VISIBILITIES:
        raise SoulError("visibility is public or private.", "invalid_visibility")
    if len(asked.identity) > MAX_IDENTITY_CHARS:
        raise SoulError("The identity is too long.", "invalid_agent")
    return name
