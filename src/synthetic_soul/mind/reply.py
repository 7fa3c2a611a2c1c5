"""The reply use case: one model call on the critical path, then one atomic commit."""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass, replace
from typing import Protocol

from synthetic_soul.domain import expressions, occasions
from synthetic_soul.domain.affect import feel, feel_potentials
from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.appraisal import Appraisal, overheard
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.lexicon import appraise_text
from synthetic_soul.domain.personality import drift
from synthetic_soul.domain.prompt_context import ReplyContext
from synthetic_soul.domain.reasons import REUNION, felt_reason
from synthetic_soul.domain.relationship import affinity, after_interaction
from synthetic_soul.domain.thought import Thought
from synthetic_soul.domain.voice import in_her_voice
from synthetic_soul.job_handlers import Outcome, Report
from synthetic_soul.mind.ahead import Ahead
from synthetic_soul.mind.asked import ReplyAsked
from synthetic_soul.mind.asking import ask
from synthetic_soul.mind.embedding import embed_job
from synthetic_soul.mind.history import snapshot_of
from synthetic_soul.mind.prompts import persona, reply_prompt
from synthetic_soul.mind.reading import HISTORY_TURNS, profile_of, read_reply
from synthetic_soul.mind.reflect import reflect_job
from synthetic_soul.mind.schemas import (
    REPLY_TEXT_PATH,
    DirectReplyOutput,
    Perception,
    ReplyAppraisalOut,
    ReplyOutput,
    ReplyText,
)
from synthetic_soul.mind.streaming import Shown
from synthetic_soul.mind.turns import Turns, turn_key
from synthetic_soul.mind.writing import CommitFailed, Writer
from synthetic_soul.ports import (
    LLM,
    Clock,
    Commits,
    Conversations,
    Jobs,
    LLMRequest,
    Memories,
    Profile,
    ReplyCommit,
    TextStream,
    Turn,
)
from synthetic_soul.records import Job, LLMCall
from synthetic_soul.usecases.recall import Recall

log = logging.getLogger(__name__)
FALLBACK_REPLY = "Sorry, my thoughts got tangled for a moment. Could you say that again?"


class ReplyStore(Conversations, Jobs, Memories, Commits, Protocol):
    """The ports a reply uses."""


