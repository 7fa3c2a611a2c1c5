"""What the HTTP edge is told about its deployment, once, at start-up.

Cookies, proxy headers and where the expression images lie concern only the edge; it gets
these few values instead of the whole Settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EdgeConfig:
    cookie_secure: bool
    refresh_max_age_s: int  # how long the refresh cookies live
    trust_proxy_headers: bool  # take the client's address from X-Forwarded-For
    expressions_dir: Path | None  # None: the images packaged with the service
