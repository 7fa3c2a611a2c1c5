"""Users and their sessions in the MongoDB store.

A user's email is absent (not null) while they are a guest, so the unique sparse index on it
lets any number of guests be. Names and addresses are unique by their folded keys
(`username_key`, `email_key`, see `user_keys`); a taken one is a duplicate key, a
ConflictError.
Signing up, claiming a guest and forgetting a user each write several collections, in one
transaction.
"""

from __future__ import annotations

import re
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from synthetic_soul.adapters.store.mongo.base import MongoBase, reachable
from synthetic_soul.adapters.store.mongo.records import session_doc, session_of, user_doc, user_of
from synthetic_soul.adapters.store.mongo.statements import upsert_profile
from synthetic_soul.adapters.store.user_keys import email_key, username_key
from synthetic_soul.ports import ConflictError, Profile
from synthetic_soul.records import Session, User, folded

TAKEN = "username or email already in use"


class AccountCollections(MongoBase):
    @reachable
    async def create_user(self, user: User, session: Session, profile: Profile) -> None:
        async def tx(s: AsyncClientSession) -> None:
            try:
                await self.db["users"].insert_one(user_doc(user), session=s)
            except DuplicateKeyError as exc:
                raise ConflictError(TAKEN) from exc
            await self.db["sessions"].insert_one(session_doc(session), session=s)
            await upsert_profile(self.db, s, profile)

        await self._transaction(tx)

    @reachable
    async def get_user(self, user_id: str) -> User | None:
        doc = await self.db["users"].find_one({"_id": user_id})
        return user_of(doc) if doc else None

    @reachable
    async def get_user_by_email(self, email: str) -> User | None:
        doc = await self.db["users"].find_one({"email_key": folded(email)})
        return user_of(doc) if doc else None

    @reachable
    async def claim_user(
        self, user: User, old_session_id: str, new_session: Session, profile: Profile, now: float
    ) -> bool:
        claim: dict[str, Any] = {
            "$set": {
                "username": user.username,
                "username_key": username_key(user),
                "password_hash": user.password_hash,
                "guest": False,
            }
        }
        if user.email is None:
            claim["$unset"] = {"email": "", "email_key": ""}
        else:
            claim["$set"].update(email=user.email, email_key=email_key(user))

        async def tx(s: AsyncClientSession) -> bool:
            try:
                # Only while still a guest: of claims racing for one guest, one wins.
                done = await self.db["users"].update_one(
                    {"_id": user.id, "guest": True}, claim, session=s
                )
            except DuplicateKeyError as exc:
                raise ConflictError(TAKEN) from exc
            if done.matched_count != 1:
                return False
            await self.db["sessions"].update_one(
                {"_id": old_session_id, "revoked_at": None},
                {"$set": {"revoked_at": now, "revoke_reason": "claimed"}},
                session=s,
            )
            await self.db["sessions"].insert_one(session_doc(new_session), session=s)
            await upsert_profile(self.db, s, profile)
            return True

        return await self._transaction(tx)

    @reachable
    async def forget_user(self, user_id: str) -> None:
        """Erase the user and everything held about them, in one transaction."""

        async def tx(s: AsyncClientSession) -> None:
            db = self.db
            conversations = [
                d["_id"]
                async for d in db["conversations"].find({"user_id": user_id}, {"_id": 1}, session=s)
            ]
            await db["messages"].delete_many({"conversation_id": {"$in": conversations}}, session=s)
            for name, field in (
                ("conversations", "user_id"),
                ("profiles", "user_id"),
                ("thoughts", "user_id"),
                ("memories", "user_id"),
                ("jobs", "owner_id"),
                ("sessions", "user_id"),
                ("api_keys", "user_id"),
                ("users", "_id"),
            ):
                await db[name].delete_many({field: user_id}, session=s)
            # Lease keys end in the user's id (e.g. "turn:<agent>:<user>"); escaped, so an id
            # is matched as text, never as a pattern.
            await db["leases"].delete_many(
                {"_id": {"$regex": f":{re.escape(user_id)}$"}}, session=s
            )

        await self._transaction(tx)

    @reachable
    async def get_session(self, session_id: str) -> Session | None:
        doc = await self.db["sessions"].find_one({"_id": session_id})
        return session_of(doc) if doc else None

    @reachable
    async def create_session(self, session: Session) -> None:
        await self.db["sessions"].insert_one(session_doc(session))

    @reachable
    async def revoke_session(self, session_id: str, reason: str, now: float) -> None:
        await self.db["sessions"].update_one(
            {"_id": session_id, "revoked_at": None},
            {"$set": {"revoked_at": now, "revoke_reason": reason}},
        )

    @reachable
    async def rotate_session(self, old_id: str, new_session: Session, now: float) -> bool:
        async def tx(s: AsyncClientSession) -> bool:
            done = await self.db["sessions"].update_one(
                {"_id": old_id, "revoked_at": None},
                {"$set": {"revoked_at": now, "revoke_reason": "rotated"}},
                session=s,
            )
            if done.modified_count != 1:
                return False
            await self.db["sessions"].insert_one(session_doc(new_session), session=s)
            return True

        return await self._transaction(tx)

    @reachable
    async def revoke_user_sessions(self, user_id: str, reason: str, now: float) -> int:
        done = await self.db["sessions"].update_many(
            {"user_id": user_id, "revoked_at": None},
            {"$set": {"revoked_at": now, "revoke_reason": reason}},
        )
        return done.modified_count
