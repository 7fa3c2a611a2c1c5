"""`soul model pull` with no name pulls what this configuration runs, and `soul model list`
marks it: the chat model, the embedder and the reranker, each only when it runs here."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthetic_soul import cli
from synthetic_soul.settings import Settings


def settings(**env: str) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[arg-type]


def test_the_defaults_pull_the_chat_model_the_embedder_and_the_reranker() -> None:
    assert cli._configured_models(settings()) == [
        "qwen2.5-coder-1.5b",
        "bge-small-en",
        "ms-marco-minilm-l12",
    ]


def test_only_what_runs_here_is_pulled(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli._configured_models(settings(RERANKER="off")) == [
        "qwen2.5-coder-1.5b",
        "bge-small-en",
    ]
    hosted = settings(LLM_MODE="hosted", EMBEDDER="provider", RERANKER="off")
    assert cli._configured_models(hosted) == []
    assert "needs no embedded chat model" in capsys.readouterr().err
    minilm = settings(EMBEDDING_MODEL="all-minilm-l6-v2", SOUL_MODEL="smollm2-135m")
    assert cli._configured_models(minilm)[:2] == ["smollm2-135m", "all-minilm-l6-v2"]


def test_the_list_marks_what_this_configuration_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOUL_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("RERANKER", "off")

    assert cli.main(["model", "list"]) == 0

    out = capsys.readouterr().out
    marked = {line[2:].split()[0]: line[0] for line in out.splitlines() if line[:2] in ("* ", "  ")}
    assert marked == {
        "qwen2.5-coder-1.5b": "*",
        "smollm2-135m": " ",
        "all-minilm-l6-v2": " ",
        "bge-small-en": "*",
        "ms-marco-minilm-l12": " ",  # RERANKER=off: not run here
    }
    assert "EMBEDDER=local, RERANKER=off" in out and "not pulled" in out
