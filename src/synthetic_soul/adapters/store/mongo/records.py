"""Records as MongoDB documents and back: one pure function each way per record.

Every record's id is the document's `_id`. A field that is None is stored as null, except a
user's email (and its folded `email_key`): a guest has none, and the unique sparse indexes
must not see them.
Times stay floats (seconds since the epoch) as the records have them; a session also keeps
its expiry as a BSON date (`expires`), which is what a TTL index reads.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from synthetic_soul.adapters.store.user_keys import email_key, username_key
from synthetic_soul.domain.agent import AgentState, from_doc, to_doc
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.memory import Memory
from synthetic_soul.domain.recall import searched_words
from synthetic_soul.domain.relevance import terms_of, terms_of_text
from synthetic_soul.domain.snapshot import AffectSnapshot
from synthetic_soul.domain.thought import Thought
from synthetic_soul.ports import Profile
from synthetic_soul.records import ApiKey, Job, LLMCall, Session, User

Doc = dict[str, Any]


def without_id(doc: Doc) -> Doc:
    """The document's fields but its `_id`, for a `$setOnInsert` whose filter names the id."""
    return {k: v for k, v in doc.items() if k != "_id"}


# -- users, sessions and API keys -----------------------------------------------------------
def user_doc(u: User) -> Doc:
    doc: Doc = {
        "_id": u.id,
        "username": u.username,
        "guest": u.guest,
        "created_at": u.created_at,
        "password_hash": u.password_hash,
        "username_key": username_key(u),
    }
    if u.email is not None:
        doc["email"] = u.email
        doc["email_key"] = email_key(u)
    return doc


def user_of(doc: Doc) -> User:
    return User(
        id=doc["_id"],
        username=doc["username"],
        guest=bool(doc["guest"]),
        created_at=doc["created_at"],
        email=doc.get("email"),
        password_hash=doc.get("password_hash"),
    )


def expiry_date(expires_at: float) -> datetime:
    """The BSON date a TTL index reads for a session that ends at `expires_at`."""
    return datetime.fromtimestamp(expires_at, UTC)


def session_doc(s: Session) -> Doc:
    return {
        "_id": s.id,
        "user_id": s.user_id,
        "refresh_hash": s.refresh_hash,
        "csrf_hash": s.csrf_hash,
        "created_at": s.created_at,
        "expires_at": s.expires_at,
        "expires": expiry_date(s.expires_at),
        "revoked_at": s.revoked_at,
        "revoke_reason": s.revoke_reason,
    }


def session_of(doc: Doc) -> Session:
    return Session(
        id=doc["_id"],
        user_id=doc["user_id"],
        refresh_hash=doc["refresh_hash"],
        csrf_hash=doc["csrf_hash"],
        created_at=doc["created_at"],
        expires_at=doc["expires_at"],
        revoked_at=doc.get("revoked_at"),
        revoke_reason=doc.get("revoke_reason"),
    )


def api_key_doc(k: ApiKey) -> Doc:
    return {
        "_id": k.id,
        "user_id": k.user_id,
        "name": k.name,
        "key_hash": k.key_hash,
        "prefix": k.prefix,
        "created_at": k.created_at,
        "last_used_at": k.last_used_at,
    }


def api_key_of(doc: Doc) -> ApiKey:
    return ApiKey(
        id=doc["_id"],
        user_id=doc["user_id"],
        name=doc["name"],
        key_hash=doc["key_hash"],
        prefix=doc["prefix"],
        created_at=doc["created_at"],
        last_used_at=doc.get("last_used_at"),
    )


# -- agents and profiles --------------------------------------------------------------------
def agent_doc(a: AgentState) -> Doc:
    """A new agent's document; afterwards only its `state` and `version` change."""
    return {
        "_id": a.id,
        "name": a.name,
        "mode": a.mode,
        "state": to_doc(a),
        "version": 0,
        "updated_at": a.birthdate,
    }


def agent_of(doc: Doc) -> AgentState:
    return from_doc(doc["state"], int(doc["version"]))


def profile_of(doc: Doc) -> Profile:
    return Profile(doc["agent_id"], doc["user_id"], doc["username"], dict(doc["doc"]))


# -- conversation, jobs, thoughts -----------------------------------------------------------
def message_doc(m: Message, conversation_id: str, seq: int) -> Doc:
    """`seq` orders a conversation as it was written (timestamps may tie)."""
    return {
        "_id": m.id,
        "seq": seq,
        "conversation_id": conversation_id,
        "message": m.message,
        "purpose": m.purpose,
        "tone": m.tone,
        "timestamp": m.timestamp,
        "sender_id": m.sender_id,
        "sender_username": m.sender_username,
        "from_agent": m.from_agent,
        "kind": m.kind,
        "job_id": m.job_id,
        "answered_by": m.answered_by,
        "channel": m.channel,
        # Searched where the server has no text index.
        "terms": terms_of_text(searched_words(m.sender_username, m.message)),
    }


