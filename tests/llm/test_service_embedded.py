"""`soul serve` on the embedded default path: a message goes through a real model in-process.

The small catalogued model stands in for the default one (same code path, 10x faster).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from synthetic_soul.domain.expressions import EXPRESSIONS
from tests.e2e.helpers import client, conversation, guest, read_events, submit
from tests.llm.conftest import SMALL
from tests.support.server import Server, start, stop

pytestmark = pytest.mark.e2e

TEXT = "Hi Jasmine! I finally finished my painting today."


@pytest.fixture(scope="module")
def server(small_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {
        "LLM_MODE": "embedded",
        "SOUL_MODEL": SMALL,
        "SOUL_MODEL_DIR": str(small_model.parent),
        "EMBEDDED_CONTEXT": "2048",
        "SOUL_SEED": "11",
        "LLM_TIMEOUT_SECONDS": "120",
    }
    running = start(tmp_path_factory.mktemp("data-embedded"), env)
    try:
        yield running
    finally:
        stop(running)


def test_meta_llm_names_the_embedded_model(server: Server) -> None:
    with client(server.url) as c:
        r = c.get("/v1/meta/llm")
    assert r.status_code == 200
    assert r.json() == {
        "mode": "embedded",
        "provider": "llama.cpp",
        "base_url": None,
        "models": {"fast": SMALL, "quality": SMALL},
        "configured": True,
    }


def test_a_message_is_answered_by_the_model_with_a_schema_valid_result(server: Server) -> None:
    with client(server.url, timeout=120.0) as c:
        g = guest(c)
        job_id = submit(c, g.token, TEXT)
        with c.stream("GET", f"/v1/jobs/{job_id}/events", params={"access_token": g.token}) as r:
            events, _ = read_events(r, timeout=180.0)
        said = conversation(c, g.token)["messages"]

    done = events[-1]
    assert done.event == "done", [e.event for e in events]
    assert done.data["status"] == "succeeded", done.data
    result = done.data["result"]
    # The model's own answer (schema-valid), not the fallback.
    assert result["fallback"] is None, result
    assert result["expression"] in EXPRESSIONS
    tokens = ""
    for e in events:  # as a client applies them: a reset replaces what came before
        if e.event == "token":
            tokens = e.data["text"] if e.data.get("reset") else tokens + e.data["text"]
    if result["response"] is not None:
        # What the client ends with is the answer; the model's own text may have been trimmed
        # by the answer's bounds (a leading line break), settled with a reset.
        assert tokens == result["response"]
        assert [(m["from_agent"], m["message"]) for m in said][:2] == [
            (False, TEXT),
            (True, result["response"]),
        ]
    else:
        assert tokens == ""  # chose not to answer: nothing was shown

    with closing(sqlite3.connect(server.data_dir / "soul.sqlite3")) as db:
        calls = db.execute(
            "SELECT provider, model, prompt_tokens, completion_tokens, ok FROM llm_calls"
            " WHERE job_id = ? AND task = 'reply'",
            (job_id,),
        ).fetchall()
    assert len(calls) == 1, calls  # one model call on the critical path
    provider, model, prompt_tokens, completion_tokens, ok = calls[0]
    assert (provider, model, ok) == ("llama.cpp", SMALL, 1)
    assert prompt_tokens > 100 and completion_tokens > 10
