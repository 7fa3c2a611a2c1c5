"""What each route answers: one model per JSON body, so the OpenAPI document shows every shape.

The routers build these; FastAPI checks each reply against its model and writes it. Field order
is the order of the keys on the wire. Timestamps are the ISO 8601 strings the routers write
(`+00:00`), kept as strings: as datetimes, pydantic would write them with `Z` instead.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from synthetic_soul.records import JobStatus

# -- root and meta ---------------------------------------------------------------------------


class RootReply(BaseModel):
    active_agent: str = Field(description="the name of the agent this service runs")


class PingReply(BaseModel):
    status: Literal["ok"]


class Semver(BaseModel):
    major: int
    minor: int
    patch: int


class VersioningPolicy(BaseModel):
    url_versioning: str
    breaking_changes: str
    non_breaking_changes: str


class VersionReply(BaseModel):
    version: str
    api_base_path: str
    semver: Semver
    versioning_policy: VersioningPolicy


class QueueWorkerView(BaseModel):
    name: str
    state: str
    queues: list[str]


class QueueReply(BaseModel):
    status: Literal["ok", "degraded"]
    timestamp: str = Field(description="ISO 8601, the service's clock")
    backend: str = Field(description="which queue runs: `inline` (in-process) or `rq`")
    redis_ok: bool
    worker_count: int
    workers: list[QueueWorkerView]
    queues: dict[str, int] = Field(description="jobs waiting, by queue")
    total_backlog: int


class ModelNames(BaseModel):
    fast: str
    quality: str


class LLMReply(BaseModel):
    mode: str
    provider: str
    base_url: str | None
    models: ModelNames
    configured: bool


# -- auth ------------------------------------------------------------------------------------


class TokenReply(BaseModel):
    access_token: str
    username: str
    expires_in: int
    token_type: str = "bearer"


class MeReply(BaseModel):
    user_id: str
    username: str
    sid: str
    guest: bool


class DoneReply(BaseModel):
    """The thing asked for is done (or was already)."""

    ok: bool


class ForgottenReply(BaseModel):
    ok: bool
    forgotten: bool = Field(description="the account and all the agent kept about it are gone")


class NewKeyReply(BaseModel):
    id: str
    name: str
    key: str = Field(description="the key itself (`sk-soul-…`), shown this once and never again")


class KeyView(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="the key's first characters, to tell keys apart")
    created_at: str = Field(description="ISO 8601")
    last_used_at: str | None = Field(description="ISO 8601, to the minute; null if never used")


class KeysReply(BaseModel):
    keys: list[KeyView] = Field(description="the caller's API keys, oldest first")


# -- messages and jobs -----------------------------------------------------------------------


class SubmitReply(BaseModel):
    job_id: str
    status: str


class MessageView(BaseModel):
    id: str
    message: str
    purpose: str
    tone: str
    timestamp: str = Field(description="ISO 8601")
    sender_id: str
    sender_username: str
    from_agent: bool
    type: str = Field(description="`dm` or `group`")
    channel_id: str | None = Field(description="the group chat of a group message")
    job_id: str | None


class ConversationView(BaseModel):
    id: str
    user_id: str
    agent_name: str
    messages: list[MessageView] = Field(description="oldest first")


class ConversationReply(BaseModel):
    conversation: ConversationView


class JobSnapshot(BaseModel):
    """A job as polling sees it; the event stream's `status` and `done` carry the same."""

    job_id: str
    status: JobStatus
    progress: float | None
    # Free-form: each kind of job has its own result, and a reply's gains fields over time.
    result: dict[str, Any] | None = Field(
        description="a reply's has `response` (null: the agent chose not to answer), `time` "
        "(seconds) and `expression`, among others (the API reference lists them all)"
    )
    error: str | None = Field(description="a short code, e.g. `job_failed`; never internals")


# -- the agent -------------------------------------------------------------------------------


class Scale(BaseModel):
    """A value on its scale, with what the scale measures."""

    value: int
    min: int
    max: int
    description: str


