"""Accounts and their sessions in the embedded store."""

from __future__ import annotations

import sqlite3

from synthetic_soul.adapters.store.sqlite.base import SQLiteBase
from synthetic_soul.adapters.store.sqlite.records import session_of, user_of
from synthetic_soul.adapters.store.sqlite.statements import insert_session, upsert_profile
from synthetic_soul.adapters.store.sqlite.user_names import fold_user_names
from synthetic_soul.adapters.store.user_keys import email_key, username_key
from synthetic_soul.ports import ConflictError, Profile
from synthetic_soul.records import Session, User, folded


class AccountTables(SQLiteBase):
    def _upgrade(self, db: sqlite3.Connection) -> None:
        super()._upgrade(db)
        fold_user_names(db)

    async def create_user(self, user: User, session: Session, profile: Profile) -> None:
        def tx(db: sqlite3.Connection) -> None:
            try:
                db.execute(
                    "INSERT INTO users (id, username, email, password_hash, guest, created_at,"
                    " username_key, email_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        user.id,
                        user.username,
                        user.email,
                        user.password_hash,
                        int(user.guest),
                        user.created_at,
                        username_key(user),
                        email_key(user),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise ConflictError("username or email already in use") from exc
            insert_session(db, session)
            upsert_profile(db, profile)

        await self._run(tx)

    async def get_user(self, user_id: str) -> User | None:
        row = await self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        return user_of(row) if row else None

    async def get_user_by_email(self, email: str) -> User | None:
        row = await self._one("SELECT * FROM users WHERE email_key = ?", (folded(email),))
        return user_of(row) if row else None

    async def claim_user(
        self, user: User, old_session_id: str, new_session: Session, profile: Profile, now: float
    ) -> bool:
        def tx(db: sqlite3.Connection) -> bool:
            try:
                # Only while still a guest: of claims racing for one guest, one wins.
                claimed = db.execute(
                    "UPDATE users SET username = ?, email = ?, password_hash = ?, guest = 0,"
                    " username_key = ?, email_key = ? WHERE id = ? AND guest = 1",
                    (
                        user.username,
                        user.email,
                        user.password_hash,
                        username_key(user),
                        email_key(user),
                        user.id,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise ConflictError("username or email already in use") from exc
            if claimed.rowcount != 1:
                return False
            db.execute(
                "UPDATE sessions SET revoked_at = ?, revoke_reason = 'claimed'"
                " WHERE id = ? AND revoked_at IS NULL",
                (now, old_session_id),
            )
            insert_session(db, new_session)
            upsert_profile(db, profile)
            return True

        return await self._run(tx)

    async def forget_user(self, user_id: str) -> None:
        """Erase the user and everything held about them, in one transaction."""

        def tx(db: sqlite3.Connection) -> None:
            conversations = "SELECT id FROM conversations WHERE user_id = ?"
            db.execute(
                f"DELETE FROM messages WHERE conversation_id IN ({conversations})", (user_id,)
            )
            for sql in (
                "DELETE FROM conversations WHERE user_id = ?",
                "DELETE FROM profiles WHERE user_id = ?",
                "DELETE FROM thoughts WHERE user_id = ?",
                "DELETE FROM memories WHERE user_id = ?",
                "DELETE FROM jobs WHERE owner_id = ?",
                "DELETE FROM sessions WHERE user_id = ?",
                "DELETE FROM api_keys WHERE user_id = ?",
                "DELETE FROM users WHERE id = ?",
            ):
                db.execute(sql, (user_id,))
            db.execute("DELETE FROM leases WHERE key LIKE ?", (f"%:{user_id}",))

        await self._run(tx)

    async def get_session(self, session_id: str) -> Session | None:
        row = await self._one("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return session_of(row) if row else None

    async def create_session(self, session: Session) -> None:
        await self._run(lambda db: insert_session(db, session))

    async def revoke_session(self, session_id: str, reason: str, now: float) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE sessions SET revoked_at = ?, revoke_reason = ?"
                " WHERE id = ? AND revoked_at IS NULL",
                (now, reason, session_id),
            )
        )

    async def rotate_session(self, old_id: str, new_session: Session, now: float) -> bool:
        def tx(db: sqlite3.Connection) -> bool:
            cur = db.execute(
                "UPDATE sessions SET revoked_at = ?, revoke_reason = 'rotated'"
                " WHERE id = ? AND revoked_at IS NULL",
                (now, old_id),
            )
            if cur.rowcount != 1:
                return False
            insert_session(db, new_session)
            return True

        return await self._run(tx)

    async def revoke_user_sessions(self, user_id: str, reason: str, now: float) -> int:
        return await self._run(
            lambda db: (
                db.execute(
                    "UPDATE sessions SET revoked_at = ?, revoke_reason = ?"
                    " WHERE user_id = ? AND revoked_at IS NULL",
                    (now, reason, user_id),
                ).rowcount
            )
        )
