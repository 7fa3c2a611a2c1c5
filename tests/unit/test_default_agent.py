"""The default agent across restarts: a start with another MODE finds the agent already made
(a name is one agent) rather than a second of its name, and says so in the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from synthetic_soul.bootstrap import roster
from synthetic_soul.settings import Settings

pytestmark = pytest.mark.anyio


def settings(data: Path, mode: str) -> Settings:
    return Settings(APP_ENV="test", DATA_DIR=data, MODE=mode, BOT_NAME="jasmine", SOUL_SEED=7)


async def test_a_restart_with_another_mode_keeps_the_one_default_agent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with roster(settings(tmp_path, "lite")) as (agents, _):
        first = agents.agent
    assert first.mode == "lite"
    with caplog.at_level(logging.WARNING, logger="synthetic_soul.bootstrap"):
        async with roster(settings(tmp_path, "rich")) as (agents, _):
            assert agents.agent == first
            assert [(a.name, a.mode) for a in await agents.all()] == [("jasmine", "lite")]
    assert "jasmine was made in lite mode and keeps it (MODE=rich" in caplog.text
