"""Errors the use cases raise; the HTTP layer maps each kind to a status in one place."""

from __future__ import annotations


class SoulError(Exception):
    """A failure a client can be told about: a stable code and a human sentence."""

    code = "error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class Unauthorized(SoulError):
    code = "invalid_token"


class NotFound(SoulError):
    code = "not_found"


class Forbidden(SoulError):
    """Signed in, but not allowed this (a guest making an agent, another's agent changed)."""

    code = "forbidden"


class TooLarge(SoulError):
    code = "payload_too_large"


class Conflict(SoulError):
    code = "email_in_use"


class RateLimited(SoulError):
    code = "rate_limited"

    def __init__(
        self, retry_after: float, message: str = "Too many requests; try again later."
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooManyPending(RateLimited):
    """The user, or the client address, already has as many unfinished replies as allowed."""

    code = "too_many_pending"

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after, "Too many replies are still pending; wait for one first.")


class Unavailable(SoulError):
    code = "service_unavailable"


class QueueUnavailable(Unavailable):
    code = "queue_unavailable"


class StoreUnavailable(Unavailable):
    code = "store_unavailable"


class StoreOpenError(RuntimeError):
    """The store cannot be opened at start-up. The message is one line naming what failed and
    where (a path, a host), fit to print as the process's last word."""
