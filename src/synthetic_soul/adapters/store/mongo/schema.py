"""The MongoDB store's collections: a `$jsonSchema` validator and the indexes of each.

`ensure_schema` makes them when the store opens, idempotently: a missing collection is created
with its validator, an existing one gets the current validator (`collMod`), and every index
is (re)declared by name. The unique indexes are what keep the data right under concurrent
writers, as the SQLite schema's UNIQUE constraints do there.
"""

from __future__ import annotations

import logging
from typing import Any

from pymongo import ASCENDING, DESCENDING, TEXT, IndexModel, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid, OperationFailure

from synthetic_soul.adapters.store.mongo.agent_names import one_agent_a_name
from synthetic_soul.adapters.store.mongo.records import Doc
from synthetic_soul.adapters.store.mongo.user_names import fold_user_names
from synthetic_soul.domain.recall import searched_words
from synthetic_soul.domain.relevance import terms_of_text

log = logging.getLogger(__name__)

NUMBER = {"bsonType": "number"}
STRING = {"bsonType": "string"}
BOOL = {"bsonType": "bool"}
OBJECT = {"bsonType": "object"}
INT = {"bsonType": ["int", "long"]}
NULLABLE_STRING = {"bsonType": ["string", "null"]}
NULLABLE_NUMBER = {"bsonType": ["number", "null"]}
JOB_STATUSES = ["queued", "running", "succeeded", "failed"]
# Sessions are deleted once this long past their expiry (a TTL index on `expires`): an expired
# session can no longer be used, and keeping it a day longer helps explain a late refresh.
SESSION_GRACE_S = 86400
SEQUENCES = ("messages", "memories")  # counters (see `MongoBase._next_seqs`)
NAMESPACE_EXISTS = 48  # the server's error code for creating a collection that exists


def _schema(required: list[str], **properties: Doc) -> Doc:
    return {"$jsonSchema": {"bsonType": "object", "required": required, "properties": properties}}


