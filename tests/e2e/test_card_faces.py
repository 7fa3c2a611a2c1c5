"""A card's faces over real HTTP: imported with the card, served as the agent's expression
images (the default set where the card has none), a private agent's only to its owner, gone
with the agent, and carried out by the card exports so that importing them again gives the
same images."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx
import pytest

from synthetic_soul.cards import png
from tests.e2e.helpers import assert_error, bearer, claimed_account, new_key

pytestmark = pytest.mark.e2e

JOY = png.solid(12, (250, 200, 0))
SAD = png.solid(12, (40, 60, 200))
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(range(24))


def fresh_name(prefix: str = "mira") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def data_uri(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def card_with_faces(name: str) -> dict[str, Any]:
    return {
        "spec": "chara_card_v3",
        "spec_version": "3.0",
        "data": {
            "name": name,
            "description": "A lighthouse keeper with many moods.",
            "first_mes": "Oh! A visitor.",
            "assets": [
                {"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"},
                {"type": "emotion", "uri": data_uri(JOY), "name": "happy", "ext": "png"},
                {"type": "emotion", "uri": data_uri(SAD), "name": "sadness", "ext": "png"},
                {"type": "emotion", "uri": data_uri(WEBP, "image/webp"), "name": "surprised"},
                {"type": "emotion", "uri": data_uri(b"<html>", "image/png"), "name": "angry"},
            ],
        },
    }


def imported(api: httpx.Client, token: str, card: dict[str, Any], **params: str) -> str:
    r = api.post("/v1/agents/import", json=card, params=params, headers=bearer(token))
    assert r.status_code == 201, r.text
    name: str = r.json()["agent"]["name"]
    return name


def image(api: httpx.Client, agent: str, filename: str, **params: str) -> httpx.Response:
    return api.get(f"/static/expressions/{agent}/{filename}", params=params)


def default_image(api: httpx.Client, filename: str) -> bytes:
    r = image(api, "jasmine", filename)
    assert r.status_code == 200
    return r.content


def test_a_cards_faces_are_the_agents_expression_images(api: httpx.Client) -> None:
    token = claimed_account(api, "faces")
    name = imported(api, token, card_with_faces("Mira"), name=fresh_name())

    r = image(api, name, "joy_happy.png")
    assert r.status_code == 200 and r.content == JOY
    assert r.headers["content-type"] == "image/png"
    assert r.headers["cache-control"] == "public, max-age=86400"
    # Whatever extension a client tries first, the face is the card's, with its own type.
    assert image(api, name, "joy_happy.jpeg").content == JOY
    r = image(api, name, "surprise.png")
    assert (r.content, r.headers["content-type"]) == (WEBP, "image/webp")
    assert image(api, name.upper(), "sad.webp").content == SAD
    # An expression the card does not cover (or covers with no image) wears the default set.
    for expression in ("neutral_listening", "neutral", "anger_frustration"):
        r = image(api, name, f"{expression}.png")
        assert r.status_code == 200
        assert r.content == default_image(api, f"{expression}.png")
    assert_error(image(api, name, "not_an_expression.png"), 404, "expression_not_found")
    # The default agent's images are its own as ever.
    assert default_image(api, "joy_happy.png") != JOY


def test_a_private_agents_faces_are_for_its_owner_alone(api: httpx.Client) -> None:
    owner = claimed_account(api, "faces")
    other = claimed_account(api, "faces")
    name = imported(api, owner, card_with_faces("Secret"), name=fresh_name(), visibility="private")
    key = new_key(api, owner)["key"]

    for params in ({}, {"access_token": other}, {"access_token": "not-a-token"}):
        assert_error(image(api, name, "joy_happy.png", **params), 404, "expression_not_found")
        assert_error(image(api, name, "neutral.png", **params), 404, "expression_not_found")
    r = api.get(f"/static/expressions/{name}/joy_happy.png", headers=bearer(other))
    assert_error(r, 404, "expression_not_found")

    for params in ({"access_token": owner}, {"access_token": key}):
        r = image(api, name, "joy_happy.png", **params)
        assert r.status_code == 200 and r.content == JOY
        assert r.headers["cache-control"] == "private, max-age=86400"
        r = image(api, name, "neutral.png", **params)
        assert r.content == default_image(api, "neutral_listening.png")
    r = api.get(f"/static/expressions/{name}/joy_happy.png", headers=bearer(owner))
    assert r.status_code == 200 and r.content == JOY


def test_deleting_the_agent_takes_its_faces(api: httpx.Client) -> None:
    token = claimed_account(api, "faces")
    name = imported(api, token, card_with_faces("Gone"), name=fresh_name())
    assert image(api, name, "joy_happy.png").content == JOY
    assert api.delete(f"/v1/agents/{name}", headers=bearer(token)).status_code == 200
    assert_error(image(api, name, "joy_happy.png"), 404, "expression_not_found")
    # A new agent of the same name does not find the old one's faces.
    imported(api, token, {**card_with_faces("Gone"), "data": {"name": "Gone"}}, name=name)
    assert image(api, name, "joy_happy.png").content == default_image(api, "joy_happy.png")


@pytest.mark.parametrize("form", ["json", "png", "charx"])
def test_an_exported_card_carries_its_faces_back(api: httpx.Client, form: str) -> None:
    token = claimed_account(api, "faces")
    name = imported(api, token, card_with_faces("Mira"), name=fresh_name())
    r = api.get(f"/v1/agents/{name}/card.{form}", headers=bearer(token))
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="{name}.{form}"'
    copy = fresh_name("copy")
    again = api.post(
        "/v1/agents/import",
        files={"card": (f"mira.{form}", r.content, r.headers["content-type"])},
        params={"name": copy},
        headers=bearer(token),
    )
    assert again.status_code == 201, again.text
    for filename, expected in (
        ("joy_happy.png", JOY),
        ("sad.png", SAD),
        ("surprise.png", WEBP),
        ("anger_frustration.png", default_image(api, "anger_frustration.png")),
    ):
        assert image(api, copy, filename).content == expected, filename