class Reply:
    def __init__(
        self,
        store: ReplyStore,
        llm: LLM,
        clock: Clock,
        turns: Turns,
        reflect: bool = False,
        writer: Writer | None = None,
        ahead: Ahead | None = None,
        recall: Recall | None = None,
    ) -> None:
        self._store = store
        self._llm = llm
        self._clock = clock
        self._turns = turns
        self._reflect = reflect  # ask for a reflection (a follow-up job) after each reply
        self._recall = recall  # older talk the conversation brings back (None: none)
        self._writer = writer or Writer()  # shared by every use case that changes the agent
        self._ahead = ahead  # reads the next reply's prompt ahead after a direct reply

    async def __call__(self, job: Job, report: Report) -> Outcome:
        async with self._turns.hold(turn_key(ReplyAsked.of(job).agent, job.owner_id), job.id):
            return await self._reply(job, report)

    async def _reply(self, job: Job, report: Report) -> Outcome:
        turn = await self._load(job)
        if turn.message.answered_by is not None:
            # An earlier job answered this message together with its own; that job's commit
            # already resolved this one.
            resolved = await self._store.get_job(job.id)
            return Outcome((resolved,) if resolved else ())
        this = (turn.message.kind, turn.message.channel)
        # Answered together: what the user said since the last reply, in this same place
        # (a direct message, or one group); what was said elsewhere gets its own reply.
        batch = tuple(m for m in turn.pending if (m.kind, m.channel) == this) or (turn.message,)
        now = self._clock.now()
        ctx = await read_reply(self._store, turn, job.owner_id, batch, now, recall=self._recall)
        output, calls = await self._think(ctx, report)
        await report.progress(0.8)

        async def write(current: Turn) -> Outcome:
            now = self._clock.now()
            follow = _Follow(self._reflect, self._recall is not None and self._recall.by_meaning)
            commit = _commit(job, current, batch, ctx.kind, output, calls, now, follow)
            finished = await self._store.commit(commit.plan())
            self._read_ahead(job, current)
            return Outcome(finished, commit.follow_ups)

        # Stale: someone else changed the agent (and so maybe this profile): re-read both.
        return await self._writer.commit(job.id, turn, write, lambda: self._load(job))

    def _read_ahead(self, job: Job, turn: Turn) -> None:
        """After a direct reply, have the model read the next one's prompt while it idles (a
        group reply is read by many: the next message there may come from anyone)."""
        if self._ahead is not None and turn.message.channel is None:
            asked = ReplyAsked.of(job)
            self._ahead.after(asked.agent, asked.mode, job.owner_id, turn.message.id)

    async def _load(self, job: Job) -> Turn:
        asked = ReplyAsked.of(job)
        turn = await self._store.load_turn(
            asked.message_id, asked.agent, asked.mode, job.owner_id, HISTORY_TURNS
        )
        if turn is None:
            raise CommitFailed(f"job {job.id}: message or agent missing")
        return turn

    async def _think(
        self, ctx: ReplyContext, report: Report
    ) -> tuple[ReplyOutput, tuple[LLMCall, ...]]:
        """Ask the model once (one corrective retry); else answer from the lexicon.

        The reply's text goes to the job's watchers as the model writes it; whatever they
        were shown, they end with the text answered (the fallback's, or none).
        """
        shown = Shown()

        async def on_text(text: str) -> None:
            piece = shown.update(text)
            if piece is not None:
                await report.text(piece.text, piece.reset)

        stream = TextStream(REPLY_TEXT_PATH, on_text)
        request = LLMRequest(
            "reply", persona(ctx.agent), reply_prompt(ctx), stream=stream, about=ctx
        )
        schema = DirectReplyOutput if ctx.kind == "dm" else ReplyOutput
        answer, calls = await ask(self._llm, request, schema)
        output = _in_her_voice(answer) if answer else _fallback(ctx)
        said = output.reply.message if output.respond and output.reply is not None else ""
        last = shown.settle(said)
        if last is not None:
            await report.text(last.text, last.reset)
        return output, calls


def _in_her_voice(output: ReplyOutput) -> ReplyOutput:
    """The model's answer with the assistant's stock sentences cut from its reply."""
    if output.reply is None:
        return output
    said = in_her_voice(output.reply.message)
    return output.model_copy(update={"reply": output.reply.model_copy(update={"message": said})})


@dataclass(frozen=True)
class _Follow:
    """The low-priority jobs a reply asks for when it says something."""

    reflect: bool = False  # a reflection on the user
    embed: bool = False  # vectors for what was said (recall by meaning)

    def jobs(self, agent: AgentState, user_id: str, now: float) -> tuple[Job, ...]:
        return (
            *([reflect_job(agent.name, agent.mode, user_id, now)] if self.reflect else []),
            *([embed_job(agent.name, user_id, now)] if self.embed else []),
        )


