"""Talking to an agent as chat front-ends do: one thing said, its reply awaited or streamed.

OpenAI's chat completions (what SillyTavern, Open WebUI and the `openai` SDKs speak) send the
whole conversation every time and expect the model to answer its end. A soul keeps its own
conversation, so only the newest thing the user says is new: it goes in as any message does
(`Conversations.submit`: the same caps, limits and reply job), and the reply is followed
through the job's events. How the answer is framed on the wire is the HTTP layer's business;
this module says what was answered, what it cost and how the agent feels after it.
"""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Protocol

from synthetic_soul import ports
from synthetic_soul.auth.sessions import Principal
from synthetic_soul.domain.agent import ActiveAgent
from synthetic_soul.domain.mood import octant
from synthetic_soul.errors import NotFound, SoulError
from synthetic_soul.usecases.agents import Agents
from synthetic_soul.usecases.conversations import Conversations
from synthetic_soul.usecases.watching import JobEvent, Watching

# How many of the agent's strongest emotions an answer carries.
TOP_EMOTIONS = 3
# A token is about four characters of English: the estimate when no call was recorded.
CHARS_PER_TOKEN = 4


class ChatStore(ports.Agents, ports.Jobs, Protocol):
    """The ports chatting reads beside the use cases it goes through."""


class ReplyFailed(SoulError):
    """The reply job failed: the message is kept, but nothing answered it."""

    code = "job_failed"


@dataclass(frozen=True)
class Model:
    """An agent as a chat client picks it: its name, and when it was born (Unix seconds)."""

    name: str
    created: float


@dataclass(frozen=True)
class Usage:
    """Tokens the reply cost. `estimated`: no model call was recorded for it (counted from the
    words instead)."""

    prompt_tokens: int
    completion_tokens: int
    estimated: bool

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class Feeling:
    """How the agent is after its reply: the face it shows, its mood, its strongest emotions."""

    expression: str | None
    mood: str
    mood_label: str
    emotions: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Words:
    """More of the reply's text, to append to what was sent before."""

    text: str


@dataclass(frozen=True)
class Answer:
    """The reply of record, once its job is done.

    `rewritten`: text was streamed that the reply does not begin with (the model's attempt was
    retried or its answer cut); the streamed words cannot be taken back, `text` is what holds.
    """

    job_id: str
    text: str
    usage: Usage
    feeling: Feeling
    fallback: str | None
    rewritten: bool


Said = Words | Answer | None  # None: nothing happened for a while (a keep-alive is due)


@dataclass(frozen=True)
class Asked:
    """A message said: its reply job, when it was said (Unix seconds), and what follows."""

    job_id: str
    at: float
    replies: AsyncGenerator[Said, None]


class Streamed:
    """What a chat client has been sent of a reply, kept to what can only grow.

    The job's `token` events may replace the text so far (`reset`); a chat client can only
    append. So text goes out only while it extends what was sent: a replacement that merely
    repeats or shortens it waits, one that diverges waits until the text comes back in line,
    and `settle` sends the rest of the reply of record, if it still extends what was sent.
    """

    def __init__(self) -> None:
        self.sent = ""  # what the client has
        self._text = ""  # the reply so far, as the job's token events say

    def token(self, text: str, reset: bool) -> str | None:
        self._text = text if reset else self._text + text
        return self._more(self._text)

    def settle(self, final: str) -> tuple[str | None, bool]:
        """The rest of `final` to send, and whether what was sent already strays from it."""
        more = self._more(final)
        return more, not final.startswith(self.sent)

    def _more(self, text: str) -> str | None:
        if not text.startswith(self.sent) or len(text) == len(self.sent):
            return None
        more = text[len(self.sent) :]
        self.sent = text
        return more


class Chat:
    def __init__(
        self,
        conversations: Conversations,
        watching: Watching,
        agents: Agents,
        store: ChatStore,
    ) -> None:
        self._conversations = conversations
        self._watching = watching
        self._agents = agents
        self._store = store

    async def models(self, who: Principal) -> list[Model]:
        """The agents this user may talk to, in the agents' own order."""
        return [Model(agent.name, agent.birthdate) for agent in await self._agents.all(who)]

    async def agent_named(self, model: str, who: Principal) -> ActiveAgent:
        """The agent a chat names as its `model` (any case), if this user may talk to it;
        `model_not_found` if not (a private agent of another user is as good as absent)."""
        try:
            return await self._agents.speaking(model, who)
        except NotFound as exc:
            raise NotFound(f"The model '{model}' does not exist.", "model_not_found") from exc

    async def say(
        self, who: Principal, agent: ActiveAgent, text: str, client_ip: str | None
    ) -> Asked:
        """Say `text` to `agent` (`agent_named`); its reply as it comes, `Answer` last.

        Everything that can refuse (the caps and limits) does so now, before the first
        event; after that the message is kept, and a failed job is `ReplyFailed`.
        """
        job = await self._conversations.submit(who, text, "dm", None, client_ip, agent)
        replies = self._reply(agent, job.id, text, self._watching.follow_submitted(job))
        return Asked(job.id, job.created_at, replies)

    async def _reply(
        self,
        agent: ActiveAgent,
        job_id: str,
        said: str,
        events: AsyncGenerator[JobEvent | None, None],
    ) -> AsyncGenerator[Said, None]:
        streamed = Streamed()
        async with aclosing(events):
            async for event in events:
                if event is None:
                    yield None
                elif event.name == "token":
                    more = streamed.token(
                        str(event.data.get("text", "")), bool(event.data.get("reset"))
                    )
                    if more:
                        yield Words(more)
                elif event.name == "done":
                    result = await self._result(event.data)
                    text = str(result.get("response") or "")
                    more, rewritten = streamed.settle(text)
                    if more:
                        yield Words(more)
                    answering = str(result.get("answered_by") or job_id)
                    yield Answer(
                        job_id=job_id,
                        text=text,
                        usage=await self._usage(answering, said, text),
                        feeling=await self._feeling(agent, result.get("expression")),
                        fallback=result.get("fallback"),
                        rewritten=rewritten,
                    )
                    return

    async def _result(self, done: dict[str, Any]) -> dict[str, Any]:
        """The reply's result; that of the job that answered it, when it was folded into
        another (a message sent while the agent was still answering the one before)."""
        if done.get("status") != "succeeded":
            raise ReplyFailed("The agent could not answer this message.")
        result: dict[str, Any] = dict(done.get("result") or {})
        answered_by = result.get("answered_by")
        if answered_by and result.get("response") is None:
            other = await self._store.get_job(str(answered_by))
            if other is not None and other.result is not None:
                result = {**other.result, "answered_by": answered_by}
        return result

    async def _usage(self, job_id: str, said: str, answer: str) -> Usage:
        recorded = await self._store.job_tokens(job_id)
        if recorded is not None:
            return Usage(*recorded, estimated=False)
        return Usage(_tokens(said), _tokens(answer), estimated=True)

    async def _feeling(self, speaking: ActiveAgent, expression: Any) -> Feeling:
        agent, now = await self._agents.active(speaking)
        emotions = sorted(agent.emotions_at(now).items(), key=lambda kv: (-kv[1], kv[0]))
        strongest = tuple((name, value) for name, value in emotions[:TOP_EMOTIONS] if value > 0)
        return Feeling(
            expression=str(expression) if expression else agent.global_expression,
            mood=agent.mood_name(now),
            mood_label=octant(agent.mood_at(now)),
            emotions=strongest,
        )


def _tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)
