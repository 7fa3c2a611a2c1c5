"""The fake store's reads that gather much in one go: a reply's turn, what reflection and
thinking read, the recall of memories and the search of messages. Each mirrors the SQLite
store's query of the same name, over the tables in the order things were written (a
message's place is its seq).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, TypeVar

from synthetic_soul.domain import memory as scoring
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.memory import Memory
from synthetic_soul.domain.outreach import HISTORY_LIMIT, Contact
from synthetic_soul.domain.outreach import PURPOSE as OUTREACH
from synthetic_soul.domain.recall import searched_words
from synthetic_soul.domain.relevance import stems, terms_of, terms_of_text, text_relevance
from synthetic_soul.ports import Musing, Profile, Reflection, Turn
from synthetic_soul.ports.embeddings import Vector
from tests.support.memory_store.tables import Tables, agent_named, latest_thought, owned

T = TypeVar("T")
_OWN_THOUGHTS = 3  # thoughts about no one shown to a spell of thinking


def latest(items: list[T], n: int) -> list[T]:
    """The last `n` of the items (as a query's ORDER BY ... DESC LIMIT n, put back in order)."""
    return items[max(0, len(items) - n) :]


def said_in(t: Tables, conversation_id: str) -> list[Message]:
    """The conversation's messages, in the order said."""
    return [m for m in t.messages.values() if m.conversation_id == conversation_id]


def said_between(t: Tables, agent_name: str, user_id: str) -> list[Message]:
    """The user's conversation with the agent, in the order said; none if they never spoke."""
    conversation_id = t.conversations.get((agent_name, user_id))
    return [] if conversation_id is None else said_in(t, conversation_id)


def _unanswered(m: Message) -> bool:
    return not m.from_agent and m.answered_by is None


def turn(
    t: Tables, message_id: str, agent_name: str, mode: str, user_id: str, history: int
) -> Turn | None:
    message, agent = t.messages.get(message_id), agent_named(t, agent_name, mode)
    if message is None or agent is None:
        return None
    said = said_in(t, message.conversation_id)
    # Everything already answered or said by the agent: a reply committed after later
    # messages arrived still belongs to the history.
    earlier = latest([m for m in said if not _unanswered(m)], history)
    group: list[Message] = []
    if message.channel is not None:
        # A member of a channel is whoever has posted in it, since their first post there:
        # they read what the group said from then on, nothing earlier.
        seq = {m.id: i for i, m in enumerate(t.messages.values())}
        posts = [m for m in said if m.channel == message.channel and not m.from_agent]
        joined = seq[posts[0].id] if posts else seq[message.id]
        same_agent = agent_conversations(t, agent_name)
        channel = [
            m
            for m in list(t.messages.values())[joined:]
            if m.channel == message.channel
            and m.conversation_id in same_agent
            and not (m.conversation_id == message.conversation_id and _unanswered(m))
        ]
        group = latest(channel, history)
    profile = t.profiles.get((agent.id, user_id))
    return Turn(
        message=message,
        agent=owned(agent),
        profile=owned(profile),
        conversation_id=message.conversation_id,
        history=tuple(earlier),
        latest_thought=latest_thought(t, agent.id, user_id),
        pending=tuple(m for m in said if _unanswered(m)),
        group=tuple(group),
    )


def _unreflected(said: list[Message], doc: dict[str, Any], limit: int) -> tuple[Message, ...]:
    """The latest `limit` messages after the one the last reflection ended with."""
    ids = [m.id for m in said]
    if doc.get("reflected_message") in ids:
        after = said[ids.index(doc["reflected_message"]) + 1 :]
    else:  # never reflected, or that message is gone: go by time
        upto = float(doc.get("reflected_upto") or 0.0)
        after = [m for m in said if m.timestamp > upto]
    return tuple(latest(after, limit))


def reflection(
    t: Tables, agent_name: str, mode: str, user_id: str, limit: int
) -> Reflection | None:
    agent = agent_named(t, agent_name, mode)
    profile = None if agent is None else t.profiles.get((agent.id, user_id))
    if agent is None or profile is None:
        return None
    said = said_between(t, agent_name, user_id)
    return Reflection(owned(agent), owned(profile), _unreflected(said, profile.doc, limit))


def _contact(said: list[Message], profile: Profile, day_start: float) -> Contact:
    awaiting_since: float | None = None  # the latest outreach, while nothing answered it
    for m in said:
        if not m.from_agent:
            awaiting_since = None
        elif m.purpose == OUTREACH:
            awaiting_since = m.timestamp
    mine = tuple(m.timestamp for m in reversed(said) if not m.from_agent)
    today = tuple(
        m.timestamp
        for m in said
        if m.from_agent and m.purpose == OUTREACH and m.timestamp >= day_start
    )
    return Contact.of_profile(
        profile.user_id,
        profile.username,
        owned(profile.doc),
        mine[:HISTORY_LIMIT],
        today,
        awaiting_since,
    )


def musing(
    t: Tables, agent_name: str, mode: str, active_since: float, day_start: float, contacts: int
) -> Musing | None:
    agent = agent_named(t, agent_name, mode)
    if agent is None:
        return None
    own = [x for x in t.thoughts if x.agent_id == agent.id and x.user_id is None]
    thoughts = latest(sorted(own, key=lambda x: x.timestamp), _OWN_THOUGHTS)
    recent = sorted(
        (
            p
            for p in t.profiles.values()
            if p.agent_id == agent.id
            and p.doc.get("last_interaction") is not None
            and p.doc["last_interaction"] >= active_since
        ),
        key=lambda p: (-p.doc["last_interaction"], p.user_id),
    )[: max(0, contacts)]
    return Musing(
        owned(agent),
        tuple(thoughts),
        tuple(_contact(said_between(t, agent_name, p.user_id), p, day_start) for p in recent),
    )


def recall(
    t: Tables, agent_id: str, user_id: str | None, query: str, now: float, k: int, mark: bool
) -> list[Memory]:
    """The k best in scope by recency, importance and relevance, relevance being how many of
    the query's word stems a memory holds; marked recalled at `now` if `mark`."""
    wanted = set(stems(scoring.query_words(query)))
    candidates = [
        scoring.Candidate(m, float(len(wanted.intersection(terms_of(m)))))
        for m in t.memories.values()
        if m.agent_id == agent_id and m.user_id in (None, user_id)
    ]
    chosen = scoring.top(candidates, now, k)
    if not mark:
        return chosen
    recalled = scoring.recalled(chosen, now)
    t.memories.update((m.id, m) for m in recalled)
    return recalled


def agent_conversations(t: Tables, agent_name: str) -> set[str]:
    """Every conversation with the agent: a channel's messages an agent's user sees are those
    said to that agent (the channel's talk with another agent is its own)."""
    return {c for (name, _), c in t.conversations.items() if name == agent_name}


def _seen(
    t: Tables, agent_name: str, user_id: str, before: float | None
) -> list[tuple[int, Message]]:
    """What the user may see, with each message's seq: their direct conversation, and each
    channel from their first post there on; only what was said before `before` if given."""
    conversation_id = t.conversations.get((agent_name, user_id))
    if conversation_id is None:
        return []
    said = list(t.messages.values())
    joined: dict[str, int] = {}
    for seq, m in enumerate(said):
        if m.conversation_id == conversation_id and m.channel is not None and not m.from_agent:
            joined.setdefault(m.channel, seq)
    same_agent = agent_conversations(t, agent_name)
    seen = [
        (seq, m)
        for seq, m in enumerate(said)
        if (m.conversation_id == conversation_id and m.channel is None)
        or (m.channel in joined and seq >= joined[m.channel] and m.conversation_id in same_agent)
    ]
    if before is not None:
        seen = [(seq, m) for seq, m in seen if m.timestamp < before]
    return seen


def search(
    t: Tables, agent_name: str, user_id: str, query: str, k: int, before: float | None
) -> list[tuple[Message, float]]:
    """The k best matches among what the user may see, best first, ranked by the stems they
    share with the query (of the message's words and its speaker's name)."""
    wanted = sorted(set(stems(scoring.query_words(query))))
    if not wanted or k <= 0:
        return []
    seen = _seen(t, agent_name, user_id, before)
    searched = {m.id: searched_words(m.sender_username, m.message) for _, m in seen}
    held = {m.id: set(terms_of_text(searched[m.id])).intersection(wanted) for _, m in seen}
    frequency = Counter(stem for stems_held in held.values() for stem in stems_held)
    ranked = [
        (seq, m, text_relevance(searched[m.id], wanted, frequency, len(seen)))
        for seq, m in seen
        if held[m.id]
    ]
    ranked.sort(key=lambda found: (-found[2], -found[0]))
    return [(m, relevance) for _, m, relevance in ranked[:k]]


def adjacent(
    t: Tables, agent_name: str, user_id: str, ids: Sequence[str], before: float | None
) -> dict[str, tuple[Message | None, Message | None]]:
    """For each of `ids` the user may see, the message just before and just after it in the
    same place (their direct conversation, or the same channel), among what they may see."""
    seen = [m for _, m in _seen(t, agent_name, user_id, before)]

    def place(m: Message) -> tuple[str | None, str | None]:
        return (m.conversation_id, None) if m.channel is None else (None, m.channel)

    around: dict[str, tuple[Message | None, Message | None]] = {}
    for i, m in enumerate(seen):
        if m.id not in ids:
            continue
        same = place(m)
        earlier = [o for o in seen[:i] if place(o) == same]
        later = [o for o in seen[i + 1 :] if place(o) == same]
        around[m.id] = (earlier[-1] if earlier else None, later[0] if later else None)
    return around


def nearest(
    t: Tables,
    agent_name: str,
    user_id: str,
    model: str,
    vector: Vector,
    k: int,
    before: float | None,
) -> list[tuple[Message, float]]:
    """The k messages the user may see whose vectors of `model` are nearest, best first (of
    equal similarity, the later first), with their cosine."""
    if k <= 0:
        return []
    ranked = [
        (seq, m, sum(a * b for a, b in zip(t.vectors[m.id][1], vector, strict=True)))
        for seq, m in _seen(t, agent_name, user_id, before)
        if m.id in t.vectors and t.vectors[m.id][0] == model
    ]
    ranked.sort(key=lambda found: (-found[2], -found[0]))
    return [(m, similarity) for _, m, similarity in ranked[:k]]


def unembedded(t: Tables, agent_name: str, user_id: str, model: str, limit: int) -> list[Message]:
    """The user's conversation's messages without a vector of `model`, oldest first."""
    conversation_id = t.conversations.get((agent_name, user_id))
    missing = [
        m
        for m in t.messages.values()
        if m.conversation_id == conversation_id
        and (m.id not in t.vectors or t.vectors[m.id][0] != model)
    ]
    return missing[: max(limit, 0)]
