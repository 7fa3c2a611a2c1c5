"""An agent's own faces in the MongoDB store: one document a face, its image as binary data.

A face is at most `cards.limits.MAX_FACE_BYTES` (2 MiB), well inside a document's 16 MB.
"""

from __future__ import annotations

from collections.abc import Mapping

from bson import Binary
from pymongo.asynchronous.client_session import AsyncClientSession

from synthetic_soul.adapters.store.mongo.base import MongoBase, reachable
from synthetic_soul.domain.faces import Face


class FaceCollections(MongoBase):
    @reachable
    async def put_faces(self, agent_id: str, faces: Mapping[str, Face]) -> None:
        async def tx(s: AsyncClientSession) -> None:
            await self.db["faces"].delete_many({"agent_id": agent_id}, session=s)
            if faces:
                await self.db["faces"].insert_many(
                    [
                        {
                            "_id": f"{agent_id}:{name}",
                            "agent_id": agent_id,
                            "expression": name,
                            "media_type": face.media_type,
                            "data": Binary(face.data),
                        }
                        for name, face in faces.items()
                    ],
                    session=s,
                )

        await self._transaction(tx)

    @reachable
    async def get_face(self, agent_id: str, expression: str) -> Face | None:
        doc = await self.db["faces"].find_one({"agent_id": agent_id, "expression": expression})
        return None if doc is None else Face(doc["media_type"], bytes(doc["data"]))

    @reachable
    async def face_names(self, agent_id: str) -> list[str]:
        cursor = (
            self.db["faces"].find({"agent_id": agent_id}, {"expression": 1}).sort("expression", 1)
        )
        return [d["expression"] async for d in cursor]

    @reachable
    async def delete_faces(self, agent_id: str) -> None:
        await self.db["faces"].delete_many({"agent_id": agent_id})