def _commit(
    job: Job,
    turn: Turn,
    batch: tuple[Message, ...],
    kind: str,
    output: ReplyOutput,
    calls: tuple[LLMCall, ...],
    now: float,
    follow: _Follow = _Follow(),
) -> ReplyCommit:
    """Every write of the turn, computed from the state as last read."""
    agent = turn.agent
    profile = profile_of(turn, job.owner_id)
    appraisal = output.appraisal.to_domain()
    if turn.message.channel is not None and not output.addressed:
        # Talk among others in a group is overheard, not said to her.
        appraisal = overheard(appraisal)
    updated = _felt(agent, profile, appraisal, output.expression, now)
    expression = updated.global_expression
    reply = _reply_of(job, turn, output, kind, now)
    thought = None
    if output.thought:
        thought = Thought(uuid.uuid4().hex, agent.id, output.thought, now, job.owner_id)
    folded = {
        m.job_id: {
            "response": None,
            "time": waited(m.timestamp, now),
            "expression": expression,
            "answered_by": job.id,
            "reply_id": reply.id if reply else None,
        }
        for m in batch
        if m.job_id and m.job_id != job.id
    }
    return ReplyCommit(
        job_id=job.id,
        agent=updated,
        expected_version=agent.version,
        profile=replace(profile, doc=after_interaction(profile.doc, appraisal, now)),
        answered_ids=tuple(m.id for m in batch),
        perceived_purpose=output.perception.purpose,
        perceived_tone=output.perception.tone,
        reply=reply,
        thought=thought,
        result={
            "response": reply.message if reply else None,
            "time": waited(job.created_at, now),
            "expression": expression,
            "message_id": turn.message.id,
            "reply_id": reply.id if reply else None,
            "answered": [m.id for m in batch],
            # Set when the model gave no usable answer and the fallback spoke instead.
            "fallback": calls[-1].error if calls and not calls[-1].ok else None,
        },
        llm_calls=calls,
        now=now,
        folded=folded,
        snapshot=snapshot_of(updated, now),
        follow_ups=follow.jobs(agent, job.owner_id, now) if reply is not None else (),
    )


def _felt(
    agent: AgentState, profile: Profile, appraisal: Appraisal, proposed: str, now: float
) -> AgentState:
    """The agent after feeling the message: its affect, personality drift and expression."""
    # Their fortune is felt as far as the agent liked them before this message.
    liked = affinity(profile.relationship.sentiments)
    affect = feel(agent.affect, appraisal, agent.mode, agent.personality, now, affinity=liked)
    reason = felt_reason(appraisal)
    # Days of silence before this message make their return an event of its own: the
    # model's appraisal of the words, then the reunion (no second model call).
    met = occasions.reunion(occasions.apart(profile.doc, now), liked, agent.mode)
    if met:
        affect = feel_potentials(affect, met, agent.personality, now)
        # The reason names whichever weighed more: the words, or that they came back.
        strongest = max(abs(float(v)) for v in asdict(appraisal).values())
        reason = REUNION if max(met.values()) >= strongest else reason
    expression = expressions.choose(proposed, affect.emotions_at(agent.personality, now))
    return replace(
        agent.with_affect(affect, reason),
        personality=drift(agent.personality, asdict(appraisal)),
        global_expression=expression,
    )


def _reply_of(job: Job, turn: Turn, output: ReplyOutput, kind: str, now: float) -> Message | None:
    """The agent's message, when it chose to answer."""
    if not output.respond or output.reply is None:
        return None
    return Message(
        id=uuid.uuid4().hex,
        conversation_id=turn.conversation_id,
        message=output.reply.message,
        timestamp=now,
        sender_id=turn.agent.id,
        sender_username=turn.agent.name,
        from_agent=True,
        purpose=output.reply.purpose,
        tone=output.reply.tone,
        job_id=job.id,
        kind=kind,
        channel=turn.message.channel,
    )


def waited(submitted_at: float, now: float) -> int:
    """A result's `time`: the whole seconds from the message's arrival to its answer, which
    clients show as the reply's latency (never a timestamp)."""
    return max(0, round(now - submitted_at))


def _fallback(ctx: ReplyContext) -> ReplyOutput:
    appraisal = appraise_text(ctx.said)
    respond = ctx.kind == "dm" or ctx.agent.name in ctx.said.lower()
    return ReplyOutput(
        appraisal=ReplyAppraisalOut(
            desirability=round(appraisal.desirability),
            desirability_for_user=round(appraisal.desirability_for_user),
            praiseworthiness=round(appraisal.praiseworthiness),
            liking=round(appraisal.liking),
            unexpectedness=round(appraisal.unexpectedness),
        ),
        perception=Perception(purpose="unknown", tone="unknown"),
        addressed=respond,
        respond=respond,
        reply=ReplyText(message=FALLBACK_REPLY, purpose="apologize", tone="gentle")
        if respond
        else None,
        expression="confused",
    )
