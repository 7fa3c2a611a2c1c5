"""A character card, typed: what V1, V2 (`chara_card_v2`) and V3 (`chara_card_v3`) JSON say.

Every version is read into one `Card`; writing gives V3 (and the V2 downgrade that older
readers want). Fields the card left out stay None where the spec makes them optional, so a
card written and read again is the same card. `extensions` is kept as it came: other tools'
keys pass through us untouched, and ours live under `extensions["synthetic_soul"]`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from synthetic_soul.cards import limits
from synthetic_soul.cards.errors import invalid, too_large
from synthetic_soul.domain.lorebook import Lorebook, LoreEntry

SPEC_V2 = "chara_card_v2"
SPEC_V3 = "chara_card_v3"
SPEC_V1 = "v1"
SOUL_EXTENSION = "synthetic_soul"

# The flat fields of a V1 card, and the older Pygmalion names for the same things.
_V1_FIELDS = ("name", "description", "personality", "scenario", "first_mes", "mes_example")
_PYGMALION = {
    "char_name": "name",
    "char_persona": "description",
    "world_scenario": "scenario",
    "char_greeting": "first_mes",
    "example_dialogue": "mes_example",
}


@dataclass(frozen=True)
class Asset:
    """A V3 asset: its kind (`icon`, `emotion`...), where it is, its name within the kind."""

    type: str
    uri: str
    name: str
    ext: str


@dataclass(frozen=True)
class Card:
    """A character as a card describes it (V3's fields, V2's being a subset)."""

    name: str
    description: str = ""
    personality: str = ""
    scenario: str = ""
    first_mes: str = ""
    mes_example: str = ""
    alternate_greetings: tuple[str, ...] = ()
    system_prompt: str = ""
    post_history_instructions: str = ""
    creator_notes: str = ""
    tags: tuple[str, ...] = ()
    creator: str = ""
    character_version: str = ""
    character_book: Lorebook | None = None
    group_only_greetings: tuple[str, ...] = ()
    assets: tuple[Asset, ...] | None = None
    nickname: str | None = None
    creator_notes_multilingual: dict[str, str] | None = None
    source: tuple[str, ...] | None = None
    creation_date: int | None = None
    modification_date: int | None = None
    extensions: dict[str, Any] = field(default_factory=dict)


def with_soul(card: Card, state: Mapping[str, Any]) -> Card:
    """The card carrying our own state (mode, personality, mood, identity) as an extension."""
    return replace(card, extensions={**card.extensions, SOUL_EXTENSION: dict(state)})


def soul_state(card: Card) -> dict[str, Any] | None:
    """Our own state, if the card was written by us (or kept it through another tool)."""
    state = card.extensions.get(SOUL_EXTENSION)
    return dict(state) if isinstance(state, dict) else None


# --- reading ---------------------------------------------------------------------------


def parse_json(raw: bytes | str) -> Any:
    """JSON text, bounded in size and nesting, as Python values; `CardError` if it is not."""
    size = len(raw.encode("utf-8")) if isinstance(raw, str) else len(raw)
    if size > limits.MAX_JSON_BYTES:
        raise too_large(f"the card's JSON is over {limits.MAX_JSON_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        value = json.loads(text)
    except UnicodeDecodeError as exc:
        raise invalid("the card's JSON is not UTF-8") from exc
    except RecursionError as exc:
        raise invalid("the card's JSON is nested too deeply") from exc
    except ValueError as exc:
        raise invalid(f"the card is not valid JSON ({exc.args[0] if exc.args else exc})") from exc
    _check_depth(value)
    return value


def _check_depth(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limits.MAX_JSON_DEPTH:
            raise invalid(f"the card's JSON is nested deeper than {limits.MAX_JSON_DEPTH}")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def card_from_json(value: Any) -> tuple[Card, str]:
    """The card in a decoded JSON document, and the spec it was written to."""
    if not isinstance(value, dict):
        raise invalid("a card must be a JSON object")
    spec = value.get("spec")
    if spec is None:
        if any(k in value for k in (*_V1_FIELDS, *_PYGMALION)):
            flat = {_PYGMALION.get(str(k), str(k)): v for k, v in value.items()}
            return _card(flat, "card", v3=False), SPEC_V1
        raise invalid("not a character card: no spec and none of a V1 card's fields")
    if spec not in (SPEC_V2, SPEC_V3):
        raise invalid(f"unsupported card spec {str(spec)[:40]!r}: expected {SPEC_V2} or {SPEC_V3}")
    data = value.get("data")
    if not isinstance(data, dict):
        raise invalid(f"a {spec} card needs a `data` object")
    return _card(data, "data", v3=spec == SPEC_V3), str(spec)


def _card(data: dict[str, Any], at: str, *, v3: bool) -> Card:
    name = _text(data, "name", at, limits.MAX_SHORT_CHARS)
    if not name.strip():
        raise invalid(f"{at}.name is empty: a character needs a name")
    book = data.get("character_book")
    return Card(
        name=name,
        description=_text(data, "description", at),
        personality=_text(data, "personality", at),
        scenario=_text(data, "scenario", at),
        first_mes=_text(data, "first_mes", at),
        mes_example=_text(data, "mes_example", at),
        alternate_greetings=_texts(data, "alternate_greetings", at, limits.MAX_TEXT_CHARS),
        system_prompt=_text(data, "system_prompt", at),
        post_history_instructions=_text(data, "post_history_instructions", at),
        creator_notes=_text(data, "creator_notes", at),
        tags=_texts(data, "tags", at, limits.MAX_SHORT_CHARS),
        creator=_text(data, "creator", at, limits.MAX_SHORT_CHARS),
        character_version=_text(data, "character_version", at, limits.MAX_SHORT_CHARS),
        character_book=None if book is None else _book(book, f"{at}.character_book"),
        group_only_greetings=(
            _texts(data, "group_only_greetings", at, limits.MAX_TEXT_CHARS) if v3 else ()
        ),
        assets=_assets(data.get("assets"), f"{at}.assets") if v3 else None,
        nickname=_opt_text(data, "nickname", at, limits.MAX_SHORT_CHARS) if v3 else None,
        creator_notes_multilingual=_multilingual(data, at) if v3 else None,
        source=(
            _texts(data, "source", at, limits.MAX_SHORT_CHARS)
            if v3 and data.get("source") is not None
            else None
        ),
        creation_date=_date(data, "creation_date") if v3 else None,
        modification_date=_date(data, "modification_date") if v3 else None,
        extensions=_extensions(data, at),
    )


def _text(data: dict[str, Any], key: str, at: str, limit: int = limits.MAX_TEXT_CHARS) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise invalid(f"{at}.{key} must be a string")
    text = str(value)
    if len(text) > limit:
        raise too_large(f"{at}.{key} is over {limit} characters")
    return text


def _opt_text(data: dict[str, Any], key: str, at: str, limit: int) -> str | None:
    return None if data.get(key) is None else _text(data, key, at, limit)


def _texts(data: dict[str, Any], key: str, at: str, limit: int) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise invalid(f"{at}.{key} must be a list of strings")
    if len(value) > limits.MAX_LIST_ITEMS:
        raise too_large(f"{at}.{key} has over {limits.MAX_LIST_ITEMS} items")
    items = {str(i): v for i, v in enumerate(value)}
    return tuple(_text(items, str(i), f"{at}.{key}", limit) for i in range(len(value)))


def _opt_int(data: dict[str, Any], key: str, at: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(f"{at}.{key} must be a number")
    return int(value)


def _date(data: dict[str, Any], key: str) -> int | None:
    """A timestamp, if it is a number: some tools write dates as text, which we drop
    rather than refuse the card for."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _opt_number(data: dict[str, Any], key: str, at: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(f"{at}.{key} must be a number")
    return value


