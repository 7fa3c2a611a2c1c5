"""`soul serve` recalls older talk by meaning: the local embedding model (bge-small-en) and
reranker (ms-marco-MiniLM-L-12-v2) in the service's own process, vectors made by the `embed`
job after each reply, the recall in the prompt of a later reply. The scripted model stands in
for the chat model; every prompt it is shown is logged, so the test reads what a reply was
given.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from synthetic_soul.adapters.llm.model_files import pull
from synthetic_soul.mind.prompts import MESSAGE_HEADER, RECALLED_HEADER
from synthetic_soul.mind.reading import HISTORY_TURNS
from tests.e2e.helpers import client, guest, submit, wait_job
from tests.support.server import Server, start, stop

pytestmark = pytest.mark.e2e

EMBEDDING_MODEL = "bge-small-en"
RERANKING_MODEL = "ms-marco-minilm-l12"
FIRST = "My sister Anna taught me to swim in the lake behind our house."
# Talk about other things, enough of it that the first message leaves every history window.
OTHER_TOPICS = [
    "The football match last night went to penalties.",
    "I burned the rice again while cooking dinner.",
    "My laptop keeps freezing when I open too many tabs.",
    "Traffic on the bridge was terrible this morning.",
    "I finally fixed the squeaky door hinge.",
    "The library is closed for renovations until March.",
    "I bought new running shoes at the mall.",
]
# No word of the first message: only its meaning can bring it back.
PROBE = "How is your sibling doing these days?"
assert len(OTHER_TOPICS) * 2 >= HISTORY_TURNS


@pytest.fixture(scope="module")
def prompts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prompts") / "prompts.jsonl"


@pytest.fixture(scope="module")
def server(
    model_directory: Path, prompts: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    pull(EMBEDDING_MODEL, model_directory)
    pull(RERANKING_MODEL, model_directory)
    env = {
        "EMBEDDER": "local",
        "RERANKER": "local",
        "SOUL_MODEL_DIR": str(model_directory),
        "SCRIPTED_PROMPT_LOG": str(prompts),
    }
    running = start(tmp_path_factory.mktemp("data-recall"), env)
    try:
        yield running
    finally:
        stop(running)


def settle(c: httpx.Client, timeout: float = 60.0) -> None:
    """Until no job waits and every worker is idle (the reply's embedding and reflection)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        queue = c.get("/v1/meta/queue").json()
        if queue["total_backlog"] == 0 and all(w["state"] == "idle" for w in queue["workers"]):
            return
        time.sleep(0.1)
    raise AssertionError(f"the queue did not settle in {timeout} s: {queue}")


def say(c: httpx.Client, token: str, text: str) -> None:
    job = wait_job(c, token, submit(c, token, text), timeout=60.0)
    assert job["status"] == "succeeded", job
    settle(c)


def heads(prompts: Path) -> list[str]:
    """Each reply prompt's head: up to the line the new message comes under."""
    cut = MESSAGE_HEADER.split("{", 1)[0]
    lines = [json.loads(line) for line in prompts.read_text().splitlines()]
    return [e["prompt"].split(cut, 1)[0] for e in lines if e["task"] == "reply"]


def test_a_reply_recalls_by_meaning_what_no_word_of_the_talk_shares(
    server: Server, prompts: Path
) -> None:
    with client(server.url, timeout=60.0) as c:
        me = guest(c)
        for text in (FIRST, *OTHER_TOPICS, PROBE):
            say(c, me.token, text)
        before = len(heads(prompts))
        say(c, me.token, "I should call her this weekend.")  # its head: recalled by PROBE

    head = heads(prompts)[before]
    assert "Anna" not in head.split(RECALLED_HEADER, 1)[0]  # not in the history shown
    assert RECALLED_HEADER in head
    recalled = head.split(RECALLED_HEADER, 1)[1]
    assert "My sister Anna taught me to swim" in recalled
    log = server.log()
    assert "recall by words alone" not in log and "not reranked" not in log
