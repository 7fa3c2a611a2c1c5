"""Store contract: group channels have members, and a member reads only what followed joining.

A member of a channel is someone who has posted in it; they joined with their first post.
A turn's group context holds only the channel's messages from that post on.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from synthetic_soul.domain.conversation import Message
from synthetic_soul.ports import Store, Turn
from tests.contract.builders import AGENT, MODE, T0, agent, job_and_message, uid

pytestmark = pytest.mark.anyio


async def post(store: Store, owner: str, text: str, channel: str, at: float) -> Message:
    job, message = job_and_message(owner, text=text, now=at, username=owner[:6])
    message = replace(message, kind="group", channel=channel)
    await store.submit_message(job, message, AGENT)
    return message


async def turn_of(store: Store, message: Message, owner: str) -> Turn:
    turn = await store.load_turn(message.id, AGENT, MODE, owner, 20)
    assert turn is not None
    return turn


async def test_a_newcomer_reads_nothing_said_before_their_first_post(store: Store) -> None:
    await store.ensure_agent(agent())
    ada, bob, books = uid(), uid(), f"books-{uid()}"
    await post(store, ada, "my locker code is 4512", books, T0)
    await post(store, ada, "who reads tonight?", books, T0 + 1)

    first = await post(store, bob, "hello, may I join?", books, T0 + 2)
    joined = await turn_of(store, first, bob)

    assert [m.message for m in joined.group] == []
    await post(store, ada, "welcome, bob!", books, T0 + 3)
    second = await post(store, bob, "thanks!", books, T0 + 4)
    later = await turn_of(store, second, bob)
    assert "welcome, bob!" in [m.message for m in later.group]
    assert all(m.timestamp >= T0 + 2 for m in later.group)
    assert "my locker code is 4512" not in [m.message for m in later.group]


async def test_an_early_member_keeps_reading_the_whole_window(store: Store) -> None:
    await store.ensure_agent(agent())
    ada, bob, books = uid(), uid(), f"books-{uid()}"
    await post(store, ada, "first!", books, T0)
    await post(store, bob, "second", books, T0 + 1)
    mine = await post(store, ada, "third", books, T0 + 2)

    turn = await turn_of(store, mine, ada)

    assert [m.message for m in turn.group] == ["second"]  # her own unanswered posts are pending
    assert [m.message for m in turn.pending] == ["first!", "third"]


async def test_membership_is_per_channel(store: Store) -> None:
    await store.ensure_agent(agent())
    ada, bob, books, bikes = uid(), uid(), f"books-{uid()}", f"bikes-{uid()}"
    await post(store, bob, "an old post in books", books, T0)
    await post(store, ada, "ada rides bikes", bikes, T0 + 1)  # Ada joined bikes, not books
    await post(store, bob, "another old one in books", books, T0 + 2)

    first = await post(store, ada, "hello books", books, T0 + 3)
    turn = await turn_of(store, first, ada)

    assert turn.group == ()


async def test_a_channel_is_read_and_searched_per_agent(store: Store) -> None:
    """Two agents in one channel: each reads and searches only what was said to it."""
    await store.ensure_agent(agent())
    await store.ensure_agent(agent("rose"))
    ada, bob, books = uid(), uid(), f"books-{uid()}"
    await post(store, ada, "hello jasmine", books, T0)
    job, to_rose = job_and_message(bob, text="rose, my locker code is 4512", now=T0 + 1)
    await store.submit_message(job, replace(to_rose, kind="group", channel=books), "rose")
    await post(store, bob, "hi jasmine, lockers are fun", books, T0 + 2)
    ada_again = await post(store, ada, "and lockers?", books, T0 + 3)

    turn = await turn_of(store, ada_again, ada)
    said = [m.message for m in turn.group]
    assert "hi jasmine, lockers are fun" in said
    assert "rose, my locker code is 4512" not in said
    found = [m.message for m, _ in await store.search_messages(AGENT, ada, "locker code", 10)]
    assert "rose, my locker code is 4512" not in found
    rose_turn = await store.load_turn(to_rose.id, "rose", MODE, bob, 20)
    assert rose_turn is not None
    assert [m.message for m in rose_turn.group] == []  # nothing else was said to rose
