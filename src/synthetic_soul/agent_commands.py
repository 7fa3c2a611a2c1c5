"""`soul agent create|import|list|export|delete`: the operator's hand on the agents, straight
on the configured store (the service need not run). The operator acts as the deployment does
for its default agent: it may change or delete any agent, but never the default one."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from synthetic_soul.errors import SoulError, StoreOpenError

if TYPE_CHECKING:  # the use cases load only when an agent command runs
    from synthetic_soul.settings import Settings
    from synthetic_soul.usecases.agents import Agents
    from synthetic_soul.usecases.cards import Characters


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    agent = commands.add_parser("agent", help="make, import, list, export and delete agents")
    actions = agent.add_subparsers(dest="agent_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="a new agent")
    create.add_argument("name")
    create.add_argument("--mode", choices=("lite", "rich"), default=None, help="default: MODE")
    create.add_argument("--identity", required=True, help="who it is, in its own words")
    create.add_argument("--personality", default="", help="words its traits are seeded from")
    create.add_argument("--private", action="store_true", help="no one may talk to it yet")
    imported = actions.add_parser("import", help="a new agent from a Character Card file")
    imported.add_argument("file", type=Path, help="a card: PNG, JSON or CHARX")
    imported.add_argument("--name", help="the agent's name (default: from the card's)")
    imported.add_argument("--private", action="store_true", help="no one may talk to it yet")
    actions.add_parser("list", help="every agent, public or private")
    export = actions.add_parser("export", help="an agent as a V3 card")
    export.add_argument("name")
    export.add_argument("--format", choices=("png", "json", "charx"), default="png")
    export.add_argument("--out", type=Path, help="where to write it (default: NAME.FORMAT)")
    delete = actions.add_parser("delete", help="an agent and everything of it, forgotten")
    delete.add_argument("name")
    agent.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from synthetic_soul.settings import Settings

    settings = Settings()
    try:
        return asyncio.run(_run(args, settings))
    except StoreOpenError as exc:
        print(f"soul: {exc}", file=sys.stderr)
        return 1
    except SoulError as exc:
        print(f"soul: {exc.message} ({exc.code})", file=sys.stderr)
        return 1


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from synthetic_soul.bootstrap import roster

    async with roster(settings) as (agents, characters):
        return await _act(args, agents, characters, settings)


async def _act(
    args: argparse.Namespace, agents: Agents, characters: Characters, settings: Settings
) -> int:
    from synthetic_soul.domain.agent import PRIVATE, PUBLIC
    from synthetic_soul.usecases.agents import NewAgent

    visibility = PRIVATE if getattr(args, "private", False) else PUBLIC
    match args.agent_command:
        case "create":
            mode = args.mode or settings.mode
            made = await agents.create(
                None, NewAgent(args.name, mode, args.identity, args.personality, visibility)
            )
            print(f"made {made.name} ({made.mode}, {made.visibility})")
        case "import":
            made = await characters.import_card(None, args.file.read_bytes(), args.name, visibility)
            print(f"imported {made.name} ({made.mode}, {made.visibility})")
        case "list":
            for agent in await agents.all():
                default = " default" if agent.id == agents.agent.id else ""
                owner = agent.owner_id or "-"
                print(f"{agent.name}\t{agent.mode}\t{agent.visibility}\towner {owner}{default}")
        case "export":
            out = await characters.export_card(None, args.name, args.format)
            path = args.out or Path(out.filename)
            path.write_bytes(out.body)
            print(f"wrote {path}")
        case "delete":
            await agents.delete(None, args.name)
            print(f"deleted {args.name}")
    return 0
