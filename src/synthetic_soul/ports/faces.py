"""An agent's own faces: an image for each expression its card brought."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from synthetic_soul.domain.faces import Face


class AgentFaces(Protocol):
    async def put_faces(self, agent_id: str, faces: Mapping[str, Face]) -> None:
        """The agent's faces by expression, replacing any it had, in one transaction."""
        ...

    async def get_face(self, agent_id: str, expression: str) -> Face | None: ...
    async def face_names(self, agent_id: str) -> list[str]:
        """The expressions the agent has a face for, sorted."""
        ...

    async def delete_faces(self, agent_id: str) -> None:
        """Every face of the agent (deleting the agent deletes them too)."""
        ...
