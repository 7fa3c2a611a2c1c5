"""One agent a name, whatever its mode: what the stores' unique indexes on the name hold.

Older stores kept agents unique by name and mode only, so a restart with another `MODE` made
a second agent of the default agent's name. Such a store is mended when opened
(`rename_later_agents`): of the agents sharing a name, the first made (by birthdate, then
id) keeps it, and each later one is renamed `NAME_MODE` (a number after it if that is taken),
since refusing to start would keep everyone from every agent. A renamed agent keeps what is
keyed by its id (profiles, memories, thoughts, snapshots, faces); conversations are keyed by
the name and stay with the agent that keeps it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from synthetic_soul.domain.agent import MAX_AGENT_NAME

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredAgent:
    """An agent as the mending reads it."""

    id: str
    name: str
    mode: str
    birthdate: float


def _free_name(agent: StoredAgent, taken: set[str]) -> str:
    base = f"{agent.name}_{agent.mode}"[:MAX_AGENT_NAME]
    if base not in taken:
        return base
    for n in range(2, 10_000):
        suffix = f"_{n}"
        name = base[: MAX_AGENT_NAME - len(suffix)] + suffix
        if name not in taken:
            return name
    raise RuntimeError(f"no free name for agent {agent.id!r}")  # pragma: no cover


def rename_later_agents(agents: Iterable[StoredAgent], names: set[str]) -> dict[str, str]:
    """The new name of each of `agents` whose name an earlier one holds, by id (empty when
    every name is one agent's); `names` are every stored agent's, which a new one avoids.
    Deterministic, so processes opening one store at once agree."""
    ordered = sorted(agents, key=lambda a: (a.birthdate, a.id))
    taken = set(names) | {a.name for a in ordered}
    holders: set[str] = set()
    renamed: dict[str, str] = {}
    for agent in ordered:
        if agent.name not in holders:
            holders.add(agent.name)
            continue
        name = _free_name(agent, taken)
        taken.add(name)
        renamed[agent.id] = name
        log.warning(
            "agent %r (%s mode, id %s) shares its name with an older agent: renamed %r",
            agent.name,
            agent.mode,
            agent.id,
            name,
        )
    return renamed
