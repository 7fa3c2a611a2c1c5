"""Personal API keys: /v1/auth/keys. Made, listed and revoked by a signed-in account."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from synthetic_soul.api.deps import SignedIn, Soul
from synthetic_soul.api.replies import DoneReply, KeysReply, KeyView, NewKeyReply
from synthetic_soul.api.routers.messages import iso
from synthetic_soul.records import ApiKey

router = APIRouter(prefix="/auth", tags=["auth"])


class NewKeyBody(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="what the key is for")


def key_view(k: ApiKey) -> KeyView:
    return KeyView(
        id=k.id,
        name=k.name,
        prefix=k.prefix,
        created_at=iso(k.created_at),
        last_used_at=None if k.last_used_at is None else iso(k.last_used_at),
    )


@router.post("/keys", status_code=201)
async def create_key(body: NewKeyBody, soul: Soul, who: SignedIn) -> NewKeyReply:
    issued = await soul.keys.create(who, body.name)
    return NewKeyReply(id=issued.record.id, name=issued.record.name, key=issued.key)


@router.get("/keys")
async def list_keys(soul: Soul, who: SignedIn) -> KeysReply:
    return KeysReply(keys=[key_view(k) for k in await soul.keys.mine(who)])


@router.delete("/keys/{key_id}")
async def revoke_key(key_id: str, soul: Soul, who: SignedIn) -> DoneReply:
    await soul.keys.revoke(who, key_id)
    return DoneReply(ok=True)
