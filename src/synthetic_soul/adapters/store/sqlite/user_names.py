"""The embedded store's users: folded keys for names and addresses, added to older files.

`CREATE TABLE IF NOT EXISTS` leaves a users table made by older code as it was, so the key
columns and their unique indexes are added here, in one transaction that also fills the keys
in (see `user_keys`). Another process opening the file at the same time waits for that
transaction and then finds nothing left to do.
"""

from __future__ import annotations

import sqlite3

from synthetic_soul.adapters.store.user_keys import OlderUser, fold_older_users

KEY_COLUMNS = ("username_key", "email_key")


def fold_user_names(db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        columns = {row["name"] for row in db.execute("PRAGMA table_info(users)")}
        for column in KEY_COLUMNS:
            if column not in columns:
                db.execute(f"ALTER TABLE users ADD COLUMN {column} TEXT")
        older = [
            OlderUser(r["id"], r["username"], r["email"], r["created_at"])
            for r in db.execute(
                "SELECT id, username, email, created_at FROM users WHERE username_key IS NULL"
            )
        ]
        if older:
            names = {r[0] for r in db.execute("SELECT username_key FROM users") if r[0]}
            emails = {r[0] for r in db.execute("SELECT email_key FROM users") if r[0]}
            for user in fold_older_users(older, names, emails):
                db.execute(
                    "UPDATE users SET username = ?, username_key = ?, email_key = ? WHERE id = ?",
                    (user.username, user.username_key, user.email_key, user.id),
                )
        db.execute("CREATE UNIQUE INDEX IF NOT EXISTS users_username_key ON users(username_key)")
        # NULLs are distinct in a unique index: any number of guests have no address.
        db.execute("CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON users(email_key)")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
