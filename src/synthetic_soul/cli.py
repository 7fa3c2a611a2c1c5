"""The `soul` command line."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Sequence

from synthetic_soul import __version__
from synthetic_soul.settings import InsecureSettingsError, Settings

GC_THRESHOLDS = (10_000, 50, 100)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from synthetic_soul.api.app import create_app

    settings = Settings()
    level = "DEBUG" if settings.debug_mode else settings.log_level.upper()
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        app = create_app(settings)
    except InsecureSettingsError as exc:
        print(f"soul: {exc}", file=sys.stderr)
        return 2
    # Fewer, later collections: a burst of 1,000 new SSE connections otherwise triggers full
    # collections that stall every request (measured in bench/sse_fanout.py).
    gc.set_threshold(*GC_THRESHOLDS)
    uvicorn.run(
        app,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=level.lower(),
        proxy_headers=settings.trust_proxy_headers,
        timeout_graceful_shutdown=5,
    )
    return 0


def _simulate(args: argparse.Namespace) -> int:
    import json

    from synthetic_soul.simulate import run

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
    sim = commands.add_parser(
        "simulate", help="replay a day of simulated time from a seed (scripted model, temp store)"
    )
    sim.add_argument("--seed", type=int, default=1, help="the seed of everything random")
    sim.add_argument("--hours", type=int, default=24, help="simulated hours (default 24)")
    sim.add_argument("--mode", choices=("lite", "rich"), default="lite")
    sim.add_argument("--out", help="write the whole summary as JSON to this file")
    sim.set_defaults(func=_simulate)
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
