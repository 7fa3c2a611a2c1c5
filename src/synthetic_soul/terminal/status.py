"""`soul status`: the service on one screen: version, queue and workers, model, store."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from synthetic_soul import __version__
from synthetic_soul.settings import Settings
from synthetic_soul.terminal.client import ApiError, Json, ServiceError, SoulClient, Unreachable
from synthetic_soul.terminal.render import DIM, display_name, trouble

OK, WARN, BAD = "green", "yellow", "red"


@dataclass(frozen=True)
class LocalStore:
    """The store this machine's configuration names: shown only for the local service."""

    backend: str
    where: str


def status(url: str, local_store: LocalStore | None, *, console: Console) -> int:
    """Print the screen; 0 if the service answered, 1 if it could not be reached."""
    with SoulClient(url) as client:
        started = time.perf_counter()
        try:
            version = client.version()
        except ServiceError as exc:
            console.print(trouble(exc))
            return 1
        elapsed_s = time.perf_counter() - started
        try:
            console.print(screen(client, version, elapsed_s, local_store))
        except Unreachable as exc:  # went away between the calls
            console.print(trouble(exc))
            return 1
    return 0


def screen(
    client: SoulClient, version: Json, elapsed_s: float, local_store: LocalStore | None
) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("Service", _service(client, elapsed_s))
    grid.add_row(
        "Version",
        Text.assemble(
            f"API {version.get('version', '?')} (the service)",
            (f" · soul {__version__} (this client)", DIM),
        ),
    )
    grid.add_row("Queue", _queue(client))
    grid.add_row("Model", _model(client))
    grid.add_row("Store", _store(local_store))
    return grid


def _service(client: SoulClient, elapsed_s: float) -> Text:
    line = Text(client.url, style="bold")
    try:
        line.append(" · agent ").append(display_name(client.active_agent()), style="magenta")
    except ApiError as exc:
        line.append(f" · agent unknown ({exc.code})", style=WARN)
    line.append(f" · answered in {elapsed_s * 1000:.0f} ms", style=DIM)
    return line


def _queue(client: SoulClient) -> RenderableType:
    try:
        queue = client.queue()
    except ApiError as exc:
        return Text(f"unavailable: {exc.message} ({exc.code})", style=BAD)
    backend = str(queue.get("backend", "?"))
    healthy = queue.get("status") == "ok"
    head = Text(backend, style="bold")
    head.append(" · ").append(str(queue.get("status", "?")), style=OK if healthy else WARN)
    if backend != "inline" or queue.get("redis_ok"):
        redis_ok = bool(queue.get("redis_ok"))
        head.append(" · redis ").append("ok" if redis_ok else "down", style=OK if redis_ok else BAD)
    backlog = queue.get("queues", {})
    each = " · ".join(f"{name} {count}" for name, count in backlog.items())
    head.append(f" · backlog {queue.get('total_backlog', '?')} ({each})")
    workers = queue.get("workers", [])
    head.append(f" · {queue.get('worker_count', len(workers))} workers")
    table = Table.grid(padding=(0, 2))
    for worker in workers:
        state = str(worker.get("state", "?"))
        table.add_row(
            Text(str(worker.get("name", "?"))),
            Text(state, style=OK if state in ("idle", "busy") else WARN),
            Text(", ".join(worker.get("queues", [])), style=DIM),
        )
    if not workers:
        table.add_row(Text("no workers: jobs wait until one starts (soul worker)", style=WARN))
    return Group(head, table)


def _model(client: SoulClient) -> Text:
    try:
        llm = client.llm()
    except ApiError as exc:
        return Text(f"unknown: {exc.message} ({exc.code})", style=WARN)
    models = llm.get("models", {})
    line = Text(f"{llm.get('provider', '?')}", style="bold")
    line.append(f" (LLM_MODE={llm.get('mode', '?')})")
    line.append(f" · fast {models.get('fast', '?')} · quality {models.get('quality', '?')}")
    if llm.get("base_url"):
        line.append(f" · {llm['base_url']}", style=DIM)
    configured = bool(llm.get("configured"))
    line.append(" · ").append(
        "configured" if configured else "NOT configured", style=OK if configured else BAD
    )
    return line


def _store(local_store: LocalStore | None) -> Text:
    if local_store is None:
        return Text("not reported by the service's API", style=DIM)
    line = Text(local_store.backend, style="bold")
    line.append(f" · {local_store.where}")
    line.append(" · from the local settings (the API does not report the store)", style=DIM)
    return line


def local_store(settings: Settings) -> LocalStore:
    """What this machine's settings name as the store (never a connection string)."""
    if settings.store_backend == "mongo":
        return LocalStore(
            "mongo", f"database {settings.database_name} (MONGO_MODE={settings.mongo_mode})"
        )
    path = settings.database_path.resolve()
    return LocalStore("sqlite", str(path) if path.exists() else f"{path} (no file there yet)")
