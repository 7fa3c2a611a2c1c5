"""The MongoDB store: the SQLite store's contract, over MongoDB (or a server that speaks it).

Agents, conversations, the reply's commit and thoughts live here; users and sessions, jobs
and leases, memories and the mind's background work in the mixins, one module each. A change
of one document is one conditional operation; what spans documents (a sign-up, a claim, a
submitted message, a reply's commit, forgetting a user, recovering jobs) is one transaction.
"""

from __future__ import annotations

import contextlib

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from synthetic_soul.adapters.store.mongo_accounts import AccountCollections
from synthetic_soul.adapters.store.mongo_base import reachable
from synthetic_soul.adapters.store.mongo_docs import (
    Doc,
    agent_doc,
    message_of,
    thought_of,
)
from synthetic_soul.adapters.store.mongo_jobs import JobCollections
from synthetic_soul.adapters.store.mongo_memories import MemoryCollections
from synthetic_soul.adapters.store.mongo_mind import MindCollections, insert_snapshot
from synthetic_soul.adapters.store.mongo_records import (
    Db,
    Tx,
    find_conversation,
    finish_job,
    insert_job,
    insert_message,
    insert_thought,
    job_to_commit,
    latest_thought,
    open_conversation,
    read_agent,
    read_profile,
    record_calls,
    save_agent,
    upsert_profile,
)
from synthetic_soul.domain.agent import AgentState
from synthetic_soul.ports import Profile, ReplyCommit, Turn
from synthetic_soul.records import Conversation, Job, Message, Thought


class MongoStore(AccountCollections, JobCollections, MindCollections, MemoryCollections):
    # -- agents and profiles --------------------------------------------------
    @reachable
    async def ensure_agent(self, candidate: AgentState) -> AgentState:
        key = {"name": candidate.name, "mode": candidate.mode}
        # A concurrent candidate may be made first (a duplicate key here); it is the agent.
        with contextlib.suppress(DuplicateKeyError):
            await self.db["agents"].update_one(
                key, {"$setOnInsert": agent_doc(candidate)}, upsert=True
            )
        agent = await read_agent(self.db, None, candidate.name, candidate.mode)
        assert agent is not None
        return agent

    @reachable
    async def get_agent(self, name: str, mode: str) -> AgentState | None:
        return await read_agent(self.db, None, name, mode)

    @reachable
    async def list_agents(self) -> list[tuple[str, str]]:
        cursor = self.db["agents"].find({}, {"name": 1, "mode": 1}).sort([("name", 1), ("mode", 1)])
        return [(d["name"], d["mode"]) async for d in cursor]

    @reachable
    async def get_profile(self, agent_id: str, user_id: str) -> Profile | None:
        return await read_profile(self.db, None, agent_id, user_id)

    # -- conversation and jobs ------------------------------------------------
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
            cursor = self.db["messages"].find({"conversation_id": conversation_id}).sort("seq", 1)
            docs = [d async for d in cursor]
        else:
            cursor = (
                self.db["messages"]
                .find({"conversation_id": conversation_id})
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
            row = await db["messages"].find_one({"_id": message_id}, session=s)
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
                channel = {"channel": row["channel"], "seq": {"$gte": joined}, "$nor": [mine]}
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
    async def commit_reply(self, commit: ReplyCommit) -> tuple[Job, ...]:
        seq = await self._next_seqs("messages", 1) if commit.reply is not None else 0

        async def tx(s: AsyncClientSession) -> tuple[Job, ...]:
            db = self.db
            job = await job_to_commit(db, s, commit.job_id)
            if job.finished:
                return (job,)  # a second run of the same job writes nothing
            await save_agent(db, s, commit.agent, commit.expected_version, commit.now)
            await upsert_profile(db, s, commit.profile)
            if commit.answered_ids:
                await db["messages"].update_many(
                    {"_id": {"$in": list(commit.answered_ids)}, "answered_by": None},
                    {
                        "$set": {
                            "purpose": commit.perceived_purpose,
                            "tone": commit.perceived_tone,
                            "answered_by": commit.job_id,
                        }
                    },
                    session=s,
                )
            if commit.reply is not None:
                await insert_message(db, s, commit.reply, commit.reply.conversation_id, seq)
            if commit.thought is not None:
                await insert_thought(db, s, commit.thought)
            await record_calls(db, s, commit.job_id, commit.llm_calls, commit.now)
            if commit.snapshot is not None:
                await insert_snapshot(db, s, commit.snapshot)
            for follow_up in commit.follow_ups:
                await insert_job(db, s, follow_up)
            finished = await finish_job(
                db, s, commit.job_id, "succeeded", commit.result, None, commit.now
            )
            assert finished is not None
            folded = [
                await finish_job(db, s, job_id, "succeeded", result, None, commit.now)
                for job_id, result in commit.folded.items()
            ]
            return (finished, *(j for j in folded if j is not None))

        return await self._transaction(tx)

    @reachable
    async def latest_thought(self, agent_id: str, user_id: str) -> Thought | None:
        return await latest_thought(self.db, None, agent_id, user_id)

    @reachable
    async def list_thoughts(
        self, agent_id: str, user_id: str, since: float, until: float, limit: int
    ) -> list[Thought]:
        if limit <= 0:
            return []
        cursor = (
            self.db["thoughts"]
            .find(
                {
                    "agent_id": agent_id,
                    "user_id": {"$in": [None, user_id]},
                    "timestamp": {"$gte": since, "$lte": until},
                }
            )
            .sort("timestamp", -1)
            .limit(limit)
        )
        return [thought_of(d) async for d in cursor][::-1]


# A user's message no reply has answered yet.
_UNANSWERED: Doc = {"from_agent": False, "answered_by": None}


async def _messages(db: Db, s: Tx, query: Doc, last: int | None) -> list[Doc]:
    """The messages matching `query` in the order written; only the `last` ones if given."""
    if last is None:
        return [d async for d in db["messages"].find(query, session=s).sort("seq", 1)]
    if last <= 0:
        return []
    cursor = db["messages"].find(query, session=s).sort("seq", -1).limit(last)
    return [d async for d in cursor][::-1]
