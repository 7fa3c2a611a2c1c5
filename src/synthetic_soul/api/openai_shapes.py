"""The shapes of OpenAI's chat completions, as far as a soul speaks them.

Requests are read leniently where OpenAI's clients differ (content as a string or as parts,
parameters a soul has no use for) and strictly where a value is malformed. Replies carry the
fields OpenAI's clients read, and `soul` beside them, which those clients ignore.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# The roles OpenAI's chat completions know; a message of another role is malformed.
Role = Literal["system", "developer", "user", "assistant", "tool", "function"]


class ContentPart(BaseModel):
    """One part of a message's content; only text parts say anything to the soul."""

    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Role
    content: str | list[ContentPart] | None = None
    name: str | None = None

    def text(self) -> str:
        """The words of the message: its string, or its text parts one after another."""
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text or "" for p in self.content or () if p.type == "text")


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatRequest(BaseModel):
    """A chat completion request. The sampling parameters are read (so one of the wrong kind
    is refused) and then ignored: the soul answers in its own voice, with its own settings.
    Their ranges are not checked: front-ends differ in what they allow, and nothing here
    depends on the values."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(min_length=1, max_length=200, description="the agent's name")
    messages: list[ChatMessage] = Field(
        min_length=1, description="the newest `user` message is what is said now"
    )
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    n: int | None = Field(None, ge=1, description="only 1 is answered")
    temperature: float | None = Field(None, description="ignored")
    top_p: float | None = Field(None, description="ignored")
    max_tokens: int | None = Field(None, description="ignored")
    max_completion_tokens: int | None = Field(None, description="ignored")
    presence_penalty: float | None = Field(None, description="ignored")
    frequency_penalty: float | None = Field(None, description="ignored")
    stop: str | list[str] | None = Field(None, description="ignored")
    seed: int | None = Field(None, description="ignored")
    user: str | None = Field(None, description="ignored: the caller is who the key says")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class SoulState(BaseModel):
    """What OpenAI's format has no place for: the reply's job and how the agent feels now."""

    job_id: str
    expression: str | None = Field(description="the face the agent shows (an expression image)")
    mood: str = Field(description="the mood in words, as /v1/agents/active's `mood.name`")
    mood_label: str = Field(description="the mood's octant, as `mood.label`")
    emotions: dict[str, int] = Field(description="the strongest emotions now, strongest first")
    fallback: str | None = Field(description="why a fallback answered, as a job's result says")
    usage_estimated: bool = Field(description="usage counted from the words, not model calls")
    rewritten: bool = Field(
        False, description="streaming: text was sent that the reply of record does not begin with"
    )


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: None = None


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    logprobs: None = None
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    system_fingerprint: None = None
    soul: SoulState


class OpenAIErrorBody(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIError(BaseModel):
    """OpenAI's error object, which its clients read on these routes instead of our envelope."""

    error: OpenAIErrorBody


def chunk(
    completion_id: str,
    created: int,
    model: str,
    delta: dict[str, Any] | None,
    finish_reason: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One `chat.completion.chunk`; `delta` None: the usage chunk, which has no choices."""
    choices = (
        []
        if delta is None
        else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]
    )
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "system_fingerprint": None,
        "choices": choices,
        **extra,
    }