VALIDATORS: dict[str, Doc] = {
    "users": _schema(
        ["_id", "username", "guest", "created_at"],
        _id=STRING,
        username=STRING,
        email=STRING,  # absent for a guest, never null: the unique index is sparse
        username_key=STRING,  # the folded forms, unique (see `user_keys`)
        email_key=STRING,
        password_hash=NULLABLE_STRING,
        guest=BOOL,
        created_at=NUMBER,
    ),
    "sessions": _schema(
        ["_id", "user_id", "refresh_hash", "csrf_hash", "created_at", "expires_at", "expires"],
        _id=STRING,
        user_id=STRING,
        refresh_hash=STRING,
        csrf_hash=STRING,
        created_at=NUMBER,
        expires_at=NUMBER,
        expires={"bsonType": "date"},
        revoked_at=NULLABLE_NUMBER,
        revoke_reason=NULLABLE_STRING,
    ),
    "api_keys": _schema(
        ["_id", "user_id", "name", "key_hash", "prefix", "created_at"],
        _id=STRING,
        user_id=STRING,
        name=STRING,
        key_hash=STRING,
        prefix=STRING,
        created_at=NUMBER,
        last_used_at=NULLABLE_NUMBER,
    ),
    "agents": _schema(
        ["_id", "name", "mode", "state", "version", "updated_at"],
        _id=STRING,
        name=STRING,
        mode=STRING,
        state=OBJECT,
        version={**INT, "minimum": 0},
        updated_at=NUMBER,
    ),
    "profiles": _schema(
        ["agent_id", "user_id", "username", "doc"],
        agent_id=STRING,
        user_id=STRING,
        username=STRING,
        doc=OBJECT,
    ),
    "conversations": _schema(
        ["_id", "agent_name", "user_id", "created_at"],
        _id=STRING,
        agent_name=STRING,
        user_id=STRING,
        created_at=NUMBER,
    ),
    "messages": _schema(
        [
            "_id",
            "seq",
            "conversation_id",
            "message",
            "timestamp",
            "sender_id",
            "sender_username",
            "from_agent",
        ],
        _id=STRING,
        seq=INT,
        conversation_id=STRING,
        message=STRING,
        purpose=STRING,
        tone=STRING,
        timestamp=NUMBER,
        sender_id=STRING,
        sender_username=STRING,
        from_agent=BOOL,
        kind=STRING,
        job_id=NULLABLE_STRING,
        answered_by=NULLABLE_STRING,
        channel=NULLABLE_STRING,
        terms={"bsonType": "array", "items": STRING},  # absent on messages older than search
        vector={"bsonType": "array", "items": NUMBER},  # for recall by meaning, once embedded
        vector_model=STRING,  # the model that made `vector`
    ),
    "jobs": _schema(
        ["_id", "owner_id", "kind", "queue", "payload", "status", "attempts", "created_at"],
        _id=STRING,
        owner_id=STRING,
        kind=STRING,
        queue=STRING,
        payload=OBJECT,
        status={"enum": JOB_STATUSES},
        progress=NULLABLE_NUMBER,
        result={"bsonType": ["object", "null"]},
        error=NULLABLE_STRING,
        attempts={**INT, "minimum": 0},
        created_at=NUMBER,
        updated_at=NUMBER,
    ),
    "leases": _schema(
        ["_id", "holder", "expires_at"], _id=STRING, holder=STRING, expires_at=NUMBER
    ),
    "thoughts": _schema(
        ["_id", "agent_id", "thought", "timestamp", "source"],
        _id=STRING,
        agent_id=STRING,
        thought=STRING,
        timestamp=NUMBER,
        user_id=NULLABLE_STRING,
        source=STRING,
    ),
    "llm_calls": _schema(
        ["provider", "model", "task", "prompt_tokens", "completion_tokens", "ok", "at"],
        job_id=NULLABLE_STRING,
        provider=STRING,
        model=STRING,
        task=STRING,
        prompt_tokens=INT,
        completion_tokens=INT,
        latency_ms=NUMBER,
        ok=BOOL,
        at=NUMBER,
    ),
    "memories": _schema(
        [
            "_id",
            "seq",
            "agent_id",
            "event",
            "thoughts",
            "significance",
            "importance",
            "tags",
            "kind",
            "terms",
            "created_at",
            "last_accessed",
            "recall_count",
        ],
        _id=STRING,
        seq=INT,
        agent_id=STRING,
        user_id=NULLABLE_STRING,
        event=STRING,
        thoughts=STRING,
        significance={"enum": ["low", "medium", "high"]},
        importance={**INT, "minimum": 1, "maximum": 10},
        tags={"bsonType": "array", "maxItems": 3, "items": STRING},
        emotional_impact=STRING,
        kind={"enum": ["episode", "insight"]},
        sources={"bsonType": "array", "items": STRING},
        terms={"bsonType": "array", "items": STRING},
        created_at=NUMBER,
        last_accessed=NUMBER,
        recall_count={**INT, "minimum": 0},
    ),
    "snapshots": _schema(
        ["agent_id", "at", "emotions", "mood"],
        agent_id=STRING,
        at=NUMBER,
        emotions=OBJECT,
        mood=OBJECT,
    ),
    "faces": _schema(
        ["agent_id", "expression", "media_type", "data"],
        agent_id=STRING,
        expression=STRING,
        media_type=STRING,
        data={"bsonType": "binData"},
    ),
    "counters": _schema(["_id", "seq"], _id=STRING, seq=INT),
}

