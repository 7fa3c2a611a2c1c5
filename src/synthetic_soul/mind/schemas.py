"""What the model must return, as pydantic models (bounded so small models cannot loop).

Every model here is `Bounded`: an answer over a bound that the provider's schema could not
carry (a tag too long, a number out of range, a list too long) is mended before validation
instead of refused (`mind.bounds`); only what cannot be mended costs a corrective call.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    create_model,
    field_validator,
    model_validator,
)

from synthetic_soul.domain.appraisal import Appraisal
from synthetic_soul.domain.expressions import EXPRESSIONS
from synthetic_soul.domain.facts import MBTI_PRESETS, RICH_TRAITS
from synthetic_soul.mind.bounds import Bounded

# Shown to the model (and enforced by grammars and strict schemas) as the names to pick
# from; validation stays lenient: an unknown name becomes one the emotions suggest.
_EXPRESSION_CHOICES: dict[str, Any] = {"enum": list(EXPRESSIONS)}


class AppraisalOut(Bounded):
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


def _ask_for_their_fortune(schema: dict[str, Any]) -> None:
    schema["properties"]["desirability_for_user"].pop("default", None)  # no hint toward 0
    required = schema.setdefault("required", [])
    if "desirability_for_user" not in required:
        required.insert(1, "desirability_for_user")


# A user's message appraised: the agent's own stake, and what it means for the user (no
# docstring: it would be shown to the model with the schema). The user's fortune sits next to
# the agent's own, so a small model weighs the two apart ("my dog died" is bad for them more
# than for you). Every model is asked for it (required in the schema shown), yet an answer
# without it still validates, as news of nothing: not worth a second call on the critical path.
class ReplyAppraisalOut(Bounded):
    model_config = ConfigDict(extra="ignore", json_schema_extra=_ask_for_their_fortune)

    desirability: int = Field(ge=-10, le=10, description="how good the event is for you")
    desirability_for_user: int = Field(
        default=0,
        ge=-10,
        le=10,
        description="how good it is for the user (their loss < 0, their good news > 0)",
    )
    praiseworthiness: int = Field(ge=-10, le=10, description="how praiseworthy their action is")
    liking: int = Field(ge=-10, le=10, description="how much you like the other")
    unexpectedness: int = Field(ge=0, le=10, description="how unexpected the event is")

    def to_domain(self) -> Appraisal:
        return Appraisal(
            desirability=float(self.desirability),
            praiseworthiness=float(self.praiseworthiness),
            liking=float(self.liking),
            unexpectedness=float(self.unexpectedness),
            desirability_for_user=float(self.desirability_for_user),
        )


class Perception(Bounded):
    purpose: str = Field(max_length=80, description="what the user wants, in a few words")
    tone: str = Field(max_length=40, description="the user's tone, one or two words")


class ReplyText(Bounded):
    message: str = Field(min_length=1, max_length=2000)
    purpose: str = Field(max_length=80)
    tone: str = Field(max_length=40)


# Where in a `ReplyOutput` the text the user reads is: streamed to them as it is written.
REPLY_TEXT_PATH = ("reply", "message")


def _chosen_for_it(schema: dict[str, Any]) -> None:
    # What a direct reply no longer chooses goes last (kept in the schema: its `const` is what
    # mends a model that wrote otherwise), so the answer opens with the reply's text.
    properties = schema["properties"]
    for field in ("addressed", "respond"):
        properties[field] = properties.pop(field)


class ReplyOutput(Bounded):
    """The one structured answer on the critical path of a reply.

    Models write fields in this order, and the reply's text reaches the user as it is
    written (streamed), so it comes first, after only the decision to answer; what the
    agent perceives and how it appraises the message come after it.
    """

    addressed: bool = Field(description="whether the message is meant for you")
    respond: bool = Field(description="whether you answer at all")
    # Required (null allowed) right after `respond`, so a model that decided to answer is
    # asked for the answer at once.
    reply: ReplyText | None = Field(description="your answer; null if you do not respond")
    perception: Perception
    appraisal: ReplyAppraisalOut
    expression: str = Field(
        max_length=40, description="the face you show", json_schema_extra=_EXPRESSION_CHOICES
    )
    thought: str | None = Field(default=None, max_length=400)

    @model_validator(mode="after")
    def _no_words_is_silence(self) -> ReplyOutput:
        # No grammar ties one field to another, so a model may say it responds and write no
        # reply: that is taken as silence, not an error worth a second call on the critical
        # path.
        if self.respond and self.reply is None:
            self.respond = False
        return self


class DirectReplyOutput(ReplyOutput):
    """A reply to a direct message: always meant for the agent, always answered, first.

    Asking a model whether to answer a DM only gives it a way to fall silent (small models
    took it); the reply is required instead, and the two fields it no longer chooses keep
    their only right value, last.
    """

    model_config = ConfigDict(json_schema_extra=_chosen_for_it)

    addressed: Literal[True] = True
    respond: Literal[True] = True
    reply: ReplyText = Field(description="your answer")


Tag = Annotated[str, StringConstraints(min_length=1, max_length=24)]
Label = Literal["stranger", "acquaintance", "friend", "best friend", "romantic partner", "enemy"]


class MemoryOut(Bounded):
    """An episode worth keeping, as the agent lived it."""

    event: str = Field(min_length=1, max_length=300, description="what happened, one sentence")
    thoughts: str = Field(max_length=300, description="what you think about it")
    significance: Literal["low", "medium", "high"]
    importance: int = Field(ge=1, le=10, description="1 mundane .. 10 life-changing")
    tags: list[Tag] = Field(default_factory=list, max_length=3)
    emotional_impact: str = Field(default="", max_length=80, description="how it made you feel")


class InsightOut(Bounded):
    insight: str = Field(min_length=1, max_length=300, description="a higher-level conclusion")
    sources: list[int] = Field(
        min_length=1, max_length=10, description="numbers of the memories it rests on"
    )


class ReflectOutput(Bounded):
    """What the agent concludes, after a conversation, about the user and itself."""

    summary: str = Field(max_length=600, description="what you now know about the user")
    relationship: Label | None = Field(default=None, description="what they are to you now")
    identity: str | None = Field(default=None, max_length=300, description="your new self-view")
    memory: MemoryOut | None = None
    insights: list[InsightOut] = Field(default_factory=list, max_length=3)
    thought: str | None = Field(default=None, max_length=400)


class OutreachOut(Bounded):
    to: str | None = Field(default=None, max_length=64, description="a username from the list")
    message: str = Field(min_length=1, max_length=500)


class ThinkOutput(Bounded):
    """A spell of autonomous thinking: a thought or none, and what follows from it."""

    thought: str | None = Field(default=None, max_length=400)
    expression: (
        Annotated[str, Field(max_length=40, json_schema_extra=_EXPRESSION_CHOICES)] | None
    ) = None
    appraisal: AppraisalOut | None = Field(default=None, description="how the thought feels")
    memory: MemoryOut | None = None
    outreach: OutreachOut | None = None


_MBTI_CHOICES: dict[str, Any] = {"enum": sorted(MBTI_PRESETS)}


class LiteSeedOutput(Bounded):
    """The personality a character card describes, as one of the lite presets."""

    mbti: str = Field(
        max_length=4,
        description="the Myers-Briggs type that fits the character best",
        json_schema_extra=_MBTI_CHOICES,
    )

    @field_validator("mbti")
    @classmethod
    def _a_preset(cls, value: str) -> str:
        # No grammar binds every provider to the enum: a type we have no preset for is refused
        # (a corrective call, then the words' seeding stands).
        kind = value.strip().upper()
        if kind not in MBTI_PRESETS:
            raise ValueError(f"not one of the types: {value!r}")
        return kind


# The personality a character card describes, as the rich traits: one integer field per
# trait, named as our traits are, rated 0..`SEED_RATING_MAX` (a number out of it is clamped)
# and read as our 0..100 in steps of ten. Not 0..100 itself: llama.cpp's grammar enumerates a
# bounded integer's values, and 34 traits of 101 values each made the schema shown to the
# embedded model 14,200 characters (several thousand tokens of an 8,192-token context);
# rated to ten it is 3,635, about what a reflection's schema costs.
SEED_RATING_MAX = 10
_RICH_SEED_FIELDS: dict[str, Any] = {
    trait: (int, Field(ge=0, le=SEED_RATING_MAX)) for trait in RICH_TRAITS
}
RichSeedOutput = create_model("RichSeedOutput", __base__=Bounded, **_RICH_SEED_FIELDS)
