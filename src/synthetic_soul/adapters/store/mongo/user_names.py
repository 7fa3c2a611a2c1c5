"""The MongoDB store's users: folded keys for names and addresses, filled in on older data.

Users written by older code have no `username_key` (nor `email_key`); the unique indexes on
the keys are sparse, so they are made at once and these users get their keys here when the
store opens (see `user_keys`). Processes opening one database together compute the same keys
and each writes only to users still without one.
"""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from synthetic_soul.adapters.store.mongo.records import Doc
from synthetic_soul.adapters.store.user_keys import OlderUser, fold_older_users

WITHOUT_KEY = {"username_key": {"$exists": False}}


async def fold_user_names(db: AsyncDatabase[Doc]) -> None:
    users = db["users"]
    older = [
        OlderUser(d["_id"], d["username"], d.get("email"), d["created_at"])
        async for d in users.find(WITHOUT_KEY, {"username": 1, "email": 1, "created_at": 1})
    ]
    if not older:
        return
    names = {
        d["username_key"]
        async for d in users.find({"username_key": {"$exists": True}}, {"username_key": 1})
    }
    emails = {
        d["email_key"] async for d in users.find({"email_key": {"$exists": True}}, {"email_key": 1})
    }
    for user in fold_older_users(older, names, emails):
        keys: Doc = {"username": user.username, "username_key": user.username_key}
        if user.email_key is not None:
            keys["email_key"] = user.email_key
        await users.update_one({"_id": user.id, **WITHOUT_KEY}, {"$set": keys})
