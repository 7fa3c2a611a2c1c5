"""Which face an agent shows for an expression image, and to whom.

An agent made from a card wears the faces the card brought (`AgentFaces`), and the default
set for the expressions it did not bring, so every expression has an image. An image request
carries no header an <img> could set, so a private agent's faces are shown only to a request
that names its owner by `?access_token=` (a bearer token or an API key, as the event streams
take it); to anyone else the agent is not there, and its name does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass

from synthetic_soul.auth.sessions import Auth
from synthetic_soul.domain.agent import PUBLIC, AgentState
from synthetic_soul.domain.faces import Face, expression_named
from synthetic_soul.errors import Unauthorized
from synthetic_soul.ports import AgentFaces
from synthetic_soul.usecases.agents import Agents


@dataclass(frozen=True)
class Wearing:
    """What an image request finds: the agent's own face, else whether the agent wears the
    default set; `private`: only its owner may see it (so no shared cache may keep it)."""

    face: Face | None = None
    default_faces: bool = False
    private: bool = False


NOTHING = Wearing()


class Faces:
    def __init__(self, store: AgentFaces, agents: Agents, auth: Auth) -> None:
        self._store = store
        self._agents = agents
        self._auth = auth

    async def wearing(self, agent_name: str, filename: str, token: str | None) -> Wearing:
        """The face `filename` asks of the agent. The default agent's are files only."""
        if agent_name.casefold() == self._agents.agent.name.casefold():
            return NOTHING
        found = await self._agents.find(agent_name)
        if found is None:
            return NOTHING
        private = found.visibility != PUBLIC
        if private and not await self._may_see(found, token):
            return NOTHING
        expression = expression_named(filename)
        face = None if expression is None else await self._store.get_face(found.id, expression)
        return Wearing(face, default_faces=True, private=private)

    async def _may_see(self, agent: AgentState, token: str | None) -> bool:
        if not token:
            return False
        try:
            who = await self._auth.authenticate(token)
        except Unauthorized:  # a stale or wrong token sees what no token sees
            return False
        return agent.may_talk(who.user_id)
