"""The guest kept across runs: its refresh session saved in a private file, resumed or replaced.

Refreshing rotates the session and spends the cookies presented, and presenting spent cookies
again is taken for a replay that revokes every session of the user. So the cookies are read,
spent and replaced under a lock on the file, always the newest saved: two chats open on one
service take turns instead of locking each other's guest out.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from synthetic_soul.terminal.client import REFRESH_COOKIES, ApiError, Grant, SoulClient


@dataclass(frozen=True)
class SavedSession:
    url: str
    username: str
    cookies: dict[str, str]


class SessionFile:
    """`chat-<host>-<port>.json` in the user's state directory, readable by the user alone."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> SavedSession | None:
        """The saved session; None if there is none or it cannot be used."""
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            cookies = {name: str(doc["cookies"][name]) for name in REFRESH_COOKIES}
            return SavedSession(str(doc["url"]), str(doc["username"]), cookies)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return None  # unreadable or from another version: a new guest replaces it

    def save(self, session: SavedSession) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        doc = {"url": session.url, "username": session.username, "cookies": session.cookies}
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(doc, out, indent=1)
        os.replace(temporary, self.path)  # never a half-written file in its place

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the file's lock (other processes wait): a session is spent by one at a time.

        Ctrl-C waits until the end: stopping between spending the cookies and saving their
        replacements would leave spent cookies saved, and the next run's refresh a replay.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path.with_name(f"{self.path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if sys.platform != "win32":
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX)
            with _interrupt_deferred():
                yield
        finally:
            os.close(fd)  # closing releases the lock


@contextlib.contextmanager
def _interrupt_deferred() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    interrupted: list[int] = []

    def remember(signum: int, frame: FrameType | None) -> None:
        interrupted.append(signum)

    previous = signal.signal(signal.SIGINT, remember)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if interrupted:
        raise KeyboardInterrupt


@dataclass(frozen=True)
class SignedIn:
    username: str
    resumed: bool
    note: str | None  # why a saved guest was not resumed, if it was not


def sign_in(client: SoulClient, file: SessionFile, *, fresh: bool = False) -> SignedIn:
    """Resume the saved guest (refresh), else start a new one; the client is left signed in."""
    with file.locked():
        saved = None if fresh else file.load()
        note = None
        grant: Grant | None = None
        if saved is not None:
            try:
                grant = client.refresh(saved.cookies)
            except ApiError as exc:
                if exc.status != 401:
                    raise
                note = f"the saved guest {saved.username} could not be resumed ({exc.code})"
        elif not fresh and file.path.exists():
            note = f"the saved session in {file.path} is unreadable"
        if grant is None:
            grant = client.guest()
        file.save(SavedSession(client.url, grant.username, grant.cookies))
    client.token = grant.access_token
    return SignedIn(grant.username, saved is not None and note is None, note)


def renewer(
    client: SoulClient, file: SessionFile, told: Callable[[str], None]
) -> Callable[[], str]:
    """What gets a new access token when one expires: the newest saved cookies, refreshed."""

    def renew() -> str:
        with file.locked():
            saved = file.load()
            grant: Grant | None = None
            if saved is not None:
                try:
                    grant = client.refresh(saved.cookies)
                except ApiError as exc:
                    if exc.status != 401:
                        raise
                    told(f"the guest session ended ({exc.code}): continuing as a new guest")
            else:
                told(f"the saved session in {file.path} is gone: continuing as a new guest")
            if grant is None:
                grant = client.guest()
            file.save(SavedSession(client.url, grant.username, grant.cookies))
        return grant.access_token

    return renew
