"""The `soul` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from synthetic_soul import __version__
from synthetic_soul.settings import InsecureSettingsError, Settings


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
    uvicorn.run(
        app,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=level.lower(),
        proxy_headers=settings.trust_proxy_headers,
        timeout_graceful_shutdown=5,
    )
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
