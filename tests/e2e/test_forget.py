"""DELETE /v1/auth/me: the user is forgotten, their words and what the agent held about them."""

from __future__ import annotations

import sqlite3

import httpx
import pytest

from tests.e2e.helpers import (
    assert_error,
    bearer,
    claims_of,
    conversation,
    guest,
    submit,
    wait_job,
)
from tests.support.server import Server

pytestmark = pytest.mark.e2e

SECRET_WORDS = "my grandmother's secret recipe uses cardamom and quince"


def _rows_mentioning(server: Server, text: str, user_id: str) -> list[str]:
    db = sqlite3.connect(server.data_dir / "soul.sqlite3")
    try:
        found = []
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            if table.startswith("memories_fts") or table == "sqlite_sequence":
                continue
            columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
            for column in columns:
                hits = db.execute(
                    f'SELECT COUNT(*) FROM {table} WHERE CAST("{column}" AS TEXT) LIKE ?'
                    f' OR CAST("{column}" AS TEXT) LIKE ?',
                    (f"%{text}%", f"%{user_id}%"),
                ).fetchone()[0]
                if hits:
                    found.append(f"{table}.{column}")
        return found
    finally:
        db.close()


def test_forget_me_erases_the_user_and_everything_about_them(
    api: httpx.Client, server: Server
) -> None:
    g = guest(api)
    user_id = claims_of(g.token)["sub"]
    assert wait_job(api, g.token, submit(api, g.token, SECRET_WORDS))["status"] == "succeeded"
    assert conversation(api, g.token)["messages"]
    other = guest(api)
    assert wait_job(api, other.token, submit(api, other.token, "hello"))["status"] == "succeeded"

    forgotten = api.delete("/v1/auth/me", headers=bearer(g.token))

    assert forgotten.status_code == 200
    assert forgotten.json() == {"ok": True, "forgotten": True}
    cleared = {c.split("=", 1)[0] for c in forgotten.headers.get_list("set-cookie")}
    assert cleared == {"sid", "rtoken", "refresh_csrf"}
    assert_error(api.get("/v1/auth/me", headers=bearer(g.token)), 401, "session_revoked")
    assert _rows_mentioning(server, SECRET_WORDS, user_id) == []
    # Someone else's conversation is untouched.
    assert len(conversation(api, other.token)["messages"]) == 2


def test_forget_me_needs_a_token(api: httpx.Client) -> None:
    assert_error(api.delete("/v1/auth/me"), 401, "missing_token")
