"""Store contract: episodic memories, their scope (whom they are about) and their recall."""

from __future__ import annotations

from dataclasses import replace

import pytest

from synthetic_soul.domain.memory import Memory
from synthetic_soul.ports import Store
from tests.contract.builders import T0, StoreFactory, uid

pytestmark = pytest.mark.anyio

AGENT = "agent-1"
ALICE = "alice-id"
BOB = "bob-id"
HOUR = 3600.0


def memory(
    event: str = "We talked about the weather.",
    user_id: str | None = ALICE,
    *,
    thoughts: str = "A quiet chat.",
    importance: int = 5,
    at: float = T0,
    tags: tuple[str, ...] = (),
    agent_id: str = AGENT,
    kind: str = "episode",
    sources: tuple[str, ...] = (),
) -> Memory:
    return Memory(
        id=uid(),
        agent_id=agent_id,
        user_id=user_id,
        event=event,
        thoughts=thoughts,
        significance="medium",
        importance=importance,
        created_at=at,
        last_accessed=at,
        tags=tags,
        emotional_impact="calm",
        kind=kind,
        sources=sources,
    )


def ids(memories: list[Memory]) -> list[str]:
    return [m.id for m in memories]


# -- add, list, delete ---------------------------------------------------------------------
async def test_added_memories_are_listed_newest_first_whole(store: Store) -> None:
    old = memory("Alice told me about her cat.", at=T0, tags=("cat", "pets"))
    new = replace(
        memory("Alice won a chess game.", at=T0 + HOUR, importance=8),
        thoughts="I was proud of her.",
        significance="high",
        emotional_impact="joy",
        recall_count=2,
    )
    await store.add_memories([old, new])
    assert await store.list_memories(AGENT, ALICE) == [new, old]


async def test_adding_a_memory_twice_keeps_one(store: Store) -> None:
    m = memory()
    await store.add_memories([m])
    await store.add_memories([m])
    assert await store.list_memories(AGENT, ALICE) == [m]


async def test_a_memory_out_of_bounds_is_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.add_memories([memory(importance=11)])
    with pytest.raises(ValueError):
        await store.add_memories([memory(tags=("a", "b", "c", "d"))])
    assert await store.list_memories(AGENT, ALICE) == []


async def test_delete_removes_only_the_users_own_memory(store: Store) -> None:
    mine, theirs, no_ones = memory(), memory(user_id=BOB), memory(user_id=None)
    await store.add_memories([mine, theirs, no_ones])

    assert await store.delete_memory(AGENT, ALICE, theirs.id) is False
    assert await store.delete_memory(AGENT, ALICE, no_ones.id) is False
    assert await store.delete_memory("another-agent", ALICE, mine.id) is False
    assert await store.delete_memory(AGENT, ALICE, "no-such-id") is False
    assert await store.delete_memory(AGENT, ALICE, mine.id) is True
    assert await store.delete_memory(AGENT, ALICE, mine.id) is False

    assert await store.list_memories(AGENT, ALICE) == []
    assert ids(await store.list_memories(AGENT, BOB)) == [theirs.id]


async def test_a_deleted_memory_is_never_recalled_again(store: Store) -> None:
    m = memory("Alice fears thunderstorms.")
    await store.add_memories([m])
    assert ids(await store.recall_memories(AGENT, ALICE, "thunderstorms", T0, 5)) == [m.id]
    await store.delete_memory(AGENT, ALICE, m.id)
    assert await store.recall_memories(AGENT, ALICE, "thunderstorms", T0, 5) == []


# -- scope ---------------------------------------------------------------------------------
async def test_a_user_never_sees_another_users_memories(store: Store) -> None:
    alices = [memory(f"Alice's secret number {i} is about the lighthouse.") for i in range(3)]
    bobs = [memory(f"Bob's secret number {i} is about the lighthouse.", BOB) for i in range(3)]
    await store.add_memories([*alices, *bobs])

    assert set(ids(await store.list_memories(AGENT, ALICE))) == set(ids(alices))
    for query in ("lighthouse secret", "Bob", ""):
        recalled = await store.recall_memories(AGENT, ALICE, query, T0, 10)
        assert {m.user_id for m in recalled} == {ALICE}, query
    assert {m.user_id for m in await store.recall_memories(AGENT, BOB, "Alice", T0, 10)} == {BOB}