# Relevance weights of the text index, in the ratio of the SQLite store's bm25 weights
# (tags 1.5 : event 1 : thoughts 0.75): a tag match counts most, a thought least.
TEXT_WEIGHTS = {"tags": 6, "event": 4, "thoughts": 3}
TEXT_INDEX = IndexModel(
    [("event", TEXT), ("thoughts", TEXT), ("tags", TEXT)],
    name="relevance_text",
    weights=TEXT_WEIGHTS,
    default_language="english",
)
# Without a text index, recall finds the memories sharing a stem with the query through this
# one (see `relevance`).
TERMS_INDEX = IndexModel([("agent_id", ASCENDING), ("terms", ASCENDING)], name="by_terms")
# Conversation search: the text index over what was said, else each message's stems, found
# through the user's direct conversation or a channel (see `search`).
# The speaker's name is searched with the words (see `domain.recall.searched_words`); a
# collection has one text index at most, so the one over the words alone is dropped first.
MESSAGE_TEXT_INDEX = IndexModel(
    [("message", TEXT), ("sender_username", TEXT)], name="search_words", default_language="english"
)
OLDER_MESSAGE_TEXT_INDEX = "search_text"
MESSAGE_TERMS_INDEXES = [
    IndexModel([("conversation_id", ASCENDING), ("terms", ASCENDING)], name="by_terms"),
    IndexModel(
        [("channel", ASCENDING), ("terms", ASCENDING)],
        name="by_channel_terms",
        partialFilterExpression={"channel": {"$type": "string"}},
    ),
]
TERMS_FILL_BATCH = 1000  # older messages given their stems per round trip
UNAUTHORIZED = 13  # the server's error code for a command the user may not run
CANNOT_CREATE_INDEX = 67  # the server's error code for an index kind it does not have


def _index(keys: list[tuple[str, Any]], name: str, **options: Any) -> IndexModel:
    return IndexModel(keys, name=name, **options)


INDEXES: dict[str, list[IndexModel]] = {
    "users": [
        _index([("username", ASCENDING)], "username_unique", unique=True, sparse=True),
        _index([("email", ASCENDING)], "email_unique", unique=True, sparse=True),
        # Sparse: users written before the keys have none until `fold_user_names` runs.
        _index([("username_key", ASCENDING)], "username_key_unique", unique=True, sparse=True),
        _index([("email_key", ASCENDING)], "email_key_unique", unique=True, sparse=True),
    ],
    "sessions": [
        _index([("user_id", ASCENDING)], "by_user"),
        _index([("expires", ASCENDING)], "expiry_ttl", expireAfterSeconds=SESSION_GRACE_S),
    ],
    "api_keys": [
        # A key is found by its keyed hash on every request that carries one.
        _index([("key_hash", ASCENDING)], "key_hash_unique", unique=True),
        _index([("user_id", ASCENDING), ("created_at", ASCENDING)], "by_user"),
    ],
    "agents": [
        _index([("name", ASCENDING), ("mode", ASCENDING)], "name_mode_unique", unique=True),
        # One agent a name, whatever its mode (older data mended first: `one_agent_a_name`).
        _index([("name", ASCENDING)], "name_unique", unique=True),
    ],
    "profiles": [
        _index([("agent_id", ASCENDING), ("user_id", ASCENDING)], "agent_user_unique", unique=True),
        _index([("user_id", ASCENDING)], "by_user"),
        _index(
            [("agent_id", ASCENDING), ("doc.last_interaction", DESCENDING)], "by_last_interaction"
        ),
    ],
    "conversations": [
        _index(
            [("agent_name", ASCENDING), ("user_id", ASCENDING)], "agent_user_unique", unique=True
        ),
        _index([("user_id", ASCENDING)], "by_user"),
    ],
    "messages": [
        _index([("conversation_id", ASCENDING), ("seq", ASCENDING)], "by_conversation"),
        # One reply per job, however often the job runs (the SQLite store's messages_reply_once).
        _index(
            [("job_id", ASCENDING)],
            "reply_once",
            unique=True,
            partialFilterExpression={"from_agent": True, "job_id": {"$type": "string"}},
        ),
        _index(
            [("channel", ASCENDING), ("seq", ASCENDING)],
            "by_channel",
            partialFilterExpression={"channel": {"$type": "string"}},
        ),
        # The channels a user has posted in, and their first post in each (see `search`).
        _index(
            [("conversation_id", ASCENDING), ("channel", ASCENDING), ("seq", ASCENDING)],
            "by_member",
            partialFilterExpression={"channel": {"$type": "string"}, "from_agent": False},
        ),
    ],
    "jobs": [
        _index([("status", ASCENDING), ("updated_at", ASCENDING)], "by_status"),
        _index([("status", ASCENDING), ("queue", ASCENDING)], "by_queue"),
        _index([("owner_id", ASCENDING)], "by_owner"),
    ],
    "leases": [_index([("holder", ASCENDING)], "by_holder")],
    "thoughts": [
        _index([("agent_id", ASCENDING), ("timestamp", DESCENDING)], "latest"),
        _index([("user_id", ASCENDING)], "by_user"),
    ],
    "llm_calls": [_index([("job_id", ASCENDING)], "by_job")],
    "memories": [
        _index(
            [("agent_id", ASCENDING), ("user_id", ASCENDING), ("last_accessed", DESCENDING)],
            "by_accessed",
        ),
        _index(
            [("agent_id", ASCENDING), ("user_id", ASCENDING), ("created_at", DESCENDING)],
            "by_created",
        ),
    ],
    "snapshots": [
        _index([("agent_id", ASCENDING), ("at", ASCENDING)], "agent_at_unique", unique=True)
    ],
    "faces": [
        _index(
            [("agent_id", ASCENDING), ("expression", ASCENDING)],
            "agent_expression_unique",
            unique=True,
        )
    ],
}