def _opt_bool(data: dict[str, Any], key: str, at: str) -> bool | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise invalid(f"{at}.{key} must be true or false")
    return value


def _extensions(data: dict[str, Any], at: str) -> dict[str, Any]:
    value = data.get("extensions")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid(f"{at}.extensions must be an object")
    return value


def _multilingual(data: dict[str, Any], at: str) -> dict[str, str] | None:
    value = data.get("creator_notes_multilingual")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(f"{at}.creator_notes_multilingual must be an object")
    if len(value) > limits.MAX_LIST_ITEMS:
        raise too_large(f"{at}.creator_notes_multilingual has over {limits.MAX_LIST_ITEMS} items")
    where = f"{at}.creator_notes_multilingual"
    return {str(k)[: limits.MAX_SHORT_CHARS]: _text(value, k, where) for k in value}


def _assets(value: Any, at: str) -> tuple[Asset, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid(f"{at} must be a list")
    if len(value) > limits.MAX_ASSETS:
        raise too_large(f"{at} lists over {limits.MAX_ASSETS} assets")
    out = []
    for i, item in enumerate(value):
        where = f"{at}[{i}]"
        if not isinstance(item, dict):
            raise invalid(f"{where} must be an object")
        # A `data:` URI holds the image itself: only the JSON's own limit bounds it.
        uri = _text(item, "uri", where, limits.MAX_JSON_BYTES)
        out.append(
            Asset(
                type=_text(item, "type", where, limits.MAX_SHORT_CHARS),
                uri=uri,
                name=_text(item, "name", where, limits.MAX_SHORT_CHARS),
                ext=_text(item, "ext", where, limits.MAX_SHORT_CHARS),
            )
        )
    return tuple(out)


def _book(value: Any, at: str) -> Lorebook:
    if not isinstance(value, dict):
        raise invalid(f"{at} must be an object")
    entries = value.get("entries")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise invalid(f"{at}.entries must be a list")
    if len(entries) > limits.MAX_LORE_ENTRIES:
        raise too_large(f"{at} has over {limits.MAX_LORE_ENTRIES} entries")
    scan_depth = _opt_int(value, "scan_depth", at)
    budget = _opt_int(value, "token_budget", at)
    return Lorebook(
        entries=tuple(_entry(e, f"{at}.entries[{i}]") for i, e in enumerate(entries)),
        name=_opt_text(value, "name", at, limits.MAX_SHORT_CHARS),
        description=_opt_text(value, "description", at, limits.MAX_TEXT_CHARS),
        scan_depth=scan_depth,
        token_budget=budget,
        recursive_scanning=_opt_bool(value, "recursive_scanning", at),
        extensions=_extensions(value, at),
    )


def _entry(value: Any, at: str) -> LoreEntry:
    if not isinstance(value, dict):
        raise invalid(f"{at} must be an object")
    raw_id = value.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, int | str)):
        raise invalid(f"{at}.id must be a number or a string")
    if isinstance(raw_id, str) and len(raw_id) > limits.MAX_SHORT_CHARS:
        raise too_large(f"{at}.id is over {limits.MAX_SHORT_CHARS} characters")
    secondary = value.get("secondary_keys")
    position = _opt_text(value, "position", at, limits.MAX_SHORT_CHARS)
    enabled = _opt_bool(value, "enabled", at)
    return LoreEntry(
        keys=_texts(value, "keys", at, limits.MAX_SHORT_CHARS),
        content=_text(value, "content", at),
        enabled=True if enabled is None else enabled,
        insertion_order=_opt_number(value, "insertion_order", at) or 0,
        case_sensitive=_opt_bool(value, "case_sensitive", at),
        use_regex=bool(_opt_bool(value, "use_regex", at)),
        constant=_opt_bool(value, "constant", at),
        selective=_opt_bool(value, "selective", at),
        secondary_keys=(
            None
            if secondary is None
            else _texts(value, "secondary_keys", at, limits.MAX_SHORT_CHARS)
        ),
        name=_opt_text(value, "name", at, limits.MAX_SHORT_CHARS),
        priority=_opt_number(value, "priority", at),
        id=raw_id,
        comment=_opt_text(value, "comment", at, limits.MAX_TEXT_CHARS),
        position=position,
        extensions=_extensions(value, at),
    )


