"""Accounts, their sessions and their personal API keys."""

from __future__ import annotations

from typing import Protocol

from synthetic_soul.ports.agents import Profile
from synthetic_soul.records import ApiKey, Session, User


class Accounts(Protocol):
    async def create_user(self, user: User, session: Session, profile: Profile) -> None: ...
    async def get_user(self, user_id: str) -> User | None: ...
    async def get_user_by_email(self, email: str) -> User | None:
        """The user whose address is `email`, compared case-folded."""
        ...

    async def claim_user(
        self, user: User, old_session_id: str, new_session: Session, profile: Profile, now: float
    ) -> bool:
        """Turn the guest into `user`, end the old session and start the new one, only while
        it is still a guest (else False, nothing written). A username or email another user
        holds, compared case-folded, is a ConflictError."""
        ...

    async def forget_user(self, user_id: str) -> None:
        """Erase the user and everything held about them: words, profile, memories, thoughts,
        sessions and API keys."""
        ...


class Sessions(Protocol):
    async def get_session(self, session_id: str) -> Session | None: ...
    async def create_session(self, session: Session) -> None: ...
    async def revoke_session(self, session_id: str, reason: str, now: float) -> None: ...
    async def rotate_session(self, old_id: str, new_session: Session, now: float) -> bool: ...
    async def revoke_user_sessions(self, user_id: str, reason: str, now: float) -> int: ...


class ApiKeys(Protocol):
    """Personal API keys, found by their keyed hash; a revoked key is deleted, not marked."""

    async def add_api_key(self, key: ApiKey) -> None: ...
    async def api_key_by_hash(self, key_hash: str) -> ApiKey | None: ...
    async def list_api_keys(self, user_id: str) -> list[ApiKey]:
        """The user's keys, oldest first."""
        ...

    async def delete_api_key(self, user_id: str, key_id: str) -> bool:
        """Delete the key if it is the user's; False if there is no such key of theirs."""
        ...

    async def delete_user_api_keys(self, user_id: str) -> int:
        """Delete every key of the user; how many there were."""
        ...

    async def touch_api_key(self, key_id: str, now: float) -> None:
        """Note that the key was used at `now` (nothing if it is gone)."""
        ...
