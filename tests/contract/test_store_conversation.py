"""Store contract: conversations, the atomic reply commit, thoughts, and durability."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.thought import Thought
from synthetic_soul.ports import Plan, StaleStateError, Store
from synthetic_soul.ports.commits import AddThought, FinishJob, SaveAgent
from synthetic_soul.records import Job
from tests.contract.builders import (
    AGENT,
    MODE,
    T0,
    StoreFactory,
    agent,
    job_and_message,
    profile,
    reply_commit,
    session,
    uid,
    user,
)

pytestmark = pytest.mark.anyio


async def running_turn(store: Store) -> tuple[AgentState, Job, Message, str]:
    """An agent, a submitted message and its reply job, started: ready to commit."""
    state = await store.ensure_agent(agent())
    owner = uid()
    job, message = job_and_message(owner, text="you are lovely")
    await store.submit_message(job, message, AGENT)
    started = await store.start_job(job.id, T0 + 1)
    assert started is not None
    conversation = await store.get_conversation(AGENT, owner, T0 + 1)
    return state, started, message, conversation.id


async def test_get_conversation_creates_an_empty_one(store: Store) -> None:
    owner = uid()
    conversation = await store.get_conversation(AGENT, owner, T0)
    assert (conversation.user_id, conversation.agent_name) == (owner, AGENT)
    assert conversation.messages == ()
    again = await store.get_conversation(AGENT, owner, T0 + 1)
    assert again.id == conversation.id
    assert (await store.get_conversation(AGENT, uid(), T0)).id != conversation.id
    assert (await store.get_conversation("rose", owner, T0)).id != conversation.id


async def test_conversation_is_chronological_and_limit_keeps_the_last(store: Store) -> None:
    owner = uid()
    texts = [f"message {i}" for i in range(6)]
    for i, text in enumerate(texts):
        job, message = job_and_message(owner, text=text, now=T0 + i)
        await store.submit_message(job, message, AGENT)

    whole = await store.get_conversation(AGENT, owner, T0 + 10)
    assert [m.message for m in whole.messages] == texts
    assert all(m.conversation_id == whole.id for m in whole.messages)
    last = await store.get_conversation(AGENT, owner, T0 + 10, limit=3)
    assert [m.message for m in last.messages] == texts[-3:]
    assert last.id == whole.id
    more = await store.get_conversation(AGENT, owner, T0 + 10, limit=100)
    assert [m.message for m in more.messages] == texts


async def test_a_plan_refused_late_leaves_none_of_its_earlier_writes(store: Store) -> None:
    """All or nothing whatever the order: a stale agent after a write undoes that write too."""
    state, job, message, _ = await running_turn(store)
    thought = Thought(uid(), state.id, "written before the refusal", T0 + 2, message.sender_id)
    stale = SaveAgent(state, state.version + 1)
    plan = Plan(job.id, T0 + 2, (AddThought(thought), stale, FinishJob(job.id, {})))

    with pytest.raises(StaleStateError):
        await store.commit(plan)

    assert await store.latest_thought(state.id, message.sender_id) is None
    assert (await store.get_job(job.id)).status == "running"  # type: ignore[union-attr]


async def test_commit_reply_writes_the_whole_turn(store: Store) -> None:
    state, job, message, conversation_id = await running_turn(store)
    commit = reply_commit(job, message, state, conversation_id)
    reply = commit.reply
    assert reply is not None

    (finished,) = await store.commit(commit.plan())

    assert (finished.status, finished.result) == ("succeeded", commit.result)
    assert finished.owner_id == job.owner_id
    assert await store.get_job(job.id) == finished
    conversation = await store.get_conversation(AGENT, job.owner_id, T0 + 10)
    assert [m.id for m in conversation.messages] == [message.id, reply.id]
    assert conversation.messages[1] == reply
    user_message = conversation.messages[0]
    assert (user_message.purpose, user_message.tone) == ("sharing", "warm")
    assert await store.latest_thought(state.id, job.owner_id) == commit.thought
    saved = await store.get_agent(AGENT, MODE)
    assert saved is not None
    assert saved.version == state.version + 1
    assert saved.emotions["joy"] == commit.agent.emotions["joy"]
    assert saved.reason == "a kind word"
    assert await store.get_profile(state.id, job.owner_id) == commit.profile


async def test_stale_commit_writes_nothing(store: Store) -> None:
    state, job, message, conversation_id = await running_turn(store)
    stale = reply_commit(job, message, state, conversation_id, expected_version=state.version + 1)

    with pytest.raises(StaleStateError):
        await store.commit(stale.plan())

    got = await store.get_job(job.id)
    assert got is not None
    assert (got.status, got.result) == ("running", None)
    conversation = await store.get_conversation(AGENT, job.owner_id, T0 + 10)
    assert [m.id for m in conversation.messages] == [message.id]
    assert (conversation.messages[0].purpose, conversation.messages[0].tone) == ("", "")
    assert await store.latest_thought(state.id, job.owner_id) is None
    assert await store.get_agent(AGENT, MODE) == state
    assert await store.get_profile(state.id, job.owner_id) is None


async def test_commit_after_another_writer_is_stale(store: Store) -> None:
    state, job, message, conversation_id = await running_turn(store)
    other, other_message = job_and_message(uid())
    await store.submit_message(other, other_message, AGENT)
    await store.start_job(other.id, T0 + 1)
    other_conversation = await store.get_conversation(AGENT, other.owner_id, T0 + 1)
    await store.commit(reply_commit(other, other_message, state, other_conversation.id).plan())

    with pytest.raises(StaleStateError):
        await store.commit(reply_commit(job, message, state, conversation_id).plan())
    fresh = await store.get_agent(AGENT, MODE)
    assert fresh is not None
    (done,) = await store.commit(reply_commit(job, message, fresh, conversation_id).plan())
    assert done.status == "succeeded"


async def test_second_commit_for_a_finished_job_writes_nothing(store: Store) -> None:
    state, job, message, conversation_id = await running_turn(store)
    (finished,) = await store.commit(reply_commit(job, message, state, conversation_id).plan())
    fresh = await store.get_agent(AGENT, MODE)
    assert fresh is not None

    (again,) = await store.commit(
        reply_commit(job, message, fresh, conversation_id, text="a second answer").plan()
    )

    assert again == finished
    conversation = await store.get_conversation(AGENT, job.owner_id, T0 + 10)
    assert [m.message for m in conversation.messages] == ["you are lovely", "hi back"]
    assert await store.get_agent(AGENT, MODE) == fresh


async def test_commit_without_reply_or_thought(store: Store) -> None:
    state, job, message, conversation_id = await running_turn(store)
    commit = replace(
        reply_commit(job, message, state, conversation_id),
        reply=None,
        thought=None,
        result={"response": None},
    )
    (finished,) = await store.commit(commit.plan())
    assert (finished.status, finished.result) == ("succeeded", {"response": None})
    conversation = await store.get_conversation(AGENT, job.owner_id, T0 + 10)
    assert [m.id for m in conversation.messages] == [message.id]
    assert await store.latest_thought(state.id, job.owner_id) is None


async def test_latest_thought_is_the_newest_of_that_agent(store: Store) -> None:
    state, job, message, conversation_id = await running_turn(store)
    assert await store.latest_thought(state.id, job.owner_id) is None
    commit = reply_commit(job, message, state, conversation_id, now=T0 + 50)
    await store.commit(commit.plan())

    fresh = await store.get_agent(AGENT, MODE)
    assert fresh is not None
    older_job, older_message = job_and_message(job.owner_id)
    await store.submit_message(older_job, older_message, AGENT)
    await store.start_job(older_job.id, T0 + 60)
    older = reply_commit(
        older_job, older_message, fresh, conversation_id, now=T0 + 60, thought_at=T0 + 20
    )
    await store.commit(older.plan())

    assert await store.latest_thought(state.id, job.owner_id) == commit.thought
    assert await store.latest_thought(uid(), job.owner_id) is None


async def test_latest_thought_is_scoped_to_its_user_or_to_nobody(store: Store) -> None:
    state, job, message, conversation_id = await running_turn(store)
    private = reply_commit(job, message, state, conversation_id, now=T0 + 10)
    await store.commit(private.plan())
    stranger = uid()
    assert await store.latest_thought(state.id, stranger) is None

    fresh = await store.get_agent(AGENT, MODE)
    assert fresh is not None
    other_job, other_message = job_and_message(stranger)
    await store.submit_message(other_job, other_message, AGENT)
    await store.start_job(other_job.id, T0 + 20)
    shared = reply_commit(
        other_job, other_message, fresh, conversation_id, now=T0 + 20, private_thought=False
    )
    await store.commit(shared.plan())

    assert await store.latest_thought(state.id, stranger) == shared.thought
    assert await store.latest_thought(state.id, job.owner_id) == shared.thought


async def test_load_turn_reads_everything_a_reply_needs(store: Store) -> None:
    state = await store.ensure_agent(agent())
    ada = user("ada")
    owner = ada.id
    await store.create_user(ada, session(owner), profile(owner, state.id, "ada"))
    messages = []
    for i in range(5):
        job, message = job_and_message(owner, text=f"message {i}", now=T0 + i)
        await store.submit_message(job, message, AGENT)
        messages.append(message)

    turn = await store.load_turn(messages[3].id, AGENT, MODE, owner, 2)

    assert turn is not None
    assert turn.message.id == messages[3].id
    assert turn.agent == state
    assert turn.history == ()
    assert [m.message for m in turn.pending] == [f"message {i}" for i in range(5)]
    assert turn.conversation_id == turn.message.conversation_id
    assert turn.profile == profile(owner, state.id, "ada")
    assert turn.latest_thought is None
    assert await store.load_turn(uid(), AGENT, MODE, owner, 2) is None
    assert await store.load_turn(messages[0].id, "nobody", MODE, owner, 2) is None


async def test_an_answered_batch_moves_into_the_history(store: Store) -> None:
    state = await store.ensure_agent(agent())
    owner = uid()
    jobs, messages = [], []
    for i in range(4):
        job, message = job_and_message(owner, text=f"message {i}", now=T0 + i)
        await store.submit_message(job, message, AGENT)
        jobs.append(job)
        messages.append(message)
    await store.start_job(jobs[0].id, T0 + 5)
    conversation = await store.get_conversation(AGENT, owner, T0 + 5)
    commit = replace(
        reply_commit(jobs[0], messages[0], state, conversation.id),
        answered_ids=(messages[0].id, messages[1].id),
        folded={jobs[1].id: {"response": None, "answered_by": jobs[0].id}},
    )
    finished = await store.commit(commit.plan())
    assert [j.id for j in finished] == [jobs[0].id, jobs[1].id]
    assert finished[1].result == {"response": None, "answered_by": jobs[0].id}
    assert commit.reply is not None

    turn = await store.load_turn(messages[2].id, AGENT, MODE, owner, 10)

    assert turn is not None
    assert [m.id for m in turn.history] == [messages[0].id, messages[1].id, commit.reply.id]
    assert all(m.answered_by == jobs[0].id for m in turn.history[:2])
    assert [m.id for m in turn.pending] == [messages[2].id, messages[3].id]
    answered = await store.load_turn(messages[1].id, AGENT, MODE, owner, 10)
    assert answered is not None
    assert answered.message.answered_by == jobs[0].id


async def test_data_survives_close_and_reopen(store_factory: StoreFactory) -> None:
    first = store_factory()
    await first.open()
    u = user("ada", "ada@example.com", guest=False)
    s = session(u.id)
    await first.create_user(u, s, profile(u.id))
    state, job, message, conversation_id = await running_turn(first)
    commit = reply_commit(job, message, state, conversation_id)
    reply = commit.reply
    assert reply is not None
    (finished,) = await first.commit(commit.plan())
    await first.close()

    second = store_factory()
    await second.open()
    try:
        assert await second.get_user_by_email("ada@example.com") == u
        assert await second.get_session(s.id) == s
        assert await second.get_job(job.id) == finished
        saved = await second.get_agent(AGENT, MODE)
        assert saved is not None
        assert (saved.id, saved.version) == (state.id, state.version + 1)
        conversation = await second.get_conversation(AGENT, job.owner_id, T0 + 10)
        assert [m.id for m in conversation.messages] == [message.id, reply.id]
        assert await second.latest_thought(state.id, job.owner_id) == commit.thought
    finally:
        await second.close()


def greeting_of(agent_id: str, owner: str, text: str = "Who goes there?") -> Message:
    return Message(
        id=f"greeting-{agent_id}-{owner}",
        conversation_id="",
        message=text,
        timestamp=T0,
        sender_id=agent_id,
        sender_username=AGENT,
        from_agent=True,
        purpose="greeting",
    )


async def test_a_greeting_opens_a_new_conversation_once(store: Store) -> None:
    state = await store.ensure_agent(agent())
    owner = uid()
    results = await asyncio.gather(
        *(store.greet(AGENT, owner, greeting_of(state.id, owner)) for _ in range(5))
    )
    assert sorted(results) == [False, False, False, False, True]
    conversation = await store.get_conversation(AGENT, owner, T0 + 1)
    assert [(m.from_agent, m.purpose, m.message) for m in conversation.messages] == [
        (True, "greeting", "Who goes there?")
    ]
    job, message = job_and_message(owner, text="hello", now=T0 + 2)
    await store.submit_message(job, message, AGENT)
    assert not await store.greet(AGENT, owner, greeting_of(state.id, owner, "again"))

    talker = uid()  # a conversation that began with the user's words is never greeted
    job, message = job_and_message(talker, text="hi first", now=T0 + 3)
    await store.submit_message(job, message, AGENT)
    assert not await store.greet(AGENT, talker, greeting_of(state.id, talker))
    said = (await store.get_conversation(AGENT, talker, T0 + 4)).messages
    assert [m.message for m in said] == ["hi first"]
