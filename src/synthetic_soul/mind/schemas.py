"""What the model must return, as pydantic models (bounded so small models cannot loop)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from synthetic_soul.domain.appraisal import Appraisal


class AppraisalOut(BaseModel):
    model_config = ConfigDict(extra="ignore")

    desirability: int = Field(ge=-10, le=10, description="how good the event is for you")
    praiseworthiness: int = Field(ge=-10, le=10, description="how praiseworthy their action is")
    liking: int = Field(ge=-10, le=10, description="how much you like the other")
    unexpectedness: int = Field(ge=0, le=10, description="how unexpected the event is")

    def to_domain(self) -> Appraisal:
        return Appraisal(
            float(self.desirability),
            float(self.praiseworthiness),
            float(self.liking),
            float(self.unexpectedness),
        )


class Perception(BaseModel):
    purpose: str = Field(max_length=80, description="what the user wants, in a few words")
    tone: str = Field(max_length=40, description="the user's tone, one or two words")


class ReplyText(BaseModel):
    message: str = Field(min_length=1, max_length=2000)
    purpose: str = Field(max_length=80)
    tone: str = Field(max_length=40)


# Where in a `ReplyOutput` the text the user reads is: streamed to them as it is written.
REPLY_TEXT_PATH = ("reply", "message")


class ReplyOutput(BaseModel):
    """The one structured answer on the critical path of a reply."""

    appraisal: AppraisalOut
    perception: Perception
    addressed: bool = Field(description="whether the message is meant for you")
    respond: bool = Field(description="whether you answer at all")
    reply: ReplyText | None = None
    expression: str = Field(max_length=40)
    thought: str | None = Field(default=None, max_length=400)

    @model_validator(mode="after")
    def _reply_when_responding(self) -> ReplyOutput:
        if self.respond and self.reply is None:
            raise ValueError("respond is true but reply is missing")
        return self


Tag = Annotated[str, StringConstraints(min_length=1, max_length=24)]
Label = Literal["stranger", "acquaintance", "friend", "best friend", "romantic partner", "enemy"]


class MemoryOut(BaseModel):
    """An episode worth keeping, as the agent lived it."""

    event: str = Field(min_length=1, max_length=300, description="what happened, one sentence")
    thoughts: str = Field(max_length=300, description="what you think about it")
    significance: Literal["low", "medium", "high"]
    importance: int = Field(ge=1, le=10, description="1 mundane .. 10 life-changing")
    tags: list[Tag] = Field(default_factory=list, max_length=3)
    emotional_impact: str = Field(default="", max_length=80, description="how it made you feel")


class InsightOut(BaseModel):
    insight: str = Field(min_length=1, max_length=300, description="a higher-level conclusion")
    sources: list[int] = Field(
        min_length=1, max_length=10, description="numbers of the memories it rests on"
    )


class ReflectOutput(BaseModel):
    """What the agent concludes, after a conversation, about the user and itself."""

    summary: str = Field(max_length=600, description="what you now know about the user")
    relationship: Label | None = Field(default=None, description="what they are to you now")
    identity: str | None = Field(default=None, max_length=300, description="your new self-view")
    memory: MemoryOut | None = None
    insights: list[InsightOut] = Field(default_factory=list, max_length=3)
    thought: str | None = Field(default=None, max_length=400)


class OutreachOut(BaseModel):
    to: str | None = Field(default=None, max_length=64, description="a username from the list")
    message: str = Field(min_length=1, max_length=500)


class ThinkOutput(BaseModel):
    """A spell of autonomous thinking: a thought or none, and what follows from it."""

    thought: str | None = Field(default=None, max_length=400)
    expression: str | None = Field(default=None, max_length=40)
    appraisal: AppraisalOut | None = Field(default=None, description="how the thought feels")
    memory: MemoryOut | None = None
    outreach: OutreachOut | None = None
