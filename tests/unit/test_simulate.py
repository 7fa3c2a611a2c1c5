"""A simulated day replays exactly from its seed, and the mind moves as its people treat it."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthetic_soul.simulate import simulate

pytestmark = pytest.mark.anyio


async def test_the_same_seed_gives_the_same_day(tmp_path: Path) -> None:
    first = await simulate(5, 24, "lite", tmp_path / "a")
    again = await simulate(5, 24, "lite", tmp_path / "b")
    other = await simulate(6, 24, "lite", tmp_path / "c")

    assert first == again
    assert first["digest"] != other["digest"]
    assert first["messages"] > 20
    end = first["timeline"][-1]
    assert len(first["timeline"]) == 25
    assert end["events_felt"] > first["timeline"][0]["events_felt"]
    people = end["people"]
    assert people["kind"]["affinity"] > 0 > people["rude"]["affinity"]
    assert people["rude"]["relationship"] in ("enemy", "acquaintance", "stranger")
