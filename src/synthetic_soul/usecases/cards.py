"""Agents from Character Cards, and agents as cards: import and export.

A card carries no numbers, so an imported character's personality is seeded from its words
(`cards.seed`, recorded beside the agent as `extra.seeding`) at once, and a low-priority job
asks the model for it afterwards (`mind.seeding`), unless the card is one we wrote: then our
own state under `data.extensions.synthetic_soul` (mode, personality, identity) is
taken as it is, so importing an exported agent gives the same persona. The card's emotion
images become the agent's own faces (`AgentFaces`, which expression came from which of the
card's names kept as `extra.faces`), and go back out as the exported card's emotion assets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from synthetic_soul import cards, ports
from synthetic_soul.auth.sessions import Principal
from synthetic_soul.cards import Card, limits
from synthetic_soul.cards.faces import (
    CardFace,
    card_faces,
    dressed_charx,
    dressed_inline,
    dressed_png,
    inline_within,
    without_faces,
)
from synthetic_soul.domain.agent import MAX_AGENT_NAME, PUBLIC, AgentState
from synthetic_soul.domain.mood import default_mood
from synthetic_soul.domain.personality import Personality, describe
from synthetic_soul.mind.character import CARD_KEY, card_of, display_name, stored
from synthetic_soul.mind.seeding import seed_job
from synthetic_soul.ports import AgentFaces, Clock, JobQueue
from synthetic_soul.usecases.agents import MODES, Agents, NewAgent, unknown
from synthetic_soul.usecases.background import queue_after

MAX_STORED_CARD_BYTES = 512 * 1024  # the card is kept in the agent's record, rewritten often
FACES_KEY = "faces"  # extra.faces: our expression -> the card's name for its image
CHARX_MEDIA_TYPE = "application/zip"  # a CHARX is a zip; no type of its own is registered
_NOT_NAME = re.compile(r"[^a-z0-9]+")


class CardStore(AgentFaces, ports.Jobs, Protocol):
    """The ports importing and exporting cards use."""


@dataclass(frozen=True)
class Exported:
    body: bytes
    media_type: str
    filename: str


def handle_for(card_name: str) -> str:
    """An agent name made from a card's name ("Hatsune Miku" -> "hatsune_miku")."""
    handle = _NOT_NAME.sub("_", card_name.casefold()).strip("_")[:MAX_AGENT_NAME].strip("_")
    if not handle:
        raise cards.CardError("the card's name makes no agent name; give one", "card_invalid")
    return handle if handle[0].isalpha() else f"c_{handle}"[:MAX_AGENT_NAME]


def _personality(state: dict[str, Any], mode: str) -> Personality | None:
    """Our own personality from a card we wrote, if it is whole and fits the mode."""
    raw = state.get("personality")
    if not isinstance(raw, dict) or not isinstance(raw.get("traits"), dict):
        return None
    try:
        traits = {str(k): float(v) for k, v in raw["traits"].items()}
    except (TypeError, ValueError):
        return None
    if not traits or not all(0.0 <= v <= 100.0 for v in traits.values()):
        return None
    mbti = raw.get("mbti")
    if mode == "lite" and not isinstance(mbti, str):
        return None
    return Personality(traits, mbti if isinstance(mbti, str) else None)


class Characters:
    """Imports cards as agents and exports agents as cards, through `Agents`."""

    def __init__(
        self, agents: Agents, store: CardStore, clock: Clock, queue: JobQueue | None = None
    ) -> None:
        self._agents = agents
        self._store = store
        self._clock = clock
        # None (the operator's CLI): a seeding job is only stored, and the service's recovery
        # of long-queued jobs hands it to its queue.
        self._queue = queue

    async def import_card(
        self,
        who: Principal | None,
        blob: bytes,
        name: str | None = None,
        visibility: str = PUBLIC,
    ) -> AgentState:
        """A new agent from the card in `blob` (PNG, JSON or CHARX); `CardError` if none."""
        source = cards.read(blob)
        card = source.card
        worn = card_faces(source)
        document = stored(without_faces(card))
        if len(json.dumps(document).encode("utf-8")) > MAX_STORED_CARD_BYTES:
            raise cards.CardError(
                f"the card's text is over {MAX_STORED_CARD_BYTES} bytes", cards.CARD_TOO_LARGE
            )
        ours = cards.soul_state(card) or {}
        mode = ours.get("mode") if ours.get("mode") in MODES else self._agents.agent.mode
        seeded = _personality(ours, str(mode))
        identity = ours.get("identity")
        if not isinstance(identity, str) or not identity.strip():
            identity = cards.identity_of(card)
        asked = NewAgent(
            name=name or handle_for(card.name),
            mode=str(mode),
            identity=identity[:2_000],
            personality=f"{card.description}\n{card.personality}",
            visibility=visibility,
            extra={CARD_KEY: document, FACES_KEY: {f.expression: f.name for f in worn}},
            seeded=seeded,
        )
        made = await self._agents.create(who, asked)
        if worn:
            await self._store.put_faces(made.id, {f.expression: f.face for f in worn})
        if seeded is None:  # the model's seeding, which the import does not wait for
            await queue_after(self._store, self._queue, seed_job(made, self._clock.now()))
        return made

    async def export_card(self, who: Principal | None, name: str, form: str) -> Exported:
        """The agent as a V3 card ("json"; "png" with a V2 `chara` chunk beside `ccv3`; or
        "charx"), with its faces as emotion assets and our state under
        `data.extensions.synthetic_soul`."""
        agent = await self._agents.find(name)
        if agent is None or (who is not None and not agent.may_talk(who.user_id)):
            raise unknown(name)
        card = card_of(agent) or Card(
            name=display_name(agent),
            description=agent.identity,
            personality=describe(agent.personality),
        )
        soul = soul_of(agent)
        worn = await self.worn(agent)
        if form == "png":
            dressed, files = dressed_png(card, worn)
            body = cards.write_png(dressed, soul=soul, files=files)
            return Exported(body, "image/png", f"{agent.name}.png")
        if form == "charx":
            dressed, files = dressed_charx(card, worn)
            body = cards.write_charx(dressed, files, soul=soul)
            return Exported(body, CHARX_MEDIA_TYPE, f"{agent.name}.charx")
        room = limits.MAX_JSON_BYTES - len(cards.write_json(card, soul=soul))
        body = cards.write_json(dressed_inline(card, inline_within(worn, room)), soul=soul)
        return Exported(body, "application/json", f"{agent.name}.json")

    async def worn(self, agent: AgentState) -> list[CardFace]:
        """The agent's own faces, each under the card's name it came by."""
        names = agent.extra.get(FACES_KEY)
        names = names if isinstance(names, dict) else {}
        found = []
        for expression in await self._store.face_names(agent.id):
            face = await self._store.get_face(agent.id, expression)
            if face is not None:
                found.append(CardFace(expression, str(names.get(expression) or expression), face))
        return found


def soul_of(agent: AgentState) -> dict[str, Any]:
    """Our own state as an exported card carries it."""
    mood = default_mood(agent.personality)
    return {
        "name": agent.name,
        "mode": agent.mode,
        "identity": agent.identity,
        "personality": {
            "traits": dict(agent.personality.traits),
            "mbti": agent.personality.mbti,
        },
        "mood_default": {
            "pleasure": mood.pleasure,
            "arousal": mood.arousal,
            "dominance": mood.dominance,
        },
        "seeding": agent.extra.get("seeding"),
    }
