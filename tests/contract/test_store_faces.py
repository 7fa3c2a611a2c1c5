"""Store contract: an agent's own faces (an image for each expression), kept as exact bytes,
replaced as a whole, and forgotten with the agent while another agent keeps its own."""

from __future__ import annotations

import pytest

from synthetic_soul.cards import png
from synthetic_soul.domain.faces import GIF, PNG, Face
from synthetic_soul.ports import Store
from tests.contract.builders import StoreFactory, agent, uid

pytestmark = pytest.mark.anyio

# Real image bytes, every byte value among them (a BLOB or binary field must keep them all).
JOY = Face(PNG, png.solid(16, (250, 200, 0)) + bytes(range(256)))
SAD = Face(GIF, b"GIF89a" + bytes(range(255, -1, -1)))


async def test_faces_are_kept_byte_for_byte(store: Store) -> None:
    rose = uid()
    await store.put_faces(rose, {"joy_happy": JOY, "sad": SAD})
    assert await store.get_face(rose, "joy_happy") == JOY
    assert await store.get_face(rose, "sad") == SAD
    assert await store.get_face(rose, "love") is None
    assert await store.face_names(rose) == ["joy_happy", "sad"]
    assert await store.face_names(uid()) == []


async def test_putting_faces_replaces_the_agents_and_no_others(store: Store) -> None:
    rose, lily = uid(), uid()
    await store.put_faces(rose, {"joy_happy": JOY, "sad": SAD})
    await store.put_faces(lily, {"joy_happy": SAD})
    await store.put_faces(rose, {"sad": JOY})
    assert await store.face_names(rose) == ["sad"]
    assert await store.get_face(rose, "sad") == JOY
    assert await store.get_face(lily, "joy_happy") == SAD
    await store.put_faces(rose, {})
    assert await store.face_names(rose) == []


async def test_delete_faces_forgets_one_agents_faces(store: Store) -> None:
    rose, lily = uid(), uid()
    await store.put_faces(rose, {"joy_happy": JOY})
    await store.put_faces(lily, {"joy_happy": SAD})
    await store.delete_faces(rose)
    assert await store.get_face(rose, "joy_happy") is None
    assert await store.get_face(lily, "joy_happy") == SAD
    await store.delete_faces(rose)  # nothing left to delete is no error


async def test_deleting_the_agent_deletes_its_faces(store: Store) -> None:
    rose = await store.ensure_agent(agent("rose"))
    jasmine = await store.ensure_agent(agent("jasmine"))
    await store.put_faces(rose.id, {"joy_happy": JOY, "sad": SAD})
    await store.put_faces(jasmine.id, {"sad": SAD})
    assert await store.delete_agent(rose.id)
    assert await store.face_names(rose.id) == []
    assert await store.get_face(rose.id, "joy_happy") is None
    assert await store.get_face(jasmine.id, "sad") == SAD


async def test_faces_outlive_a_reopen(store: Store, store_factory: StoreFactory) -> None:
    rose = uid()
    await store.put_faces(rose, {"joy_happy": JOY})
    again = store_factory()
    await again.open()
    try:
        assert await again.get_face(rose, "joy_happy") == JOY
    finally:
        await again.close()
