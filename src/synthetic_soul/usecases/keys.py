"""Personal API keys: a credential for bots and other programs that does not expire every few
minutes and needs no cookies. The key is shown once, when made; the store keeps its keyed hash.

Only an account may hold keys, not a guest: a key outlives any session, and an account can
always sign in again (email and password) to see and revoke its keys, where a guest who has
lost its cookies could never reach them again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from synthetic_soul import ports
from synthetic_soul.auth.sessions import Principal
from synthetic_soul.auth.tokens import keyed_hash, new_api_key, shown_part
from synthetic_soul.errors import Conflict, NotFound, Unauthorized
from synthetic_soul.ports import Clock
from synthetic_soul.records import ApiKey

# Enough for every bot and client a person runs; a bound, so one account cannot fill the
# store with keys.
MAX_KEYS_PER_USER = 20


class KeyStore(ports.Accounts, ports.ApiKeys, Protocol):
    """The ports API keys use."""


@dataclass(frozen=True)
class IssuedKey:
    """A key just made: its record, and the key itself, which is never available again."""

    record: ApiKey
    key: str


class Keys:
    def __init__(self, store: KeyStore, clock: Clock, pepper: str) -> None:
        self._store = store
        self._clock = clock
        self._pepper = pepper

    async def create(self, who: Principal, name: str) -> IssuedKey:
        user = await self._store.get_user(who.user_id)
        if user is None:
            raise Unauthorized("The account no longer exists.", "invalid_token")
        if user.guest:
            raise Conflict("Claim the account before making API keys.", "account_required")
        if len(await self._store.list_api_keys(user.id)) >= MAX_KEYS_PER_USER:
            raise Conflict(
                f"An account holds at most {MAX_KEYS_PER_USER} API keys; revoke one first.",
                "too_many_keys",
            )
        key = new_api_key()
        record = ApiKey(
            id=uuid.uuid4().hex,
            user_id=user.id,
            name=name,
            key_hash=keyed_hash(self._pepper, key),
            prefix=shown_part(key),
            created_at=self._clock.now(),
        )
        await self._store.add_api_key(record)
        return IssuedKey(record, key)

    async def mine(self, who: Principal) -> list[ApiKey]:
        """The user's keys, oldest first (never the keys themselves: they are not kept)."""
        return await self._store.list_api_keys(who.user_id)

    async def revoke(self, who: Principal, key_id: str) -> None:
        """Deletes the key at once; another user's key is as good as absent."""
        if not await self._store.delete_api_key(who.user_id, key_id):
            raise NotFound("No such API key of yours.", "key_not_found")