# What a read of messages asks for: all but the vector (1.5-3.5 KB), which only the search by
# meaning reads; a reply's turn, a conversation and a reflection never need it.
WITHOUT_VECTOR: Doc = {"vector": 0}


def message_of(doc: Doc) -> Message:
    return Message(
        id=doc["_id"],
        conversation_id=doc["conversation_id"],
        message=doc["message"],
        timestamp=doc["timestamp"],
        sender_id=doc["sender_id"],
        sender_username=doc["sender_username"],
        from_agent=bool(doc["from_agent"]),
        purpose=doc.get("purpose", ""),
        tone=doc.get("tone", ""),
        job_id=doc.get("job_id"),
        kind=doc.get("kind", "dm"),
        answered_by=doc.get("answered_by"),
        channel=doc.get("channel"),
    )


def job_doc(j: Job) -> Doc:
    return {
        "_id": j.id,
        "owner_id": j.owner_id,
        "kind": j.kind,
        "queue": j.queue,
        "payload": j.payload,
        "status": j.status,
        "progress": j.progress,
        "result": j.result,
        "error": j.error,
        "attempts": j.attempts,
        "created_at": j.created_at,
        "updated_at": j.updated_at,
    }


def job_of(doc: Doc) -> Job:
    return Job(
        id=doc["_id"],
        owner_id=doc["owner_id"],
        kind=doc["kind"],
        queue=doc["queue"],
        payload=dict(doc["payload"]),
        status=doc["status"],
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        progress=doc.get("progress"),
        result=doc.get("result"),
        error=doc.get("error"),
        attempts=int(doc.get("attempts", 0)),
    )


def thought_doc(t: Thought) -> Doc:
    return {
        "_id": t.id,
        "agent_id": t.agent_id,
        "thought": t.thought,
        "timestamp": t.timestamp,
        "user_id": t.user_id,
        "source": t.source,
    }


def thought_of(doc: Doc) -> Thought:
    return Thought(
        doc["_id"],
        doc["agent_id"],
        doc["thought"],
        doc["timestamp"],
        doc.get("user_id"),
        doc.get("source", "reply"),
    )


def call_doc(job_id: str | None, c: LLMCall, now: float) -> Doc:
    return {
        "job_id": job_id,
        "provider": c.provider,
        "model": c.model,
        "task": c.task,
        "prompt_tokens": c.prompt_tokens,
        "completion_tokens": c.completion_tokens,
        "latency_ms": c.latency_ms,
        "ok": c.ok,
        "at": now,
    }


# -- memories and snapshots -----------------------------------------------------------------
def memory_doc(m: Memory, seq: int) -> Doc:
    """`seq` breaks ties between memories made at the same instant (newest first)."""
    return {
        "_id": m.id,
        "seq": seq,
        "agent_id": m.agent_id,
        "user_id": m.user_id,
        "event": m.event,
        "thoughts": m.thoughts,
        "significance": m.significance,
        "importance": m.importance,
        "tags": list(m.tags),
        "emotional_impact": m.emotional_impact,
        "kind": m.kind,
        "sources": list(m.sources),
        "terms": terms_of(m),
        "created_at": m.created_at,
        "last_accessed": m.last_accessed,
        "recall_count": m.recall_count,
    }


def memory_of(doc: Doc) -> Memory:
    return Memory(
        id=doc["_id"],
        agent_id=doc["agent_id"],
        user_id=doc.get("user_id"),
        event=doc["event"],
        thoughts=doc["thoughts"],
        significance=doc["significance"],
        importance=int(doc["importance"]),
        created_at=doc["created_at"],
        last_accessed=doc["last_accessed"],
        tags=tuple(doc.get("tags", ())),
        emotional_impact=doc.get("emotional_impact", ""),
        recall_count=int(doc.get("recall_count", 0)),
        kind=doc.get("kind", "episode"),
        sources=tuple(doc.get("sources", ())),
    )


def snapshot_doc(s: AffectSnapshot) -> Doc:
    return {"agent_id": s.agent_id, "at": s.at, "emotions": s.emotions, "mood": s.mood}


def snapshot_of(doc: Doc) -> AffectSnapshot:
    return AffectSnapshot(doc["agent_id"], doc["at"], dict(doc["emotions"]), dict(doc["mood"]))
