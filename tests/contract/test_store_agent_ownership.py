"""Store contract: an agent's owner and visibility, changing who may talk to it, and deleting
one agent with everything of it while every other agent keeps all of its own."""

from __future__ import annotations

from dataclasses import replace

import pytest

from synthetic_soul.domain.agent import PRIVATE, PUBLIC, AgentState
from synthetic_soul.domain.memory import Memory
from synthetic_soul.domain.snapshot import AffectSnapshot
from synthetic_soul.ports import Store
from tests.contract.builders import T0, agent, job_and_message, reply_commit, uid

pytestmark = pytest.mark.anyio


def memory(agent_id: str, user_id: str) -> Memory:
    return Memory(
        id=uid(),
        agent_id=agent_id,
        user_id=user_id,
        event="We talked about rain.",
        thoughts="A quiet chat.",
        significance="medium",
        importance=5,
        tags=("rain",),
        created_at=T0,
        last_accessed=T0,
    )


async def talked(store: Store, state: AgentState, owner: str) -> str:
    """One whole reply turn with `state` (conversation, profile, thought), a memory and a
    snapshot: everything an agent keeps of a user."""
    job, message = job_and_message(owner, text=f"hello {state.name}")
    job = replace(job, payload={**job.payload, "agent": state.name})
    await store.submit_message(job, message, state.name)
    started = await store.start_job(job.id, T0 + 1)
    assert started is not None
    conversation = await store.get_conversation(state.name, owner, T0 + 1)
    await store.commit(reply_commit(started, message, state, conversation.id).plan())
    await store.add_memories([memory(state.id, owner)])
    await store.add_snapshot(AffectSnapshot(state.id, T0 + 2, {"joy": 1.0}, {"pleasure": 0.1}))
    return job.id


async def test_owner_and_visibility_are_kept(store: Store) -> None:
    made = await store.ensure_agent(replace(agent("rose"), owner_id="u-1", visibility=PRIVATE))
    again = await store.get_agent("rose", made.mode)
    assert again is not None
    assert (again.owner_id, again.visibility) == ("u-1", PRIVATE)
    assert again.may_talk("u-1") and not again.may_talk("u-2")
    default = await store.ensure_agent(agent("jasmine"))
    assert (default.owner_id, default.visibility) == (None, PUBLIC)
    assert default.may_talk("anyone")


async def test_set_visibility_is_a_new_version(store: Store) -> None:
    made = await store.ensure_agent(replace(agent("rose"), owner_id="u-1"))
    assert await store.set_visibility(made.id, PRIVATE)
    changed = await store.get_agent("rose", made.mode)
    assert changed is not None
    assert changed.visibility == PRIVATE
    assert changed.version == made.version + 1  # a job holding the old state must retry
    assert changed.personality == made.personality
    assert not await store.set_visibility(uid(), PRIVATE)


async def test_delete_agent_forgets_it_and_only_it(store: Store) -> None:
    rose = await store.ensure_agent(agent("rose"))
    jasmine = await store.ensure_agent(agent("jasmine"))
    owner = uid()
    rose_job = await talked(store, rose, owner)
    jasmine = await store.get_agent("jasmine", jasmine.mode) or jasmine
    jasmine_job = await talked(store, jasmine, owner)

    assert await store.delete_agent(rose.id)

    assert await store.get_agent("rose", rose.mode) is None
    assert [name for name, _ in await store.list_agents()] == ["jasmine"]
    assert (await store.get_conversation("rose", owner, T0 + 9)).messages == ()
    assert await store.get_profile(rose.id, owner) is None
    assert await store.latest_thought(rose.id, owner) is None
    assert await store.list_memories(rose.id, owner) == []
    assert await store.list_snapshots(rose.id, 0, T0 + 9, 10) == []
    assert await store.get_job(rose_job) is None  # its result held what rose said
    # Jasmine keeps everything of hers.
    assert len((await store.get_conversation("jasmine", owner, T0 + 9)).messages) == 2
    assert await store.get_profile(jasmine.id, owner) is not None
    assert await store.latest_thought(jasmine.id, owner) is not None
    assert len(await store.list_memories(jasmine.id, owner)) == 1
    assert len(await store.list_snapshots(jasmine.id, 0, T0 + 9, 10)) == 1
    assert await store.get_job(jasmine_job) is not None
    assert not await store.delete_agent(rose.id)
