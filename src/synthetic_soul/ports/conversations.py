"""What users and agents say to each other, what the reply to one message reads, and the
search over everything a user may see of it, by words and by meaning (each message's vector,
stored beside it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.conversation import Conversation, Message
from synthetic_soul.domain.thought import Thought
from synthetic_soul.ports.agents import Profile
from synthetic_soul.ports.embeddings import Vector
from synthetic_soul.records import Job


@dataclass(frozen=True)
class Turn:
    """Everything the reply to one message reads, loaded in one go."""

    message: Message
    agent: AgentState
    profile: Profile | None
    conversation_id: str
    history: tuple[Message, ...]  # the latest answered or agent messages, oldest first
    latest_thought: Thought | None  # the latest the user may see: theirs or nobody's
    pending: tuple[Message, ...] = ()  # the user's messages not answered yet, oldest first
    group: tuple[Message, ...] = ()  # for a group message: that group's recent messages


class Conversations(Protocol):
    async def submit_message(self, job: Job, message: Message, agent_name: str) -> None:
        """The user's message and the reply job that answers it, written together."""
        ...

    async def greet(self, agent_name: str, user_id: str, greeting: Message) -> bool:
        """The agent's greeting opens the user's conversation with it: written only while
        the conversation holds no message yet, and once (its id is fixed); whether it was."""
        ...

    async def get_conversation(
        self, agent_name: str, user_id: str, now: float, limit: int | None = None
    ) -> Conversation: ...
    async def load_turn(
        self, message_id: str, agent_name: str, mode: str, user_id: str, history: int
    ) -> Turn | None: ...
    async def search_messages(
        self, agent_name: str, user_id: str, query: str, k: int, before: float | None = None
    ) -> list[tuple[Message, float]]:
        """The `k` messages the user may see that best match the query's words, best first,
        each with its relevance (> 0, higher better; comparable only within one answer).

        What the user may see is both sides of their direct conversation with the agent, and
        each group channel they have posted in, from their first post there on (as a turn's
        group context). `before`, a time, leaves out what was said at or after it. Words
        only: recall by meaning fuses this ranking with an embedding's, above the store.
        """
        ...

    async def adjacent_messages(
        self,
        agent_name: str,
        user_id: str,
        message_ids: Sequence[str],
        before: float | None = None,
    ) -> dict[str, tuple[Message | None, Message | None]]:
        """For each of `message_ids` the user may see: the message said just before it and
        the one said just after it in the same place (the user's direct conversation with the
        agent, or the same group channel), each None where the user may see none (or none
        said before `before`). Ids the user may not see are left out.

        What a recall reads to give a found message's neighbours a share of its relevance:
        an answer follows its question, and the question holds the words a search finds.
        """
        ...

    async def unembedded_messages(
        self, agent_name: str, user_id: str, model: str, limit: int
    ) -> list[Message]:
        """Up to `limit` messages of the user's conversation with the agent (both sides, and
        their group posts) that have no vector of `model` yet, oldest first."""
        ...

    async def attach_vectors(self, model: str, vectors: Sequence[tuple[str, Vector]]) -> None:
        """Stores each message's vector (by message id) made by `model`, in place of any
        vector it had. A message that is gone (forgotten meanwhile) is passed over."""
        ...

    async def nearest_messages(
        self,
        agent_name: str,
        user_id: str,
        model: str,
        vector: Vector,
        k: int,
        before: float | None = None,
    ) -> list[tuple[Message, float]]:
        """The `k` messages the user may see whose vectors of `model` are nearest `vector`,
        best first, each with its cosine similarity: the same scope and `before` as
        `search_messages`, by meaning instead of words. Exact, over the user's scope (a
        few thousand messages); messages without a vector of `model` are not found."""
        ...
