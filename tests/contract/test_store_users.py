"""Store contract: users, claims and sessions."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from synthetic_soul.ports import ConflictError, Store
from tests.contract.builders import T0, profile, session, uid, user

pytestmark = pytest.mark.anyio


async def test_create_user_then_read_it_back(store: Store) -> None:
    u = user("ada", "ada@example.com", guest=False)
    s = session(u.id)
    await store.create_user(u, s, profile(u.id))
    assert await store.get_user(u.id) == u
    assert await store.get_session(s.id) == s
    assert await store.get_profile("agent-1", u.id) == profile(u.id)
    assert await store.get_user(uid()) is None
    assert await store.get_session(uid()) is None


async def test_duplicate_username_conflicts_and_writes_nothing(store: Store) -> None:
    first = user("ada")
    await store.create_user(first, session(first.id), profile(first.id))
    second = user("ada")
    second_session = session(second.id)
    with pytest.raises(ConflictError):
        await store.create_user(second, second_session, profile(second.id))
    assert await store.get_user(second.id) is None
    assert await store.get_session(second_session.id) is None
    assert await store.get_profile("agent-1", second.id) is None


async def test_duplicate_email_conflicts(store: Store) -> None:
    first = user("ada", "same@example.com", guest=False)
    await store.create_user(first, session(first.id), profile(first.id))
    second = user("bob", "same@example.com", guest=False)
    with pytest.raises(ConflictError):
        await store.create_user(second, session(second.id), profile(second.id))
    assert await store.get_user(second.id) is None


async def test_many_guests_without_email_do_not_conflict(store: Store) -> None:
    for _ in range(3):
        u = user()
        await store.create_user(u, session(u.id), profile(u.id))


async def test_get_user_by_email(store: Store) -> None:
    u = user("ada", "ada@example.com", guest=False)
    await store.create_user(u, session(u.id), profile(u.id))
    assert await store.get_user_by_email("ada@example.com") == u
    assert await store.get_user_by_email("nobody@example.com") is None


async def test_claim_user_upgrades_guest_and_revokes_the_old_session(store: Store) -> None:
    guest = user()
    old = session(guest.id)
    await store.create_user(guest, old, profile(guest.id, username=guest.username))
    claimed = replace(
        guest, username="ada", email="ada@example.com", password_hash="h", guest=False
    )
    new = session(guest.id, now=T0 + 10)
    await store.claim_user(claimed, old.id, new, profile(guest.id, username="ada"), T0 + 10)

    assert await store.get_user(guest.id) == claimed
    assert await store.get_user_by_email("ada@example.com") == claimed
    revoked = await store.get_session(old.id)
    assert revoked is not None
    assert revoked.revoked_at == T0 + 10
    assert not revoked.active_at(T0 + 10)
    assert await store.get_session(new.id) == new
    got = await store.get_profile("agent-1", guest.id)
    assert got is not None
    assert got.username == "ada"


async def test_claim_with_a_taken_email_conflicts_and_changes_nothing(store: Store) -> None:
    owner = user("owner", "taken@example.com", guest=False)
    await store.create_user(owner, session(owner.id), profile(owner.id))
    guest = user()
    old = session(guest.id)
    await store.create_user(guest, old, profile(guest.id))
    claimed = replace(guest, username="ada", email="taken@example.com", guest=False)
    new = session(guest.id)
    with pytest.raises(ConflictError):
        await store.claim_user(claimed, old.id, new, profile(guest.id), T0 + 1)
    assert await store.get_user(guest.id) == guest
    still = await store.get_session(old.id)
    assert still is not None
    assert still.revoked_at is None
    assert await store.get_session(new.id) is None


async def test_claim_with_a_taken_username_conflicts(store: Store) -> None:
    owner = user("ada", "ada@example.com", guest=False)
    await store.create_user(owner, session(owner.id), profile(owner.id))
    guest = user()
    old = session(guest.id)
    await store.create_user(guest, old, profile(guest.id))
    claimed = replace(guest, username="ada", email="other@example.com", guest=False)
    with pytest.raises(ConflictError):
        await store.claim_user(claimed, old.id, session(guest.id), profile(guest.id), T0)


async def test_revoke_session(store: Store) -> None:
    u = user()
    s = session(u.id)
    await store.create_user(u, s, profile(u.id))
    await store.revoke_session(s.id, "logout", T0 + 3)
    got = await store.get_session(s.id)
    assert got is not None
    assert (got.revoked_at, got.revoke_reason) == (T0 + 3, "logout")
    # Revoking again keeps the first reason and time.
    await store.revoke_session(s.id, "other", T0 + 9)
    again = await store.get_session(s.id)
    assert again is not None
    assert (again.revoked_at, again.revoke_reason) == (T0 + 3, "logout")


async def test_rotate_session_succeeds_once(store: Store) -> None:
    u = user()
    old = session(u.id)
    await store.create_user(u, old, profile(u.id))
    first, second = session(u.id), session(u.id)
    assert await store.rotate_session(old.id, first, T0 + 1) is True
    assert await store.rotate_session(old.id, second, T0 + 2) is False
    rotated = await store.get_session(old.id)
    assert rotated is not None
    assert (rotated.revoked_at, rotated.revoke_reason) == (T0 + 1, "rotated")
    assert await store.get_session(first.id) == first
    assert await store.get_session(second.id) is None


async def test_rotate_unknown_session_is_false(store: Store) -> None:
    u = user()
    await store.create_user(u, session(u.id), profile(u.id))
    new = session(u.id)
    assert await store.rotate_session(uid(), new, T0) is False
    assert await store.get_session(new.id) is None


async def test_concurrent_rotations_of_one_session_have_one_winner(store: Store) -> None:
    u = user()
    old = session(u.id)
    await store.create_user(u, old, profile(u.id))
    candidates = [session(u.id) for _ in range(10)]
    results = await asyncio.gather(*(store.rotate_session(old.id, c, T0 + 1) for c in candidates))
    assert sorted(results) == [False] * 9 + [True]
    stored = [await store.get_session(c.id) for c in candidates]
    assert [s is not None for s in stored] == results


async def test_revoke_user_sessions_ends_only_that_users_live_sessions(store: Store) -> None:
    u, other = user(), user()
    first = session(u.id)
    await store.create_user(u, first, profile(u.id))
    other_session = session(other.id)
    await store.create_user(other, other_session, profile(other.id))
    second, third = session(u.id), session(u.id)
    await store.create_session(second)
    await store.create_session(third)
    await store.revoke_session(third.id, "logout", T0 + 1)

    assert await store.revoke_user_sessions(u.id, "replay", T0 + 5) == 2
    for s in (first, second):
        got = await store.get_session(s.id)
        assert got is not None
        assert (got.revoked_at, got.revoke_reason) == (T0 + 5, "replay")
    kept = await store.get_session(third.id)
    assert kept is not None
    assert kept.revoke_reason == "logout"
    untouched = await store.get_session(other_session.id)
    assert untouched is not None
    assert untouched.revoked_at is None
    assert await store.revoke_user_sessions(u.id, "replay", T0 + 6) == 0


# -- names compare case-folded; the display form is kept ----------------------------------
async def test_usernames_differing_only_in_case_conflict(store: Store) -> None:
    first = user("U_1234ABCD")
    await store.create_user(first, session(first.id), profile(first.id))
    second = user("u_1234abcd")
    with pytest.raises(ConflictError):
        await store.create_user(second, session(second.id), profile(second.id))
    assert await store.get_user(second.id) is None
    kept = await store.get_user(first.id)
    assert kept is not None
    assert kept.username == "U_1234ABCD"


async def test_emails_differing_only_in_case_conflict_and_are_found_by_either(
    store: Store,
) -> None:
    first = user("ada", "Ada.Lovelace@Example.com", guest=False)
    await store.create_user(first, session(first.id), profile(first.id))
    second = user("bob", "ada.lovelace@example.COM", guest=False)
    with pytest.raises(ConflictError):
        await store.create_user(second, session(second.id), profile(second.id))
    assert await store.get_user_by_email("ADA.LOVELACE@EXAMPLE.COM") == first
    assert await store.get_user_by_email("ada.lovelace@example.com") == first


async def test_claim_with_a_case_variant_of_a_taken_name_conflicts(store: Store) -> None:
    owner = user("Ada", "ada@example.com", guest=False)
    await store.create_user(owner, session(owner.id), profile(owner.id))
    for username, email in (("aDA", "other@example.com"), ("other", "ADA@example.com")):
        guest = user()
        old = session(guest.id)
        await store.create_user(guest, old, profile(guest.id))
        claimed = replace(guest, username=username, email=email, guest=False)
        with pytest.raises(ConflictError):
            await store.claim_user(claimed, old.id, session(guest.id), profile(guest.id), T0)
        assert await store.get_user(guest.id) == guest


# -- a guest is claimed once -------------------------------------------------------------
async def test_a_second_claim_of_one_guest_is_refused_and_changes_nothing(store: Store) -> None:
    guest = user()
    old = session(guest.id)
    await store.create_user(guest, old, profile(guest.id))
    first = replace(guest, username="ada", email="ada@example.com", password_hash="h1", guest=False)
    first_session = session(guest.id, now=T0 + 1)
    assert await store.claim_user(first, old.id, first_session, profile(guest.id), T0 + 1)

    second = replace(
        guest, username="bob", email="bob@example.com", password_hash="h2", guest=False
    )
    second_session = session(guest.id, now=T0 + 2)
    won = await store.claim_user(second, old.id, second_session, profile(guest.id), T0 + 2)
    assert won is False
    assert await store.get_user(guest.id) == first
    assert await store.get_user_by_email("bob@example.com") is None
    assert await store.get_session(second_session.id) is None
    assert await store.get_session(first_session.id) == first_session


async def test_concurrent_claims_of_one_guest_have_one_winner(store: Store) -> None:
    guest = user()
    old = session(guest.id)
    await store.create_user(guest, old, profile(guest.id))
    claims = [
        replace(guest, username=f"name{i}", email=f"e{i}@example.com", guest=False)
        for i in range(6)
    ]
    sessions = [session(guest.id) for _ in claims]
    results = await asyncio.gather(
        *(
            store.claim_user(c, old.id, s, profile(guest.id), T0 + 1)
            for c, s in zip(claims, sessions, strict=True)
        )
    )
    assert sorted(results) == [False] * 5 + [True]
    winner = results.index(True)
    assert await store.get_user(guest.id) == claims[winner]
    stored = [await store.get_session(s.id) is not None for s in sessions]
    assert stored == results
