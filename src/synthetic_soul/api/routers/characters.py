"""*addition* (many agents): making, changing and deleting agents, and agents as Character
Cards: POST /v1/agents, PATCH and DELETE /v1/agents/{name}, POST /v1/agents/import,
GET /v1/agents/{name}/card.json, /card.png and /card.charx."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from synthetic_soul.api.deps import SignedIn, Soul
from synthetic_soul.api.replies import DoneReply, OwnedAgentReply
from synthetic_soul.api.routers.agents import owned_view
from synthetic_soul.cards import CardError
from synthetic_soul.cards.limits import MAX_UPLOAD_BYTES
from synthetic_soul.domain.agent import MAX_AGENT_NAME
from synthetic_soul.usecases.agents import MAX_IDENTITY_CHARS, MAX_PERSONALITY_CHARS, NewAgent

router = APIRouter(prefix="/agents", tags=["agents"])

Visibility = Literal["public", "private"]
_NAME = Field(min_length=1, max_length=MAX_AGENT_NAME, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")


class NewAgentBody(BaseModel):
    name: str = _NAME
    mode: Literal["lite", "rich"]
    identity: str = Field(min_length=1, max_length=MAX_IDENTITY_CHARS)
    personality: str | None = Field(
        None,
        max_length=MAX_PERSONALITY_CHARS,
        description="words (e.g. 'cheerful, curious, a little shy') the traits are seeded from",
    )
    visibility: Visibility = "public"


class ChangeAgentBody(BaseModel):
    visibility: Visibility


@router.post("", status_code=201)
async def create_agent(body: NewAgentBody, soul: Soul, who: SignedIn) -> OwnedAgentReply:
    """A new agent, owned by the caller (an account, not a guest)."""
    made = await soul.agents.create(
        who,
        NewAgent(body.name, body.mode, body.identity, body.personality or "", body.visibility),
    )
    return OwnedAgentReply(agent=owned_view(made, soul.clock.now(), who))


_CARD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["card"],
                    "properties": {"card": {"type": "string", "format": "binary"}},
                }
            },
            "application/json": {"schema": {"type": "object", "description": "a V1/V2/V3 card"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post("/import", status_code=201, openapi_extra=_CARD_BODY)
async def import_card(
    request: Request,
    soul: Soul,
    who: SignedIn,
    name: Annotated[
        str | None, Query(max_length=MAX_AGENT_NAME, description="default: from the card's")
    ] = None,
    visibility: Annotated[Visibility, Query()] = "public",
) -> OwnedAgentReply:
    """An agent from a Character Card (PNG, JSON or CHARX; V1, V2 or V3): the multipart field
    `card`, or the card itself as the body."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        async with request.form(max_files=1, max_fields=4) as form:
            upload = form.get("card")
            if not isinstance(upload, UploadFile):
                raise CardError("send the card as the multipart field `card`", "card_invalid")
            blob = await upload.read(MAX_UPLOAD_BYTES + 1)
    else:
        blob = await request.body()
    made = await soul.characters.import_card(who, blob, name, visibility)
    return OwnedAgentReply(agent=owned_view(made, soul.clock.now(), who))


@router.patch("/{name}")
async def change_agent(
    name: str, body: ChangeAgentBody, soul: Soul, who: SignedIn
) -> OwnedAgentReply:
    """Who may talk to the agent: its owner only."""
    changed = await soul.agents.set_visibility(who, name, body.visibility)
    return OwnedAgentReply(agent=owned_view(changed, soul.clock.now(), who))


@router.delete("/{name}")
async def delete_agent(name: str, soul: Soul, who: SignedIn) -> DoneReply:
    """The agent and everything of it, forgotten: its owner only; never the default agent."""
    await soul.agents.delete(who, name)
    return DoneReply(ok=True)


_PNG = {"200": {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}}}


_JSON = {"200": {"content": {"application/json": {"schema": {"type": "object"}}}}}


@router.get("/{name}/card.json", response_class=Response, responses=_JSON)  # type: ignore[arg-type]
async def card_json(name: str, soul: Soul, who: SignedIn) -> Response:
    """The agent as a V3 card, our state under `data.extensions.synthetic_soul`."""
    out = await soul.characters.export_card(who, name, "json")
    return _download(out.body, out.media_type, out.filename)


@router.get("/{name}/card.png", response_class=Response, responses=_PNG)  # type: ignore[arg-type]
async def card_png(name: str, soul: Soul, who: SignedIn) -> Response:
    """The agent as a PNG card: `ccv3` (V3) and `chara` (V2) text chunks."""
    out = await soul.characters.export_card(who, name, "png")
    return _download(out.body, out.media_type, out.filename)


_ZIP = {"200": {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/{name}/card.charx", response_class=Response, responses=_ZIP)  # type: ignore[arg-type]
async def card_charx(name: str, soul: Soul, who: SignedIn) -> Response:
    """*addition*: the agent as a CHARX (a zip: `card.json` and its faces as entries)."""
    out = await soul.characters.export_card(who, name, "charx")
    return _download(out.body, out.media_type, out.filename)


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
