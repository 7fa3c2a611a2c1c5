"""Store contract: what reflection and thinking read, their atomic commit, affect snapshots."""

from __future__ import annotations

from dataclasses import replace

import pytest

from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.memory import Memory
from synthetic_soul.domain.snapshot import AffectSnapshot
from synthetic_soul.domain.thought import Thought
from synthetic_soul.ports import MindCommit, Profile, StaleStateError, Store
from synthetic_soul.records import Job
from tests.contract.builders import (
    AGENT,
    MODE,
    T0,
    StoreFactory,
    agent,
    job_and_message,
    session,
    uid,
    user,
)

pytestmark = pytest.mark.anyio
DAY = 86400.0


async def member(store: Store, state: AgentState, username: str, doc: dict[str, object]) -> str:
    """A user with a profile (as the agent sees them) holding `doc`."""
    u = user(username)
    await store.create_user(u, session(u.id), Profile(state.id, u.id, username, dict(doc)))
    return u.id


async def say(store: Store, owner: str, text: str, now: float) -> Message:
    job, message = job_and_message(owner, text=text, now=now)
    await store.submit_message(job, message, AGENT)
    return message


async def running_job(store: Store, owner: str = "agent:jasmine", kind: str = "think") -> Job:
    job = Job(uid(), owner, kind, "low", {}, "queued", T0, T0)
    await store.create_job(job)
    started = await store.start_job(job.id, T0)
    assert started is not None
    return started


def letter(state: AgentState, text: str, now: float, job_id: str) -> Message:
    return Message(
        id=uid(),
        conversation_id="",
        message=text,
        timestamp=now,
        sender_id=state.id,
        sender_username=state.name,
        from_agent=True,
        purpose="outreach",
        job_id=job_id,
    )


def episode(state: AgentState, user_id: str | None, now: float) -> Memory:
    return Memory(uid(), state.id, user_id, "we laughed", "a good day", "medium", 6, now, now)


async def test_load_reflection_reads_the_messages_after_the_marker(store: Store) -> None:
    state = await store.ensure_agent(agent())
    ada = await member(store, state, "ada", {"summary": ""})
    said = [await say(store, ada, f"message {i}", T0 + i) for i in range(5)]

    everything = await store.load_reflection(AGENT, MODE, ada, 10)
    assert everything is not None
    assert [m.message for m in everything.messages] == [m.message for m in said]
    latest = await store.load_reflection(AGENT, MODE, ada, 2)
    assert latest is not None
    assert [m.message for m in latest.messages] == ["message 3", "message 4"]

    job = await running_job(store, ada, "reflect")
    doc = {**everything.profile.doc, "reflected_message": said[2].id, "reflected_upto": T0 + 2}
    await store.commit(
        MindCommit(
            job.id,
            {},
            (),
            T0 + 10,
            agent=state,
            expected_version=state.version,
            profile=replace(everything.profile, doc=doc),
        ).plan()
    )
    after = await store.load_reflection(AGENT, MODE, ada, 10)
    assert after is not None
    assert [m.message for m in after.messages] == ["message 3", "message 4"]
    assert after.profile.doc["reflected_message"] == said[2].id
    assert after.agent.version == state.version + 1


async def test_load_reflection_needs_the_agent_and_the_profile(store: Store) -> None:
    state = await store.ensure_agent(agent())
    ada = await member(store, state, "ada", {})
    assert await store.load_reflection("rose", MODE, ada, 10) is None
    assert await store.load_reflection(AGENT, MODE, uid(), 10) is None
    found = await store.load_reflection(AGENT, MODE, ada, 10)
    assert found is not None and found.messages == ()