async def _update_validator(db: AsyncDatabase[Doc], name: str, validator: Doc) -> None:
    """Bring an existing collection's validator up to date (needs the dbAdmin role)."""
    try:
        await db.command("collMod", name, validator=validator, validationLevel="strict")
    except OperationFailure as exc:
        if exc.code != UNAUTHORIZED:
            raise
        # A readWrite-only user still gets a working store, validated by the older schema.
        log.warning("cannot update the validator of %r (not authorized): %s", name, exc)


async def ensure_schema(db: AsyncDatabase[Doc]) -> bool:
    """Every collection with its validator and indexes, and the counters, as declared above.

    True if the memories and messages have a text index; False if the server has no text
    indexes (then recall and search match stored `terms` instead, through their own index).
    """
    validators = {
        c["name"]: c.get("options", {}).get("validator") async for c in await db.list_collections()
    }
    for name, validator in VALIDATORS.items():
        if name not in validators:
            try:
                await db.create_collection(name, validator=validator, validationLevel="strict")
            except (CollectionInvalid, OperationFailure) as exc:
                if isinstance(exc, OperationFailure) and exc.code != NAMESPACE_EXISTS:
                    raise
                validators[name] = None  # another process made it first
        if name in validators and validators[name] != validator:
            await _update_validator(db, name, validator)
        if name == "agents":
            await one_agent_a_name(db)
        if INDEXES.get(name):
            await db[name].create_indexes(INDEXES[name])
    await fold_user_names(db)
    for sequence in SEQUENCES:
        await db["counters"].update_one(
            {"_id": sequence}, {"$setOnInsert": {"seq": 0}}, upsert=True
        )
    try:
        await db["memories"].create_indexes([TEXT_INDEX])
        if OLDER_MESSAGE_TEXT_INDEX in await db["messages"].index_information():
            await db["messages"].drop_index(OLDER_MESSAGE_TEXT_INDEX)
        await db["messages"].create_indexes([MESSAGE_TEXT_INDEX])
    except OperationFailure as exc:
        if exc.code != CANNOT_CREATE_INDEX:
            raise
        reason = (exc.details or {}).get("errmsg", exc)
        log.warning("no text indexes on this server (%s); recall matches word stems", reason)
        await db["memories"].create_indexes([TERMS_INDEX])
        await db["messages"].create_indexes(MESSAGE_TERMS_INDEXES)
        await _fill_message_terms(db)
        return False
    return True


def _terms(d: Doc) -> list[str]:
    return terms_of_text(searched_words(d["sender_username"], d["message"]))


async def _fill_message_terms(db: AsyncDatabase[Doc]) -> None:
    """Gives the messages written before conversation search their stems, which searching
    without a text index matches (a server with one indexes the older messages itself).

    Each message is written once, by a conditional update, so two processes opening the
    store at once fill each one the same; after that this is one read (a scan) that finds
    nothing.
    """
    missing = {"terms": {"$exists": False}}
    while True:
        older = [
            d
            async for d in db["messages"]
            .find(missing, {"message": 1, "sender_username": 1})
            .limit(TERMS_FILL_BATCH)
        ]
        if not older:
            return
        await db["messages"].bulk_write(
            [
                UpdateOne({"_id": d["_id"], **missing}, {"$set": {"terms": _terms(d)}})
                for d in older
            ],
            ordered=False,
        )
