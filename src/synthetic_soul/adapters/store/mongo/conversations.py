"""Conversations in the MongoDB store: a user's messages to an agent, its replies, a turn,
and the search over what the user may see of them (`search`).

Submitting a message writes it and its job in one transaction, so a message is never without
the job that answers it; a turn is read in one transaction, a snapshot of the conversation.
"""

from __future__ import annotations

from collections.abc import Sequence

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from synthetic_soul.adapters.store.mongo.base import MongoBase, reachable
from synthetic_soul.adapters.store.mongo.records import WITHOUT_VECTOR, Doc, message_of
from synthetic_soul.adapters.store.mongo.search import (
    adjacent,
    agent_conversations,
    attach,
    nearest,
    search,
    unembedded,
)
from synthetic_soul.adapters.store.mongo.statements import (
    Db,
    Tx,
    find_conversation,
    insert_job,
    insert_message,
    latest_thought,
    open_conversation,
    read_agent,
    read_profile,
)
from synthetic_soul.domain.conversation import Conversation, Message
from synthetic_soul.ports import Turn
from synthetic_soul.ports.embeddings import Vector
from synthetic_soul.records import Job


class ConversationCollections(MongoBase):
    @reachable
    async def submit_message(self, job: Job, message: Message, agent_name: str) -> None:
        seq = await self._next_seqs("messages", 1)

        async def tx(s: AsyncClientSession) -> None:
            conversation_id = await open_conversation(
                self.db, s, agent_name, job.owner_id, message.timestamp
            )
            await insert_message(self.db, s, message, conversation_id, seq)
            await insert_job(self.db, s, job)

        await self._transaction(tx)

    @reachable
    async def greet(self, agent_name: str, user_id: str, greeting: Message) -> bool:
        seq = await self._next_seqs("messages", 1)

        async def tx(s: AsyncClientSession) -> bool:
            conversation_id = await open_conversation(
                self.db, s, agent_name, user_id, greeting.timestamp
            )
            said = await self.db["messages"].find_one(
                {"conversation_id": conversation_id}, {"_id": 1}, session=s
            )
            if said is not None:
                return False
            await insert_message(self.db, s, greeting, conversation_id, seq)
            return True

        try:
            return await self._transaction(tx)
        except DuplicateKeyError:  # a concurrent greeting (the same id) was written first
            return False

    @reachable
    async def get_conversation(
        self, agent_name: str, user_id: str, now: float, limit: int | None = None
    ) -> Conversation:
        found = await find_conversation(self.db, None, agent_name, user_id)
        if found is None:
            conversation_id = await open_conversation(self.db, None, agent_name, user_id, now)
            return Conversation(conversation_id, user_id, agent_name)
        conversation_id = found
        if limit is not None and limit <= 0:
            return Conversation(conversation_id, user_id, agent_name)
        if limit is None:
            cursor = (
                self.db["messages"]
                .find({"conversation_id": conversation_id}, WITHOUT_VECTOR)
                .sort("seq", 1)
            )
            docs = [d async for d in cursor]
        else:
            cursor = (
                self.db["messages"]
                .find({"conversation_id": conversation_id}, WITHOUT_VECTOR)
                .sort("seq", -1)
                .limit(limit)
            )
            docs = [d async for d in cursor][::-1]
        return Conversation(conversation_id, user_id, agent_name, tuple(map(message_of, docs)))

    @reachable
    async def load_turn(
        self, message_id: str, agent_name: str, mode: str, user_id: str, history: int
    ) -> Turn | None:
        async def tx(s: AsyncClientSession) -> Turn | None:
            db = self.db
            row = await db["messages"].find_one({"_id": message_id}, WITHOUT_VECTOR, session=s)
            agent = await read_agent(db, s, agent_name, mode)
            if row is None or agent is None:
                return None
            conversation_id = row["conversation_id"]
            pending = await _messages(
                db, s, {"conversation_id": conversation_id, **_UNANSWERED}, None
            )
            # Everything already answered or said by the agent: a reply committed after later
            # messages arrived still belongs to the history.
            earlier = await _messages(
                db,
                s,
                {"conversation_id": conversation_id, "$nor": [_UNANSWERED]},
                history,
            )
            group: list[Doc] = []
            if row.get("channel") is not None:
                # A member of a channel is whoever has posted in it, since their first post
                # there: they read what the group said from then on, nothing earlier.
                said = {"conversation_id": conversation_id, "channel": row["channel"]}
                first = await db["messages"].find_one(
                    {**said, "from_agent": False}, sort=[("seq", 1)], session=s
                )
                joined = row["seq"] if first is None else first["seq"]
                # The group's recent messages, anyone's, but for this user's unanswered ones.
                mine = {"conversation_id": conversation_id, **_UNANSWERED}
                channel = {
                    "channel": row["channel"],
                    "seq": {"$gte": joined},
                    "$nor": [mine],
                    # Said to this agent: the channel's talk with another agent is its own.
                    "conversation_id": {"$in": await agent_conversations(db, agent_name, s)},
                }
                group = await _messages(db, s, channel, history)
            return Turn(
                message=message_of(row),
                agent=agent,
                profile=await read_profile(db, s, agent.id, user_id),
                conversation_id=conversation_id,
                history=tuple(map(message_of, earlier)),
                latest_thought=await latest_thought(db, s, agent.id, user_id),
                pending=tuple(map(message_of, pending)),
                group=tuple(map(message_of, group)),
            )

        # Read in one transaction: a snapshot, as the SQLite store's one read transaction is.
        return await self._transaction(tx)

    @reachable
    async def search_messages(
        self, agent_name: str, user_id: str, query: str, k: int, before: float | None = None
    ) -> list[tuple[Message, float]]:
        conversation_id = await find_conversation(self.db, None, agent_name, user_id)
        if conversation_id is None:
            return []
        return await search(self.db, conversation_id, query, k, before, self.text_index)

    @reachable
    async def adjacent_messages(
        self,
        agent_name: str,
        user_id: str,
        message_ids: Sequence[str],
        before: float | None = None,
    ) -> dict[str, tuple[Message | None, Message | None]]:
        conversation_id = await find_conversation(self.db, None, agent_name, user_id)
        if conversation_id is None:
            return {}
        return await adjacent(self.db, conversation_id, message_ids, before)

    @reachable
    async def unembedded_messages(
        self, agent_name: str, user_id: str, model: str, limit: int
    ) -> list[Message]:
        conversation_id = await find_conversation(self.db, None, agent_name, user_id)
        if conversation_id is None or limit <= 0:
            return []
        return await unembedded(self.db, conversation_id, model, limit)

    @reachable
    async def attach_vectors(self, model: str, vectors: Sequence[tuple[str, Vector]]) -> None:
        await attach(self.db, model, vectors)

    @reachable
    async def nearest_messages(
        self,
        agent_name: str,
        user_id: str,
        model: str,
        vector: Vector,
        k: int,
        before: float | None = None,
    ) -> list[tuple[Message, float]]:
        conversation_id = await find_conversation(self.db, None, agent_name, user_id)
        if conversation_id is None:
            return []
        return await nearest(self.db, conversation_id, model, vector, k, before)


# A user's message no reply has answered yet.
_UNANSWERED: Doc = {"from_agent": False, "answered_by": None}


async def _messages(db: Db, s: Tx, query: Doc, last: int | None) -> list[Doc]:
    """The messages matching `query` in the order written; only the `last` ones if given."""
    if last is None:
        return [
            d async for d in db["messages"].find(query, WITHOUT_VECTOR, session=s).sort("seq", 1)
        ]
    if last <= 0:
        return []
    cursor = db["messages"].find(query, WITHOUT_VECTOR, session=s).sort("seq", -1).limit(last)
    return [d async for d in cursor][::-1]