async def test_commit_mind_writes_everything_or_nothing(store: Store) -> None:
    state = await store.ensure_agent(agent())
    ada = await member(store, state, "ada", {"summary": "old"})
    await say(store, ada, "hello", T0)
    job = await running_job(store)
    profile = await store.get_profile(state.id, ada)
    assert profile is not None
    commit = MindCommit(
        job.id,
        {"done": True},
        (),
        T0 + 5,
        agent=replace(state, identity="I have learned to listen."),
        expected_version=state.version + 1,  # stale
        profile=replace(profile, doc={"summary": "new"}),
        memories=(episode(state, ada, T0 + 5),),
        thought=Thought(uid(), state.id, "a thought", T0 + 5, None, "think"),
        outreach=letter(state, "Hi ada!", T0 + 5, job.id),
        outreach_to=ada,
    )

    with pytest.raises(StaleStateError):
        await store.commit(commit.plan())
    assert (await store.get_profile(state.id, ada)).doc["summary"] == "old"  # type: ignore[union-attr]
    assert await store.list_memories(state.id, ada) == []
    assert await store.latest_thought(state.id, ada) is None
    conversation = await store.get_conversation(AGENT, ada, T0 + 6)
    assert [m.message for m in conversation.messages] == ["hello"]
    assert (await store.get_job(job.id)).status == "running"  # type: ignore[union-attr]

    (done,) = await store.commit(replace(commit, expected_version=state.version).plan())
    assert (done.status, done.result) == ("succeeded", {"done": True})
    reread = await store.get_agent(AGENT, MODE)
    assert reread is not None
    assert (reread.identity, reread.version) == ("I have learned to listen.", state.version + 1)
    assert (await store.get_profile(state.id, ada)).doc == {"summary": "new"}  # type: ignore[union-attr]
    assert [m.event for m in await store.list_memories(state.id, ada)] == ["we laughed"]
    thought = await store.latest_thought(state.id, uid())
    assert thought is not None and thought.thought == "a thought"
    conversation = await store.get_conversation(AGENT, ada, T0 + 6)
    assert [(m.from_agent, m.purpose, m.message) for m in conversation.messages] == [
        (False, "", "hello"),
        (True, "outreach", "Hi ada!"),
    ]

    # A second run of the finished job writes nothing.
    (again,) = await store.commit(
        replace(commit, expected_version=state.version + 1, thought=None, memories=()).plan()
    )
    assert again == done
    assert (await store.get_agent(AGENT, MODE)).version == state.version + 1  # type: ignore[union-attr]


async def test_an_outreach_opens_a_conversation_if_needed(store: Store) -> None:
    state = await store.ensure_agent(agent())
    ada = await member(store, state, "ada", {})
    job = await running_job(store)
    await store.commit(
        MindCommit(
            job.id,
            {},
            (),
            T0,
            agent=state,
            expected_version=state.version,
            outreach=letter(state, "Hello, new friend", T0, job.id),
            outreach_to=ada,
        ).plan()
    )
    conversation = await store.get_conversation(AGENT, ada, T0 + 1)
    assert [m.message for m in conversation.messages] == ["Hello, new friend"]


async def test_commit_mind_without_an_agent_only_finishes_the_job(store: Store) -> None:
    state = await store.ensure_agent(agent())
    job = await running_job(store)
    (done,) = await store.commit(MindCommit(job.id, {"reason": "declined"}, (), T0 + 1).plan())
    assert (done.status, done.result) == ("succeeded", {"reason": "declined"})
    assert (await store.get_agent(AGENT, MODE)).version == state.version  # type: ignore[union-attr]