async def test_memories_about_no_one_are_recalled_for_all_but_listed_for_none(
    store: Store,
) -> None:
    general = memory("I watched the sunrise and thought about time.", user_id=None)
    alices = memory("Alice likes the sunrise.")
    await store.add_memories([general, alices])

    assert set(ids(await store.recall_memories(AGENT, ALICE, "sunrise", T0, 5))) == {
        general.id,
        alices.id,
    }
    assert ids(await store.recall_memories(AGENT, BOB, "sunrise", T0, 5)) == [general.id]
    assert ids(await store.recall_memories(AGENT, None, "sunrise", T0, 5)) == [general.id]
    assert ids(await store.list_memories(AGENT, ALICE)) == [alices.id]
    assert await store.list_memories(AGENT, BOB) == []


async def test_memories_are_scoped_to_their_agent(store: Store) -> None:
    m = memory("Alice sang a song.")
    await store.add_memories([m])
    assert await store.recall_memories("another-agent", ALICE, "song", T0, 5) == []
    assert await store.list_memories("another-agent", ALICE) == []


async def test_an_insight_drawn_from_a_users_memories_is_about_that_user(store: Store) -> None:
    episode = memory("Alice practised the violin every day.")
    await store.add_memories([episode])
    claims_no_one = memory(
        "Alice is disciplined.", user_id=None, kind="insight", sources=(episode.id,)
    )
    earlier_in_batch = memory("Alice plays in an orchestra.")
    same_batch = memory(
        "Music matters to Alice.", user_id=None, kind="insight", sources=(earlier_in_batch.id,)
    )
    await store.add_memories([claims_no_one, earlier_in_batch, same_batch])

    listed = {m.id: m for m in await store.list_memories(AGENT, ALICE)}
    assert listed[claims_no_one.id].user_id == ALICE
    assert listed[same_batch.id].user_id == ALICE
    assert await store.recall_memories(AGENT, BOB, "Alice disciplined music orchestra", T0, 9) == []


async def test_an_insight_mixing_two_users_memories_is_refused(store: Store) -> None:
    a, b = memory("Alice likes tea."), memory("Bob likes tea.", BOB)
    await store.add_memories([a, b])
    with pytest.raises(ValueError):
        await store.add_memories(
            [memory("People like tea.", None, kind="insight", sources=(a.id, b.id))]
        )
    with pytest.raises(ValueError):
        await store.add_memories([memory("Bob likes tea.", BOB, kind="insight", sources=(a.id,))])
    assert ids(await store.list_memories(AGENT, BOB)) == [b.id]


# -- recall --------------------------------------------------------------------------------
async def test_relevance_ranks_the_matching_memory_first(store: Store) -> None:
    # The match is neither the newest nor the most important; relevance carries it.
    fillers = [
        memory(
            f"We chatted about nothing much, part {i}.", at=T0 - i * HOUR / 10, importance=i % 9 + 1
        )
        for i in range(20)
    ]
    match = memory("Alice adopted a puppy named Biscuit.", at=T0 - HOUR, importance=5)
    await store.add_memories([*fillers, match])
    recalled = await store.recall_memories(AGENT, ALICE, "How is your puppy doing?", T0, 3)
    assert recalled[0].id == match.id


async def test_a_match_in_thoughts_or_tags_counts_too(store: Store) -> None:
    by_thought = memory("Alice went out.", thoughts="She seemed to miss her grandmother.")
    by_tag = memory("Alice called someone.", tags=("grandfather",))
    fillers = [memory(f"Small talk {i}.") for i in range(10)]
    await store.add_memories([by_thought, by_tag, *fillers])
    assert ids(await store.recall_memories(AGENT, ALICE, "my grandmother", T0, 1)) == [
        by_thought.id
    ]
    assert ids(await store.recall_memories(AGENT, ALICE, "grandfather", T0, 1)) == [by_tag.id]


async def test_words_match_across_inflections(store: Store) -> None:
    m = memory("Alice was swimming in the lake.")
    await store.add_memories([m, *(memory(f"Filler {i}.") for i in range(5))])
    assert ids(await store.recall_memories(AGENT, ALICE, "I love to swim", T0, 1)) == [m.id]


