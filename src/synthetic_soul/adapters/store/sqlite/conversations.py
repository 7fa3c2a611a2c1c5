"""What users and agents say, what the reply to one message reads, and the search over what a
user may see of it, by words and by meaning, in the embedded store (the indexes: `search`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from synthetic_soul.adapters.store.sqlite.base import SQLiteBase
from synthetic_soul.adapters.store.sqlite.records import MESSAGE_COLS, message_of
from synthetic_soul.adapters.store.sqlite.search import (
    SAME_AGENT,
    adjacent,
    attach,
    index_messages,
    nearest,
    search,
    unembedded,
)
from synthetic_soul.adapters.store.sqlite.statements import (
    find_conversation,
    insert_job,
    insert_message,
    open_conversation,
    read_agent,
    read_latest_thought,
    read_profile,
)
from synthetic_soul.domain.conversation import Conversation, Message
from synthetic_soul.ports import Turn
from synthetic_soul.ports.embeddings import Vector
from synthetic_soul.records import Job


class ConversationTables(SQLiteBase):
    def _upgrade(self, db: sqlite3.Connection) -> None:
        super()._upgrade(db)
        index_messages(db)

    async def submit_message(self, job: Job, message: Message, agent_name: str) -> None:
        def tx(db: sqlite3.Connection) -> None:
            conversation_id = open_conversation(db, agent_name, job.owner_id, message.timestamp)
            insert_message(db, message, conversation_id)
            insert_job(db, job)

        await self._run(tx)

    async def greet(self, agent_name: str, user_id: str, greeting: Message) -> bool:
        def tx(db: sqlite3.Connection) -> bool:
            conversation_id = open_conversation(db, agent_name, user_id, greeting.timestamp)
            said = db.execute(
                "SELECT 1 FROM messages WHERE conversation_id = ? LIMIT 1", (conversation_id,)
            ).fetchone()
            if said is not None:
                return False
            insert_message(db, greeting, conversation_id)
            return True

        return await self._run(tx)

    async def get_conversation(
        self, agent_name: str, user_id: str, now: float, limit: int | None = None
    ) -> Conversation:
        def tx(db: sqlite3.Connection) -> Conversation:
            conversation_id = find_conversation(db, agent_name, user_id)
            if conversation_id is None:
                conversation_id = open_conversation(db, agent_name, user_id, now)
                return Conversation(conversation_id, user_id, agent_name)
            sql = f"SELECT {MESSAGE_COLS} FROM messages WHERE conversation_id = ?"
            if limit is None:
                rows = db.execute(sql + " ORDER BY seq", (conversation_id,)).fetchall()
            else:
                rows = db.execute(
                    sql + " ORDER BY seq DESC LIMIT ?", (conversation_id, limit)
                ).fetchall()[::-1]
            return Conversation(conversation_id, user_id, agent_name, tuple(map(message_of, rows)))

        return await self._read(tx)

    async def load_turn(
        self, message_id: str, agent_name: str, mode: str, user_id: str, history: int
    ) -> Turn | None:
        def tx(db: sqlite3.Connection) -> Turn | None:
            row = db.execute(
                f"SELECT seq, {MESSAGE_COLS} FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            agent = read_agent(db, agent_name, mode)
            if row is None or agent is None:
                return None
            conversation_id = row["conversation_id"]
            pending = db.execute(
                f"SELECT seq, {MESSAGE_COLS} FROM messages WHERE conversation_id = ?"
                " AND from_agent = 0 AND answered_by IS NULL ORDER BY seq",
                (conversation_id,),
            ).fetchall()
            # Everything already answered or said by the agent: a reply committed after later
            # messages arrived still belongs to the history.
            earlier = db.execute(
                f"SELECT {MESSAGE_COLS} FROM messages WHERE conversation_id = ?"
                " AND (from_agent = 1 OR answered_by IS NOT NULL) ORDER BY seq DESC LIMIT ?",
                (conversation_id, history),
            ).fetchall()[::-1]
            group: list[sqlite3.Row] = []
            if row["channel"] is not None:
                # A member of a channel is whoever has posted in it, since their first post
                # there: they read what the group said from then on, nothing earlier.
                (joined,) = db.execute(
                    "SELECT MIN(seq) FROM messages WHERE conversation_id = ? AND channel = ?"
                    " AND from_agent = 0",
                    (conversation_id, row["channel"]),
                ).fetchone()
                # The group's recent messages, anyone's, but for this user's unanswered ones.
                # Said to this agent: the channel's talk with another agent is not its own.
                group = db.execute(
                    f"SELECT {MESSAGE_COLS} FROM messages m WHERE channel = ? AND seq >= ? AND NOT"
                    " (conversation_id = ? AND from_agent = 0 AND answered_by IS NULL)"
                    f" AND {SAME_AGENT.format(m='m')} ORDER BY seq DESC LIMIT ?",
                    (
                        row["channel"],
                        row["seq"] if joined is None else joined,
                        conversation_id,
                        conversation_id,
                        history,
                    ),
                ).fetchall()[::-1]
            profile = read_profile(db, agent.id, user_id)
            return Turn(
                message=message_of(row),
                agent=agent,
                profile=profile,
                conversation_id=conversation_id,
                history=tuple(map(message_of, earlier)),
                latest_thought=read_latest_thought(db, agent.id, user_id),
                pending=tuple(map(message_of, pending)),
                group=tuple(map(message_of, group)),
            )

        return await self._read(tx)

    async def search_messages(
        self, agent_name: str, user_id: str, query: str, k: int, before: float | None = None
    ) -> list[tuple[Message, float]]:
        def tx(db: sqlite3.Connection) -> list[tuple[Message, float]]:
            conversation_id = find_conversation(db, agent_name, user_id)
            if conversation_id is None:
                return []
            return search(db, conversation_id, query, k, before)

        return await self._read(tx)

    async def adjacent_messages(
        self,
        agent_name: str,
        user_id: str,
        message_ids: Sequence[str],
        before: float | None = None,
    ) -> dict[str, tuple[Message | None, Message | None]]:
        def tx(db: sqlite3.Connection) -> dict[str, tuple[Message | None, Message | None]]:
            conversation_id = find_conversation(db, agent_name, user_id)
            if conversation_id is None:
                return {}
            return adjacent(db, conversation_id, message_ids, before)

        return await self._read(tx)

    async def unembedded_messages(
        self, agent_name: str, user_id: str, model: str, limit: int
    ) -> list[Message]:
        def tx(db: sqlite3.Connection) -> list[Message]:
            conversation_id = find_conversation(db, agent_name, user_id)
            if conversation_id is None or limit <= 0:
                return []
            return unembedded(db, conversation_id, model, limit)

        return await self._read(tx)

    async def attach_vectors(self, model: str, vectors: Sequence[tuple[str, Vector]]) -> None:
        await self._run(lambda db: attach(db, model, vectors))

    async def nearest_messages(
        self,
        agent_name: str,
        user_id: str,
        model: str,
        vector: Vector,
        k: int,
        before: float | None = None,
    ) -> list[tuple[Message, float]]:
        def tx(db: sqlite3.Connection) -> list[tuple[Message, float]]:
            conversation_id = find_conversation(db, agent_name, user_id)
            if conversation_id is None:
                return []
            return nearest(db, conversation_id, model, vector, k, before)

        return await self._read(tx)