# --- writing ---------------------------------------------------------------------------


def to_v3(card: Card) -> dict[str, Any]:
    """The card as a V3 document (`spec_version` 3.0)."""
    data = _common(card, v3=True)
    data["group_only_greetings"] = list(card.group_only_greetings)
    if card.assets is not None:
        data["assets"] = [
            {"type": a.type, "uri": a.uri, "name": a.name, "ext": a.ext} for a in card.assets
        ]
    optional: dict[str, Any] = {
        "nickname": card.nickname,
        "creator_notes_multilingual": card.creator_notes_multilingual,
        "source": None if card.source is None else list(card.source),
        "creation_date": card.creation_date,
        "modification_date": card.modification_date,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    return {"spec": SPEC_V3, "spec_version": "3.0", "data": data}


def to_v2(card: Card) -> dict[str, Any]:
    """The card downgraded to V2 for older readers: V3's additions left out.

    The V1 fields are repeated at the top, as the V2 spec allows, for readers older still.
    """
    data = _common(card, v3=False)
    flat = {k: data[k] for k in _V1_FIELDS}
    return {**flat, "spec": SPEC_V2, "spec_version": "2.0", "data": data}


def _common(card: Card, *, v3: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": card.name,
        "description": card.description,
        "personality": card.personality,
        "scenario": card.scenario,
        "first_mes": card.first_mes,
        "mes_example": card.mes_example,
        "creator_notes": card.creator_notes,
        "system_prompt": card.system_prompt,
        "post_history_instructions": card.post_history_instructions,
        "alternate_greetings": list(card.alternate_greetings),
        "tags": list(card.tags),
        "creator": card.creator,
        "character_version": card.character_version,
        "extensions": card.extensions,
    }
    if card.character_book is not None:
        data["character_book"] = _book_json(card.character_book, v3=v3)
    return data


def _book_json(book: Lorebook, *, v3: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "entries": [_entry_json(e, v3=v3) for e in book.entries],
        "extensions": book.extensions,
    }
    optional = {
        "name": book.name,
        "description": book.description,
        "scan_depth": book.scan_depth,
        "token_budget": book.token_budget,
        "recursive_scanning": book.recursive_scanning,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def _entry_json(entry: LoreEntry, *, v3: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "keys": list(entry.keys),
        "content": entry.content,
        "extensions": entry.extensions,
        "enabled": entry.enabled,
        "insertion_order": entry.insertion_order,
    }
    if v3:
        out["use_regex"] = entry.use_regex
    optional: dict[str, Any] = {
        "case_sensitive": entry.case_sensitive,
        "constant": entry.constant,
        "selective": entry.selective,
        "secondary_keys": None if entry.secondary_keys is None else list(entry.secondary_keys),
        "name": entry.name,
        "priority": entry.priority,
        "id": entry.id,
        "comment": entry.comment,
        "position": entry.position,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out