async def test_importance_matters_when_nothing_else_differs(store: Store) -> None:
    low = memory("Alice mentioned lunch.", importance=2)
    high = memory("Alice mentioned her wedding.", importance=9)
    await store.add_memories([low, high])
    assert ids(await store.recall_memories(AGENT, ALICE, "", T0, 2)) == [high.id, low.id]


async def test_recency_matters_when_nothing_else_differs(store: Store) -> None:
    old = memory("Alice mentioned a film.", at=T0 - 200 * HOUR)
    new = memory("Alice mentioned a book.", at=T0 - HOUR)
    await store.add_memories([old, new])
    assert ids(await store.recall_memories(AGENT, ALICE, "", T0, 2)) == [new.id, old.id]


async def test_recall_marks_what_it_returns_as_recalled(store: Store) -> None:
    chosen = memory("Alice loves jazz.", at=T0 - 50 * HOUR)
    other = memory("Alice has a bike.", at=T0 - 50 * HOUR, importance=1)
    await store.add_memories([chosen, other])
    now = T0 + HOUR

    recalled = await store.recall_memories(AGENT, ALICE, "jazz", now, 1)
    assert ids(recalled) == [chosen.id]
    assert recalled[0].recall_count == 1 and recalled[0].last_accessed == now

    listed = {m.id: m for m in await store.list_memories(AGENT, ALICE)}
    assert (listed[chosen.id].recall_count, listed[chosen.id].last_accessed) == (1, now)
    assert (listed[other.id].recall_count, listed[other.id].last_accessed) == (
        0,
        other.last_accessed,
    )


async def test_a_recall_that_does_not_mark_leaves_the_memories_as_they_were(store: Store) -> None:
    """A look ahead at what a reply will recall must not change what that reply recalls."""
    chosen = memory("Alice loves jazz.", at=T0 - 50 * HOUR)
    await store.add_memories([chosen])

    peeked = await store.recall_memories(AGENT, ALICE, "jazz", T0, 1, mark=False)
    assert ids(peeked) == [chosen.id] and peeked[0].recall_count == 0
    (listed,) = await store.list_memories(AGENT, ALICE)
    assert (listed.recall_count, listed.last_accessed) == (0, chosen.last_accessed)


async def test_recall_returns_at_most_k(store: Store) -> None:
    await store.add_memories([memory(f"Alice and the garden, day {i}.") for i in range(12)])
    for k in (0, 1, 5, 12):
        assert len(await store.recall_memories(AGENT, ALICE, "garden", T0, k)) == k
    assert len(await store.recall_memories(AGENT, ALICE, "garden", T0, 50)) == 12
    assert await store.recall_memories(AGENT, BOB, "garden", T0, 5) == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        'say "hello',
        "*",
        "gard*",
        "AND",
        "garden AND",
        "OR NOT",
        "NEAR(garden",
        "NEAR(garden, 2)",
        "-garden",
        "garden -weeds",
        "event: garden",
        "{event thoughts}: x",
        "^garden",
        "garden + weeds",
        "(((",
        "scope : 00",
        "'; DROP TABLE memories; --",
        "\x00",
        "日本語 の 庭",
        "the a of and",
        "x" * 5000,
        " ".join(f"word{i}" for i in range(500)),
    ],
)
async def test_fts_syntax_in_a_query_is_read_as_words(store: Store, query: str) -> None:
    garden = memory("Alice tends her garden.")
    await store.add_memories([garden, memory("Alice reads.", BOB)])
    recalled = await store.recall_memories(AGENT, ALICE, query, T0, 5)
    assert ids(recalled) == [garden.id]  # the only memory in scope, relevant or not


async def test_memories_survive_a_reopen(store_factory: StoreFactory) -> None:
    m = memory("Alice moved to Lisbon.", tags=("move",))
    first = store_factory()
    await first.open()
    try:
        await first.add_memories([m])
    finally:
        await first.close()

    again = store_factory()
    await again.open()
    try:
        assert await again.list_memories(AGENT, ALICE) == [m]
        assert ids(await again.recall_memories(AGENT, ALICE, "Lisbon", T0, 5)) == [m.id]
        assert await again.delete_memory(AGENT, ALICE, m.id)
        assert await again.recall_memories(AGENT, ALICE, "Lisbon", T0, 5) == []
    finally:
        await again.close()