class PersonalityView(BaseModel):
    model_config = ConfigDict(validate_by_name=True)

    personality_matrix: dict[str, Scale] = Field(description="by trait")
    description: str
    # Absent, not null, for an agent without a type (a rich-mode agent), as before.
    myers_briggs: str | None = Field(
        None, alias="myers-briggs", exclude_if=lambda value: value is None
    )


class EmotionalStatus(BaseModel):
    emotions: dict[str, Scale] = Field(description="by emotion, decayed up to now")
    reason: str


class MoodView(BaseModel):
    pleasure: float
    arousal: float
    dominance: float
    label: str = Field(description="the octant's name, `neutral` near the origin")
    intensity: str
    name: str = Field(description="in words: `calm` near the character's own default")


class AgentView(BaseModel):
    id: str
    name: str
    mode: str
    identity: str
    personality: PersonalityView
    emotional_status: EmotionalStatus
    mood: MoodView
    global_expression: str
    memory_tags: list[str]
    birthdate: str = Field(description="ISO 8601")
    events_felt: int


class ActiveAgentReply(BaseModel):
    agent: AgentView


class OwnedAgentView(AgentView):
    """*addition* (many agents): an agent as its maker sees it after making or changing it."""

    visibility: Literal["public", "private"]
    mine: bool = Field(description="whether the caller owns it")
    seeding: dict[str, Any] | None = Field(
        None,
        description="how its personality was chosen: `method` `given` (a card we wrote), "
        "`words-v1` (from its words; `model_failed` or `model_skipped` when the model's seeding "
        "did not replace it) or `model` (asked of `model`, after the import); null: born so",
    )


class OwnedAgentReply(BaseModel):
    agent: OwnedAgentView


class ChartMood(BaseModel):
    pleasure: float
    arousal: float
    dominance: float
    label: str


class ChartPoint(BaseModel):
    timestamp: str = Field(description="ISO 8601")
    emotions: dict[str, float]
    mood: ChartMood


MarkKind = Literal["message", "reply", "outreach", "thought"]


class ChartMark(BaseModel):
    timestamp: str = Field(description="ISO 8601")
    kind: MarkKind
    id: str


class HistoryView(BaseModel):
    points: list[ChartPoint] = Field(description="oldest first; the last one is now")
    marks: list[ChartMark] = Field(description="the user's messages, replies and thoughts")


class HistoryReply(BaseModel):
    history: HistoryView


class RelationshipView(BaseModel):
    username: str
    extrinsic_relationship: str
    intrinsic_relationship: str
    affinity: float = Field(description="-100..100: warmth less coldness")
    sentiments: dict[str, Scale]
    summary: str
    interactions: int
    last_interaction: str | None = Field(description="ISO 8601; null before the first")


class RelationshipReply(BaseModel):
    relationship: RelationshipView


class AgentName(BaseModel):
    name: str


class ListedAgent(BaseModel):
    """*addition* (many agents): an agent the caller may talk to, with who may talk to it,
    whether it is the caller's own, and whether it is the default agent (the one a request
    naming none speaks to)."""

    name: str
    mode: Literal["lite", "rich"]
    visibility: Literal["public", "private"]
    mine: bool
    default: bool


class AgentsByMode(BaseModel):
    normal: list[AgentName]
    lite: list[AgentName]


class AllAgentsReply(BaseModel):
    agents: AgentsByMode


class ListedAgentsReply(BaseModel):
    """*addition* (many agents): the agents of /v1/agents/all, each with its details."""

    agents: list[ListedAgent]


class ThoughtView(BaseModel):
    id: str
    thought: str
    timestamp: str = Field(description="ISO 8601")


class LatestThoughtReply(BaseModel):
    latest_thought: ThoughtView


# -- memories --------------------------------------------------------------------------------


class MemoryView(BaseModel):
    id: str
    event: str
    thoughts: str
    significance: str = Field(description="`low`, `medium` or `high`")
    importance: int = Field(description="1..10")
    tags: list[str]
    emotional_impact: str
    kind: str = Field(description="`episode` or `insight`")
    created_at: str = Field(description="ISO 8601")
    last_accessed: str = Field(description="ISO 8601")
    recall_count: int


class MemoriesReply(BaseModel):
    memories: list[MemoryView]
