"""Expression images: /static/expressions/{agent}/{filename}, with alias and extension fallback.

An agent's own face (from its card) first, else the image files: the agent's folder, or the
default set for the default agent and for any agent the use case says wears it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse

from synthetic_soul.api.deps import Soul, bearer_token
from synthetic_soul.domain.expressions import image_candidates
from synthetic_soul.errors import NotFound

router = APIRouter(tags=["expressions"])
PACKAGED = Path(__file__).resolve().parents[2] / "assets" / "expressions"
DEFAULT_SET = "jasmine"
_MAX_NAME = 128
_IMAGE = {"schema": {"type": "string", "format": "binary"}}
CACHED = "public, max-age=86400"
CACHED_PRIVATELY = "private, max-age=86400"  # a private agent's face: its owner's browser only
# The extensions `image_candidates` tries, as FileResponse names their types.
IMAGE_REPLY = {
    "description": "The image, cached for a day.",
    "content": {kind: _IMAGE for kind in ("image/jpeg", "image/png", "image/webp", "image/gif")},
}


def find_image(
    root: Path, agent: str, filename: str, default_agent: str, *, default_faces: bool = False
) -> Path | None:
    """The image to serve, never outside the agent's folder. The default agent, and any other
    agent said to wear them (`default_faces`), wear the default set if it has no folder."""
    name = agent.lower()
    if not name.isidentifier() or len(name) > _MAX_NAME or len(filename) > _MAX_NAME:
        return None
    try:
        folder = root / name
        if not folder.is_dir() and (name == default_agent or default_faces):
            folder = root / DEFAULT_SET  # the configured agent wears the default faces
        folder = folder.resolve()
        for candidate in image_candidates(filename):
            path = (folder / candidate).resolve()
            if path.parent == folder and path.is_file():
                return path
    except OSError:  # e.g. a name the file system refuses: no such image
        return None
    return None


@router.get(
    "/static/expressions/{agent}/{filename}",
    response_class=FileResponse,
    responses={200: IMAGE_REPLY},
)
async def expression_image(
    agent: str,
    filename: str,
    request: Request,
    soul: Soul,
    access_token: Annotated[
        str | None,
        Query(description="the owner's bearer token or API key, for a private agent's faces"),
    ] = None,
) -> Response:
    wearing = await soul.faces.wearing(agent, filename, access_token or bearer_token(request))
    cache = {"Cache-Control": CACHED_PRIVATELY if wearing.private else CACHED}
    if wearing.face is not None:
        return Response(wearing.face.data, media_type=wearing.face.media_type, headers=cache)
    root = soul.edge.expressions_dir or PACKAGED
    path = find_image(
        root, agent, filename, soul.agents.agent.name, default_faces=wearing.default_faces
    )
    if path is None:
        raise NotFound("No such expression image.", "expression_not_found")
    return FileResponse(path, headers=cache)
