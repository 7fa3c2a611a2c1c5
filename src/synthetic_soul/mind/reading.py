"""What a reply's prompt is made of, read from a stored turn: one function for the reply and
for the look ahead that prepares it (`mind.ahead`), so that both build the same head from the
same stored state, byte for byte.
"""

from __future__ import annotations

from dataclasses import replace

from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.memory import DEFAULT_BUDGET_CHARS, fit, render
from synthetic_soul.domain.prompt_context import ReplyContext
from synthetic_soul.domain.relationship import Relationship, new_profile_doc
from synthetic_soul.ports import Memories, Profile, Turn
from synthetic_soul.usecases.recall import Recall

# The conversation in a reply's prompt: at least HISTORY_MIN messages, then two more each
# turn for HISTORY_STEP turns, then back. Its first message stays put while it grows, so a
# model that keeps its context re-reads only the turn's new lines (a window sliding one
# exchange a turn would change the prompt from its first message on, every turn).
HISTORY_MIN = 6
HISTORY_STEP = 4
HISTORY_TURNS = HISTORY_MIN + 2 * (HISTORY_STEP - 1)  # messages loaded, the most shown
RECALL_K = 5
# The memories, and the older messages, are recalled by the conversation's last exchange.
RECALL_FROM = 2
# Older messages (said before the history shown) the last exchange brings back, each cut to
# RECALLED_CHARS in the prompt: in its head, so read ahead while the service idles.
RECALLED_MESSAGES = 3


def self_view(agent: AgentState, seen: Relationship) -> AgentState:
    """The agent as it sees itself with one user: its identity as their talks rewrote it."""
    return replace(agent, identity=seen.identity) if seen.identity else agent


def history_window(history: tuple[Message, ...], seen: Relationship) -> tuple[Message, ...]:
    """The latest messages of a private conversation to show, by how many turns came before."""
    turns = seen.interactions
    return history[-(HISTORY_MIN + 2 * (turns % HISTORY_STEP)) :]


def profile_of(turn: Turn, user_id: str) -> Profile:
    return turn.profile or Profile(
        turn.agent.id,
        user_id,
        turn.message.sender_username,
        new_profile_doc(turn.agent.mode, turn.message.timestamp),
    )


async def read_reply(
    store: Memories,
    turn: Turn,
    user_id: str,
    batch: tuple[Message, ...],
    now: float,
    *,
    mark: bool = True,
    recall: Recall | None = None,
) -> ReplyContext:
    """The context of the reply to `batch` (none: only its head is wanted) in `turn`'s place.

    A reply in a group is read by the whole group: it draws on the group's talk and on what
    concerns no one in particular, never on what this user told the agent alone.

    The memories are recalled from what is already known, the conversation's last exchange,
    and ranked and dated as of its last message, not of `now`: so they are the same whether
    recalled when the model prepares the prompt or minutes later for the reply, as long as
    nothing was said or learned in between. `mark` False only looks (see `Store`): a look
    ahead must leave the ranking as the reply will find it.

    So are the older messages that exchange brings back (`recall`; a private conversation
    only, since a user's recall reaches into what they told the agent alone): said before the
    first message shown, whose vectors were made replies ago, they are found alike too.
    """
    profile = profile_of(turn, user_id)
    private = turn.message.channel is None
    thought = turn.latest_thought
    if thought is not None and not private and thought.user_id is not None:
        thought = None
    history = history_window(turn.history, profile.relationship) if private else turn.group
    as_of = history[-1].timestamp if history else now
    said = " ".join(m.message for m in history[-RECALL_FROM:])
    agent = turn.agent
    found = await store.recall_memories(
        agent.id, user_id if private else None, said, as_of, RECALL_K, mark=mark
    )
    recalled: tuple[Message, ...] = ()
    if recall is not None and private and history and said.strip():
        older = await recall.messages(
            agent.name, user_id, said, RECALLED_MESSAGES, before=history[0].timestamp, now=as_of
        )
        recalled = tuple(m for m in older if m.message.strip())
    return ReplyContext(
        agent=self_view(agent, profile.relationship) if private else agent,
        username=profile.username,
        relationship=profile.relationship.words,
        summary=profile.relationship.summary if private else "",
        history=history,
        latest_thought=thought.thought if thought else None,
        memories=render(fit(found, as_of, DEFAULT_BUDGET_CHARS), as_of),
        messages=tuple(m.message for m in batch),
        kind=turn.message.kind,
        now=now,
        recalled=recalled,
    )
