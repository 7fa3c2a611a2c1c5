"""What the model must return, as pydantic models (bounded so small models cannot loop)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
