"""Where the service is: the URL a terminal client talks to, and what it is called locally."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_URL = "http://127.0.0.1:8000"
# A server bound to every interface is reached on the loopback one.
_ANY_ADDRESS = frozenset({"", "0.0.0.0", "::", "[::]"})
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class BadAddress(ValueError):
    """The URL given is not one the client can talk to."""


def local_url(host: str, port: int) -> str:
    """The URL of a service started here with HOST and PORT."""
    host = host.strip()
    if host in _ANY_ADDRESS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def normalize(url: str) -> str:
    """`host:port`, `http://host:port/`, or `.../v1` become `http://host:port`."""
    text = url.strip()
    if "://" not in text:
        text = f"http://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise BadAddress(f"{url!r} is not an http(s) URL")
    try:
        port = parts.port
    except ValueError as exc:
        raise BadAddress(f"{url!r} has a bad port") from exc
    host = parts.hostname
    if not host:
        raise BadAddress(f"{url!r} names no host")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"  # credentials in a URL are dropped
    path = parts.path.rstrip("/").removesuffix("/v1")
    return f"{parts.scheme}://{netloc}{path}"


def state_dir(environ: Mapping[str, str]) -> Path:
    """The user's state directory for this program (XDG_STATE_HOME, else ~/.local/state)."""
    base = environ.get("XDG_STATE_HOME") or ""
    root = Path(base) if Path(base).is_absolute() else Path.home() / ".local" / "state"
    return root / "synthetic-soul"


def session_file_name(url: str) -> str:
    """`chat-127.0.0.1-8000.json`: one saved guest per service."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    name = f"{parts.hostname}-{port}{parts.path}"
    return f"chat-{_UNSAFE.sub('_', name).strip('_')}.json"
