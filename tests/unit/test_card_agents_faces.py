"""A card agent wears the faces its card brought, carries them out again on export, and
greets each user with one of its greetings, the same one every time."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from synthetic_soul.auth.sessions import Principal
from synthetic_soul.cards import png
from synthetic_soul.domain.agent import ActiveAgent
from synthetic_soul.domain.faces import PNG, Face
from synthetic_soul.mind.character import greeting
from tests.unit.mind_world import ADA, BOB, World
from tests.unit.test_many_agents import OWNER, roster, world

__all__ = ["world"]  # the fixture, shared with test_many_agents

pytestmark = pytest.mark.anyio

JOY = png.solid(8, (250, 200, 0))
SAD = png.solid(8, (40, 60, 200))


def data_uri(data: bytes) -> str:
    return f"data:image/png;base64,{base64.b64encode(data).decode()}"


def v3_card(name: str = "Mira", **data: Any) -> bytes:
    fields = {
        "name": name,
        "description": "A lighthouse keeper.",
        "first_mes": "Oh! A visitor.",
        "assets": [
            {"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"},
            {"type": "emotion", "uri": data_uri(JOY), "name": "happy", "ext": "png"},
            {"type": "emotion", "uri": data_uri(SAD), "name": "sad", "ext": "png"},
            {"type": "emotion", "uri": data_uri(b"not an image"), "name": "angry", "ext": "png"},
        ],
        **data,
    }
    doc = {"spec": "chara_card_v3", "spec_version": "3.0", "data": fields}
    return json.dumps(doc).encode()


async def test_an_imported_cards_faces_are_kept_and_recorded(world: World) -> None:
    _, characters = await roster(world)
    mira = await characters.import_card(OWNER, v3_card())
    assert await world.store.face_names(mira.id) == ["joy_happy", "sad"]
    assert await world.store.get_face(mira.id, "joy_happy") == Face(PNG, JOY)
    assert mira.extra["faces"] == {"joy_happy": "happy", "sad": "sad"}
    # The kept card leaves the images to the face store: only the icon stays listed.
    assert [a["type"] for a in mira.extra["card"]["data"]["assets"]] == ["icon"]


async def test_a_card_without_faces_stores_none(world: World) -> None:
    _, characters = await roster(world)
    plain = await characters.import_card(OWNER, v3_card("Plain", assets=[]))
    assert await world.store.face_names(plain.id) == []
    assert plain.extra["faces"] == {}


@pytest.mark.parametrize("form", ["json", "png", "charx"])
async def test_export_then_import_gives_the_same_faces(world: World, form: str) -> None:
    _, characters = await roster(world)
    mira = await characters.import_card(OWNER, v3_card())
    exported = await characters.export_card(OWNER, mira.name, form)
    again = await characters.import_card(OWNER, exported.body, name=f"copy_{form}")
    for expression in ("joy_happy", "sad"):
        assert await world.store.get_face(again.id, expression) == await world.store.get_face(
            mira.id, expression
        )
    assert again.extra["faces"] == mira.extra["faces"]


async def test_deleting_the_agent_deletes_its_faces(world: World) -> None:
    agents, characters = await roster(world)
    mira = await characters.import_card(OWNER, v3_card())
    await agents.delete(OWNER, mira.name)
    assert await world.store.face_names(mira.id) == []


# --- greetings ----------------------------------------------------------------------------

GREETINGS = ["Oh! A visitor.", "Back again, {{user}}?", "Mind the stairs.", "Tea?", "Hm."]


async def test_each_user_is_greeted_with_one_greeting_the_same_every_time(world: World) -> None:
    _, characters = await roster(world)
    mira = await characters.import_card(
        OWNER, v3_card(first_mes=GREETINGS[0], alternate_greetings=GREETINGS[1:])
    )
    users = [Principal(f"user-{i}", f"s-{i}", f"u{i}") for i in range(40)]
    picks = [greeting(mira, u.user_id, u.username) for u in users]
    assert picks == [greeting(mira, u.user_id, u.username) for u in users]  # never drawn anew
    # Every greeting is someone's (which one is the hash's: fixed for these ids).
    assert {
        p.replace(u.username, "{{user}}") for p, u in zip(picks, users, strict=True) if p
    } == set(GREETINGS)

    # Over the service: the conversation opens with that user's greeting, on every read.
    agent = ActiveAgent.of(mira)
    for user in (ADA, BOB):
        first = (await world.conversations.conversation(user, agent)).messages[0]
        again = (await world.conversations.conversation(user, agent)).messages
        assert first.message == greeting(mira, user.user_id, user.username)
        assert [m.message for m in again if m.purpose == "greeting"] == [first.message]


async def test_a_card_with_only_alternate_greetings_greets_with_them(world: World) -> None:
    _, characters = await roster(world)
    mira = await characters.import_card(
        OWNER, v3_card(first_mes="  ", alternate_greetings=["", "Mind the stairs."])
    )
    assert greeting(mira, ADA.user_id, ADA.username) == "Mind the stairs."
    bare = await characters.import_card(OWNER, v3_card("Bare", first_mes=""))
    assert greeting(bare, ADA.user_id, ADA.username) is None
