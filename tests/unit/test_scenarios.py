"""Issue 17's scenarios as first-class material: each scripted person, played through the
real use cases with the scripted model and a simulated clock, meets the expectations the
scenario states; `soul simulate --scenario` prints the trajectory and draws it."""

from __future__ import annotations

import contextlib
import io
import struct
import sys
from pathlib import Path

import pytest

from synthetic_soul import cli
from synthetic_soul.scenario_view import PLOT_SIZE
from synthetic_soul.scenarios import SCENARIOS, Expect, Row, checked
from synthetic_soul.simulate import play_scenario

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@pytest.mark.parametrize("seed", [1, 7])
async def test_each_scenario_meets_its_expectations(name: str, seed: int, tmp_path: Path) -> None:
    scenario = SCENARIOS[name]
    rows = await play_scenario(scenario, seed, "lite", tmp_path)

    results = checked(scenario, rows)
    assert len(results) >= 4
    missed = [(e.says, seen) for e, ok, seen in results if not ok]
    assert not missed, missed
    marks = {row["mark"] for row in rows if row["step"]}
    assert {e.at for e in scenario.expect} <= marks


def test_an_expectation_can_be_missed() -> None:
    rows: dict[str, Row] = {"a": {"joy": 10.0, "mood": "calm"}, "b": {"joy": 30.0}}
    assert Expect("rise", "b", "joy", low=15, since="a").check(rows)[0]
    assert not Expect("rise", "b", "joy", low=25, since="a").check(rows)[0]
    assert not Expect("mood", "a", "mood", none_of=("calm",)).check(rows)[0]
    assert not Expect("gone", "b", "love", low=0).check(rows)[0]


def _soul(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["simulate", *argv])
    return code, out.getvalue()


def test_the_cli_prints_the_trajectory_and_draws_it(tmp_path: Path) -> None:
    chart = tmp_path / "warmth.png"
    code, printed = _soul("--scenario", "warmth", "--plot", str(chart))

    assert code == 0, printed
    lines = printed.splitlines()
    assert lines[0].startswith("scenario warmth:")
    header = lines[1].split()
    assert header[:2] == ["time", "event"] and "joy" in header and "mood" in header
    steps = [line for line in lines if "ann: " in line]
    assert len(steps) == 3
    assert "exuberant" in steps[-1] or "relaxed" in steps[-1]
    assert "expectations: 7 of 7 met" in printed
    data = chart.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == PLOT_SIZE


def test_the_cli_lists_the_scenarios_and_refuses_an_unknown_one() -> None:
    code, printed = _soul("--scenario", "list")
    assert code == 0
    assert [line.split()[0] for line in printed.splitlines()] == list(SCENARIOS)
    assert _soul("--list")[1] == printed
    assert {"warmth", "apology", "grief", "reunion", "ignored"} <= set(SCENARIOS)
    with contextlib.redirect_stderr(io.StringIO()) as err:
        assert _soul("--scenario", "nope")[0] == 2
    assert "warmth" in err.getvalue()


def test_without_pillow_plot_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes `import PIL` fail as it does where Pillow is not installed.
    monkeypatch.setitem(sys.modules, "PIL", None)
    chart = tmp_path / "grief.png"
    with contextlib.redirect_stderr(io.StringIO()) as err:
        code, printed = _soul("--scenario", "grief", "--plot", str(chart))

    assert code == 2
    assert "scenario grief:" in printed
    assert "pip install pillow" in err.getvalue()
    assert not chart.exists()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_each_scenario_meets_its_expectations_in_rich_mode(name: str, tmp_path: Path) -> None:
    scenario = SCENARIOS[name]
    rows = await play_scenario(scenario, 1, "rich", tmp_path)

    results = checked(scenario, rows)
    assert len(results) == len(scenario.expect) + len(scenario.rich)
    missed = [(e.says, seen) for e, ok, seen in results if not ok]
    assert not missed, missed
