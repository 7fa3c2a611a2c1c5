"""Usernames and emails compare case-folded (`records.folded`): the keys the stores' unique
indexes hold.

A user keeps the name and address as they typed them (the display form); next to each the
store keeps its folded key, and uniqueness and look-ups go by the key. Outreach picks its
addressee without regard to case, so two names differing only in case would be one name.

Stores written before the keys are folded when opened (`fold_older_users`): every user gets
their keys, the oldest holder of a name keeps it, and a later case variant is renamed (the
name plus part of the user's id), since refusing to start would lock everyone out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from synthetic_soul.records import User, folded

log = logging.getLogger(__name__)

MAX_USERNAME_CHARS = 32  # what the claim accepts (api/routers/auth.py)


def username_key(user: User) -> str:
    return folded(user.username)


def email_key(user: User) -> str | None:
    return None if user.email is None else folded(user.email)


@dataclass(frozen=True)
class OlderUser:
    """A user as a store without keys holds them."""

    id: str
    username: str
    email: str | None
    created_at: float


@dataclass(frozen=True)
class FoldedUser:
    id: str
    username: str  # unchanged, or the new name of a later case variant
    username_key: str
    email_key: str | None


def _free_name(user: OlderUser, taken: set[str]) -> str:
    """A name for a later case variant: its own plus a part of its id, so it stays close."""
    for n in range(8, len(user.id) + 1):
        suffix = f"_{user.id[:n]}"
        name = user.username[: MAX_USERNAME_CHARS - len(suffix)] + suffix
        if folded(name) not in taken:
            return name
    raise RuntimeError(f"no free name for user {user.id!r}")  # pragma: no cover


def fold_older_users(
    users: Iterable[OlderUser], taken_names: set[str], taken_emails: set[str]
) -> list[FoldedUser]:
    """Keys for users stored without them, oldest first; `taken_*` are keys already held.

    Deterministic (by creation time, then id), so processes opening one store at once agree.
    Two addresses differing only in case cannot be resolved by renaming: that is refused.
    """
    older = sorted(users, key=lambda u: (u.created_at, u.id))
    names, emails = set(taken_names), set(taken_emails)
    # A new name must not be one a user later in line still holds, either.
    reserved = names | {folded(u.username) for u in older}
    done: list[FoldedUser] = []
    for user in older:
        username = user.username
        if folded(username) in names:
            username = _free_name(user, reserved)
            reserved.add(folded(username))
            log.warning(
                "user %s: username %r differs only in case from an older user's; renamed %r",
                user.id,
                user.username,
                username,
            )
        email = None if user.email is None else folded(user.email)
        if email is not None and email in emails:
            raise RuntimeError(
                f"user {user.id!r} has an email that differs only in case from another"
                " user's; give one of them another address before starting"
            )
        names.add(folded(username))
        if email is not None:
            emails.add(email)
        done.append(FoldedUser(user.id, username, folded(username), email))
    return done