async def test_load_musing_sees_recent_contacts_and_only_thoughts_about_no_one(
    store: Store,
) -> None:
    state = await store.ensure_agent(agent())
    warm = {"extrinsic_relationship": "friend", "sentiments": {"positive": 30.0}}
    ada = await member(store, state, "ada", {**warm, "last_interaction": T0 + 2 * DAY})
    bob = await member(store, state, "bob", {**warm, "last_interaction": T0 + 3 * DAY})
    await member(store, state, "old", {**warm, "last_interaction": T0 - 30 * DAY})
    await member(store, state, "new", {"summary": ""})  # never talked
    for i in range(3):
        await say(store, ada, f"hi {i}", T0 + 2 * DAY + i)
    await say(store, bob, "hey", T0 + 3 * DAY)
    job = await running_job(store)
    await store.commit(
        MindCommit(
            job.id,
            {},
            (),
            T0 + 3 * DAY + 5,
            agent=state,
            expected_version=state.version,
            thought=Thought(uid(), state.id, "about ada", T0 + 3 * DAY + 5, ada, "think"),
            outreach=letter(state, "Hi ada!", T0 + 3 * DAY + 5, job.id),
            outreach_to=ada,
        ).plan()
    )
    second = await running_job(store)
    latest = await store.get_agent(AGENT, MODE)
    assert latest is not None
    await store.commit(
        MindCommit(
            second.id,
            {},
            (),
            T0 + 3 * DAY + 6,
            agent=latest,
            expected_version=latest.version,
            thought=Thought(uid(), state.id, "about no one", T0 + 3 * DAY + 6, None, "think"),
        ).plan()
    )

    musing = await store.load_musing(AGENT, MODE, T0, T0 + 2 * DAY + 10, 5)
    assert musing is not None
    assert [t.thought for t in musing.thoughts] == ["about no one"]
    assert [c.username for c in musing.contacts] == ["bob", "ada"]
    b, a = musing.contacts
    assert (b.relationship, b.sentiments, b.awaiting_answer) == (
        "friend",
        {"positive": 30.0},
        False,
    )
    assert b.message_times == (T0 + 3 * DAY,)
    assert a.awaiting_answer is True
    # When the unanswered outreach was sent, and the profile, for the occasion of its silence.
    assert (a.awaiting_since, b.awaiting_since) == (T0 + 3 * DAY + 5, None)
    assert b.doc["extrinsic_relationship"] == "friend"
    assert a.recent_outreaches == (T0 + 3 * DAY + 5,)
    assert sorted(a.message_times) == [T0 + 2 * DAY + i for i in range(3)]
    assert [c.username for c in (await store.load_musing(AGENT, MODE, T0, T0, 1)).contacts] == [  # type: ignore[union-attr]
        "bob"
    ]

    # Her answer ends the wait; the outreach still counts toward the day.
    await say(store, ada, "hi back", T0 + 3 * DAY + 60)
    musing = await store.load_musing(AGENT, MODE, T0, T0 + 2 * DAY + 10, 5)
    assert musing is not None
    a = next(c for c in musing.contacts if c.username == "ada")
    assert (a.awaiting_answer, a.recent_outreaches) == (False, (T0 + 3 * DAY + 5,))
    assert a.awaiting_since is None
    assert await store.load_musing("rose", MODE, T0, T0, 5) is None


async def test_snapshots_keep_the_latest_in_a_range_oldest_first(
    store_factory: StoreFactory,
) -> None:
    store = store_factory()
    await store.open()
    try:
        for i in range(6):
            await store.add_snapshot(
                AffectSnapshot("a1", T0 + 60 * i, {"joy": float(i)}, {"pleasure": 0.1 * i})
            )
        await store.add_snapshot(AffectSnapshot("a1", T0, {"joy": 99.0}, {}))  # same instant
        await store.add_snapshot(AffectSnapshot("a2", T0, {"joy": 1.0}, {}))
    finally:
        await store.close()

    reopened = store_factory()
    await reopened.open()
    try:
        everything = await reopened.list_snapshots("a1", T0, T0 + 3600, 100)
        assert [s.at - T0 for s in everything] == [0, 60, 120, 180, 240, 300]
        assert everything[0].emotions == {"joy": 0.0}
        assert everything[2].mood == {"pleasure": pytest.approx(0.2)}
        window = await reopened.list_snapshots("a1", T0 + 60, T0 + 240, 2)
        assert [s.at - T0 for s in window] == [180, 240]
        assert await reopened.list_snapshots("a3", T0, T0 + 3600, 10) == []
    finally:
        await reopened.close()
