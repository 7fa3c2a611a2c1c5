"""Password hashing: argon2id over an HMAC with the pepper, always off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    def __init__(self, pepper: str, workers: int = 2) -> None:
        self._pepper = pepper.encode()
        self._hasher = PasswordHasher()  # argon2id with the library's current defaults
        # A small pool of its own: hashing never starves the loop's default executor.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")
        self._dummy: str | None = None

    def _peppered(self, password: str) -> bytes:
        return hmac.new(self._pepper, password.encode(), hashlib.sha256).digest()

    async def hash(self, password: str) -> str:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._hasher.hash, self._peppered(password))

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """True if it matches; with no stored hash, spends the same time and says False."""
        if stored_hash is None:
            if self._dummy is None:
                self._dummy = await self.hash("timing-equaliser")
            stored_hash = self._dummy
            password = password + "\x00never"
        loop = asyncio.get_running_loop()
        try:
            return bool(
                await loop.run_in_executor(
                    self._pool, self._hasher.verify, stored_hash, self._peppered(password)
                )
            )
        except (VerificationError, InvalidHashError):
            return False

    def close(self) -> None:
        self._pool.shutdown(wait=False)
