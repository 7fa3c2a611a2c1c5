"""How the agent's state reads in a terminal: rich renderables built from API bodies, no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from rich.columns import Columns
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from synthetic_soul.terminal.client import ApiError, Json, ServiceError, Unreachable

BAR_FULL, BAR_EMPTY = "█", "·"
AGENT_STYLE, USER_STYLE, DIM = "bold magenta", "bold cyan", "dim"
_PAD = ("pleasure", "arousal", "dominance")


def display_name(name: str) -> str:
    return name[:1].upper() + name[1:]


def bar(value: float, low: float = 0.0, high: float = 100.0, width: int = 16) -> str:
    """`████····`: the share of the scale that `value` fills, in whole cells."""
    share = 0.0 if high <= low else min(1.0, max(0.0, (value - low) / (high - low)))
    filled = round(share * width)
    return BAR_FULL * filled + BAR_EMPTY * (width - filled)


def values(scales: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """`{"joy": {"value": 62, ...}}` -> `{"joy": 62}`."""
    return {name: round(float(scale.get("value", 0))) for name, scale in scales.items()}


def top_emotions(emotions: Mapping[str, int], count: int = 3) -> list[tuple[str, int]]:
    """The strongest emotions felt (above zero), strongest first, ties by name."""
    felt = [(name, value) for name, value in emotions.items() if value > 0]
    return sorted(felt, key=lambda item: (-item[1], item[0]))[:count]


def emotions_of(agent: Json) -> dict[str, int]:
    return values(agent.get("emotional_status", {}).get("emotions", {}))


def mood_words(mood: Mapping[str, Any] | None) -> str:
    """`calm`, `slightly exuberant`: the server's name, else the octant's words."""
    if not mood:
        return "mood unknown"
    if mood.get("name"):
        return str(mood["name"])
    label = str(mood.get("label", "?"))
    return label if label == "neutral" else f"{mood.get('intensity', '')} {label}".strip()


def feelings(expression: str | None, agent: Json, before: Mapping[str, int] | None = None) -> Text:
    """One line after a reply: the expression, the mood, and the top emotions with changes."""
    line = Text("  ")
    if expression:
        line.append(expression, style="cyan")
        line.append(" · ", style=DIM)
    line.append("mood ", style=DIM)
    line.append(mood_words(agent.get("mood")), style="magenta")
    now = emotions_of(agent)
    top = top_emotions(now)
    if not top:
        line.append(" · calm, no emotion above 0", style=DIM)
    for name, value in top:
        line.append(" · ", style=DIM)
        line.append(f"{name} {value}")
        change = value - before.get(name, 0) if before is not None else 0
        if change:
            line.append(f" {change:+d}", style="green" if change > 0 else "red")
    return line


def ago(timestamp: str, now: float) -> str:
    """`5 min ago` for an ISO 8601 time."""
    try:
        then = dt.datetime.fromisoformat(timestamp).timestamp()
    except (TypeError, ValueError):
        return str(timestamp)
    seconds = max(0.0, now - then)
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "h"), (60, "min")):
        if seconds >= size:
            count = int(seconds // size)
            plural = "s" if unit == "day" and count != 1 else ""
            return f"{count} {unit}{plural} ago"
    return "just now"


def said(agent_name: str, message: Json) -> Text:
    """One line of the conversation: `you › ...` or `Jasmine › ...`."""
    if message.get("from_agent"):
        line = Text(f"{display_name(agent_name)} › ", style=AGENT_STYLE)
    else:
        line = Text("you › ", style=USER_STYLE)
    line.append(str(message.get("message", "")))
    return line


def conversation_tail(agent_name: str, messages: Sequence[Json], count: int = 6) -> Group:
    shown = list(messages)[-count:]
    lines: list[RenderableType] = []
    if len(messages) > len(shown):
        lines.append(Text(f"… {len(messages) - len(shown)} earlier messages", style=DIM))
    lines.extend(said(agent_name, m) for m in shown)
    return Group(*lines)


def scales_view(title: str, scales: Mapping[str, int], width: int) -> Group:
    """A titled set of `name ████···· 62` cells, as many side by side as the screen holds."""
    label = max((len(name) for name in scales), default=0)
    cells = [
        Text.assemble(f"{name:<{label}} ", (bar(value, width=width), "cyan"), f" {value:>3}")
        for name, value in scales.items()
    ]
    return Group(Text(title, style="bold"), Columns(cells, padding=(0, 3), equal=True))


def state_view(agent: Json, relationship: Json | None) -> Group:
    """`/state`: emotions, mood with its octant, personality, and how the agent sees you."""
    name = display_name(str(agent.get("name", "the agent")))
    parts: list[RenderableType] = []
    mood = agent.get("mood")
    head = Text.assemble((name, AGENT_STYLE), " is ", (mood_words(mood), "magenta"))
    if mood:
        pad = " ".join(f"{k[0].upper()} {float(mood.get(k, 0)):+.2f}" for k in _PAD)
        head.append(f"  (mood octant {mood.get('label')}: {pad})", style=DIM)
    parts.append(head)
    reason = agent.get("emotional_status", {}).get("reason")
    if reason:
        parts.append(Text(f"why: {reason}", style=DIM))
    emotions = emotions_of(agent)
    felt = {k: v for k, v in sorted(emotions.items(), key=lambda kv: (-kv[1], kv[0])) if v > 0}
    if felt:
        rest = len(emotions) - len(felt)
        parts.append(scales_view("Emotions", felt, 16))
        if rest:
            parts.append(Text(f"  and {rest} more at 0", style=DIM))
    else:
        parts.append(Text.assemble(("Emotions", "bold"), "  all at rest (0)"))
    personality = agent.get("personality", {})
    traits = values(personality.get("personality_matrix", {}))
    title = "Personality"
    if personality.get("myers-briggs"):
        title += f" ({personality['myers-briggs']})"
    parts.append(scales_view(title, traits, 10))
    if personality.get("description"):
        parts.append(Text(f"  {personality['description']}", style=DIM))
    if relationship is not None:
        parts.append(relationship_view(relationship))
    return Group(*parts)


def relationship_view(relationship: Json) -> Table:
    grid = Table.grid(padding=(0, 1))
    label = str(relationship.get("extrinsic_relationship", "stranger"))
    intrinsic = str(relationship.get("intrinsic_relationship", "none"))
    if intrinsic != "none":
        label += f", {intrinsic}"
    sentiments = top_emotions(values(relationship.get("sentiments", {})), 4)
    felt = ", ".join(f"{n} {v}" for n, v in sentiments) or "nothing yet"
    grid.add_row(
        Text("You", style="bold"),
        Text.assemble(
            (label, "magenta"),
            f" · affinity {float(relationship.get('affinity', 0)):+.1f}",
            f" · {_count(int(relationship.get('interactions', 0)), 'interaction')}",
            f" · feels {felt}",
        ),
    )
    if relationship.get("summary"):
        grid.add_row("", Text(str(relationship["summary"]), style=DIM))
    return grid


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def thought_view(agent_name: str, thought: Json | None, now: float) -> Text:
    if thought is None:
        return Text(f"{display_name(agent_name)} has had no thought yet.", style=DIM)
    line = Text(f"{display_name(agent_name)} thought ", style=AGENT_STYLE)
    line.append(f"({ago(str(thought.get('timestamp', '')), now)}): ", style=DIM)
    line.append(str(thought.get("thought", "")), style="italic")
    return line


def memories_view(agent_name: str, memories: Sequence[Json], now: float) -> RenderableType:
    if not memories:
        return Text(f"{display_name(agent_name)} holds no memories about you yet.", style=DIM)
    table = Table(
        title=f"What {display_name(agent_name)} remembers about you ({len(memories)})",
        title_justify="left",
        show_edge=False,
        expand=False,
    )
    table.add_column("when", style=DIM, no_wrap=True)
    table.add_column("imp.", justify="right")
    table.add_column("memory")
    for m in memories:
        text = Text(str(m.get("event", "")))
        if m.get("thoughts"):
            text.append(f"\n{m['thoughts']}", style="italic dim")
        tags = ", ".join(str(t) for t in m.get("tags", []))
        if tags:
            text.append(f"\n#{tags.replace(', ', ' #')}", style="cyan")
        table.add_row(ago(str(m.get("created_at", "")), now), str(m.get("importance", "")), text)
    return table


def trouble(exc: ServiceError) -> Text:
    """What went wrong, in a sentence the user can act on."""
    if isinstance(exc, Unreachable):
        return Text.assemble(
            ("Cannot reach the service", "bold red"),
            f" at {exc.url}: {exc.reason}.\nIs it running? Start it with ",
            ("make run", "bold"),
            " (or ",
            ("soul serve", "bold"),
            "), or point to it with ",
            ("--url", "bold"),
            ".",
        )
    if isinstance(exc, ApiError):
        if exc.status == 429:
            wait = f"try again in {exc.retry_after} s" if exc.retry_after else "try again soon"
            return Text.assemble(("Slow down", "bold yellow"), f": {exc.message} — {wait}.")
        if exc.status >= 500:
            return Text.assemble(
                ("The service failed", "bold red"),
                f": {exc.message} ({exc.code}, request {exc.request_id or '?'}).",
            )
        return Text.assemble(("The service said", "bold yellow"), f": {exc.message} ({exc.code}).")
    return Text(str(exc), style="bold red")
