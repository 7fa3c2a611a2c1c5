"""The embedded store: one SQLite file in WAL mode, driven from one dedicated thread.

Every method runs as one transaction on that thread, so each is atomic and the event loop
never blocks on disk. Each area (a port of `synthetic_soul.ports`) is a mixin in a file of
its own, named like its twin in the MongoDB store; `SQLiteStore` is all of them over one file.
"""

from __future__ import annotations

from synthetic_soul.adapters.store.sqlite.accounts import AccountTables
from synthetic_soul.adapters.store.sqlite.agents import AgentTables
from synthetic_soul.adapters.store.sqlite.commits import CommitTables
from synthetic_soul.adapters.store.sqlite.conversations import ConversationTables
from synthetic_soul.adapters.store.sqlite.faces import FaceTables
from synthetic_soul.adapters.store.sqlite.jobs import JobTables
from synthetic_soul.adapters.store.sqlite.keys import KeyTables
from synthetic_soul.adapters.store.sqlite.leases import LeaseTables
from synthetic_soul.adapters.store.sqlite.memories import MemoryTables
from synthetic_soul.adapters.store.sqlite.mind import MindTables
from synthetic_soul.adapters.store.sqlite.thoughts import ThoughtTables

__all__ = ["SQLiteStore"]


class SQLiteStore(
    AccountTables,
    KeyTables,
    AgentTables,
    FaceTables,
    ConversationTables,
    JobTables,
    LeaseTables,
    ThoughtTables,
    MemoryTables,
    MindTables,
    CommitTables,
):
    pass
