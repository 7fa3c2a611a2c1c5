"""A scenario's trajectory for people: a table for the terminal and a PNG chart.

The chart is drawn with Pillow, which the service itself does not need: it is the `plot`
extra (`pip install 'synthetic-soul[plot]'`, or `pip install pillow`), imported only here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from synthetic_soul.scenarios import SCENARIOS, Row, Scenario, checked

PLOT_SIZE = (960, 600)
_COLOURS = ((214, 96, 77), (74, 144, 226), (120, 120, 120), (232, 170, 20), (126, 87, 194))
_BELOW = ((46, 160, 67), (200, 60, 160))
_INK, _GRID, _PAPER = (40, 40, 40), (225, 225, 225), (255, 255, 255)


class PlotUnavailable(RuntimeError):
    """Pillow is not installed."""


def _clock(seconds: float) -> str:
    days, rest = divmod(int(seconds), 86400)
    if days:
        return f"{days}d {rest // 3600}:{rest % 3600 // 60:02d}"
    return f"{rest // 3600}:{rest % 3600 // 60:02d}:{rest % 60:02d}"


def table(scenario: Scenario, rows: list[Row]) -> list[str]:
    """The scenario's steps, one line each, then each expectation met or not."""
    lead = scenario.people[-1]
    emotions = "".join(f"{name[:8]:>9}" for name in scenario.shows)
    lines = [
        f"scenario {scenario.name}: {scenario.about}",
        f"{'time':>9}  {'event':<36}{emotions}  {'mood':<22}{'P-rest':>7}"
        f"{'affinity':>9}  relationship ({lead})",
    ]
    for row in rows:
        if not row["step"]:
            continue
        event = row["event"] if len(row["event"]) <= 36 else row["event"][:35] + "…"
        felt = "".join(f"{row.get(name, 0.0):>9.1f}" for name in scenario.shows)
        lines.append(
            f"{_clock(row['t']):>9}  {event:<36}{felt}  {row['mood']:<22}{row['lift']:>+7.2f}"
            f"{row[f'affinity.{lead}']:>+9.1f}  {row[f'relationship.{lead}']}"
        )
    results = checked(scenario, rows)
    met = sum(ok for _, ok, _ in results)
    lines.append(f"expectations: {met} of {len(results)} met")
    for expectation, ok, seen in results:
        lines.append(f"  {'ok  ' if ok else 'MISS'} {expectation.says} ({seen})")
    if scenario.note:
        lines.append(f"note: {scenario.note}")
    return lines


def plot(
    scenario: Scenario, rows: list[Row], path: Path, size: tuple[int, int] = PLOT_SIZE
) -> None:
    """Emotions (0..100) above; pleasure less its rest and affinity/100 (-1..1) below.

    The x axis runs by row, not linearly in time: a scenario mixes seconds of talk with days
    of quiet, and a linear axis would crush the talk. The time is written under each step.
    """
    try:
        from PIL import Image, ImageDraw
    except ImportError as missing:
        raise PlotUnavailable(
            "--plot needs Pillow: pip install pillow (or the extra synthetic-soul[plot])"
        ) from missing
    width, height = size
    image = Image.new("RGB", size, _PAPER)
    draw = ImageDraw.Draw(image)
    left, right, gap = 60, width - 170, 40
    top_panel = (30, int(height * 0.58))
    bottom_panel = (top_panel[1] + gap, height - 50)
    span = max(1, len(rows) - 1)

    def x_of(i: int) -> float:
        return left + (right - left) * i / span

    def y_in(panel: tuple[int, int], value: float, low: float, high: float) -> float:
        share = (min(high, max(low, value)) - low) / (high - low)
        return panel[1] - (panel[1] - panel[0]) * share

    draw.text((left, 8), f"scenario {scenario.name}", fill=_INK)
    for panel, low, high, ticks in (
        (top_panel, 0.0, 100.0, (0, 25, 50, 75, 100)),
        (bottom_panel, -1.0, 1.0, (-1, -0.5, 0, 0.5, 1)),
    ):
        for tick in ticks:
            y = y_in(panel, tick, low, high)
            draw.line([(left, y), (right, y)], fill=_GRID)
            draw.text((8, y - 6), f"{tick:g}", fill=_INK)
        draw.rectangle([left, panel[0], right, panel[1]], outline=_INK)
    for i, row in enumerate(rows):
        if row["step"]:
            draw.line([(x_of(i), bottom_panel[1]), (x_of(i), bottom_panel[1] + 4)], fill=_INK)
    marked = [(i, row) for i, row in enumerate(rows) if row.get("mark")]
    for n, (i, row) in enumerate(marked):
        y = bottom_panel[1] + 8 + 14 * (n % 2)
        draw.text((x_of(i) - 12, y), _clock(row["t"]), fill=_INK)
    lead = scenario.people[-1]
    series: list[tuple[str, tuple[int, int], float, float, Any]] = [
        (name, top_panel, 0.0, 100.0, lambda r, k=name: r.get(k, 0.0)) for name in scenario.shows
    ]
    series.append(("mood P - rest", bottom_panel, -1.0, 1.0, lambda r: r["lift"]))
    series.append(
        (f"affinity {lead} /100", bottom_panel, -1.0, 1.0, lambda r: r[f"affinity.{lead}"] / 100)
    )
    shown = len(scenario.shows)
    for n, (name, panel, low, high, value) in enumerate(series):
        colour = _COLOURS[n % len(_COLOURS)] if n < shown else _BELOW[(n - shown) % 2]
        points = [(x_of(i), y_in(panel, float(value(r)), low, high)) for i, r in enumerate(rows)]
        if len(points) > 1:
            draw.line(points, fill=colour, width=2)
        legend_y = panel[0] + 16 * (n if n < shown else n - shown)
        draw.line([(right + 12, legend_y + 6), (right + 30, legend_y + 6)], fill=colour, width=3)
        draw.text((right + 36, legend_y), name, fill=_INK)
    image.save(path, format="PNG")


def command(name: str, seed: int, mode: str, plot_to: str | None) -> int:
    """`soul simulate --scenario NAME`: 0 when every expectation is met, 1 when one is
    missed, 2 for an unknown scenario or a chart that cannot be drawn."""
    from synthetic_soul.simulate import run_scenario

    if name == "list":
        for listed in SCENARIOS.values():
            print(f"{listed.name:<10} {listed.about}")
        return 0
    scenario = SCENARIOS.get(name)
    if scenario is None:
        print(f"soul: no scenario {name!r}: {', '.join(SCENARIOS)}", file=sys.stderr)
        return 2
    rows = run_scenario(scenario, seed, mode)
    print("\n".join(table(scenario, rows)))
    if plot_to:
        try:
            plot(scenario, rows, Path(plot_to))
        except PlotUnavailable as exc:
            print(f"soul: {exc}", file=sys.stderr)
            return 2
        print(f"chart: {plot_to}")
    return 0 if all(ok for _, ok, _ in checked(scenario, rows)) else 1
